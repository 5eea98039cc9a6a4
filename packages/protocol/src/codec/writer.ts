import { KafkaEncodeError } from './errors.js';

/** One tagged field to write: its tag and a function writing its value. */
export type TaggedFieldWriter = readonly [tag: number, write: (w: Writer) => void];

const UUID_BYTES = 16;

/** A growable output buffer for encoding messages. */
export class Writer {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private reserve(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, at + n));
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    this.pos = at + n;
    return at;
  }

  int8(v: number): void {
    const at = this.reserve(1);
    this.buf.writeInt8(v, at);
  }
  int16(v: number): void {
    const at = this.reserve(2);
    this.buf.writeInt16BE(v, at);
  }
  uint16(v: number): void {
    const at = this.reserve(2);
    this.buf.writeUInt16BE(v, at);
  }
  int32(v: number): void {
    const at = this.reserve(4);
    this.buf.writeInt32BE(v, at);
  }
  uint32(v: number): void {
    const at = this.reserve(4);
    this.buf.writeUInt32BE(v, at);
  }
  int64(v: bigint): void {
    const at = this.reserve(8);
    this.buf.writeBigInt64BE(v, at);
  }
  float64(v: number): void {
    const at = this.reserve(8);
    this.buf.writeDoubleBE(v, at);
  }
  bool(v: boolean): void {
    const at = this.reserve(1);
    this.buf[at] = v ? 1 : 0;
  }
  uuid(v: string): void {
    const at = this.reserve(UUID_BYTES);
    const written = this.buf.write(v, at, UUID_BYTES, 'base64url');
    if (written !== UUID_BYTES || v.length !== 22) throw new KafkaEncodeError(`bad uuid ${JSON.stringify(v)}: expected 22 base64url characters`);
  }

  uvarint(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new KafkaEncodeError(`uvarint out of range: ${v}`);
    while (v >= 0x80) {
      const at = this.reserve(1);
      this.buf[at] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    const last = this.reserve(1);
    this.buf[last] = v;
  }

  raw(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    this.buf.set(bytes, at);
  }

  private lengthPrefix(n: number, compact: boolean, classicInt16: boolean): void {
    if (compact) this.uvarint(n + 1);
    else if (classicInt16) this.int16(n);
    else this.int32(n);
  }

  string(v: string | null, compact: boolean): void {
    if (v === null) return this.lengthPrefix(-1, compact, true);
    const n = Buffer.byteLength(v, 'utf8');
    if (!compact && n > 0x7fff) throw new KafkaEncodeError(`string of ${n} bytes exceeds the int16 length limit`);
    this.lengthPrefix(n, compact, true);
    const at = this.reserve(n);
    this.buf.write(v, at, n, 'utf8');
  }

  bytes(v: Uint8Array | null, compact: boolean): void {
    if (v === null) return this.lengthPrefix(-1, compact, false);
    this.lengthPrefix(v.length, compact, false);
    this.raw(v);
  }

  array<T>(items: readonly T[] | null, compact: boolean, writeItem: (item: T) => void): void {
    if (items === null) return this.lengthPrefix(-1, compact, false);
    this.lengthPrefix(items.length, compact, false);
    for (const item of items) writeItem(item);
  }

  /** The tagged-field section: count, then tag, size and value of each, in ascending tag order. */
  taggedFields(fields: readonly TaggedFieldWriter[]): void {
    this.uvarint(fields.length);
    for (const [tag, write] of fields) {
      const inner = new Writer(64);
      write(inner);
      this.uvarint(tag);
      this.uvarint(inner.length);
      this.raw(inner.finish());
    }
  }

  /** Overwrites an int32 at `offset` (for size prefixes known only after the body is written). */
  patchInt32(offset: number, v: number): void {
    this.buf.writeInt32BE(v, offset);
  }
}
