import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BATCH_OFFSETS } from './batch-header.js';
import { compressionCodecName } from './compression.js';
import { decodeRecordBatch, encodeRecordBatch } from './record-batch.js';
import { splitBatches } from './split-batches.js';
import { allCodecs } from './testing/arbitraries.js';

async function blob(): Promise<{ buf: Buffer; sizes: number[] }> {
  const batches = await Promise.all(
    allCodecs.map((codec, i) =>
      encodeRecordBatch(
        {
          baseOffset: BigInt(i * 10),
          baseTimestamp: 0n,
          records: [0, 1, 2].map((j) => ({ attributes: 0, timestampDelta: j, offsetDelta: j, key: null, value: Buffer.from(`${compressionCodecName(codec)} ${j}`), headers: [] })),
        },
        { compression: codec },
      ),
    ),
  );
  return { buf: Buffer.concat(batches), sizes: batches.map((b) => b.length) };
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: Error }): T {
  if (!result.ok) throw result.error;
  return result.value;
}

test('splits a blob of batches into views that each decode', async () => {
  const { buf, sizes } = await blob();
  const split = unwrap(splitBatches(buf));
  assert.equal(split.partialBytes, 0);
  assert.deepEqual(split.batches.map((b) => b.bytes.length), sizes);
  for (const [i, { header, bytes }] of split.batches.entries()) {
    assert.equal(bytes.buffer, buf.buffer, 'a view, not a copy');
    assert.equal(header.baseOffset, BigInt(i * 10));
    assert.equal(header.recordCount, 3);
    assert.equal(unwrap(await decodeRecordBatch(bytes)).records.length, 3);
  }
  assert.deepEqual(unwrap(splitBatches(Buffer.alloc(0))), { batches: [], partialBytes: 0 });
});

test('a truncated tail (as a Fetch response may end) is reported, not an error', async () => {
  const { buf, sizes } = await blob();
  for (let cut = 0; cut <= buf.length; cut++) {
    const split = unwrap(splitBatches(buf.subarray(0, cut)));
    let whole = 0;
    let end = 0;
    while (whole < sizes.length && end + sizes[whole] <= cut) end += sizes[whole++];
    assert.equal(split.batches.length, whole, `cut ${cut}`);
    assert.equal(split.partialBytes, cut - end, `cut ${cut}`);
  }
});

test('an impossible length or an unsupported magic is a typed error', async () => {
  const { buf, sizes } = await blob();
  for (const length of [-1, 0, 48]) {
    const bad = Buffer.from(buf);
    bad.writeInt32BE(length, sizes[0] + BATCH_OFFSETS.batchLength);
    const result = splitBatches(bad);
    assert.ok(!result.ok && result.error.kind === 'malformed', `length ${length}`);
  }
  const magic1 = Buffer.from(buf);
  magic1.writeInt8(1, sizes[0] + BATCH_OFFSETS.magic);
  const result = splitBatches(magic1);
  assert.ok(!result.ok && result.error.kind === 'unsupported-magic');
});
