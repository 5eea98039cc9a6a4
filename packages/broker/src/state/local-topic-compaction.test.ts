import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '@tributary/common';
import { decodeRecordBatch, encodeRecordBatch, splitBatches } from '@tributary/protocol';
import { createRequest, openManager } from './testing/topic-test-support.js';

function keyed(key: string, value: string | null): Promise<Buffer> {
  return encodeRecordBatch({
    baseTimestamp: 1_700_000_000_000n,
    records: [{ attributes: 0, timestampDelta: 0, offsetDelta: 0, key: Buffer.from(key), value: value === null ? null : Buffer.from(value), headers: [] }],
  });
}

test('a topic with cleanup.policy=compact,delete is compacted by the retention round; delete-only topics are not', async () => {
  const manager = await openManager(new MemoryFileSystem());
  // Kafka's order 'delete,compact' is accepted and means both.
  const compacted = await manager.createTopic(createRequest('state', { configs: { 'cleanup.policy': 'delete,compact', 'retention.ms': '-1', 'min.cleanable.dirty.ratio': '0.01' } }));
  const plain = await manager.createTopic(createRequest('events', { configs: { 'retention.ms': '-1' } }));
  assert.ok(compacted.ok && plain.ok);
  assert.equal(compacted.value.config.cleanupPolicy, 'compact,delete');
  for (const name of ['state', 'events']) {
    const log = manager.partition(name, 0)!.log;
    for (let i = 0; i < 20; i++) assert.ok((await log.appendAsLeader(await keyed(`k${i % 2}`, `v${i}`), { leaderEpoch: 0 })).ok);
    assert.ok((await log.roll()).ok, 'the cleanable records sit in a closed segment');
    assert.ok((await log.appendAsLeader(await keyed('k0', 'last'), { leaderEpoch: 0 })).ok);
  }
  await manager.enforceRetention();

  /** Every record from the log start to the end (a read returns one segment's batches at most). */
  const values = async (name: string): Promise<string[]> => {
    const log = manager.partition(name, 0)!.log;
    const out: string[] = [];
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const read = await log.read(offset, { maxBytes: 1 << 20 });
      assert.ok(read.ok);
      const split = splitBatches(read.value.records);
      assert.ok(split.ok && split.value.batches.length > 0);
      for (const { bytes } of split.value.batches) {
        const batch = await decodeRecordBatch(bytes);
        assert.ok(batch.ok);
        out.push(...batch.value.records.map((r) => `${r.key}=${r.value}`));
        offset = Number(batch.value.baseOffset) + batch.value.lastOffsetDelta + 1;
      }
    }
    return out;
  };
  // Within the closed segment only k1's latest value survives (k0's latest is in the active segment).
  assert.deepEqual(await values('state'), ['k1=v19', 'k0=last']);
  assert.equal((await values('events')).length, 21, 'a delete-policy topic keeps every record');
  assert.equal(manager.partition('state', 0)!.log.logEndOffset, 21, 'offsets are kept');
  await manager.close();
});
