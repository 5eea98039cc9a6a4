import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultListOffsetsRequest, defaultListOffsetsRequestListOffsetsPartition, type ListOffsetsResponse } from '@tributary/protocol';
import { Errors } from './data/error-codes.js';
import { TEST_TIMESTAMP, testBatch, testBroker, type TestBroker } from './data/testing/fake-broker.js';
import { produceRequest } from './data/testing/requests.js';
import { call } from './data/testing/wire.js';
import { listOffsetsHandler } from './list-offsets.js';
import { produceHandler } from './produce.js';

const T = TEST_TIMESTAMP;

/** Three one-record batches at T, T+5000 and T+1000: offsets 0, 1, 2. */
async function brokerWithTimes(): Promise<TestBroker> {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  for (const timestamp of [T, T + 5000, T + 1000]) {
    const response = await call(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: await testBatch({ timestamp }) }]));
    assert.equal(response.responses[0].partitionResponses[0].errorCode, Errors.NONE);
  }
  return broker;
}

async function listOffsets(broker: TestBroker, version: number, timestamp: bigint, extra: { partitionIndex?: number; currentLeaderEpoch?: number } = {}) {
  const partition = { ...defaultListOffsetsRequestListOffsetsPartition(), timestamp, ...extra };
  const response: ListOffsetsResponse = await call(broker, listOffsetsHandler, version, {
    ...defaultListOffsetsRequest(),
    replicaId: -1,
    topics: [{ name: 't', partitions: [partition] }],
  });
  return response.topics[0].partitions[0];
}

test('latest is the high watermark and earliest the log start, at v1, v2, v3 and v7', async () => {
  const broker = await brokerWithTimes();
  for (const version of [1, 2, 3, 7]) {
    const latest = await listOffsets(broker, version, -1n);
    assert.deepEqual([latest.errorCode, latest.offset, latest.timestamp], [Errors.NONE, 3n, -1n], `v${version}`);
    const earliest = await listOffsets(broker, version, -2n);
    assert.deepEqual([earliest.errorCode, earliest.offset], [Errors.NONE, 0n]);
    assert.equal(earliest.leaderEpoch, version >= 4 ? 0 : -1);
  }
});

test('a time finds the first record at or after it; none after is offset -1', async () => {
  const broker = await brokerWithTimes();
  const found = await listOffsets(broker, 3, BigInt(T + 500));
  assert.deepEqual([found.offset, found.timestamp], [1n, BigInt(T + 5000)]);
  const exact = await listOffsets(broker, 1, BigInt(T));
  assert.deepEqual([exact.offset, exact.timestamp], [0n, BigInt(T)]);
  const none = await listOffsets(broker, 2, BigInt(T + 60_000));
  assert.deepEqual([none.errorCode, none.offset, none.timestamp], [Errors.NONE, -1n, -1n]);
});

test('v7 max timestamp (-3) finds the record with the largest timestamp', async () => {
  const broker = await brokerWithTimes();
  const max = await listOffsets(broker, 7, -3n);
  assert.deepEqual([max.errorCode, max.offset, max.timestamp], [Errors.NONE, 1n, BigInt(T + 5000)]);
});

test('v0 answers in the old offsets array', async () => {
  const broker = await brokerWithTimes();
  assert.deepEqual((await listOffsets(broker, 0, -1n)).oldStyleOffsets, [3n]);
  assert.deepEqual((await listOffsets(broker, 0, -2n)).oldStyleOffsets, [0n]);
});

test('unknown partitions, and leader epochs from v4', async () => {
  const broker = await brokerWithTimes();
  assert.equal((await listOffsets(broker, 3, -1n, { partitionIndex: 5 })).errorCode, Errors.UNKNOWN_TOPIC_OR_PARTITION);
  assert.equal((await listOffsets(broker, 4, -1n, { currentLeaderEpoch: 1 })).errorCode, Errors.UNKNOWN_LEADER_EPOCH);
  assert.equal((await listOffsets(broker, 4, -1n, { currentLeaderEpoch: 0 })).errorCode, Errors.NONE);
  // Before v4 the field is not on the wire, so it cannot fail.
  assert.equal((await listOffsets(broker, 3, -1n, { currentLeaderEpoch: -1 })).errorCode, Errors.NONE);
});
