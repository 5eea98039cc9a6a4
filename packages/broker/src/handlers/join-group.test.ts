/**
 * The membership and offset APIs through the wire codecs, at the versions each client family
 * sends (see shared/reference/kafka-clients.md §1): one member joins, syncs, heartbeats,
 * commits, fetches and leaves; then a restart replays the offsets partition.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultHeartbeatRequest,
  defaultJoinGroupRequest,
  defaultLeaveGroupRequest,
  defaultOffsetCommitRequest,
  defaultOffsetFetchRequest,
  defaultSyncGroupRequest,
} from '@tributary/protocol';
import { GroupErrors } from '@tributary/group';
import { call } from './data/testing/wire.js';
import { groupTestBroker } from '../group/testing/group-test-broker.js';
import { GroupService } from '../group/group-service.js';
import { joinGroupHandler } from './join-group.js';
import { syncGroupHandler } from './sync-group.js';
import { heartbeatHandler } from './heartbeat.js';
import { leaveGroupHandler } from './leave-group.js';
import { offsetCommitHandler } from './offset-commit.js';
import { offsetFetchHandler } from './offset-fetch.js';
import type { TestBroker } from './data/testing/fake-broker.js';
import { seededRandom } from '@tributary/common';
import { silentLogger } from '../logging.js';

interface Versions {
  readonly name: string;
  readonly join: number;
  readonly sync: number;
  readonly heartbeat: number;
  readonly commit: number;
  readonly fetch: number;
  readonly leave: number;
}

const families: readonly Versions[] = [
  { name: 'kafka-python', join: 2, sync: 1, heartbeat: 1, commit: 2, fetch: 1, leave: 1 },
  { name: 'kafkajs', join: 5, sync: 3, heartbeat: 3, commit: 5, fetch: 4, leave: 3 },
  { name: 'librdkafka', join: 5, sync: 3, heartbeat: 3, commit: 7, fetch: 7, leave: 1 },
  { name: 'newest', join: 9, sync: 5, heartbeat: 4, commit: 8, fetch: 8, leave: 5 },
];

async function joinAndSync(broker: TestBroker, groupId: string, v: Versions): Promise<{ memberId: string; generationId: number }> {
  const request = { ...defaultJoinGroupRequest(), groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0]) }] };
  let joined = await call(broker, joinGroupHandler, v.join, request);
  if (v.join >= 4) {
    assert.equal(joined.errorCode, GroupErrors.MEMBER_ID_REQUIRED, `${v.name}: v4+ joins get a member id first`);
    assert.match(joined.memberId, /^test-/);
    joined = await call(broker, joinGroupHandler, v.join, { ...request, memberId: joined.memberId });
  }
  assert.equal(joined.errorCode, 0, v.name);
  assert.equal(joined.leader, joined.memberId);
  assert.equal(joined.protocolName, 'range');
  assert.equal(joined.members.length, 1);
  const synced = await call(broker, syncGroupHandler, v.sync, {
    ...defaultSyncGroupRequest(),
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    protocolType: v.sync >= 5 ? 'consumer' : null,
    protocolName: v.sync >= 5 ? 'range' : null,
    assignments: [{ memberId: joined.memberId, assignment: Buffer.from('mine') }],
  });
  assert.equal(synced.errorCode, 0, v.name);
  assert.deepEqual(synced.assignment, Buffer.from('mine'));
  return { memberId: joined.memberId, generationId: joined.generationId };
}

function commitRequest(groupId: string, member: { memberId: string; generationId: number }, offsets: number[]) {
  return {
    ...defaultOffsetCommitRequest(),
    groupId,
    generationIdOrMemberEpoch: member.generationId,
    memberId: member.memberId,
    topics: [
      { name: 't', partitions: offsets.map((o, i) => ({ partitionIndex: i, committedOffset: BigInt(o), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null })) },
      { name: 'missing-topic', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] },
    ],
  };
}

async function fetchOffsets(broker: TestBroker, groupId: string, version: number): Promise<number[]> {
  const topics = [{ name: 't', partitionIndexes: [0, 1] }];
  const body =
    version >= 8
      ? { ...defaultOffsetFetchRequest(), groupId: '', topics: [], groups: [{ groupId, memberId: null, memberEpoch: -1, topics: topics.map((t) => ({ ...t })) }] }
      : { ...defaultOffsetFetchRequest(), groupId, topics };
  const response = await call(broker, offsetFetchHandler, version, body);
  const found = version >= 8 ? response.groups[0].topics : response.topics;
  return found[0].partitions.map((p) => Number(p.committedOffset));
}

for (const v of families) {
  test(`${v.name}: join, sync, heartbeat, commit, fetch, leave at JoinGroup v${v.join} / OffsetCommit v${v.commit} / OffsetFetch v${v.fetch}`, async (t) => {
    const { broker, service } = await groupTestBroker();
    t.after(() => service.close());
    await broker.topics.addTopic('t', 2);
    const groupId = `group-${v.name}`;
    const member = await joinAndSync(broker, groupId, v);
    const beat = await call(broker, heartbeatHandler, v.heartbeat, { ...defaultHeartbeatRequest(), groupId, generationId: member.generationId, memberId: member.memberId });
    assert.equal(beat.errorCode, 0);
    const stale = await call(broker, heartbeatHandler, v.heartbeat, { ...defaultHeartbeatRequest(), groupId, generationId: member.generationId + 1, memberId: member.memberId });
    assert.equal(stale.errorCode, GroupErrors.ILLEGAL_GENERATION);
    const committed = await call(broker, offsetCommitHandler, v.commit, commitRequest(groupId, member, [5, 9]));
    assert.deepEqual(
      committed.topics.map((t) => [t.name, t.partitions.map((p) => p.errorCode)]),
      [['t', [0, 0]], ['missing-topic', [GroupErrors.UNKNOWN_TOPIC_OR_PARTITION]]],
    );
    assert.deepEqual(await fetchOffsets(broker, groupId, v.fetch), [5, 9]);
    const leave =
      v.leave >= 3
        ? { ...defaultLeaveGroupRequest(), groupId, members: [{ memberId: member.memberId, groupInstanceId: null, reason: null }] }
        : { ...defaultLeaveGroupRequest(), groupId, memberId: member.memberId };
    const left = await call(broker, leaveGroupHandler, v.leave, leave);
    assert.equal(left.errorCode, 0);
    if (v.leave >= 3) assert.deepEqual(left.members.map((m) => m.errorCode), [0]);
    const gone = await call(broker, heartbeatHandler, v.heartbeat, { ...defaultHeartbeatRequest(), groupId, generationId: member.generationId, memberId: member.memberId });
    assert.equal(gone.errorCode, GroupErrors.UNKNOWN_MEMBER_ID);
  });
}

test('offsets and group metadata are replayed from __consumer_offsets after a restart', async (t) => {
  const { broker, service } = await groupTestBroker();
  await broker.topics.addTopic('t', 2);
  const member = await joinAndSync(broker, 'restart-group', families[1]);
  await call(broker, offsetCommitHandler, 5, commitRequest('restart-group', member, [11, 22]));
  await call(broker, offsetCommitHandler, 2, commitRequest('standalone', { memberId: '', generationId: -1 }, [3, 4]));
  await service.close();
  await broker.topics.reopenAll();
  const restarted = new GroupService({ topics: broker.topics, clock: broker.context.clock, random: seededRandom(2), logger: silentLogger(), settings: { offsetsTopicPartitions: 3 } });
  restarted.start();
  t.after(() => restarted.close());
  await restarted.loaded();
  const context = { ...broker.context, groups: restarted };
  const again: TestBroker = { ...broker, context, request: (k, ver, c) => ({ ...broker.request(k, ver, c), broker: context }) };
  assert.deepEqual(await fetchOffsets(again, 'restart-group', 4), [11, 22]);
  assert.deepEqual(await fetchOffsets(again, 'standalone', 1), [3, 4]);
  // The member is still in its generation: its heartbeat is accepted without a rejoin.
  const beat = await call(again, heartbeatHandler, 3, { ...defaultHeartbeatRequest(), groupId: 'restart-group', generationId: member.generationId, memberId: member.memberId });
  assert.equal(beat.errorCode, 0);
});

test('group requests while the coordinator loads get COORDINATOR_LOAD_IN_PROGRESS', async (t) => {
  const { broker, service } = await groupTestBroker();
  await broker.topics.addTopic('t', 2);
  await joinAndSync(broker, 'g', families[1]);
  await service.close();
  const restarted = new GroupService({ topics: broker.topics, clock: broker.context.clock, random: seededRandom(2), logger: silentLogger() });
  restarted.start();
  t.after(() => restarted.close());
  const context = { ...broker.context, groups: restarted };
  const loading: TestBroker = { ...broker, context, request: (k, ver, c) => ({ ...broker.request(k, ver, c), broker: context }) };
  const beat = await call(loading, heartbeatHandler, 3, { ...defaultHeartbeatRequest(), groupId: 'g', generationId: 1, memberId: 'm' });
  assert.equal(beat.errorCode, GroupErrors.COORDINATOR_LOAD_IN_PROGRESS);
  await restarted.loaded();
});
