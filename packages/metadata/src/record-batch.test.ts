import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRecordBatch, defaultRecordBatchLimits, encodeRecordBatch } from './record-batch.js';
import { anyRecordArb } from './testing/arbitraries.js';

test('record batch: lists of records round-trip', () => {
  fc.assert(
    fc.property(fc.array(anyRecordArb, { maxLength: 20 }), (records) => {
      const decoded = decodeRecordBatch(encodeRecordBatch(records));
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
      assert.deepEqual(decoded.value, records);
    }),
    { numRuns: 200 },
  );
});

test('record batch: truncation, trailing bytes and oversized counts are refused as values', () => {
  fc.assert(
    fc.property(fc.array(anyRecordArb, { minLength: 1, maxLength: 5 }), fc.nat(), (records, cut) => {
      const bytes = encodeRecordBatch(records);
      const truncated = decodeRecordBatch(bytes.subarray(0, cut % bytes.length));
      assert.equal(truncated.ok, false);
      const padded = new Uint8Array(bytes.length + 1);
      padded.set(bytes);
      const trailing = decodeRecordBatch(padded);
      assert.ok(!trailing.ok && trailing.error.kind === 'trailing-bytes');
    }),
    { numRuns: 200 },
  );
  const huge = new Uint8Array(4);
  new DataView(huge.buffer).setUint32(0, defaultRecordBatchLimits.maxRecordsPerBatch + 1);
  const refused = decodeRecordBatch(huge);
  assert.ok(!refused.ok && refused.error.kind === 'too-large');
});
