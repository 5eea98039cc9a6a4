/**
 * Zigzag varints as Kafka's record format uses them (ByteUtils.readVarint/readVarlong), plus the
 * unsigned varint of flexible versions and snappy's length header.
 *
 * Choice for varlong: two readers. `readVarlong` returns an exact bigint for any int64.
 * `readSafeVarlong` returns a number, the hot path for record timestamp deltas: deltas are tiny,
 * a 1–4 byte varlong decodes with plain int arithmetic and no bigint allocation, and a value past
 * ±(2^53−1) (285,000 years of milliseconds) is rejected with a typed error instead of silently
 * losing precision.
 *
 * Decoding is strict where Kafka is lenient: Kafka silently drops the bits that overflow the 5th
 * (int32) or 10th (int64) byte; here they are a `malformed` error, so one value has one encoding.
 */
import { invariant } from '@tributary/common';
import { RecordDecodeError } from './errors.js';

/** A read position in `buf`, bounded by `end` (exclusive). Every read advances `pos`. */
export interface ReadCursor {
  readonly buf: Buffer;
  pos: number;
  end: number;
}

export function cursor(buf: Buffer, pos = 0, end = buf.length): ReadCursor {
  invariant(pos >= 0 && pos <= end && end <= buf.length, 'cursor outside its buffer');
  return { buf, pos, end };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function truncated(what: string): RecordDecodeError {
  return new RecordDecodeError('truncated', `input ends inside a ${what}`);
}

// ---- reading ----

/** Unsigned varint of up to 5 bytes, 0..2^32−1. */
export function readUnsignedVarint(c: ReadCursor): number {
  const { buf, end } = c;
  let pos = c.pos;
  let result = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw truncated('varint');
    const b = buf[pos++];
    result |= (b & 0x7f) << shift;
    if (b < 0x80) {
      c.pos = pos;
      return result >>> 0;
    }
  }
  // Fifth byte: only 4 more bits fit in 32, and it must end the varint.
  if (pos >= end) throw truncated('varint');
  const last = buf[pos++];
  if (last > 0x0f) {
    throw new RecordDecodeError(
      'malformed',
      last & 0x80 ? 'varint longer than 5 bytes' : 'varint overflows 32 bits',
    );
  }
  c.pos = pos;
  return (result | (last << 28)) >>> 0;
}

/** Zigzag int32 varint. */
export function readVarint(c: ReadCursor): number {
  const u = readUnsignedVarint(c);
  return (u >>> 1) ^ -(u & 1);
}

/** Zigzag int64 varlong, exact. */
export function readVarlong(c: ReadCursor): bigint {
  const { buf, end } = c;
  let pos = c.pos;
  let result = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw truncated('varlong');
    const b = buf[pos++];
    if (i === 9 && b > 0x01) {
      throw new RecordDecodeError(
        'malformed',
        b & 0x80 ? 'varlong longer than 10 bytes' : 'varlong overflows 64 bits',
      );
    }
    result |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (b < 0x80) {
      c.pos = pos;
      return (result >> 1n) ^ -(result & 1n);
    }
  }
  throw new RecordDecodeError('malformed', 'varlong longer than 10 bytes'); // unreachable: i === 9 returns or throws
}

/** Zigzag int64 varlong as a number; a value outside ±(2^53−1) is a `malformed` error. */
export function readSafeVarlong(c: ReadCursor): number {
  const { buf, end } = c;
  let pos = c.pos;
  let u = 0;
  // Fast path: up to 4 bytes (28 bits) fit int arithmetic.
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw truncated('varlong');
    const b = buf[pos++];
    u |= (b & 0x7f) << shift;
    if (b < 0x80) {
      c.pos = pos;
      return (u >>> 1) ^ -(u & 1);
    }
  }
  const value = readVarlong(c); // re-reads from c.pos, which is still the start
  if (value > MAX_SAFE || value < -MAX_SAFE) {
    throw new RecordDecodeError('malformed', `varlong ${value} is outside the safe integer range`);
  }
  return Number(value);
}

// ---- sizing ----

export function sizeOfUnsignedVarint(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
}

export function sizeOfVarlong(value: bigint): number {
  let u = zigzag64(value);
  let size = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    size++;
  }
  return size;
}

export function sizeOfSafeVarlong(value: number): number {
  return isInt32(value) ? sizeOfVarint(value) : sizeOfVarlong(BigInt(value));
}

// ---- writing ----
// Writers return the position after the value. The caller sizes `buf` with the sizeOf* functions;
// a write that would pass the end is a programmer error (a Buffer silently drops such bytes).

export function writeUnsignedVarint(buf: Buffer, pos: number, value: number): number {
  invariant(value >>> 0 === value, () => `unsigned varint out of range: ${value}`);
  let v = value;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  invariant(pos <= buf.length, 'varint written past the end of its buffer');
  return pos;
}

export function writeVarint(buf: Buffer, pos: number, value: number): number {
  invariant(isInt32(value), () => `varint out of int32 range: ${value}`);
  return writeUnsignedVarint(buf, pos, ((value << 1) ^ (value >> 31)) >>> 0);
}

export function writeVarlong(buf: Buffer, pos: number, value: bigint): number {
  invariant(value >= INT64_MIN && value <= INT64_MAX, () => `varlong out of int64 range: ${value}`);
  let u = zigzag64(value);
  while (u >= 0x80n) {
    buf[pos++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  buf[pos++] = Number(u);
  invariant(pos <= buf.length, 'varlong written past the end of its buffer');
  return pos;
}

/** Same bytes as `writeVarlong(BigInt(value))`; int32-range values skip bigint entirely. */
export function writeSafeVarlong(buf: Buffer, pos: number, value: number): number {
  invariant(Number.isSafeInteger(value), () => `varlong is not a safe integer: ${value}`);
  // zigzag64 of an int32 equals zigzag32 read as unsigned, so the bytes are identical.
  return isInt32(value) ? writeVarint(buf, pos, value) : writeVarlong(buf, pos, BigInt(value));
}

function zigzag64(value: bigint): bigint {
  return BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
}

function isInt32(value: number): boolean {
  return (value | 0) === value;
}
