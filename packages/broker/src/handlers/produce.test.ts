import type { PartitionHandle } from '../state/topic-manager.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BATCH_OFFSETS, TimestampType, type ProduceResponse } from '@tributary/protocol';
import { Errors } from './data/error-codes.js';
import { testBatch, testBroker } from './data/testing/fake-broker.js';
import { fetchRequest, partitionOf, produceRequest, recordsOf } from './data/testing/requests.js';
import { call, callOverWire } from './data/testing/wire.js';
import { fetchHandler } from './fetch.js';
import { CloseConnection, NO_RESPONSE } from './handler.js';
import { produceHandler } from './produce.js';

function only(response: ProduceResponse) {
  assert.equal(response.responses.length, 1);
  assert.equal(response.responses[0].partitionResponses.length, 1);
  return response.responses[0].partitionResponses[0];
}

test('produce then fetch round-trips at every produce version 0–9 and fetch version 0–11', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  let expected = 0;
  for (let version = 0; version <= 9; version++) {
    const response = only(await call(broker, produceHandler, version, produceRequest('t', [{ index: 0, records: await testBatch({ records: 2 }) }])));
    assert.equal(response.errorCode, Errors.NONE, `v${version}`);
    assert.equal(response.baseOffset, BigInt(expected));
    if (version >= 2) assert.equal(response.logAppendTimeMs, -1n, 'CreateTime topics answer -1');
    if (version >= 5) assert.equal(response.logStartOffset, 0n);
    expected += 2;
  }
  for (let version = 0; version <= 11; version++) {
    const fetched = partitionOf(await call(broker, fetchHandler, version, fetchRequest([{ topic: 't', offset: 0 }])), 't');
    assert.equal(fetched.errorCode, Errors.NONE);
    assert.equal(fetched.highWatermark, 20n);
    if (version >= 4) assert.equal(fetched.lastStableOffset, 20n);
    if (version >= 5) assert.equal(fetched.logStartOffset, 0n);
    const records = await recordsOf(fetched.records);
    assert.deepEqual(records.map((r) => r.offset), Array.from({ length: 20 }, (_, i) => i), `fetch v${version}`);
    assert.equal(records[1].value, 'v1......');
  }
  assert.equal(broker.metrics.produced.length, 10);
  assert.equal(broker.metrics.produced.reduce((n, p) => n + p.records, 0), 20);
  assert.ok(broker.metrics.fetched.every((f) => f.topic === 't' && f.records === 20 && f.bytes > 0));
});

test('acks=0 appends and returns no response; acks=1 answers; other acks are INVALID_REQUIRED_ACKS', async () => {
  const broker = await testBroker();
  const topic = await broker.topics.addTopic('t', 1);
  const none = await callOverWire(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: await testBatch() }], 0));
  assert.equal(none, NO_RESPONSE);
  assert.equal((topic.partitions[0] as PartitionHandle).log.logEndOffset, 1, 'the acks=0 batch was appended');
  const one = only(await call(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: await testBatch() }], 1)));
  assert.equal(one.errorCode, Errors.NONE);
  assert.equal(one.baseOffset, 1n);
  const bad = only(await call(broker, produceHandler, 8, produceRequest('t', [{ index: 0, records: await testBatch() }], 2)));
  assert.equal(bad.errorCode, Errors.INVALID_REQUIRED_ACKS);
  assert.match(bad.errorMessage ?? '', /acks/);
  assert.equal((topic.partitions[0] as PartitionHandle).log.logEndOffset, 2, 'nothing appended for bad acks');
});

test('a failed acks=0 produce closes the connection instead of answering, as Kafka does', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  const failed = await callOverWire(broker, produceHandler, 7, produceRequest('t', [{ index: 5, records: await testBatch() }], 0));
  assert.ok(failed instanceof CloseConnection, 'an unknown partition with acks=0 closes the connection');
  assert.match(failed.reason, /error 3/);
  const fine = await callOverWire(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: await testBatch() }], 0));
  assert.equal(fine, NO_RESPONSE);
});

test('unknown partitions and, without auto-creation, unknown topics are UNKNOWN_TOPIC_OR_PARTITION', async () => {
  const broker = await testBroker({ autoCreateTopics: false });
  await broker.topics.addTopic('t', 1);
  const batch = await testBatch();
  assert.equal(only(await call(broker, produceHandler, 7, produceRequest('t', [{ index: 1, records: batch }]))).errorCode, Errors.UNKNOWN_TOPIC_OR_PARTITION);
  assert.equal(only(await call(broker, produceHandler, 7, produceRequest('nope', [{ index: 0, records: batch }]))).errorCode, Errors.UNKNOWN_TOPIC_OR_PARTITION);
  assert.deepEqual(broker.topics.created, []);
});

test('an unknown topic is auto-created on produce when auto-creation is on', async () => {
  const broker = await testBroker({ autoCreateTopics: true });
  const response = only(await call(broker, produceHandler, 7, produceRequest('fresh', [{ index: 0, records: await testBatch() }])));
  assert.equal(response.errorCode, Errors.NONE);
  assert.deepEqual(broker.topics.created, ['fresh']);
  assert.equal(broker.topics.partition('fresh', 0)?.log.logEndOffset, 1);
});

test('a batch above the topic max.message.bytes is MESSAGE_TOO_LARGE and not appended', async () => {
  const broker = await testBroker();
  const topic = await broker.topics.addTopic('t', 1, { maxMessageBytes: 200 });
  const big = await testBatch({ records: 1, valueBytes: 300 });
  const response = only(await call(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: big }])));
  assert.equal(response.errorCode, Errors.MESSAGE_TOO_LARGE);
  assert.equal(response.baseOffset, -1n);
  assert.equal((topic.partitions[0] as PartitionHandle).log.logEndOffset, 0);
  const small = only(await call(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: await testBatch({ valueBytes: 10 }) }])));
  assert.equal(small.errorCode, Errors.NONE);
});

test('corrupt batches are CORRUPT_MESSAGE; old message formats UNSUPPORTED_FOR_MESSAGE_FORMAT; two batches INVALID_RECORD', async () => {
  const broker = await testBroker();
  const topic = await broker.topics.addTopic('t', 1);
  const flipped = await testBatch({ records: 3 });
  flipped[flipped.length - 1] ^= 0xff; // under the CRC
  assert.equal(only(await call(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: flipped }]))).errorCode, Errors.CORRUPT_MESSAGE);
  const truncated = (await testBatch({ records: 3 })).subarray(0, 70);
  assert.equal(only(await call(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: truncated }]))).errorCode, Errors.CORRUPT_MESSAGE);
  const garbage = Buffer.alloc(40, 0xab);
  assert.equal(only(await call(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: garbage }]))).errorCode, Errors.CORRUPT_MESSAGE);
  const old = await testBatch();
  old.writeInt8(1, BATCH_OFFSETS.magic);
  assert.equal(only(await call(broker, produceHandler, 2, produceRequest('t', [{ index: 0, records: old }]))).errorCode, Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  const two = Buffer.concat([await testBatch(), await testBatch()]);
  assert.equal(only(await call(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: two }]))).errorCode, Errors.INVALID_RECORD);
  assert.equal(only(await call(broker, produceHandler, 7, produceRequest('t', [{ index: 0, records: null }]))).errorCode, Errors.INVALID_RECORD);
  assert.equal((topic.partitions[0] as PartitionHandle).log.logEndOffset, 0, 'nothing appended');
});

test('a storage failure is KAFKA_STORAGE_ERROR and the error message reaches v8+ clients', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  broker.topics.fs.injectFault({ op: 'write', code: 'EIO' });
  const response = only(await call(broker, produceHandler, 8, produceRequest('t', [{ index: 0, records: await testBatch() }])));
  assert.equal(response.errorCode, Errors.KAFKA_STORAGE_ERROR);
  assert.ok(response.errorMessage);
  broker.topics.fs.clearFaults();
});

test('a transactional produce is refused while transactions are unsupported', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 1);
  const request = { ...produceRequest('t', [{ index: 0, records: await testBatch() }]), transactionalId: 'tx' };
  assert.equal(only(await call(broker, produceHandler, 7, request)).errorCode, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
});

test('produces to one partition keep request order; a produce wakes a waiting fetch', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('t', 2);
  const waiting = call(broker, fetchHandler, 11, fetchRequest([{ topic: 't', partition: 1 }], { maxWaitMs: 10_000, minBytes: 1 }));
  const batches = await Promise.all([1, 2, 3].map((n) => testBatch({ records: n })));
  const responses = await Promise.all(batches.map((records) => call(broker, produceHandler, 7, produceRequest('t', [{ index: 1, records }]))));
  assert.deepEqual(responses.map((r) => only(r).baseOffset), [0n, 1n, 3n]);
  const fetched = partitionOf(await waiting, 't', 1);
  assert.ok((await recordsOf(fetched.records)).length >= 1, 'woken with data');
  assert.equal(broker.waiters.watchCount, 0);
});

test('a LogAppendTime topic reports the append time', async () => {
  const broker = await testBroker();
  await broker.topics.addTopic('stamped', 1, { messageTimestampType: 'LogAppendTime' }, { timestampType: TimestampType.LogAppendTime });
  const before = Date.now();
  const response = only(await call(broker, produceHandler, 7, produceRequest('stamped', [{ index: 0, records: await testBatch() }])));
  assert.equal(response.errorCode, Errors.NONE);
  assert.ok(response.logAppendTimeMs >= BigInt(before), `append time ${response.logAppendTimeMs}`);
});
