/**
 * Distils Apache Kafka's JSON message schemas into one compact data file inside the project,
 * so that regeneration works on a clone without `../shared`. Only what the generator needs is
 * kept: no comments, no `about` prose.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaField, SchemaMessage, SchemaSet, SchemaSource, SchemaStruct } from './schema.js';

/** Removes `//` comments that stand outside JSON strings. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += ch;
    }
  }
  return out;
}

type Raw = Record<string, unknown>;

function distillField(raw: Raw): SchemaField {
  const field: SchemaField = {
    name: String(raw.name),
    type: String(raw.type),
    versions: String(raw.versions),
  };
  if (raw.nullableVersions !== undefined) field.nullableVersions = String(raw.nullableVersions);
  if (raw.taggedVersions !== undefined) field.taggedVersions = String(raw.taggedVersions);
  if (raw.tag !== undefined) field.tag = Number(raw.tag);
  if (raw.ignorable === true) field.ignorable = true;
  if (raw.default !== undefined) field.default = String(raw.default);
  if (raw.flexibleVersions !== undefined) field.flexibleVersions = String(raw.flexibleVersions);
  if (Array.isArray(raw.fields)) field.fields = (raw.fields as Raw[]).map(distillField);
  return field;
}

function distillMessage(raw: Raw): SchemaMessage {
  const message: SchemaMessage = {
    name: String(raw.name),
    type: raw.type as SchemaMessage['type'],
    validVersions: String(raw.validVersions),
    flexibleVersions: String(raw.flexibleVersions ?? 'none'),
    fields: ((raw.fields as Raw[] | undefined) ?? []).map(distillField),
  };
  if (raw.apiKey !== undefined) message.apiKey = Number(raw.apiKey);
  if (Array.isArray(raw.listeners)) message.listeners = (raw.listeners as unknown[]).map(String);
  if (raw.deprecatedVersions !== undefined) message.deprecatedVersions = String(raw.deprecatedVersions);
  if (raw.latestVersionUnstable === true) message.latestVersionUnstable = true;
  if (Array.isArray(raw.commonStructs)) {
    message.commonStructs = (raw.commonStructs as Raw[]).map(
      (s): SchemaStruct => ({
        name: String(s.name),
        versions: String(s.versions),
        fields: ((s.fields as Raw[] | undefined) ?? []).map(distillField),
      }),
    );
  }
  return message;
}

/** Reads the commit named in the schema folder's SOURCE.md, if there is one. */
function readSource(schemaDir: string): SchemaSource {
  let commit = 'unknown';
  try {
    const text = readFileSync(join(schemaDir, '..', 'SOURCE.md'), 'utf8');
    commit = /\*\*Commit:\*\*\s*`([0-9a-f]{40})`/.exec(text)?.[1] ?? commit;
  } catch {
    // No SOURCE.md: the commit stays unknown and the generated header says so.
  }
  return { repository: 'apache/kafka', commit, path: 'clients/src/main/resources/common/message' };
}

export function distill(schemaDir: string): SchemaSet {
  const files = readdirSync(schemaDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const messages = files.map((f) => distillMessage(JSON.parse(stripJsonComments(readFileSync(join(schemaDir, f), 'utf8'))) as Raw));
  messages.sort((a, b) => a.name.localeCompare(b.name));
  return { source: readSource(schemaDir), messages };
}

/** One message a line, so a schema refresh shows as a readable diff. */
export function formatSchemaSet(set: SchemaSet): string {
  const lines = set.messages.map((m) => '    ' + JSON.stringify(m));
  return `{\n  "source": ${JSON.stringify(set.source)},\n  "messages": [\n${lines.join(',\n')}\n  ]\n}\n`;
}
