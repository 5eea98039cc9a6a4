/**
 * One record inside a v2 batch (Kafka's DefaultRecord):
 *
 *   length          varint   bytes after this field
 *   attributes      int8     unused by Kafka, kept as read
 *   timestampDelta  varlong  from the batch's baseTimestamp
 *   offsetDelta     varint   from the batch's baseOffset
 *   key             varint length (negative = null) + bytes
 *   value           varint length (negative = null) + bytes
 *   headers         varint count, then per header: varint length + UTF-8 key, varint length + value
 *
 * Reading follows Kafka's DefaultRecord.readFrom: any negative key/value length means null, a
 * negative header key length or header count is an error, and the fields must fill `length` exactly.
 */
import { invariant } from '@tributary/common';
import { RecordDecodeError } from './errors.js';
import {
  readSafeVarlong,
  readVarint,
  sizeOfSafeVarlong,
  sizeOfVarint,
  writeSafeVarlong,
  writeVarint,
  type ReadCursor,
} from './varint.js';

export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/**
 * A record as stored. When decoded from an uncompressed batch, `key`, `value` and header values
 * are views into the input buffer (no copy): keep that buffer unchanged while they are in use.
 */
export interface Record {
  readonly attributes: number;
  readonly timestampDelta: number;
  readonly offsetDelta: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

/** Smallest encoded record: length, attributes, timestamp, offset, key, value, header count. */
export const MIN_RECORD_BYTES = 7;
/** Smallest encoded header: empty key length + null value length. */
const MIN_HEADER_BYTES = 2;
/** Shared by every header-less record, the common case, to save an allocation per record. */
const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

function sizeOfNullableBytes(bytes: Buffer | null): number {
  return bytes === null ? 1 : sizeOfVarint(bytes.length) + bytes.length;
}

/** Size of the record after its length prefix. */
export function sizeOfRecordBody(record: Record): number {
  let size =
    1 +
    sizeOfSafeVarlong(record.timestampDelta) +
    sizeOfVarint(record.offsetDelta) +
    sizeOfNullableBytes(record.key) +
    sizeOfNullableBytes(record.value) +
    sizeOfVarint(record.headers.length);
  for (const header of record.headers) {
    const keyBytes = Buffer.byteLength(header.key, 'utf8');
    size += sizeOfVarint(keyBytes) + keyBytes + sizeOfNullableBytes(header.value);
  }
  return size;
}

/** Size of the whole record, length prefix included. */
export function sizeOfRecord(record: Record): number {
  const body = sizeOfRecordBody(record);
  return sizeOfVarint(body) + body;
}

function writeNullableBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(buf, pos, -1);
  const at = writeVarint(buf, pos, bytes.length);
  return at + bytes.copy(buf, at);
}

/** Writes `record` at `pos` given its `sizeOfRecordBody`; returns the position after it. */
export function writeRecord(buf: Buffer, pos: number, record: Record, bodySize: number): number {
  invariant((record.attributes << 24) >> 24 === record.attributes, () => `record attributes not an int8: ${record.attributes}`);
  let at = writeVarint(buf, pos, bodySize);
  const bodyStart = at;
  at = buf.writeInt8(record.attributes, at);
  at = writeSafeVarlong(buf, at, record.timestampDelta);
  at = writeVarint(buf, at, record.offsetDelta);
  at = writeNullableBytes(buf, at, record.key);
  at = writeNullableBytes(buf, at, record.value);
  at = writeVarint(buf, at, record.headers.length);
  for (const header of record.headers) {
    const keyBytes = Buffer.byteLength(header.key, 'utf8');
    at = writeVarint(buf, at, keyBytes);
    at += buf.write(header.key, at, keyBytes, 'utf8');
    at = writeNullableBytes(buf, at, header.value);
  }
  invariant(at - bodyStart === bodySize, 'record body size disagrees with sizeOfRecordBody');
  return at;
}

function readNullableBytes(c: ReadCursor, what: string): Buffer | null {
  const length = readVarint(c);
  if (length < 0) return null;
  if (length > c.end - c.pos) {
    throw new RecordDecodeError('truncated', `${what} of ${length} bytes exceeds the ${c.end - c.pos} left in the record`);
  }
  const bytes = c.buf.subarray(c.pos, c.pos + length);
  c.pos += length;
  return bytes;
}

/** Reads one record at `c.pos`, leaving `c.pos` after it. Throws RecordDecodeError. */
export function readRecord(c: ReadCursor): Record {
  const length = readVarint(c);
  if (length < 0) throw new RecordDecodeError('malformed', `negative record length ${length}`);
  if (length > c.end - c.pos) {
    throw new RecordDecodeError('truncated', `record of ${length} bytes exceeds the ${c.end - c.pos} left`);
  }
  const outerEnd = c.end;
  const recordEnd = c.pos + length;
  c.end = recordEnd; // every field read below is bounded by this record
  if (c.pos >= c.end) throw new RecordDecodeError('truncated', 'record ends before its attributes');
  const attributes = c.buf.readInt8(c.pos++);
  const timestampDelta = readSafeVarlong(c);
  const offsetDelta = readVarint(c);
  const key = readNullableBytes(c, 'record key');
  const value = readNullableBytes(c, 'record value');
  const headers = readHeaders(c);
  if (c.pos !== recordEnd) {
    throw new RecordDecodeError('malformed', `record declares ${length} bytes but its fields use ${length - (recordEnd - c.pos)}`);
  }
  c.end = outerEnd;
  return { attributes, timestampDelta, offsetDelta, key, value, headers };
}

function readHeaders(c: ReadCursor): readonly RecordHeader[] {
  const count = readVarint(c);
  if (count < 0) throw new RecordDecodeError('malformed', `negative header count ${count}`);
  if (count === 0) return NO_HEADERS;
  // Checked before looping so a huge count cannot spin or grow an array far past the input.
  if (count > (c.end - c.pos) / MIN_HEADER_BYTES) {
    throw new RecordDecodeError('truncated', `${count} headers cannot fit in the ${c.end - c.pos} bytes left`);
  }
  const headers: RecordHeader[] = [];
  for (let i = 0; i < count; i++) {
    const keyLength = readVarint(c);
    if (keyLength < 0) throw new RecordDecodeError('malformed', `negative header key length ${keyLength}`);
    if (keyLength > c.end - c.pos) {
      throw new RecordDecodeError('truncated', `header key of ${keyLength} bytes exceeds the ${c.end - c.pos} left`);
    }
    const key = c.buf.toString('utf8', c.pos, c.pos + keyLength);
    c.pos += keyLength;
    headers.push({ key, value: readNullableBytes(c, 'header value') });
  }
  return headers;
}
