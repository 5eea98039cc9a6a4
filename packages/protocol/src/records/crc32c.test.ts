import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { crc32c } from './crc32c.js';

const require = createRequire(import.meta.url);
// kafkajs's table-driven JavaScript CRC-32C: an independent implementation.
const kafkajsCrc32c: (buf: Buffer) => number = require('kafkajs/src/protocol/recordBatch/crc32C');

test('CRC-32C check value (RFC 3720 §B.4: "123456789")', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43); // RFC 3720 §B.4: 32 bytes of 0xFF
});

test('agrees with kafkajs and is unsigned', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      const buf = Buffer.from(bytes);
      const crc = crc32c(buf);
      assert.ok(crc >= 0 && crc <= 0xffffffff);
      assert.equal(crc, kafkajsCrc32c(buf) >>> 0);
    }),
    { numRuns: 500 },
  );
});
