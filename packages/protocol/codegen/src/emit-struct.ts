/**
 * Emits the TypeScript interface, default factory, encoder and decoder of one struct. The code
 * follows Kafka's own generator: one function per struct with inline version checks.
 */
import type { FieldModel, MessageModel, StructModel } from './model.js';
import { intersect, versionCondition, type VersionRange } from './versions.js';

const numberKinds = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'float64']);

function tsBaseType(f: FieldModel): string {
  switch (f.kind) {
    case 'int64':
      return 'bigint';
    case 'bool':
      return 'boolean';
    case 'string':
    case 'uuid':
      return 'string';
    case 'bytes':
    case 'records':
      return 'Buffer';
    case 'struct':
      return f.structName!;
    default:
      return 'number';
  }
}

export function tsType(f: FieldModel): string {
  const base = f.isArray ? `${tsBaseType(f)}[]` : tsBaseType(f);
  return f.nullable !== null ? `${base} | null` : base;
}

/** The default value of a field as a TypeScript expression (Kafka's `default`, or the type's zero). */
export function defaultExpr(f: FieldModel): string {
  const d = f.default;
  if (d === 'null' && f.nullable !== null) return 'null';
  if (f.isArray) return '[]';
  switch (f.kind) {
    case 'int64':
      return d === undefined || d === '' ? '0n' : `${BigInt(d)}n`;
    case 'bool':
      return d === 'true' ? 'true' : 'false';
    case 'string':
      return JSON.stringify(d ?? '');
    case 'uuid':
      return 'ZERO_UUID';
    case 'bytes':
    case 'records':
      return 'EMPTY_BYTES';
    case 'struct':
      return `default${f.structName}()`;
    default:
      if (!numberKinds.has(f.kind)) throw new Error(`no default for ${f.kind}`);
      return d === undefined || d === '' ? '0' : String(Number(d));
  }
}

/** A TypeScript expression that is true when `x` differs from the field's default. */
function nonDefaultExpr(f: FieldModel, x: string): string {
  const d = defaultExpr(f);
  if (d === 'null') return `${x} !== null`;
  const nullOr = f.nullable !== null ? `${x} === null || ` : '';
  if (f.isArray || f.kind === 'bytes' || f.kind === 'records') return `${nullOr}${x}.length !== 0`;
  if (f.kind === 'struct') return `${nullOr}!deepEqual(${x}, ${d})`;
  return `${x} !== ${d}`;
}

interface Ctx {
  message: MessageModel;
  struct: StructModel;
  within: VersionRange | null;
}

function cond(range: VersionRange | null, ctx: Ctx): string {
  return versionCondition(range, ctx.within);
}

/** The context inside a field's own code, which only runs in the versions where the field is there. */
function narrow(f: FieldModel, ctx: Ctx, inTaggedSection: boolean): Ctx {
  const present = inTaggedSection ? intersect(f.tagged, f.versions) : f.versions;
  return { ...ctx, within: intersect(present, ctx.within) };
}

/** Whether compact (flexible) encodings apply to this field: a boolean expression. */
function compactExpr(f: FieldModel, ctx: Ctx, inTaggedSection: boolean): string {
  if (inTaggedSection) return 'true';
  if (f.fieldFlexible === undefined) return 'flexible';
  const c = cond(intersect(f.fieldFlexible, ctx.message.flexible), ctx);
  return c === 'true' ? 'flexible' : c === 'false' ? 'false' : `(${c})`;
}

function writeOne(f: FieldModel, x: string, compact: string, ctx: Ctx): string {
  switch (f.kind) {
    case 'string':
      return `w.string(${x}, ${compact})`;
    case 'bytes':
    case 'records':
      return `w.bytes(${x}, ${compact})`;
    case 'struct':
      return `encode${f.structName}(w, ${x}, version)`;
    default:
      return `w.${f.kind}(${x})`;
  }
}

/** The statements writing a field's value `x`. */
function writeField(f: FieldModel, x: string, outer: Ctx, inTaggedSection: boolean): string {
  const ctx = narrow(f, outer, inTaggedSection);
  const compact = compactExpr(f, ctx, inTaggedSection);
  const nullCond = cond(f.nullable, ctx);
  const guard =
    f.nullable !== null && nullCond !== 'true'
      ? `if (${x} === null${nullCond === 'false' ? '' : ` && !(${nullCond})`}) throw nullNotAllowed('${f.schemaName}', version);\n`
      : '';
  if (f.isArray) {
    return `${guard}w.array(${x}, ${compact}, (item) => ${writeOne(f, 'item', compact, ctx)});`;
  }
  if (f.kind === 'struct' && f.nullable !== null) {
    // Nullable structs carry an int8 marker (-1 null, 1 present) in their nullable versions.
    const marked = `w.int8(${x} === null ? -1 : 1);\nif (${x} !== null) ${writeOne(f, x, compact, ctx)};`;
    if (nullCond === 'true') return marked;
    return `${guard}if (${nullCond}) {\n${marked}\n} else {\n${writeOne(f, `${x}!`, compact, ctx)};\n}`;
  }
  return `${guard}${writeOne(f, x, compact, ctx)};`;
}

function readOne(f: FieldModel, compact: string, nullable: boolean): string {
  switch (f.kind) {
    case 'string':
      return nullable ? `r.nullableString(${compact})` : `r.string(${compact})`;
    case 'bytes':
    case 'records':
      return nullable ? `r.nullableBytes(${compact})` : `r.bytes(${compact})`;
    case 'struct':
      return `decode${f.structName}(r, version)`;
    default:
      return `r.${f.kind}()`;
  }
}

/** An expression reading the field's value. */
function readField(f: FieldModel, outer: Ctx, inTaggedSection: boolean): string {
  const ctx = narrow(f, outer, inTaggedSection);
  const compact = compactExpr(f, ctx, inTaggedSection);
  const nullCond = cond(f.nullable, ctx);
  const pick = (nullableRead: string, plainRead: string): string =>
    nullCond === 'true' ? nullableRead : nullCond === 'false' ? plainRead : `(${nullCond} ? ${nullableRead} : ${plainRead})`;
  if (f.isArray) {
    const each = `() => ${readOne(f, compact, false)}`;
    return pick(`r.nullableArray(${compact}, ${each})`, `r.array(${compact}, ${each})`);
  }
  if (f.kind === 'struct' && f.nullable !== null) {
    return pick(`(r.int8() < 0 ? null : ${readOne(f, compact, false)})`, readOne(f, compact, false));
  }
  if (f.kind === 'string' || f.kind === 'bytes' || f.kind === 'records') {
    return pick(readOne(f, compact, true), readOne(f, compact, false));
  }
  return readOne(f, compact, false);
}

/** Versions in which the field sits in the regular (untagged) part of the struct. */
function regularCondition(f: FieldModel, ctx: Ctx): string {
  const present = cond(f.versions, ctx);
  if (f.tagged === null || present === 'false') return present;
  const tagged = cond(intersect(f.tagged, f.versions), ctx);
  if (tagged === 'false') return present;
  if (tagged === 'true') return 'false';
  return present === 'true' ? `!(${tagged})` : `(${present}) && !(${tagged})`;
}

function taggedFields(s: StructModel, ctx: Ctx): FieldModel[] {
  return s.fields
    .filter((f) => f.tagged !== null && cond(intersect(f.tagged, f.versions), ctx) !== 'false')
    .sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0));
}

function usesFlexible(s: StructModel, ctx: Ctx): string {
  return versionCondition(ctx.message.flexible, ctx.within);
}

function emitInterface(s: StructModel, ctx: Ctx): string {
  const lines = s.fields.map((f) => {
    const notes = [`versions ${describe(f.versions)}`];
    if (f.nullable !== null) notes.push(`nullable ${describe(f.nullable)}`);
    if (f.tagged !== null) notes.push(`tag ${f.tag} in ${describe(f.tagged)}`);
    if (f.ignorable) notes.push('ignorable');
    return `  /** ${f.schemaName}: ${notes.join(', ')} */\n  ${f.name}: ${tsType(f)};`;
  });
  void ctx;
  return `export interface ${s.name} {\n${lines.join('\n')}\n}`;
}

function describe(r: VersionRange | null): string {
  if (r === null) return 'none';
  if (r.max === Infinity) return `${r.min}+`;
  return r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`;
}

function emitDefault(s: StructModel): string {
  const body = s.fields.map((f) => `    ${f.name}: ${defaultExpr(f)},`).join('\n');
  return `export function default${s.name}(): ${s.name} {\n  return {\n${body}\n  };\n}`;
}

function emitEncoder(s: StructModel, ctx: Ctx): string {
  const out: string[] = [];
  const flexibleCond = usesFlexible(s, ctx);
  out.push(`export function encode${s.name}(w: Writer, v: ${s.name}, version: number): void {`);
  out.push(`  const flexible = ${flexibleCond};`);
  for (const f of s.fields) {
    const regular = regularCondition(f, ctx);
    const x = `v.${f.name}`;
    const check = f.ignorable ? '' : `if (${nonDefaultExpr(f, x)}) throw unsupportedField('${f.schemaName}', version);`;
    if (regular === 'true') out.push(indent(writeField(f, x, ctx, false), 2));
    else if (regular === 'false') {
      // Never in the regular section; tagged or absent, handled below.
      if (f.tagged === null && check !== '') out.push(`  ${check}`);
    } else {
      const elseCheck = f.tagged === null && check !== '' ? ` else {\n    ${check}\n  }` : '';
      out.push(`  if (${regular}) {\n${indent(writeField(f, x, ctx, false), 4)}\n  }${elseCheck}`);
    }
  }
  const tagged = taggedFields(s, ctx);
  if (flexibleCond !== 'false') {
    if (tagged.length === 0) out.push('  if (flexible) w.uvarint(0);');
    else {
      out.push('  if (flexible) {', '    const tagged: TaggedFieldWriter[] = [];');
      for (const f of tagged) {
        const x = `v.${f.name}`;
        const c = cond(intersect(f.tagged, f.versions), ctx);
        const when = c === 'true' ? nonDefaultExpr(f, x) : `${c} && (${nonDefaultExpr(f, x)})`;
        out.push(`    if (${when}) tagged.push([${f.tag}, (w) => {\n${indent(writeField(f, x, ctx, true), 6)}\n    }]);`);
      }
      out.push('    w.taggedFields(tagged);', '  }');
    }
  }
  out.push('}');
  return out.join('\n');
}

function emitDecoder(s: StructModel, ctx: Ctx): string {
  const out: string[] = [];
  const flexibleCond = usesFlexible(s, ctx);
  out.push(`export function decode${s.name}(r: Reader, version: number): ${s.name} {`);
  out.push(`  const flexible = ${flexibleCond};`);
  const tagged = taggedFields(s, ctx);
  const taggedNames = new Set(tagged.map((f) => f.name));
  for (const f of s.fields) {
    const regular = regularCondition(f, ctx);
    const local = `${f.name}_`;
    if (regular === 'true' && !taggedNames.has(f.name)) out.push(`  const ${local}: ${tsType(f)} = ${readField(f, ctx, false)};`);
    else if (regular === 'true' || regular === 'false') {
      out.push(`  let ${local}: ${tsType(f)} = ${regular === 'true' ? readField(f, ctx, false) : defaultExpr(f)};`);
    } else {
      out.push(`  let ${local}: ${tsType(f)} = ${defaultExpr(f)};`, `  if (${regular}) ${local} = ${readField(f, ctx, false)};`);
    }
  }
  if (flexibleCond !== 'false') {
    if (tagged.length === 0) out.push('  if (flexible) r.skipTaggedFields();');
    else {
      out.push('  if (flexible) {', '    const count = r.uvarint();', '    for (let i = 0; i < count; i++) {');
      out.push('      const tag = r.uvarint();', '      const end = r.taggedFieldEnd();', '      switch (tag) {');
      for (const f of tagged) {
        const c = cond(intersect(f.tagged, f.versions), ctx);
        const read = `${f.name}_ = ${readField(f, ctx, true)};`;
        const check = `r.expectEnd(end, '${f.schemaName}');`;
        out.push(`        case ${f.tag}:`);
        if (c === 'true') out.push(`          ${read}`, `          ${check}`);
        else out.push(`          if (${c}) {`, `            ${read}`, `            ${check}`, '          } else r.seek(end);');
        out.push('          break;');
      }
      out.push('        default:', '          r.seek(end);', '      }', '    }', '  }');
    }
  }
  out.push(`  return {\n${s.fields.map((f) => `    ${f.name}: ${f.name}_,`).join('\n')}\n  };`);
  out.push('}');
  return out.join('\n');
}

function indent(code: string, n: number): string {
  const pad = ' '.repeat(n);
  return code
    .split('\n')
    .map((l) => (l.length > 0 ? pad + l : l))
    .join('\n');
}

export function emitStruct(message: MessageModel, struct: StructModel): string {
  const ctx: Ctx = { message, struct, within: struct.within };
  return [emitInterface(struct, ctx), emitDefault(struct), emitEncoder(struct, ctx), emitDecoder(struct, ctx)].join('\n\n');
}
