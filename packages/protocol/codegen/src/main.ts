/**
 * The protocol code generator's command line.
 *   node codegen/dist/main.js distill [SCHEMA_DIR]   ../shared/kafka-protocol/messages → schema/messages.json
 *   node codegen/dist/main.js generate               schema/messages.json → src/generated/
 *   node codegen/dist/main.js                        both, when SCHEMA_DIR exists; otherwise generate only
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { distill, formatSchemaSet } from './distill.js';
import { generate } from './emit.js';
import { paths } from './paths.js';
import type { SchemaSet } from './schema.js';

function runDistill(schemaDir: string): void {
  const text = formatSchemaSet(distill(schemaDir));
  writeFileSync(paths.distilledSchema, text);
  console.log(`distilled ${schemaDir} → ${paths.distilledSchema}`);
}

function runGenerate(): void {
  const text = readFileSync(paths.distilledSchema, 'utf8');
  const files = generate(JSON.parse(text) as SchemaSet, text);
  mkdirSync(paths.generatedDir, { recursive: true });
  const keep = new Set(files.map((f) => f.path));
  for (const old of readdirSync(paths.generatedDir)) {
    if (!keep.has(old)) rmSync(join(paths.generatedDir, old));
  }
  for (const f of files) writeFileSync(join(paths.generatedDir, f.path), f.content);
  console.log(`generated ${files.length} files in ${paths.generatedDir}`);
}

const [command, schemaDirArg] = process.argv.slice(2);
const schemaDir = schemaDirArg ?? paths.sharedSchemaDir;
if (command === 'distill') runDistill(schemaDir);
else if (command === 'generate') runGenerate();
else if (command === undefined) {
  if (existsSync(schemaDir)) runDistill(schemaDir);
  runGenerate();
} else {
  console.error(`unknown command ${command}; expected distill or generate`);
  process.exit(2);
}
