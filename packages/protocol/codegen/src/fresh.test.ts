/**
 * The committed generated code must be exactly what the generator makes from the committed
 * distilled schema, and (where Kafka's schemas sit beside the repository) the distilled schema
 * must be exactly what distilling them gives. Fix a failure with `npm run generate`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { distill, formatSchemaSet } from './distill.js';
import { generate } from './emit.js';
import { paths } from './paths.js';
import type { SchemaSet } from './schema.js';

test('generated files match a fresh generation from schema/messages.json', () => {
  const text = readFileSync(paths.distilledSchema, 'utf8');
  const files = generate(JSON.parse(text) as SchemaSet, text);
  const onDisk = readdirSync(paths.generatedDir).sort();
  assert.deepEqual(onDisk, files.map((f) => f.path).sort(), 'the set of generated files differs; run `npm run generate`');
  for (const f of files) {
    const committed = readFileSync(join(paths.generatedDir, f.path), 'utf8');
    assert.ok(committed === f.content, `${f.path} differs from a fresh generation; run \`npm run generate\``);
  }
});

test('schema/messages.json matches a fresh distillation of the Kafka schemas', (t) => {
  if (!existsSync(paths.sharedSchemaDir)) {
    t.diagnostic(`no Kafka schemas at ${paths.sharedSchemaDir}; distillation not rechecked`);
    return;
  }
  const fresh = formatSchemaSet(distill(paths.sharedSchemaDir));
  assert.ok(fresh === readFileSync(paths.distilledSchema, 'utf8'), 'schema/messages.json is stale; run `npm run generate`');
});

test('every generated file says it is generated and names its schema set', () => {
  const set = JSON.parse(readFileSync(paths.distilledSchema, 'utf8')) as SchemaSet;
  for (const name of readdirSync(paths.generatedDir)) {
    const head = readFileSync(join(paths.generatedDir, name), 'utf8').slice(0, 400);
    assert.match(head, /Code generated .* DO NOT EDIT\./, name);
    assert.ok(head.includes(set.source.commit), `${name} does not name commit ${set.source.commit}`);
  }
});
