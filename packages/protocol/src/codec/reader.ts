import { KafkaDecodeError } from './errors.js';

const ZERO_LENGTH = Buffer.alloc(0);

/**
 * A bounds-checked cursor over one message. Every length read from the wire is checked
 * against the bytes that remain before anything is allocated or sliced, so a hostile
 * length costs nothing; every failure is a KafkaDecodeError.
 */
export class Reader {
  offset: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    end = buf.length,
  ) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  fail(message: string): never {
    throw new KafkaDecodeError(message, this.offset);
  }

  private need(n: number, what: string): number {
    const at = this.offset;
    if (n > this.end - at) this.fail(`truncated ${what}: need ${n} bytes, ${this.end - at} left`);
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1, 'int8'));
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2, 'int16'));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2, 'uint16'));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4, 'int32'));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4, 'uint32'));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8, 'int64'));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8, 'float64'));
  }
  bool(): boolean {
    return this.buf[this.need(1, 'bool')] !== 0;
  }
  uuid(): string {
    const at = this.need(16, 'uuid');
    return this.buf.toString('base64url', at, at + 16);
  }

  /** Unsigned LEB128 varint of at most 5 bytes (32 bits). */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buf[this.need(1, 'varint')];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) this.fail('varint overflows 32 bits');
        return value;
      }
    }
    return this.fail('varint longer than 5 bytes');
  }

  /** A length prefix: int16/int32 classic, or compact uvarint(n+1). -1 means null. */
  private length(compact: boolean, classicInt16: boolean): number {
    if (compact) return this.uvarint() - 1;
    return classicInt16 ? this.int16() : this.int32();
  }

  nullableString(compact: boolean): string | null {
    const n = this.length(compact, true);
    if (n < 0) {
      if (n === -1) return null;
      this.fail(`negative string length ${n}`);
    }
    const at = this.need(n, 'string');
    return this.buf.toString('utf8', at, at + n);
  }

  string(compact: boolean): string {
    const s = this.nullableString(compact);
    if (s === null) this.fail('null in a non-nullable string');
    return s;
  }

  nullableBytes(compact: boolean): Buffer | null {
    const n = this.length(compact, false);
    if (n < 0) {
      if (n === -1) return null;
      this.fail(`negative bytes length ${n}`);
    }
    if (n === 0) return ZERO_LENGTH;
    const at = this.need(n, 'bytes');
    // Zero copy: the result shares the frame's memory.
    return this.buf.subarray(at, at + n);
  }

  bytes(compact: boolean): Buffer {
    const b = this.nullableBytes(compact);
    if (b === null) this.fail('null in non-nullable bytes');
    return b;
  }

  nullableArray<T>(compact: boolean, readItem: () => T): T[] | null {
    const n = this.length(compact, false);
    if (n < 0) {
      if (n === -1) return null;
      this.fail(`negative array length ${n}`);
    }
    // Every element takes at least one byte, so a count beyond the bytes left is a lie; this
    // bounds both the allocation and the loop.
    if (n > this.end - this.offset) this.fail(`array of ${n} elements exceeds the ${this.end - this.offset} bytes left`);
    const items = new Array<T>(n);
    for (let i = 0; i < n; i++) items[i] = readItem();
    return items;
  }

  array<T>(compact: boolean, readItem: () => T): T[] {
    const a = this.nullableArray(compact, readItem);
    if (a === null) this.fail('null in a non-nullable array');
    return a;
  }

  /** Reads a tagged field's size and returns the offset where the field must end. */
  taggedFieldEnd(): number {
    const size = this.uvarint();
    if (size > this.end - this.offset) this.fail(`tagged field of ${size} bytes exceeds the bytes left`);
    return this.offset + size;
  }

  expectEnd(end: number, field: string): void {
    if (this.offset !== end) this.fail(`tagged field ${field} did not fill its declared size`);
  }

  seek(offset: number): void {
    if (offset < this.offset || offset > this.end) this.fail(`bad seek to ${offset}`);
    this.offset = offset;
  }

  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.seek(this.taggedFieldEnd());
    }
  }
}
