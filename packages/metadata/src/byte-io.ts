// Low-level writer and bounded reader for the metadata record encoding: zigzag varints for
// int32s, unsigned varints for lengths, raw 16-byte uuids and UTF-8 strings.
import { invariant } from '@tributary/common';
import { isUuid } from './records.js';

export type DecodeFailureKind = 'truncated' | 'invalid' | 'too-large';

/** Thrown inside the reader only; decodeRecord turns it into a MetadataDecodeError value. */
export class ReadFailure {
  constructor(
    readonly kind: DecodeFailureKind,
    readonly message: string,
  ) {}
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -0x8000_0000 && n <= 0x7fff_ffff;
}

export class ByteWriter {
  private readonly bytes: number[] = [];

  uint8(n: number): void {
    invariant(Number.isInteger(n) && n >= 0 && n <= 0xff, `not a byte: ${n}`);
    this.bytes.push(n);
  }

  uvarint(n: number): void {
    invariant(Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff, `not a uint32: ${n}`);
    let v = n;
    while (v >= 0x80) {
      this.bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.bytes.push(v);
  }

  int32(n: number): void {
    invariant(isInt32(n), `not an int32: ${n}`);
    this.uvarint(((n << 1) ^ (n >> 31)) >>> 0);
  }

  int32Array(values: readonly number[]): void {
    this.uvarint(values.length);
    for (const v of values) this.int32(v);
  }

  uuid(id: string): void {
    invariant(isUuid(id), `not a 32-hex-digit uuid: ${id}`);
    for (let i = 0; i < 32; i += 2) this.bytes.push(parseInt(id.slice(i, i + 2), 16));
  }

  string(s: string): void {
    const encoded = utf8Encoder.encode(s);
    this.uvarint(encoded.length);
    for (const b of encoded) this.bytes.push(b);
  }

  /** Length + 1, with 0 meaning null. */
  nullableString(s: string | null): void {
    if (s === null) {
      this.uvarint(0);
      return;
    }
    const encoded = utf8Encoder.encode(s);
    this.uvarint(encoded.length + 1);
    for (const b of encoded) this.bytes.push(b);
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export interface ReaderLimits {
  readonly maxStringBytes: number;
  readonly maxArrayLength: number;
}

export class ByteReader {
  private position = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: ReaderLimits,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  uint8(): number {
    if (this.position >= this.bytes.length) throw new ReadFailure('truncated', `truncated at byte ${this.position}`);
    return this.bytes[this.position++];
  }

  /** At most 5 bytes, value at most 2^32 - 1. */
  uvarint(): number {
    let result = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.uint8();
      result += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) {
        if (result > 0xffff_ffff) throw new ReadFailure('invalid', 'varint exceeds 32 bits');
        return result;
      }
    }
    throw new ReadFailure('invalid', 'varint longer than 5 bytes');
  }

  int32(): number {
    const z = this.uvarint();
    return (z >>> 1) ^ -(z & 1);
  }

  boolean(): boolean {
    const b = this.uint8();
    if (b > 1) throw new ReadFailure('invalid', `boolean byte ${b}`);
    return b === 1;
  }

  int32Array(): number[] {
    const count = this.arrayLength();
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(this.int32());
    return out;
  }

  arrayLength(): number {
    const count = this.uvarint();
    if (count > this.limits.maxArrayLength) {
      throw new ReadFailure('too-large', `array of ${count} exceeds ${this.limits.maxArrayLength}`);
    }
    return count;
  }

  uuid(): string {
    const raw = this.take(16);
    let hex = '';
    for (const b of raw) hex += b.toString(16).padStart(2, '0');
    return hex;
  }

  string(): string {
    return this.utf8(this.uvarint());
  }

  nullableString(): string | null {
    const lengthPlusOne = this.uvarint();
    return lengthPlusOne === 0 ? null : this.utf8(lengthPlusOne - 1);
  }

  private utf8(length: number): string {
    if (length > this.limits.maxStringBytes) {
      throw new ReadFailure('too-large', `string of ${length} bytes exceeds ${this.limits.maxStringBytes}`);
    }
    try {
      return utf8Decoder.decode(this.take(length));
    } catch (e) {
      if (e instanceof ReadFailure) throw e;
      throw new ReadFailure('invalid', 'string is not valid UTF-8');
    }
  }

  private take(length: number): Uint8Array {
    if (length > this.remaining) {
      throw new ReadFailure('truncated', `needs ${length} bytes at ${this.position}, has ${this.remaining}`);
    }
    const out = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return out;
  }
}
