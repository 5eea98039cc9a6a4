/** The topic manager on the real file system, in a temporary directory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '@tributary/common';
import { createRequest, openManager, oneRecordBatch } from './testing/topic-test-support.js';

test('on disk: create, append, alter, grow, reopen and delete', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'tributary-topics-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');

  const manager = await openManager(nodeFileSystem, dataDir);
  const created = await manager.createTopic(createRequest('events.v1', { numPartitions: 2, configs: { 'segment.bytes': '1024' } }));
  assert.ok(created.ok);
  for (let i = 0; i < 20; i++) assert.ok((await manager.partition('events.v1', 0)!.log.appendAsLeader(await oneRecordBatch(`value ${i}`), { leaderEpoch: 0 })).ok);
  assert.ok(manager.partition('events.v1', 0)!.log.segmentCount > 1);
  assert.ok((await manager.alterConfigs('events.v1', { mode: 'incremental', operations: [{ name: 'retention.ms', op: 0, value: '86400000' }] }, false)).ok);
  assert.ok((await manager.createPartitions('events.v1', 3, false)).ok);
  assert.ok((await manager.createTopic(createRequest('doomed', { numPartitions: 2 }))).ok);
  await manager.close();
  assert.deepEqual((await readdir(join(dataDir, 'topics'))).sort(), ['doomed', 'events.v1']);
  assert.deepEqual((await readdir(join(dataDir, 'topics', 'events.v1'))).sort(), ['0', '1', '2', 'topic.json']);

  const reopened = await openManager(nodeFileSystem, dataDir);
  const topic = reopened.topic('events.v1')!;
  assert.equal(topic.topicId, created.value.topicId);
  assert.equal(topic.partitions.length, 3);
  assert.deepEqual(topic.config.overrides, { 'segment.bytes': '1024', 'retention.ms': '86400000' });
  assert.equal(reopened.partition('events.v1', 0)!.log.logEndOffset, 20);
  assert.equal(reopened.partition('events.v1', 0)!.highWatermark, 20);

  assert.ok((await reopened.deleteTopic('doomed')).ok);
  // The real file system removes the directories too.
  assert.deepEqual(await readdir(join(dataDir, 'topics')), ['events.v1']);
  await reopened.close();

  const third = await openManager(nodeFileSystem, dataDir);
  assert.deepEqual(
    third.topics().map((t) => t.name),
    ['events.v1'],
  );
  await third.close();
});
