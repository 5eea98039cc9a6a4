import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem, ok, systemClock } from '@tributary/common';
import { PartitionLog } from '@tributary/storage';
import { Errors } from '../handlers/data/error-codes.js';
import { testBatch } from '../handlers/data/testing/fake-broker.js';
import { checkSequence, incrementSequence, openProducerStateManager, PRODUCER_ID_BLOCK_FILE, producerIdBase, type ProducerStateOptions } from './producer-state-manager.js';

async function open(fs: MemoryFileSystem, options: Partial<ProducerStateOptions> = {}) {
  const opened = await openProducerStateManager({ fs, dataDir: '/data', idBlockSize: 3, ...options });
  if (!opened.ok) throw opened.error;
  return opened.value;
}

async function freshFs(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/data');
  await fs.syncDirectory('/');
  return fs;
}

async function openLog(fs: MemoryFileSystem, dir = '/data/t-0'): Promise<PartitionLog> {
  const log = await PartitionLog.open({ dir, fs, clock: systemClock });
  if (!log.ok) throw log.error;
  return log.value;
}

test('producer ids are unique across blocks, reopenings and power loss', async () => {
  const fs = await freshFs();
  const seen = new Set<bigint>();
  for (let round = 0; round < 4; round++) {
    const manager = await open(fs);
    for (let i = 0; i < 5; i++) {
      const allocated = await manager.allocateProducerId();
      assert.ok(allocated.ok);
      assert.equal(allocated.value.producerEpoch, 0);
      assert.ok(!seen.has(allocated.value.producerId), `id ${allocated.value.producerId} repeated`);
      seen.add(allocated.value.producerId);
    }
    if (round % 2 === 1) fs.crash();
  }
  assert.ok((await fs.readFile(`/data/${PRODUCER_ID_BLOCK_FILE}`)).toString().startsWith('0\n1\n'));
});

test('concurrent allocations across a block boundary get distinct ids', async () => {
  const manager = await open(await freshFs());
  const ids = await Promise.all(Array.from({ length: 10 }, () => manager.allocateProducerId()));
  assert.equal(new Set(ids.map((r) => (r.ok ? r.value.producerId : -1n))).size, 10);
});

test('a failed block reservation is KAFKA_STORAGE_ERROR, and allocation recovers after', async () => {
  const fs = await freshFs();
  const manager = await open(fs, { idBlockSize: 1 });
  assert.ok((await manager.allocateProducerId()).ok);
  fs.injectFault({ op: 'datasync', code: 'EIO', times: 1 });
  const failed = await manager.allocateProducerId();
  assert.ok(!failed.ok);
  assert.equal(failed.error.code, Errors.KAFKA_STORAGE_ERROR);
  assert.ok((await manager.allocateProducerId()).ok);
});

test('sequences wrap past Int32.MAX to 0, as Kafka', () => {
  assert.equal(incrementSequence(0x7fff_ffff, 1), 0);
  assert.equal(incrementSequence(0x7fff_fffe, 3), 1);
  assert.equal(incrementSequence(5, 3), 8);
  const entry = { epoch: 0, batches: [{ firstSeq: 0x7fff_fffe, lastSeq: 0x7fff_ffff, baseOffset: 0, lastOffset: 1 }] };
  assert.equal(checkSequence(entry, { producerId: 1n, producerEpoch: 0, baseSequence: 0, lastOffsetDelta: 0 }).kind, 'new');
  assert.equal(checkSequence(entry, { producerId: 1n, producerEpoch: 0, baseSequence: 1, lastOffsetDelta: 0 }).kind, 'rejected');
});

test('state is rebuilt from the log tail, bounded: producers beyond it are unknown and accepted', async () => {
  const fs = await freshFs();
  const log = await openLog(fs);
  const manager = await open(fs);
  const append = (records: Buffer) => () => log.appendAsLeader(records, { leaderEpoch: 0 });
  const batchOf = async (producerId: bigint, baseSequence: number) => {
    const records = await testBatch({ producerId, producerEpoch: 0, baseSequence });
    return { records, header: { producerId, producerEpoch: 0, baseSequence, lastOffsetDelta: 0 } };
  };
  const old = await batchOf(1n, 0);
  assert.equal((await manager.appendIdempotent(log, old.header, append(old.records))).kind, 'appended');
  for (let seq = 0; seq < 3; seq++) {
    const recent = await batchOf(2n, seq);
    assert.equal((await manager.appendIdempotent(log, recent.header, append(recent.records))).kind, 'appended');
  }
  assert.ok((await log.close()).ok);
  const reopened = await openLog(fs);
  const restarted = await open(fs, { rebuildTailOffsets: 3 });
  const never = () => Promise.resolve(ok({ baseOffset: -1, lastOffset: -1, logAppendTimeMs: -1, maxTimestamp: -1 }));
  const retry = await restarted.appendIdempotent(reopened, { producerId: 2n, producerEpoch: 0, baseSequence: 2, lastOffsetDelta: 0 }, never);
  assert.deepEqual(retry, { kind: 'duplicate', baseOffset: 3, lastOffset: 3 });
  const gap = await restarted.appendIdempotent(reopened, { producerId: 2n, producerEpoch: 0, baseSequence: 9, lastOffsetDelta: 0 }, never);
  assert.equal(gap.kind, 'rejected');
  // Producer 1's only batch (offset 0) lies before the 3-offset tail: unknown, so any sequence goes.
  const unknown = await restarted.appendIdempotent(reopened, { producerId: 1n, producerEpoch: 0, baseSequence: 7, lastOffsetDelta: 0 }, never);
  assert.equal(unknown.kind, 'appended');
  assert.ok((await reopened.close()).ok);
});

test('producers per partition are bounded: the least recently appended is forgotten', async () => {
  const fs = await freshFs();
  const log = await openLog(fs);
  const manager = await open(fs, { producersPerPartitionMax: 2 });
  const appendOne = async (producerId: bigint, baseSequence: number) => {
    const records = await testBatch({ producerId, producerEpoch: 0, baseSequence });
    return manager.appendIdempotent(log, { producerId, producerEpoch: 0, baseSequence, lastOffsetDelta: 0 }, () => log.appendAsLeader(records, { leaderEpoch: 0 }));
  };
  for (const id of [1n, 2n, 3n]) assert.equal((await appendOne(id, 0)).kind, 'appended');
  assert.equal((await appendOne(3n, 5)).kind, 'rejected', 'producer 3 is remembered');
  assert.equal((await appendOne(1n, 5)).kind, 'appended', 'producer 1 was forgotten: unknown, accepted');
  assert.ok((await log.close()).ok);
});

test('in a cluster each broker hands out ids from its own range, so two brokers never collide', async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/a');
  await fs.mkdir('/b');
  const a = await openProducerStateManager({ fs, dataDir: '/a', idBase: producerIdBase(1) });
  const b = await openProducerStateManager({ fs, dataDir: '/b', idBase: producerIdBase(2) });
  assert.ok(a.ok && b.ok);
  const fromA = await a.value.allocateProducerId();
  const fromB = await b.value.allocateProducerId();
  assert.ok(fromA.ok && fromB.ok);
  assert.equal(fromA.value.producerId, 1n << 40n);
  assert.equal(fromB.value.producerId, 2n << 40n);
  // A bump asked of another broker gets a fresh id from that broker's range.
  const bumped = await b.value.bumpEpoch(fromA.value);
  assert.ok(bumped.ok && bumped.value.producerId >= 2n << 40n && bumped.value.producerEpoch === 0);
});
