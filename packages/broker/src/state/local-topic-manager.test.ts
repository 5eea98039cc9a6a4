import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '@tributary/common';
import { ErrorCode, TimestampType } from '@tributary/protocol';
import { LogStorageError } from '@tributary/storage';
import { createRequest, openManager, oneRecordBatch } from './testing/topic-test-support.js';

const { TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR, INVALID_PARTITIONS, INVALID_CONFIG, INVALID_TOPIC_EXCEPTION, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST, POLICY_VIOLATION } =
  ErrorCode;

function expectError(result: { ok: boolean; error?: { code: number; message: string } }, code: number, messagePart?: string): void {
  assert.equal(result.ok, false, 'expected an error');
  assert.equal(result.error!.code, code, result.error!.message);
  if (messagePart !== undefined) assert.match(result.error!.message, new RegExp(messagePart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
}

test('a created topic, its configs and its data are found again after reopening', async () => {
  const fs = new MemoryFileSystem();
  const manager = await openManager(fs);
  const created = await manager.createTopic(createRequest('orders', { numPartitions: 3, configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' } }));
  assert.ok(created.ok);
  assert.equal(created.value.partitions.length, 3);
  assert.equal(created.value.topicId.length, 22);
  assert.equal(created.value.config.retentionMs, 1000);
  assert.equal(created.value.config.cleanupPolicy, 'compact');

  const handle = manager.partition('orders', 1)!;
  const appended = await handle.log.appendAsLeader(await oneRecordBatch('hello'), { leaderEpoch: 0 });
  assert.ok(appended.ok);
  assert.equal(handle.highWatermark, 1);
  await manager.close();

  const reopened = await openManager(fs);
  const topic = reopened.topic('orders')!;
  assert.equal(topic.topicId, created.value.topicId);
  assert.equal(reopened.topicById(created.value.topicId)?.name, 'orders');
  assert.equal(topic.partitions.length, 3);
  assert.deepEqual(topic.config.overrides, { 'retention.ms': '1000', 'cleanup.policy': 'compact' });
  assert.equal(reopened.partition('orders', 1)!.log.logEndOffset, 1);
  assert.equal(reopened.partition('orders', 1)!.highWatermark, 1);
  assert.equal(reopened.partition('orders', 1)!.log.config.retentionMs, 1000);
  assert.equal(reopened.partition('orders', 0)!.log.logEndOffset, 0);
  assert.equal(reopened.partition('orders', 3), undefined);
  await reopened.close();
});

test('-1 partitions and replication factor take the broker defaults', async () => {
  const manager = await openManager(new MemoryFileSystem(), '/data', { defaults: { numPartitions: 4 } });
  const created = await manager.createTopic(createRequest('t', { numPartitions: -1, replicationFactor: -1 }));
  assert.ok(created.ok);
  assert.equal(created.value.partitions.length, 4);
  await manager.close();
});

test('create is refused for an existing or colliding name, bad counts and bad configs', async () => {
  const manager = await openManager(new MemoryFileSystem());
  assert.ok((await manager.createTopic(createRequest('a.b'))).ok);
  expectError(await manager.createTopic(createRequest('a.b')), TOPIC_ALREADY_EXISTS, "Topic 'a.b' already exists.");
  expectError(await manager.createTopic(createRequest('a_b')), INVALID_TOPIC_EXCEPTION, "Topic 'a_b' collides with existing topic: a.b");
  expectError(await manager.createTopic(createRequest('x', { replicationFactor: 3 })), INVALID_REPLICATION_FACTOR, 'only 1 broker(s) are registered');
  expectError(await manager.createTopic(createRequest('x', { replicationFactor: 0 })), INVALID_REPLICATION_FACTOR, 'larger than 0');
  expectError(await manager.createTopic(createRequest('x', { numPartitions: 0 })), INVALID_PARTITIONS);
  expectError(await manager.createTopic(createRequest('x', { numPartitions: -2 })), INVALID_PARTITIONS);
  expectError(await manager.createTopic(createRequest('x', { configs: { 'no.such': '1' } })), INVALID_CONFIG, 'Unknown topic config name: no.such');
  expectError(await manager.createTopic(createRequest('x', { configs: { 'retention.ms': 'soon' } })), INVALID_CONFIG, 'Invalid value soon for configuration retention.ms');
  expectError(await manager.createTopic(createRequest('x', { configs: { 'segment.ms': null } })), INVALID_CONFIG, 'Null value');
  expectError(await manager.createTopic(createRequest('bad/name')), INVALID_TOPIC_EXCEPTION);
  expectError(await manager.createTopic(createRequest('__consumer_offsets')), INVALID_REQUEST, 'internal topic');
  assert.deepEqual(
    manager.topics().map((t) => t.name),
    ['a.b'],
  );
  await manager.close();
});

test('internal topics are created only by the broker itself, and cannot be deleted', async () => {
  const manager = await openManager(new MemoryFileSystem());
  const created = await manager.createTopic(createRequest('__consumer_offsets', { numPartitions: 2, internal: true }));
  assert.ok(created.ok);
  assert.equal(created.value.isInternal, true);
  expectError(await manager.deleteTopic('__consumer_offsets'), INVALID_REQUEST);
  await manager.close();
});

test('validateOnly creates nothing', async () => {
  const fs = new MemoryFileSystem();
  const manager = await openManager(fs);
  const checked = await manager.createTopic(createRequest('t', { numPartitions: 2, validateOnly: true }));
  assert.ok(checked.ok);
  assert.equal(manager.topic('t'), undefined);
  assert.deepEqual(await fs.readdir('/data/topics'), []);
  expectError(await manager.createTopic(createRequest('t', { validateOnly: true, replicationFactor: 2 })), INVALID_REPLICATION_FACTOR);
  await manager.close();
});

test('a deleted topic stays deleted after reopening, and its name can be reused', async () => {
  const fs = new MemoryFileSystem();
  const manager = await openManager(fs);
  const first = await manager.createTopic(createRequest('t', { numPartitions: 2 }));
  assert.ok(first.ok);
  const handle = manager.partition('t', 0)!;
  assert.ok((await handle.log.appendAsLeader(await oneRecordBatch('x'), { leaderEpoch: 0 })).ok);
  assert.ok((await manager.deleteTopic('t')).ok);
  assert.equal(manager.topic('t'), undefined);
  assert.equal(manager.topicById(first.value.topicId), undefined);
  // A request that held the handle sees a closed log (NOT_LEADER_OR_FOLLOWER), not the old data.
  const late = await handle.log.appendAsLeader(await oneRecordBatch('y'), { leaderEpoch: 0 });
  assert.equal(late.ok, false);
  expectError(await manager.deleteTopic('t'), UNKNOWN_TOPIC_OR_PARTITION);
  await manager.close();

  const reopened = await openManager(fs);
  assert.equal(reopened.topic('t'), undefined);
  const again = await reopened.createTopic(createRequest('t'));
  assert.ok(again.ok);
  assert.notEqual(again.value.topicId, first.value.topicId);
  assert.equal(reopened.partition('t', 0)!.log.logEndOffset, 0);
  await reopened.close();
});

test('createPartitions only grows, and the new partitions persist', async () => {
  const fs = new MemoryFileSystem();
  const manager = await openManager(fs);
  assert.ok((await manager.createTopic(createRequest('t', { numPartitions: 2, configs: { 'segment.bytes': '4096' } }))).ok);
  expectError(await manager.createPartitions('t', 1, false), INVALID_PARTITIONS, 'higher than the requested 1');
  expectError(await manager.createPartitions('t', 2, false), INVALID_PARTITIONS, 'already has 2');
  expectError(await manager.createPartitions('nope', 5, false), UNKNOWN_TOPIC_OR_PARTITION);
  assert.ok((await manager.createPartitions('t', 5, true)).ok);
  assert.equal(manager.topic('t')!.partitions.length, 2);
  assert.ok((await manager.createPartitions('t', 5, false)).ok);
  assert.equal(manager.topic('t')!.partitions.length, 5);
  assert.equal(manager.partition('t', 4)!.log.config.segmentBytes, 4096);
  await manager.close();
  const reopened = await openManager(fs);
  assert.equal(reopened.topic('t')!.partitions.length, 5);
  await reopened.close();
});

test('the broker-wide partition limit is enforced', async () => {
  const manager = await openManager(new MemoryFileSystem(), '/data', { limits: { partitionsMax: 4 } });
  assert.ok((await manager.createTopic(createRequest('a', { numPartitions: 3 }))).ok);
  expectError(await manager.createTopic(createRequest('b', { numPartitions: 2 })), POLICY_VIOLATION);
  expectError(await manager.createPartitions('a', 5, false), POLICY_VIOLATION);
  assert.ok((await manager.createPartitions('a', 4, false)).ok);
  await manager.close();
});

test('alterConfigs replaces or edits overrides, persists them and reaches the logs', async () => {
  const fs = new MemoryFileSystem();
  const manager = await openManager(fs);
  assert.ok((await manager.createTopic(createRequest('t', { configs: { 'retention.ms': '1000', 'flush.ms': '5' } }))).ok);
  const handle = manager.partition('t', 0)!;

  assert.ok((await manager.alterConfigs('t', { mode: 'replace', configs: { 'segment.bytes': '2048', 'message.timestamp.type': 'LogAppendTime' } }, false)).ok);
  assert.deepEqual(manager.topic('t')!.config.overrides, { 'segment.bytes': '2048', 'message.timestamp.type': 'LogAppendTime' });
  assert.equal(manager.topic('t')!.config.retentionMs, 7 * 24 * 3600 * 1000);
  assert.equal(manager.partition('t', 0), handle, 'the handle keeps its identity');
  assert.equal(handle.log.config.segmentBytes, 2048);
  assert.equal(handle.log.config.timestampType, TimestampType.LogAppendTime);
  assert.ok((await handle.log.appendAsLeader(await oneRecordBatch('after reopen'), { leaderEpoch: 0 })).ok);

  const ops = [
    { name: 'cleanup.policy', op: 2, value: 'compact' },
    { name: 'segment.bytes', op: 1, value: null },
    { name: 'retention.bytes', op: 0, value: '100000' },
  ];
  assert.ok((await manager.alterConfigs('t', { mode: 'incremental', operations: ops }, false)).ok);
  assert.deepEqual(manager.topic('t')!.config.overrides, { 'message.timestamp.type': 'LogAppendTime', 'cleanup.policy': 'delete,compact', 'retention.bytes': '100000' });
  assert.equal(handle.log.config.retentionBytes, 100000);

  assert.ok((await manager.alterConfigs('t', { mode: 'incremental', operations: [{ name: 'cleanup.policy', op: 3, value: 'delete' }] }, false)).ok);
  assert.equal(manager.topic('t')!.config.cleanupPolicy, 'compact');
  expectError(await manager.alterConfigs('t', { mode: 'incremental', operations: [{ name: 'cleanup.policy', op: 3, value: 'compact' }] }, false), INVALID_CONFIG);
  expectError(await manager.alterConfigs('t', { mode: 'incremental', operations: [{ name: 'retention.ms', op: 2, value: '5' }] }, false), INVALID_CONFIG, 'append is not allowed');
  expectError(await manager.alterConfigs('t', { mode: 'incremental', operations: [{ name: 'retention.ms', op: 7, value: '5' }] }, false), INVALID_REQUEST);
  const duplicate = [
    { name: 'retention.ms', op: 0, value: '5' },
    { name: 'retention.ms', op: 1, value: null },
  ];
  expectError(await manager.alterConfigs('t', { mode: 'incremental', operations: duplicate }, false), INVALID_REQUEST, 'duplicate');
  expectError(await manager.alterConfigs('t', { mode: 'replace', configs: { 'max.message.bytes': '-5' } }, false), INVALID_CONFIG);
  expectError(await manager.alterConfigs('nope', { mode: 'replace', configs: {} }, false), UNKNOWN_TOPIC_OR_PARTITION);

  assert.ok((await manager.alterConfigs('t', { mode: 'replace', configs: { 'retention.ms': '1' } }, true)).ok);
  assert.equal(manager.topic('t')!.config.overrides['retention.ms'], undefined, 'validateOnly changes nothing');
  await manager.close();

  const reopened = await openManager(fs);
  assert.deepEqual(reopened.topic('t')!.config.overrides, { 'message.timestamp.type': 'LogAppendTime', 'cleanup.policy': 'compact', 'retention.bytes': '100000' });
  assert.equal(reopened.partition('t', 0)!.log.logEndOffset, 1);
  await reopened.close();
});

test('describeConfigs reports overrides, broker defaults and their sources', async () => {
  const manager = await openManager(new MemoryFileSystem(), '/data', { defaults: { retentionMs: 3_600_000 } });
  assert.ok((await manager.createTopic(createRequest('t', { configs: { 'segment.bytes': '1048576' } }))).ok);
  const described = manager.describeConfigs('t', null);
  assert.ok(described.ok);
  const byName = new Map(described.value.map((entry) => [entry.name, entry]));
  assert.ok(byName.size >= 15);
  assert.deepEqual(
    { value: byName.get('segment.bytes')!.value, isExplicit: byName.get('segment.bytes')!.isExplicit, source: byName.get('segment.bytes')!.source },
    { value: '1048576', isExplicit: true, source: 1 },
  );
  const retention = byName.get('retention.ms')!;
  assert.equal(retention.value, '3600000');
  assert.equal(retention.source, 4);
  assert.deepEqual(
    retention.synonyms.map((s) => [s.name, s.source]),
    [
      ['log.retention.ms', 4],
      ['log.retention.ms', 5],
    ],
  );
  assert.equal(byName.get('cleanup.policy')!.source, 5);
  assert.equal(byName.get('cleanup.policy')!.type, 7);
  const filtered = manager.describeConfigs('t', ['retention.bytes', 'not.a.config']);
  assert.ok(filtered.ok);
  assert.deepEqual(
    filtered.value.map((e) => e.name),
    ['retention.bytes'],
  );
  expectError(manager.describeConfigs('nope', null), UNKNOWN_TOPIC_OR_PARTITION);
  await manager.close();
});

test('a partition whose log cannot be opened is offline; the others serve', async () => {
  const fs = new MemoryFileSystem();
  const manager = await openManager(fs);
  assert.ok((await manager.createTopic(createRequest('t', { numPartitions: 3 }))).ok);
  await manager.close();

  fs.injectFault({ op: 'readdir', path: '/data/topics/t/1', code: 'EACCES' });
  fs.injectFault({ op: 'open', path: /^\/data\/topics\/t\/1\//, code: 'EACCES' });
  const reopened = await openManager(fs);
  const offline = reopened.partition('t', 1)!;
  assert.ok(offline.log.offlineError instanceof LogStorageError);
  const append = await offline.log.appendAsLeader(await oneRecordBatch('x'), { leaderEpoch: 0 });
  assert.equal(append.ok, false);
  assert.equal(!append.ok && append.error.code, ErrorCode.KAFKA_STORAGE_ERROR);
  for (const index of [0, 2]) {
    const handle = reopened.partition('t', index)!;
    assert.equal(handle.log.offlineError, null);
    assert.ok((await handle.log.appendAsLeader(await oneRecordBatch('x'), { leaderEpoch: 0 })).ok);
  }
  await reopened.enforceRetention();
  await reopened.close();
});

test('concurrent admin operations on one topic are serialised', async () => {
  const manager = await openManager(new MemoryFileSystem());
  const results = await Promise.all([
    manager.createTopic(createRequest('t', { numPartitions: 1 })),
    manager.createTopic(createRequest('t', { numPartitions: 1 })),
    manager.createPartitions('t', 3, false),
    manager.createPartitions('t', 4, false),
    manager.deleteTopic('t'),
    manager.createTopic(createRequest('t', { numPartitions: 2 })),
  ]);
  assert.deepEqual(
    results.map((r) => (r.ok ? 0 : r.error.code)),
    [0, TOPIC_ALREADY_EXISTS, 0, 0, 0, 0],
  );
  assert.equal(manager.topic('t')!.partitions.length, 2);
  await manager.close();
});

test('retention runs on every partition with the topic config', async () => {
  const clock = { now: 1_700_000_000_000, nowMs: () => clock.now, monotonicMs: () => clock.now };
  const manager = await openManager(new MemoryFileSystem(), '/data', { clock });
  assert.ok((await manager.createTopic(createRequest('t', { numPartitions: 2, configs: { 'retention.ms': '1000', 'segment.bytes': '100' } }))).ok);
  for (const index of [0, 1]) {
    const log = manager.partition('t', index)!.log;
    for (let i = 0; i < 3; i++) assert.ok((await log.appendAsLeader(await oneRecordBatch(`v${i}`, clock.now), { leaderEpoch: 0 })).ok);
  }
  clock.now += 10_000;
  await manager.enforceRetention();
  for (const index of [0, 1]) assert.equal(manager.partition('t', index)!.log.logStartOffset, 3);
  await manager.close();
});

test('a topic whose metadata is unreadable is skipped, its name stays taken, the others load', async () => {
  const fs = new MemoryFileSystem();
  const manager = await openManager(fs);
  assert.ok((await manager.createTopic(createRequest('good'))).ok);
  assert.ok((await manager.createTopic(createRequest('broken'))).ok);
  await manager.close();
  const handle = await fs.open('/data/topics/broken/topic.json', 'rw');
  await handle.truncate(10);
  await handle.close();

  const reopened = await openManager(fs);
  assert.deepEqual(
    reopened.topics().map((t) => t.name),
    ['good'],
  );
  expectError(await reopened.createTopic(createRequest('broken')), ErrorCode.KAFKA_STORAGE_ERROR, 'unreadable');
  await reopened.close();
});
