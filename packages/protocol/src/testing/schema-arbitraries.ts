/**
 * fast-check arbitraries for any message at any version, built by reading the distilled schema
 * directly: an interpretation of the schema independent of the code generator's, so the round-trip
 * tests check the generator rather than agree with it by construction. Test support only.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as generated from '../generated/index.js';

export interface RawField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  fields?: RawField[];
}

export interface RawMessage {
  name: string;
  type: string;
  apiKey?: number;
  validVersions: string;
  fields: RawField[];
  commonStructs?: Array<{ name: string; fields: RawField[] }>;
}

const schemaPath = fileURLToPath(new URL('../../schema/messages.json', import.meta.url));
export const schemaMessages: RawMessage[] = (JSON.parse(readFileSync(schemaPath, 'utf8')) as { messages: RawMessage[] }).messages;

export function inRange(text: string | undefined, version: number): boolean {
  if (text === undefined || text === 'none') return false;
  if (text.endsWith('+')) return version >= Number(text.slice(0, -1));
  const [lo, hi] = text.split('-');
  return version >= Number(lo) && version <= Number(hi ?? lo);
}

export function versionsOf(message: RawMessage): number[] {
  const [lo, hi] = message.validVersions.split('-');
  const out: number[] = [];
  for (let v = Number(lo); v <= Number(hi ?? lo); v++) out.push(v);
  return out;
}

function propertyName(schemaName: string): string {
  const run = /^[A-Z]+/.exec(schemaName)?.[0] ?? '';
  if (run.length === schemaName.length) return schemaName.toLowerCase();
  if (run.length <= 1) return schemaName.charAt(0).toLowerCase() + schemaName.slice(1);
  return run.slice(0, -1).toLowerCase() + schemaName.slice(run.length - 1);
}

type Factory = () => Record<string, unknown>;
const factories = generated as unknown as Record<string, Factory | undefined>;

function defaultsOf(structName: string): Record<string, unknown> {
  const make = factories[`default${structName}`];
  if (make === undefined) throw new Error(`no generated default factory for ${structName}`);
  return make();
}

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ maxLength: 6, unit: 'grapheme' }));
const bytes = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));

function scalar(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer();
    case 'uint32':
      return fc.integer({ min: 0, max: 0xffffffff });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double({ noNaN: true });
    case 'bool':
      return fc.boolean();
    case 'string':
      return text;
    case 'bytes':
    case 'records':
      return bytes;
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a).toString('base64url'));
    default:
      throw new Error(`unknown scalar type ${type}`);
  }
}

const scalars = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'bool', 'string', 'bytes', 'records', 'uuid']);

/** An arbitrary value of a struct at `version`: fields absent at that version hold their defaults. */
export function structArbitrary(message: RawMessage, structName: string, fields: RawField[], version: number, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const defaults = defaultsOf(structName);
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) {
    const key = propertyName(f.name);
    if (!inRange(f.versions, version)) {
      parts[key] = fc.constant(defaults[key]);
      continue;
    }
    const isArray = f.type.startsWith('[]');
    const base = isArray ? f.type.slice(2) : f.type;
    let one: fc.Arbitrary<unknown>;
    if (scalars.has(base)) one = scalar(base);
    else {
      const inner = f.fields ?? message.commonStructs?.find((s) => s.name === base)?.fields;
      if (inner === undefined) throw new Error(`${message.name}: no struct ${base}`);
      one = structArbitrary(message, message.name + base, inner, version, depth + 1);
    }
    let value = isArray ? fc.array(one, { maxLength: depth > 2 ? 1 : 3 }) : one;
    if (inRange(f.nullableVersions, version)) value = fc.option(value, { nil: null, freq: 4 });
    parts[key] = value;
  }
  return fc.record(parts, { noNullPrototype: true });
}

export function messageArbitrary(message: RawMessage, version: number): fc.Arbitrary<Record<string, unknown>> {
  return structArbitrary(message, message.name, message.fields, version);
}
