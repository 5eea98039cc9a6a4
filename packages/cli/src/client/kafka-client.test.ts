import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ApiKey, CompressionCodec } from '@tributary/protocol';
import { BrokerConnection } from './broker-connection.js';
import { fetchPartitions } from './fetcher.js';
import { parseHostPort, formatHostPort } from './host-port.js';
import { KafkaClient } from './kafka-client.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from './list-offsets.js';
import { murmur2, partitionForKey } from './partitioner.js';
import { produceBatch } from './producer.js';
import { alterTopicConfigs, createTopic, deleteTopic, describeTopicConfigs } from './topic-admin.js';
import { FakeBroker } from './testing/fake-broker.js';

const require = createRequire(import.meta.url);

async function connected(broker: FakeBroker): Promise<KafkaClient> {
  const client = await KafkaClient.connect({ host: '127.0.0.1', port: broker.port });
  assert.ok(client.ok, client.ok ? '' : client.error.message);
  return client.value;
}

test('a refused connection is an unreachable error naming the address', async () => {
  const broker = await FakeBroker.start();
  const port = broker.port;
  await broker.stop();
  const result = await BrokerConnection.connect({ host: '127.0.0.1', port });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.error.kind, 'unreachable');
  assert.match(result.error.message, new RegExp(`^cannot reach broker at 127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
});

test('negotiation records what the broker serves and picks the common version', async () => {
  const broker = await FakeBroker.start();
  const client = await connected(broker);
  assert.equal(client.versions.supports(ApiKey.Produce), true);
  assert.equal(client.versions.supports(ApiKey.JoinGroup), false);
  const produce = client.versions.pick(ApiKey.Produce, { minVersion: 3, maxVersion: 9 });
  assert.deepEqual(produce, { ok: true, value: 7 });
  const unsupported = client.versions.pick(ApiKey.JoinGroup, { minVersion: 0, maxVersion: 5 });
  assert.equal(unsupported.ok, false);
  client.close();
  await broker.stop();
});

test('produce, fetch and list offsets round-trip records with every codec', async () => {
  const broker = await FakeBroker.start();
  broker.addTopic('orders', 2);
  const client = await connected(broker);
  const leader = await client.nodeConnection(1);
  assert.ok(leader.ok);
  const codecs = [CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd];
  for (const [i, compression] of codecs.entries()) {
    const records = Array.from({ length: 50 }, (_, n) => ({ key: Buffer.from(`k${n}`), value: Buffer.from(`v${i}-${n}-${'x'.repeat(40)}`), headers: [{ key: 'h', value: Buffer.from(String(i)) }] }));
    const ack = await produceBatch(client, leader.value, 'orders', 1, records, { acks: -1, compression, timeoutMs: 1000 });
    assert.ok(ack.ok && ack.value !== null);
    assert.equal(ack.value.baseOffset, BigInt(i * 50));
  }
  // Start mid-batch: records before the asked offset are dropped.
  const fetched = await fetchPartitions(client, leader.value, 'orders', new Map([[1, 75n]]));
  assert.ok(fetched.ok);
  const part = fetched.value.get(1);
  assert.ok(part);
  assert.equal(part.records.length, 250 - 75);
  assert.equal(part.records[0].offset, 75n);
  assert.equal(part.records[0].value?.toString(), `v1-25-${'x'.repeat(40)}`);
  assert.equal(part.records[0].headers[0].value?.toString(), '1');
  assert.equal(part.nextOffset, 250n);
  const latest = await listOffsets(client, leader.value, 'orders', [0, 1], LATEST_TIMESTAMP);
  const earliest = await listOffsets(client, leader.value, 'orders', [0, 1], EARLIEST_TIMESTAMP);
  assert.ok(latest.ok && earliest.ok);
  assert.deepEqual([...latest.value], [[0, 0n], [1, 250n]]);
  assert.deepEqual([...earliest.value], [[0, 0n], [1, 0n]]);
  client.close();
  await broker.stop();
});

test('acks=0 produces without waiting for an answer', async () => {
  const broker = await FakeBroker.start();
  broker.addTopic('t', 1);
  const client = await connected(broker);
  const leader = await client.nodeConnection(1);
  assert.ok(leader.ok);
  const ack = await produceBatch(client, leader.value, 't', 0, [{ key: null, value: Buffer.from('a'), headers: [] }], { acks: 0, compression: CompressionCodec.None, timeoutMs: 1000 });
  assert.deepEqual(ack, { ok: true, value: null });
  // A later request on the same connection still gets its own answer.
  const offsets = await listOffsets(client, leader.value, 't', [0], LATEST_TIMESTAMP);
  assert.ok(offsets.ok);
  assert.equal(offsets.value.get(0), 1n);
  client.close();
  await broker.stop();
});

test('topic admin: create, describe and alter configs, delete; unknown topics are code 3', async () => {
  const broker = await FakeBroker.start();
  const client = await connected(broker);
  assert.deepEqual(await createTopic(client, { name: 'a', partitions: 3, configs: { 'retention.ms': '1000' } }), { ok: true, value: undefined });
  const again = await createTopic(client, { name: 'a' });
  assert.equal(again.ok, false);
  if (!again.ok) assert.match(again.error.message, /TOPIC_ALREADY_EXISTS/);
  assert.ok((await alterTopicConfigs(client, 'a', { 'segment.ms': '5' }, ['retention.ms'])).ok);
  const configs = await describeTopicConfigs(client, ['a']);
  assert.ok(configs.ok);
  const overrides = configs.value.get('a')?.filter((c) => !c.isDefault).map((c) => `${c.name}=${c.value}`);
  assert.deepEqual(overrides, ['segment.ms=5']);
  assert.ok((await deleteTopic(client, 'a')).ok);
  const missing = await deleteTopic(client, 'a');
  assert.equal(missing.ok, false);
  if (!missing.ok) {
    assert.equal(missing.error.code, 3);
    assert.equal(missing.error.message, 'topic a does not exist');
  }
  client.close();
  await broker.stop();
});

test('alter configs falls back to AlterConfigs, keeping the other overrides', async () => {
  const broker = await FakeBroker.start({ without: [ApiKey.IncrementalAlterConfigs] });
  broker.addTopic('b', 1);
  broker.configs.get('b')?.set('retention.ms', '10');
  const client = await connected(broker);
  assert.ok((await alterTopicConfigs(client, 'b', { 'segment.ms': '7' }, [])).ok);
  assert.deepEqual([...(broker.configs.get('b') ?? [])].sort(), [['retention.ms', '10'], ['segment.ms', '7']]);
  assert.equal(broker.received.includes(ApiKey.IncrementalAlterConfigs), false);
  client.close();
  await broker.stop();
});

test('murmur2 partitioning matches kafkajs (and so Java) for keyed records', () => {
  const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer) => number;
  for (const key of ['', 'a', 'ab', 'abc', 'abcd', 'key-17', '21', 'ünïcödé', 'x'.repeat(101)]) {
    assert.equal(murmur2(Buffer.from(key)), kafkajsMurmur2(Buffer.from(key)), key);
  }
  assert.equal(murmur2(Buffer.from('21')), -973932308);
  for (let i = 0; i < 50; i++) {
    const key = Buffer.from(`key-${i}`);
    assert.equal(partitionForKey(key, 7), (kafkajsMurmur2(key) & 0x7fffffff) % 7);
  }
});

test('HOST:PORT parsing', () => {
  assert.deepEqual(parseHostPort('localhost:9092'), { ok: true, value: { host: 'localhost', port: 9092 } });
  assert.deepEqual(parseHostPort('[::1]:19092'), { ok: true, value: { host: '::1', port: 19092 } });
  assert.deepEqual(parseHostPort('broker'), { ok: true, value: { host: 'broker', port: 9092 } });
  assert.equal(parseHostPort('a:70000').ok, false);
  assert.equal(parseHostPort(':9092').ok, false);
  assert.equal(formatHostPort({ host: '::1', port: 1 }), '[::1]:1');
});
