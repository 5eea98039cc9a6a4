/** Turns a distilled schema message into the structs and fields the emitter walks. */
import type { SchemaField, SchemaMessage } from './schema.js';
import { parseVersions, type VersionRange } from './versions.js';

export type ScalarKind = 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'bool' | 'string' | 'bytes' | 'records' | 'uuid';
export type FieldKind = ScalarKind | 'struct';

const scalarKinds = new Set<string>(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'bool', 'string', 'bytes', 'records', 'uuid']);

export interface FieldModel {
  schemaName: string;
  /** The TypeScript property name (lower camel case). */
  name: string;
  kind: FieldKind;
  isArray: boolean;
  /** TypeScript name of the struct type, for kind 'struct'. */
  structName?: string;
  versions: VersionRange | null;
  nullable: VersionRange | null;
  tagged: VersionRange | null;
  tag?: number;
  ignorable: boolean;
  default?: string;
  /** undefined: the message's flexible versions apply; otherwise this field's own. */
  fieldFlexible?: VersionRange | null;
}

export interface StructModel {
  name: string;
  fields: FieldModel[];
  /** The versions in which this struct can be encoded (narrows the generated version checks). */
  within: VersionRange | null;
}

export interface MessageModel {
  name: string;
  schema: SchemaMessage;
  valid: VersionRange | null;
  flexible: VersionRange | null;
  /** The top-level struct first, then nested ones in order of first appearance. */
  structs: StructModel[];
}

/** "ISRChangeOnly" → "isrChangeOnly", "ProducerId" → "producerId". */
export function lowerCamel(name: string): string {
  const match = /^[A-Z]+/.exec(name);
  if (match === null) return name;
  const run = match[0];
  if (run.length === name.length) return name.toLowerCase();
  if (run.length === 1) return run.toLowerCase() + name.slice(1);
  return run.slice(0, -1).toLowerCase() + name.slice(run.length - 1);
}

export function buildMessageModel(schema: SchemaMessage): MessageModel {
  const valid = parseVersions(schema.validVersions);
  const structs = new Map<string, StructModel>();
  const common = new Map((schema.commonStructs ?? []).map((s) => [s.name, s]));

  const toField = (raw: SchemaField): FieldModel => {
    const isArray = raw.type.startsWith('[]');
    const baseType = isArray ? raw.type.slice(2) : raw.type;
    const versions = parseVersions(raw.versions);
    const field: FieldModel = {
      schemaName: raw.name,
      name: lowerCamel(raw.name),
      kind: scalarKinds.has(baseType) ? (baseType as ScalarKind) : 'struct',
      isArray,
      versions,
      nullable: parseVersions(raw.nullableVersions),
      tagged: parseVersions(raw.taggedVersions),
      ignorable: raw.ignorable === true,
    };
    if (raw.tag !== undefined) field.tag = raw.tag;
    if (raw.default !== undefined) field.default = raw.default;
    if (raw.flexibleVersions !== undefined) field.fieldFlexible = parseVersions(raw.flexibleVersions);
    if (field.kind === 'struct') {
      const structName = schema.name + baseType;
      field.structName = structName;
      const inner = raw.fields ?? common.get(baseType)?.fields;
      if (inner === undefined) throw new Error(`${schema.name}: unknown struct type ${baseType}`);
      addStruct(structName, inner);
    }
    return field;
  };

  // Every struct is checked against the message's valid versions: a nested struct's checks are
  // then a little longer than strictly needed, but stay right wherever the struct is used.
  const addStruct = (name: string, fields: SchemaField[]): void => {
    if (structs.has(name)) return;
    const model: StructModel = { name, fields: [], within: valid };
    structs.set(name, model);
    model.fields = fields.map(toField);
  };

  addStruct(schema.name, schema.fields);
  return { name: schema.name, schema, valid, flexible: parseVersions(schema.flexibleVersions), structs: [...structs.values()] };
}
