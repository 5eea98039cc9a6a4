import type { PartitionHandle } from '../state/topic-manager.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from './data/error-codes.js';
import { testBatch, testBroker, type TestBroker } from './data/testing/fake-broker.js';
import { batchCount, fetchRequest, partitionOf, produceRequest, recordsOf } from './data/testing/requests.js';
import { call } from './data/testing/wire.js';
import { fetchHandler } from './fetch.js';
import { produceHandler } from './produce.js';

async function produce(broker: TestBroker, topic: string, partition: number, records: Buffer): Promise<void> {
  const response = await call(broker, produceHandler, 7, produceRequest(topic, [{ index: partition, records }]));
  assert.equal(response.responses[0].partitionResponses[0].errorCode, Errors.NONE);
}

/** A topic with `partitions` partitions of three equal batches each; returns the batch size. */
async function threeBatchesEach(broker: TestBroker, partitions: number): Promise<number> {
  await broker.topics.addTopic('t', partitions);
  let size = 0;
  for (let p = 0; p < partitions; p++) {
    for (let i = 0; i < 3; i++) {
      const batch = await testBatch({ valueBytes: 40 });
      size = batch.length;
      await produce(broker, 't', p, batch);
    }
  }
  return size;
}

test('a long poll answers at once when data is there, and waits for minBytes otherwise', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  await produce(broker, 't', 0, await testBatch());
  const immediate = partitionOf(await call(broker, fetchHandler, 11, fetchRequest([{ topic: 't' }], { maxWaitMs: 30_000, minBytes: 1 })), 't');
  assert.equal(batchCount(immediate.records), 1);

  const first = await testBatch({ valueBytes: 20 });
  const second = await testBatch({ valueBytes: 200 });
  const minBytes = first.length + 50;
  const waiting = call(broker, fetchHandler, 11, fetchRequest([{ topic: 't', offset: 1 }], { maxWaitMs: 30_000, minBytes }));
  await produce(broker, 't', 0, first);
  await produce(broker, 't', 0, second);
  const fetched = partitionOf(await waiting, 't');
  assert.ok(fetched.records!.length >= minBytes, 'not answered before minBytes were there');
  assert.equal(batchCount(fetched.records), 2);
  assert.equal(broker.waiters.watchCount, 0, 'no watch left behind');
});

test('a long poll with no data ends at maxWaitMs, capped by the broker limit', async () => {
  const broker = await testBroker({ limits: { fetchMaxWaitMsMax: 60 } });
  await broker.topics.addTopic('t', 1);
  const started = performance.now();
  const response = await call(broker, fetchHandler, 4, fetchRequest([{ topic: 't' }], { maxWaitMs: 60_000, minBytes: 1 }));
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 55, `waited ${elapsed} ms`);
  assert.ok(elapsed < 5000, `waited ${elapsed} ms, the cap is 60`);
  const p = partitionOf(response, 't');
  assert.equal(p.errorCode, Errors.NONE);
  assert.equal(p.records!.length, 0);
  assert.equal(broker.waiters.watchCount, 0);
  assert.equal(broker.waiters.watchedPartitionCount, 0);
});

test('closing the connection ends a long poll without leaking its watch', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 3);
  const controller = new AbortController();
  const keys = [0, 1, 2].map((partition) => ({ topic: 't', partition }));
  const waiting = call(broker, fetchHandler, 11, fetchRequest(keys, { maxWaitMs: 30_000, minBytes: 1 }), controller);
  controller.abort();
  const response = await waiting;
  assert.equal(response.responses[0].partitions.length, 3);
  assert.equal(broker.waiters.watchCount, 0);
  assert.equal(broker.waiters.watchedPartitionCount, 0);
});

test('partitionMaxBytes limits each partition; the first partition with data gets one whole batch anyway', async () => {
  const broker = await testBroker();
  const size = await threeBatchesEach(broker, 2);
  const keys = (partitionMaxBytes: number) => [0, 1].map((partition) => ({ topic: 't', partition, partitionMaxBytes }));

  const room = await call(broker, fetchHandler, 11, fetchRequest(keys(2 * size + 10)));
  assert.equal(batchCount(partitionOf(room, 't', 0).records), 2);
  assert.equal(batchCount(partitionOf(room, 't', 1).records), 2);

  const tiny = await call(broker, fetchHandler, 11, fetchRequest(keys(10)));
  assert.equal(batchCount(partitionOf(tiny, 't', 0).records), 1, 'at least one batch for the first partition');
  assert.equal(batchCount(partitionOf(tiny, 't', 1).records), 0, 'the limit holds for the others');
  assert.equal(partitionOf(tiny, 't', 1).highWatermark, 3n);
});

test('maxBytes limits the whole response, with the same at-least-one-batch rule', async () => {
  const broker = await testBroker();
  const size = await threeBatchesEach(broker, 2);
  const keys = [0, 1].map((partition) => ({ topic: 't', partition }));

  const some = await call(broker, fetchHandler, 11, fetchRequest(keys, { maxBytes: 2 * size + size / 2 }));
  assert.equal(batchCount(partitionOf(some, 't', 0).records), 2);
  assert.equal(batchCount(partitionOf(some, 't', 1).records), 0);

  const tiny = await call(broker, fetchHandler, 11, fetchRequest(keys, { maxBytes: 1 }));
  assert.equal(batchCount(partitionOf(tiny, 't', 0).records), 1);
  assert.equal(batchCount(partitionOf(tiny, 't', 1).records), 0);

  const capped = await testBroker({ limits: { fetchResponseBytesMax: size + 1 }, topics: broker.topics });
  const limited = await call(capped, fetchHandler, 11, fetchRequest(keys, { maxBytes: 1 << 30 }));
  assert.equal(batchCount(partitionOf(limited, 't', 0).records), 1, 'the broker limit caps maxBytes');
});

test('offsets outside [logStart, logEnd] are OFFSET_OUT_OF_RANGE; unknown partitions answer at once', async () => {
  const broker = await testBroker();
  await threeBatchesEach(broker, 1);
  const beyond = partitionOf(await call(broker, fetchHandler, 11, fetchRequest([{ topic: 't', offset: 4 }], { maxWaitMs: 30_000, minBytes: 1 })), 't');
  assert.equal(beyond.errorCode, Errors.OFFSET_OUT_OF_RANGE);
  const atEnd = partitionOf(await call(broker, fetchHandler, 11, fetchRequest([{ topic: 't', offset: 3 }])), 't');
  assert.equal(atEnd.errorCode, Errors.NONE);
  assert.equal(atEnd.records!.length, 0);
  const unknown = await call(broker, fetchHandler, 11, fetchRequest([{ topic: 'nope' }, { topic: 't', partition: 9 }], { maxWaitMs: 30_000, minBytes: 1 }));
  assert.equal(partitionOf(unknown, 'nope').errorCode, Errors.UNKNOWN_TOPIC_OR_PARTITION);
  assert.equal(partitionOf(unknown, 't', 9).errorCode, Errors.UNKNOWN_TOPIC_OR_PARTITION);
});

test('only records below the high watermark are returned', async () => {
  const broker = await testBroker();
  const topic = await broker.topics.addTopic('lazy', 1, {}, { flush: { kind: 'never' } });
  await produce(broker, 'lazy', 0, await testBatch({ records: 2 }));
  const log = (topic.partitions[0] as PartitionHandle).log;
  assert.equal(log.logEndOffset, 2);
  const before = partitionOf(await call(broker, fetchHandler, 11, fetchRequest([{ topic: 'lazy' }])), 'lazy');
  assert.equal(before.highWatermark, 0n);
  assert.equal(before.records!.length, 0);
  await log.flush();
  const after = partitionOf(await call(broker, fetchHandler, 11, fetchRequest([{ topic: 'lazy' }])), 'lazy');
  assert.equal(after.highWatermark, 2n);
  assert.deepEqual((await recordsOf(after.records)).map((r) => r.offset), [0, 1]);
});

test('leader epoch checks from v9: newer is UNKNOWN_LEADER_EPOCH, older FENCED_LEADER_EPOCH, -1 skips', async () => {
  const broker = await testBroker();
  broker.topics.leaderEpoch = 3;
  await broker.topics.addTopic('t', 1);
  const epoch = async (version: number, currentLeaderEpoch: number) =>
    partitionOf(await call(broker, fetchHandler, version, fetchRequest([{ topic: 't', currentLeaderEpoch }])), 't').errorCode;
  assert.equal(await epoch(11, 4), Errors.UNKNOWN_LEADER_EPOCH);
  assert.equal(await epoch(11, 2), Errors.FENCED_LEADER_EPOCH);
  assert.equal(await epoch(11, 3), Errors.NONE);
  assert.equal(await epoch(11, -1), Errors.NONE);
});

test('v4 (kafka-python) and read_committed: sessionless answers with the last stable offset', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  await produce(broker, 't', 0, await testBatch({ records: 3 }));
  const v4 = partitionOf(await call(broker, fetchHandler, 4, fetchRequest([{ topic: 't' }], { isolationLevel: 0 })), 't');
  assert.equal(v4.lastStableOffset, 3n);
  assert.equal(v4.abortedTransactions, null);
  assert.equal((await recordsOf(v4.records)).length, 3);
  const committed = await call(broker, fetchHandler, 11, { ...fetchRequest([{ topic: 't' }], { isolationLevel: 1 }), sessionId: 0, sessionEpoch: 0 });
  assert.equal(committed.sessionId, 0);
  assert.deepEqual(partitionOf(committed, 't').abortedTransactions, []);
  assert.equal(partitionOf(committed, 't').lastStableOffset, 3n);
});

test('v0–2 limits are hard: no oversized first batch', async () => {
  const broker = await testBroker();
  await threeBatchesEach(broker, 1);
  const v2 = partitionOf(await call(broker, fetchHandler, 2, fetchRequest([{ topic: 't', partitionMaxBytes: 10 }])), 't');
  assert.equal(v2.records!.length, 0);
});
