import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from './data/error-codes.js';
import { testBatch, testBroker, type TestBatchSpec, type TestBroker } from './data/testing/fake-broker.js';
import { fetchRequest, partitionOf, produceRequest, recordsOf } from './data/testing/requests.js';
import { call } from './data/testing/wire.js';
import { fetchHandler } from './fetch.js';
import { initProducerIdHandler } from './init-producer-id.js';
import { produceHandler } from './produce.js';
import { defaultInitProducerIdRequest } from '@tributary/protocol';

async function initProducer(broker: TestBroker): Promise<{ producerId: bigint; producerEpoch: number }> {
  const response = await call(broker, initProducerIdHandler, 1, { ...defaultInitProducerIdRequest(), transactionalId: null, transactionTimeoutMs: 60_000 });
  assert.equal(response.errorCode, Errors.NONE);
  return { producerId: response.producerId, producerEpoch: response.producerEpoch };
}

async function send(broker: TestBroker, spec: TestBatchSpec, partition = 0) {
  const response = await call(broker, produceHandler, 7, produceRequest('t', [{ index: partition, records: await testBatch(spec) }]));
  return response.responses[0].partitionResponses[0];
}

async function offsetsIn(broker: TestBroker, partition = 0): Promise<number[]> {
  const fetched = partitionOf(await call(broker, fetchHandler, 11, fetchRequest([{ topic: 't', partition }])), 't', partition);
  return (await recordsOf(fetched.records)).map((r) => r.offset);
}

test('a retried batch is acknowledged with its original offset and not appended again', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  const producer = await initProducer(broker);
  const first = await send(broker, { ...producer, baseSequence: 0, records: 3 });
  const second = await send(broker, { ...producer, baseSequence: 3, records: 2 });
  assert.deepEqual([first.errorCode, first.baseOffset, second.errorCode, second.baseOffset], [0, 0n, 0, 3n]);
  const retryOfFirst = await send(broker, { ...producer, baseSequence: 0, records: 3 });
  assert.equal(retryOfFirst.errorCode, Errors.NONE);
  assert.equal(retryOfFirst.baseOffset, 0n);
  const retryOfSecond = await send(broker, { ...producer, baseSequence: 3, records: 2 });
  assert.equal(retryOfSecond.baseOffset, 3n);
  assert.deepEqual(await offsetsIn(broker), [0, 1, 2, 3, 4], 'no duplicates in the log');
  assert.equal(broker.metrics.produced.length, 2, 'duplicates are not counted as produced');
});

test('a gap in sequences is OUT_OF_ORDER_SEQUENCE_NUMBER; a stale epoch INVALID_PRODUCER_EPOCH', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  const producer = await initProducer(broker);
  assert.equal((await send(broker, { ...producer, baseSequence: 0, records: 2 })).errorCode, Errors.NONE);
  const gap = await send(broker, { ...producer, baseSequence: 5 });
  assert.equal(gap.errorCode, Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(gap.baseOffset, -1n);
  // A new epoch must start at 0, then the old epoch is fenced.
  assert.equal((await send(broker, { ...producer, producerEpoch: 1, baseSequence: 2 })).errorCode, Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal((await send(broker, { ...producer, producerEpoch: 1, baseSequence: 0 })).errorCode, Errors.NONE);
  assert.equal((await send(broker, { ...producer, producerEpoch: 0, baseSequence: 2 })).errorCode, Errors.INVALID_PRODUCER_EPOCH);
  assert.deepEqual(await offsetsIn(broker), [0, 1, 2]);
});

test('sequences are per partition', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 2);
  const producer = await initProducer(broker);
  assert.equal((await send(broker, { ...producer, baseSequence: 0, records: 4 }, 0)).errorCode, Errors.NONE);
  assert.equal((await send(broker, { ...producer, baseSequence: 0, records: 1 }, 1)).errorCode, Errors.NONE);
  assert.equal((await send(broker, { ...producer, baseSequence: 4 }, 0)).errorCode, Errors.NONE);
  assert.equal((await send(broker, { ...producer, baseSequence: 1 }, 1)).errorCode, Errors.NONE);
});

test('concurrent retries of one batch append it once', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  const producer = await initProducer(broker);
  const spec = { ...producer, baseSequence: 0, records: 2 };
  const responses = await Promise.all([send(broker, spec), send(broker, spec), send(broker, spec)]);
  assert.deepEqual(responses.map((r) => [r.errorCode, r.baseOffset]), [[0, 0n], [0, 0n], [0, 0n]]);
  assert.deepEqual(await offsetsIn(broker), [0, 1]);
});

test('after the logs are reopened (a restart) a retry is still recognised, and sequences continue', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  const producer = await initProducer(broker);
  await send(broker, { records: 2 }); // a non-idempotent batch in between
  for (let i = 0; i < 7; i++) assert.equal((await send(broker, { ...producer, baseSequence: i * 2, records: 2 })).errorCode, Errors.NONE);
  await broker.topics.reopenAll();
  const restarted = await testBroker({ topics: broker.topics });
  // The last 5 batches are remembered: sequences 4..13, at offsets 6..15.
  const retry = await send(restarted, { ...producer, baseSequence: 12, records: 2 });
  assert.deepEqual([retry.errorCode, retry.baseOffset], [Errors.NONE, 14n]);
  const older = await send(restarted, { ...producer, baseSequence: 4, records: 2 });
  assert.deepEqual([older.errorCode, older.baseOffset], [Errors.NONE, 6n]);
  assert.equal((await send(restarted, { ...producer, baseSequence: 20 })).errorCode, Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
  const next = await send(restarted, { ...producer, baseSequence: 14 });
  assert.deepEqual([next.errorCode, next.baseOffset], [Errors.NONE, 16n]);
  const fresh = await initProducer(restarted);
  assert.ok(fresh.producerId > producer.producerId, 'producer ids do not repeat after a restart');
});

test('a producer unknown on a partition may start at any sequence (Kafka >= 2.5)', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  const producer = await initProducer(broker);
  assert.equal((await send(broker, { ...producer, baseSequence: 42 })).errorCode, Errors.NONE);
  assert.equal((await send(broker, { ...producer, baseSequence: 43 })).errorCode, Errors.NONE);
});
