import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { RecordDecodeError } from './errors.js';
import {
  cursor,
  readSafeVarlong,
  readUnsignedVarint,
  readVarint,
  readVarlong,
  sizeOfSafeVarlong,
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  writeSafeVarlong,
  writeUnsignedVarint,
  writeVarint,
  writeVarlong,
  type ReadCursor,
} from './varint.js';

const require = createRequire(import.meta.url);
// kafkajs's own varint codec, an independent implementation to compare bytes with.
const KafkajsEncoder = require('kafkajs/src/protocol/encoder');
const KafkajsDecoder = require('kafkajs/src/protocol/decoder');

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const safeInt = fc.oneof(fc.integer({ min: -1000, max: 1000 }), int32, fc.maxSafeInteger(), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER));

function encode(size: number, write: (buf: Buffer, pos: number) => number): Buffer {
  const buf = Buffer.alloc(size);
  assert.equal(write(buf, 0), size, 'writer must fill exactly the size reported');
  return buf;
}

function readAll<T>(buf: Buffer, read: (c: ReadCursor) => T): T {
  const c = cursor(buf);
  const value = read(c);
  assert.equal(c.pos, buf.length, 'reader must consume exactly the encoding');
  return value;
}

test('varint round-trips every int32 and matches kafkajs byte for byte', () => {
  fc.assert(
    fc.property(int32, (v) => {
      const buf = encode(sizeOfVarint(v), (b, p) => writeVarint(b, p, v));
      assert.equal(readAll(buf, readVarint), v);
      assert.deepEqual(buf, new KafkajsEncoder().writeVarInt(v).buffer);
    }),
    { numRuns: 2000 },
  );
});

test('unsigned varint round-trips every uint32', () => {
  fc.assert(
    fc.property(uint32, (v) => {
      const buf = encode(sizeOfUnsignedVarint(v), (b, p) => writeUnsignedVarint(b, p, v));
      assert.equal(readAll(buf, readUnsignedVarint), v);
    }),
    { numRuns: 2000 },
  );
});

test('varlong round-trips every int64 and matches kafkajs byte for byte', () => {
  fc.assert(
    fc.property(int64, (v) => {
      const buf = encode(sizeOfVarlong(v), (b, p) => writeVarlong(b, p, v));
      assert.equal(readAll(buf, readVarlong), v);
      assert.deepEqual(buf, new KafkajsEncoder().writeVarLong(v).buffer);
      assert.equal(new KafkajsDecoder(buf).readVarLong().toString(), v.toString());
    }),
    { numRuns: 2000 },
  );
});

test('safe varlong writes the same bytes as varlong and reads back as a number', () => {
  fc.assert(
    fc.property(safeInt, (v) => {
      const buf = encode(sizeOfSafeVarlong(v), (b, p) => writeSafeVarlong(b, p, v));
      assert.deepEqual(buf, encode(sizeOfVarlong(BigInt(v)), (b, p) => writeVarlong(b, p, BigInt(v))));
      assert.equal(readAll(buf, readSafeVarlong), v);
    }),
    { numRuns: 2000 },
  );
});

test('known encodings (Kafka ByteUtilsTest vectors)', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [-65, '8101'],
    [2 ** 31 - 1, 'feffffff0f'],
    [-(2 ** 31), 'ffffffff0f'],
  ];
  for (const [value, hex] of cases) {
    assert.equal(encode(sizeOfVarint(value), (b, p) => writeVarint(b, p, value)).toString('hex'), hex);
  }
  const max = (1n << 63n) - 1n;
  assert.equal(encode(10, (b, p) => writeVarlong(b, p, max)).toString('hex'), 'feffffffffffffffff01');
  assert.equal(encode(10, (b, p) => writeVarlong(b, p, -max - 1n)).toString('hex'), 'ffffffffffffffffff01');
});

function assertDecodeError(kind: string, read: () => unknown): void {
  assert.throws(read, (e: unknown) => e instanceof RecordDecodeError && e.kind === kind);
}

test('every truncated encoding is a typed truncated error', () => {
  fc.assert(
    fc.property(int64, (v) => {
      const buf = encode(sizeOfVarlong(v), (b, p) => writeVarlong(b, p, v));
      for (let n = 0; n < buf.length; n++) {
        const part = buf.subarray(0, n);
        assertDecodeError('truncated', () => readVarlong(cursor(part)));
        assertDecodeError('truncated', () => readSafeVarlong(cursor(part)));
        // As an int32 varint, a prefix of 5+ continuation bytes is over-long before it is short.
        if (n < 5) assertDecodeError('truncated', () => readVarint(cursor(part)));
      }
    }),
  );
});

test('the cursor end bounds reads even inside a larger buffer', () => {
  const buf = Buffer.from([0x80, 0x01]);
  assertDecodeError('truncated', () => readVarint(cursor(buf, 0, 1)));
});

test('over-long and overflowing varints are typed malformed errors', () => {
  assertDecodeError('malformed', () => readVarint(cursor(Buffer.from('8080808080', 'hex'))));
  assertDecodeError('malformed', () => readVarint(cursor(Buffer.from('ffffffff1f', 'hex')))); // 33rd bit
  assertDecodeError('malformed', () => readVarlong(cursor(Buffer.from('8080808080808080808000', 'hex'))));
  assertDecodeError('malformed', () => readVarlong(cursor(Buffer.from('ffffffffffffffffff03', 'hex')))); // 65th bit
  // 2^53 is a valid varlong but not a safe number.
  const big = encode(sizeOfVarlong(1n << 53n), (b, p) => writeVarlong(b, p, 1n << 53n));
  assert.equal(readVarlong(cursor(big)), 1n << 53n);
  assertDecodeError('malformed', () => readSafeVarlong(cursor(big)));
});

test('arbitrary bytes never raise anything but RecordDecodeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
      const buf = Buffer.from(bytes);
      for (const read of [readVarint, readUnsignedVarint, readVarlong, readSafeVarlong]) {
        try {
          read(cursor(buf));
        } catch (e) {
          assert.ok(e instanceof RecordDecodeError, `unexpected ${String(e)}`);
        }
      }
    }),
    { numRuns: 3000 },
  );
});
