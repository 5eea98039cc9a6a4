import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, type DeleteGroupsResponse, type DescribeGroupsResponse, type JoinGroupResponse, type LeaveGroupResponse, type ListGroupsResponse, type OffsetCommitResponse, type OffsetDeleteResponse } from '@tributary/protocol';
import { seededRandom } from '@tributary/common';
import { GroupErrors } from './error-codes.js';
import { GroupCoordinator } from './group-coordinator.js';
import { Harness } from './testing/harness.js';

const G = 'group-a';

/** Three dynamic members joined and synced: generation 1, Stable, each with its own assignment. */
function stableGroupOfThree(h: Harness): { members: string[]; leader: string; generationId: number } {
  const joins = ['c1', 'c2', 'c3'].map((c) => h.joinNew(G, c));
  const last = new Map(joins.map((j) => [j.memberId, j.joinId]));
  // With no initial delay each newcomer starts a rebalance; members rejoin as clients do.
  for (let i = 0; h.coordinator.snapshot(G)!.state === 'PreparingRebalance' && i < 5; i++) {
    for (const m of h.coordinator.snapshot(G)!.members) if (!m.awaitingJoin) last.set(m.memberId, h.join(G, { memberId: m.memberId }));
  }
  const results = joins.map((j) => h.response<JoinGroupResponse>(last.get(j.memberId)!)!);
  assert.ok(results.every((r) => r.errorCode === 0 && r.generationId === results[0].generationId));
  return { members: joins.map((j) => j.memberId), leader: results[0].leader, generationId: results[0].generationId };
}

test('three members join with the initial delay, the first is leader, the leader assignment reaches everyone', () => {
  const h = new Harness({ initialRebalanceDelayMs: 3_000 });
  const joins = ['c1', 'c2', 'c3'].map((c) => h.joinNew(G, c));
  assert.ok(joins.every((j) => j.memberId.startsWith(`c${joins.indexOf(j) + 1}-`)), 'member ids are clientId-uuid');
  assert.equal(h.response(joins[0].joinId), undefined, 'held during the initial delay');
  h.advance(2_999);
  assert.equal(h.response(joins[2].joinId), undefined);
  h.advance(3_000);
  const results = joins.map((j) => h.response<JoinGroupResponse>(j.joinId)!);
  for (const r of results) {
    assert.equal(r.errorCode, 0);
    assert.equal(r.generationId, 1);
    assert.equal(r.protocolName, 'range');
    assert.equal(r.leader, joins[0].memberId);
  }
  assert.equal(results[0].members.length, 3, 'the leader gets every member');
  assert.equal(results[1].members.length, 0);
  const follower = h.sync(G, joins[1].memberId, 1);
  assert.equal(h.response(follower), undefined, 'a follower waits for the leader');
  const assignments = joins.map((j, i) => ({ memberId: j.memberId, assignment: Buffer.from(`a${i}`) }));
  const records = h.records.length;
  const leader = h.sync(G, joins[0].memberId, 1, assignments);
  assert.equal(h.records.length, records + 1, 'the assignment is written');
  assert.deepEqual(h.syncResult(leader)!.assignment, Buffer.from('a0'));
  assert.deepEqual(h.syncResult(follower)!.assignment, Buffer.from('a1'));
  const late = h.sync(G, joins[2].memberId, 1);
  assert.deepEqual(h.syncResult(late)!.assignment, Buffer.from('a2'));
  assert.equal(h.coordinator.snapshot(G)!.state, 'Stable');
});

test('a member that stops heartbeating is removed after its session timeout and the rest rebalance', () => {
  const h = new Harness();
  const { members, generationId } = stableGroupOfThree(h);
  const leaderId = h.coordinator.snapshot(G)!.leaderId!;
  h.sync(G, leaderId, generationId, members.map((m) => ({ memberId: m, assignment: Buffer.from(m) })));
  for (const m of members) if (m !== leaderId) h.sync(G, m, generationId);
  assert.equal(h.coordinator.snapshot(G)!.state, 'Stable');
  const [dead, ...alive] = members.filter((m) => m !== leaderId).concat(leaderId);
  for (let t = 0; t < 9_000; t += 3_000) {
    h.advance(3_000);
    for (const m of alive) assert.equal(h.heartbeat(G, m, generationId), 0);
  }
  h.advance(1_500); // 10.5 s since the dead member's last heartbeat: past its 10 s session
  assert.equal(h.coordinator.snapshot(G)!.state, 'PreparingRebalance');
  assert.ok(!h.coordinator.snapshot(G)!.members.some((m) => m.memberId === dead));
  for (const m of alive) assert.equal(h.heartbeat(G, m, generationId), GroupErrors.REBALANCE_IN_PROGRESS);
  const rejoins = alive.map((m) => h.join(G, { memberId: m }));
  const answers = rejoins.map((id) => h.response<JoinGroupResponse>(id)!);
  assert.ok(answers.every((a) => a.errorCode === 0 && a.generationId === generationId + 1));
  assert.equal(h.heartbeat(G, dead, generationId), GroupErrors.UNKNOWN_MEMBER_ID);
  assert.equal(h.heartbeat(G, alive[0], generationId), GroupErrors.ILLEGAL_GENERATION);
});

test('a static member restarting with the same group.instance.id keeps the generation; the old id is fenced', () => {
  const h = new Harness();
  const a = h.join(G, { clientId: 'a', instanceId: 'inst-a' });
  const b = h.join(G, { clientId: 'b', instanceId: 'inst-b' });
  h.advance(10);
  const ja = h.response<JoinGroupResponse>(a)!;
  let jb = h.response<JoinGroupResponse>(b);
  if (jb === undefined || jb.generationId !== ja.generationId) {
    // b's join may have started a second rebalance; a rejoins it.
    const again = h.join(G, { memberId: ja.memberId, instanceId: 'inst-a', clientId: 'a' });
    h.advance(10);
    jb = h.response<JoinGroupResponse>(b)!;
    Object.assign(ja, h.response<JoinGroupResponse>(again)!);
  }
  const gen = ja.generationId;
  h.sync(G, ja.leader, gen, [{ memberId: ja.memberId, assignment: Buffer.from('A') }, { memberId: jb.memberId, assignment: Buffer.from('B') }]);
  h.sync(G, ja.leader === ja.memberId ? jb.memberId : ja.memberId, gen);
  assert.equal(h.coordinator.snapshot(G)!.state, 'Stable');
  const recordsBefore = h.records.length;
  const restarted = h.response<JoinGroupResponse>(h.join(G, { clientId: 'b', instanceId: 'inst-b' }))!;
  assert.equal(restarted.errorCode, 0);
  assert.notEqual(restarted.memberId, jb.memberId);
  assert.equal(restarted.generationId, gen, 'no rebalance');
  assert.equal(h.coordinator.snapshot(G)!.state, 'Stable');
  assert.equal(h.records.length, recordsBefore + 1, 'the new member id is persisted');
  assert.equal(h.heartbeat(G, jb.memberId, gen, 'inst-b'), GroupErrors.FENCED_INSTANCE_ID);
  assert.equal(h.heartbeat(G, restarted.memberId, gen, 'inst-b'), 0);
  const sync = h.syncResult(h.sync(G, restarted.memberId, gen, [], 3, 'inst-b'))!;
  assert.deepEqual(sync.assignment, Buffer.from('B'), 'the static member keeps its assignment');
  // A restart with a different subscription does rebalance.
  h.join(G, { clientId: 'b', instanceId: 'inst-b', topics: ['other'] });
  assert.equal(h.coordinator.snapshot(G)!.state, 'PreparingRebalance');
});

test('fencing: unknown members, stale generations, sync during a rebalance, inconsistent protocols', () => {
  const h = new Harness();
  const { members, generationId } = stableGroupOfThree(h);
  assert.equal(h.heartbeat(G, 'nobody', generationId), GroupErrors.UNKNOWN_MEMBER_ID);
  assert.equal(h.heartbeat('no-group', members[0], generationId), GroupErrors.UNKNOWN_MEMBER_ID);
  assert.equal(h.heartbeat(G, members[0], generationId - 1), GroupErrors.ILLEGAL_GENERATION);
  assert.equal(h.syncResult(h.sync(G, members[0], generationId + 5))!.errorCode, GroupErrors.ILLEGAL_GENERATION);
  const other = h.response<JoinGroupResponse>(h.join(G, { clientId: 'x', protocols: ['other-assignor'] }))!;
  assert.equal(other.errorCode, GroupErrors.INCONSISTENT_GROUP_PROTOCOL);
  // A new member starts a rebalance: syncs of the old generation now fail.
  h.joinNew(G, 'c4');
  assert.equal(h.coordinator.snapshot(G)!.state, 'PreparingRebalance');
  assert.equal(h.syncResult(h.sync(G, members[1], generationId))!.errorCode, GroupErrors.REBALANCE_IN_PROGRESS);
  const unknown = h.response<JoinGroupResponse>(h.join(G, { memberId: 'made-up' }))!;
  assert.equal(unknown.errorCode, GroupErrors.UNKNOWN_MEMBER_ID);
  const badSession = h.response<JoinGroupResponse>(h.join(G, { sessionTimeoutMs: 10 }))!;
  assert.equal(badSession.errorCode, GroupErrors.INVALID_SESSION_TIMEOUT);
  const v3 = h.response<JoinGroupResponse>(h.join('old-client-group', { version: 3 }));
  assert.ok(v3 === undefined || v3.errorCode === 0, 'v3 joins get no MEMBER_ID_REQUIRED');
});

test('offsets: standalone commits with generation -1, member commits, fencing and fetches', () => {
  const h = new Harness();
  const simple = h.response<OffsetCommitResponse>(h.commit('simple', { 't:0': 5, 't:1': 7 }))!;
  assert.deepEqual(simple.topics[0].partitions.map((p) => p.errorCode), [0, 0]);
  assert.deepEqual(h.fetchAll('simple'), { 't:0': 5, 't:1': 7 });
  const v1 = h.send({ api: 'OffsetFetch', version: 1, clientId: 'c', clientHost: 'h', body: { groupId: 'simple', topics: [{ name: 't', partitionIndexes: [1, 2] }], groups: [], requireStable: false } });
  const fetched = h.response<import('@tributary/protocol').OffsetFetchResponse>(v1)!;
  assert.deepEqual(fetched.topics[0].partitions.map((p) => Number(p.committedOffset)), [7, -1]);
  const { members, generationId } = stableGroupOfThree(h);
  const leaderId = h.coordinator.snapshot(G)!.leaderId!;
  h.sync(G, leaderId, generationId, []);
  const ok = h.response<OffsetCommitResponse>(h.commit(G, { 't:0': 42 }, { memberId: members[1], generationId }))!;
  assert.equal(ok.topics[0].partitions[0].errorCode, 0);
  const stale = h.response<OffsetCommitResponse>(h.commit(G, { 't:0': 1 }, { memberId: members[1], generationId: generationId - 1 }))!;
  assert.equal(stale.topics[0].partitions[0].errorCode, GroupErrors.ILLEGAL_GENERATION);
  const outsider = h.response<OffsetCommitResponse>(h.commit(G, { 't:0': 1 }))!;
  assert.equal(outsider.topics[0].partitions[0].errorCode, GroupErrors.UNKNOWN_MEMBER_ID, 'a standalone commit into a live group');
  const noGroup = h.response<OffsetCommitResponse>(h.commit('never-joined', { 't:0': 1 }, { memberId: 'm', generationId: 3 }))!;
  assert.equal(noGroup.topics[0].partitions[0].errorCode, GroupErrors.ILLEGAL_GENERATION);
  assert.deepEqual(h.fetchAll(G), { 't:0': 42 });
  const tooLarge = h.send({
    api: 'OffsetCommit',
    version: 2,
    clientId: 'c',
    clientHost: 'h',
    body: { groupId: 'simple', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: 'x'.repeat(5000) }] }] },
  });
  assert.equal(h.response<OffsetCommitResponse>(tooLarge)!.topics[0].partitions[0].errorCode, GroupErrors.OFFSET_METADATA_TOO_LARGE);
});

test('leave (v3 batch), Empty, DeleteGroups and OffsetDelete', () => {
  const h = new Harness();
  const { members, generationId } = stableGroupOfThree(h);
  h.sync(G, h.coordinator.snapshot(G)!.leaderId!, generationId, []);
  h.commit(G, { 't:0': 1, 'u:0': 2 }, { memberId: members[0], generationId });
  const nonEmpty = h.response<DeleteGroupsResponse>(h.send({ api: 'DeleteGroups', version: 1, clientId: 'c', clientHost: 'h', body: { groupsNames: [G, 'missing'] } }))!;
  assert.deepEqual(nonEmpty.results.map((r) => r.errorCode), [GroupErrors.NON_EMPTY_GROUP, GroupErrors.GROUP_ID_NOT_FOUND]);
  const subscribed = h.response<OffsetDeleteResponse>(h.send({ api: 'OffsetDelete', version: 0, clientId: 'c', clientHost: 'h', body: { groupId: G, topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }, { name: 'u', partitions: [{ partitionIndex: 0 }] }] } }))!;
  assert.deepEqual(subscribed.topics.map((t) => t.partitions[0].errorCode), [GroupErrors.GROUP_SUBSCRIBED_TO_TOPIC, 0]);
  assert.deepEqual(h.fetchAll(G), { 't:0': 1 });
  const leave = h.response<LeaveGroupResponse>(
    h.send({ api: 'LeaveGroup', version: 3, clientId: 'c', clientHost: 'h', body: { groupId: G, memberId: '', members: [...members, 'ghost'].map((memberId) => ({ memberId, groupInstanceId: null, reason: null })) } }),
  )!;
  assert.deepEqual(leave.members.map((m) => m.errorCode), [0, 0, 0, GroupErrors.UNKNOWN_MEMBER_ID]);
  const snapshot = h.coordinator.snapshot(G)!;
  assert.equal(snapshot.state, 'Empty');
  assert.equal(snapshot.generationId, generationId + 1);
  const listed = h.response<ListGroupsResponse>(h.send({ api: 'ListGroups', version: 4, clientId: 'c', clientHost: 'h', body: { statesFilter: ['empty'], typesFilter: [] } }))!;
  assert.deepEqual(listed.groups.map((g) => g.groupId), [G]);
  const deleted = h.response<DeleteGroupsResponse>(h.send({ api: 'DeleteGroups', version: 1, clientId: 'c', clientHost: 'h', body: { groupsNames: [G] } }))!;
  assert.equal(deleted.results[0].errorCode, 0);
  const described = h.response<DescribeGroupsResponse>(h.send({ api: 'DescribeGroups', version: 2, clientId: 'c', clientHost: 'h', body: { groups: [G], includeAuthorizedOperations: false } }))!;
  assert.equal(described.groups[0].groupState, 'Dead');
  const replayed = new GroupCoordinator({ random: seededRandom(9) });
  replayed.load(h.records, h.nowMs);
  assert.equal(replayed.snapshot(G), undefined, 'the tombstones delete the group on replay too');
});

test('replay after a restart gives the same groups, members, assignments and offsets', () => {
  const h = new Harness();
  const { members, generationId } = stableGroupOfThree(h);
  const leaderId = h.coordinator.snapshot(G)!.leaderId!;
  h.sync(G, leaderId, generationId, members.map((m, i) => ({ memberId: m, assignment: Buffer.from([i]) })));
  h.commit(G, { 't:0': 10, 't:3': 30 }, { memberId: members[2], generationId });
  h.commit('simple', { 'x:0': 99 });
  h.commit('simple', { 'x:0': 100 });
  const replayed = new GroupCoordinator({ random: seededRandom(2) });
  const loaded = replayed.load(h.records, h.nowMs);
  assert.equal(loaded.skipped, 0);
  const strip = (s: ReturnType<GroupCoordinator['snapshot']>) => s && { ...s, members: s.members.map((m) => ({ ...m, awaitingJoin: false, awaitingSync: false })) };
  assert.deepEqual(strip(replayed.snapshot(G)), strip(h.coordinator.snapshot(G)));
  assert.deepEqual(replayed.snapshot('simple')!.offsets, [{ topic: 'x', partition: 0, offset: 100n, metadata: 'm' }]);
  // The restored members keep their generation: a heartbeat works without rejoining.
  replayed.step(1, { api: 'Heartbeat', version: 3, clientId: 'c', clientHost: 'h', body: { groupId: G, generationId, memberId: members[0], groupInstanceId: null } }, h.nowMs);
  assert.equal((replayed.ready().responses[0].response as { errorCode: number }).errorCode, 0);
});

test('describe shows members with metadata and assignment once Stable', () => {
  const h = new Harness();
  const { members, generationId } = stableGroupOfThree(h);
  h.sync(G, h.coordinator.snapshot(G)!.leaderId!, generationId, members.map((m) => ({ memberId: m, assignment: Buffer.from(m) })));
  const described = h.response<DescribeGroupsResponse>(h.send({ api: 'DescribeGroups', version: 4, clientId: 'c', clientHost: 'h', body: { groups: [G], includeAuthorizedOperations: false } }))!;
  const g = described.groups[0];
  assert.equal(g.groupState, 'Stable');
  assert.equal(g.protocolType, 'consumer');
  assert.equal(g.protocolData, 'range');
  assert.equal(g.members.length, 3);
  for (const m of g.members) assert.deepEqual(m.memberAssignment, Buffer.from(m.memberId));
  assert.ok(g.members.every((m) => m.memberMetadata.length > 0 && m.clientHost === '/127.0.0.1'));
});

test('the error codes are Kafka\'s wire values', () => {
  assert.equal(GroupErrors, ErrorCode, 'the coordinator answers with the protocol table itself');
  const expected = { ILLEGAL_GENERATION: 22, UNKNOWN_MEMBER_ID: 25, REBALANCE_IN_PROGRESS: 27, MEMBER_ID_REQUIRED: 79, FENCED_INSTANCE_ID: 82, NOT_COORDINATOR: 16 } as const;
  for (const [name, code] of Object.entries(expected)) assert.equal(GroupErrors[name as keyof typeof expected], code, name);
});
