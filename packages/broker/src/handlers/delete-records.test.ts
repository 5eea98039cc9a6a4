import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultListOffsetsRequest, defaultListOffsetsRequestListOffsetsPartition } from '@tributary/protocol';
import { Errors } from './data/error-codes.js';
import { testBatch, testBroker, type TestBroker } from './data/testing/fake-broker.js';
import { fetchRequest, partitionOf, produceRequest, recordsOf } from './data/testing/requests.js';
import { call } from './data/testing/wire.js';
import { deleteRecordsHandler } from './delete-records.js';
import { fetchHandler } from './fetch.js';
import { listOffsetsHandler } from './list-offsets.js';
import { produceHandler } from './produce.js';

async function fiveRecords(): Promise<TestBroker> {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  for (let i = 0; i < 5; i++) await call(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: await testBatch() }]));
  return broker;
}

async function deleteBefore(broker: TestBroker, version: number, offset: bigint, partitionIndex = 0) {
  const response = await call(broker, deleteRecordsHandler, version, { topics: [{ name: 't', partitions: [{ partitionIndex, offset }] }], timeoutMs: 1000 });
  return response.topics[0].partitions[0];
}

test('DeleteRecords moves the log start; fetching below it is OFFSET_OUT_OF_RANGE', async () => {
  const broker = await fiveRecords();
  const deleted = await deleteBefore(broker, 1, 3n);
  assert.deepEqual([deleted.errorCode, deleted.lowWatermark], [Errors.NONE, 3n]);
  const below = partitionOf(await call(broker, fetchHandler, 11, fetchRequest([{ topic: 't', offset: 1 }])), 't');
  assert.equal(below.errorCode, Errors.OFFSET_OUT_OF_RANGE);
  const from = partitionOf(await call(broker, fetchHandler, 11, fetchRequest([{ topic: 't', offset: 3 }])), 't');
  assert.equal(from.logStartOffset, 3n);
  assert.deepEqual((await recordsOf(from.records)).map((r) => r.offset), [3, 4]);
  const earliest = await call(broker, listOffsetsHandler, 3, {
    ...defaultListOffsetsRequest(),
    topics: [{ name: 't', partitions: [{ ...defaultListOffsetsRequestListOffsetsPartition(), timestamp: -2n }] }],
  });
  assert.equal(earliest.topics[0].partitions[0].offset, 3n);
});

test('-1 means the high watermark; above it is OFFSET_OUT_OF_RANGE; unknown partitions are reported', async () => {
  const broker = await fiveRecords();
  const beyond = await deleteBefore(broker, 2, 6n);
  assert.deepEqual([beyond.errorCode, beyond.lowWatermark], [Errors.OFFSET_OUT_OF_RANGE, -1n]);
  assert.equal((await deleteBefore(broker, 0, -7n)).errorCode, Errors.OFFSET_OUT_OF_RANGE);
  const all = await deleteBefore(broker, 2, -1n);
  assert.deepEqual([all.errorCode, all.lowWatermark], [Errors.NONE, 5n]);
  const again = await deleteBefore(broker, 1, 2n);
  assert.deepEqual([again.errorCode, again.lowWatermark], [Errors.NONE, 5n], 'never moves back');
  assert.equal((await deleteBefore(broker, 1, 0n, 3)).errorCode, Errors.UNKNOWN_TOPIC_OR_PARTITION);
});
