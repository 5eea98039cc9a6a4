/** ListGroups, DescribeGroups, DeleteGroups and OffsetDelete through the wire codecs at the versions clients send. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultJoinGroupRequest, defaultOffsetCommitRequest, defaultSyncGroupRequest } from '@tributary/protocol';
import { GroupErrors } from '@tributary/group';
import { call } from './data/testing/wire.js';
import { groupTestBroker } from '../group/testing/group-test-broker.js';
import type { TestBroker } from './data/testing/fake-broker.js';
import { joinGroupHandler } from './join-group.js';
import { syncGroupHandler } from './sync-group.js';
import { offsetCommitHandler } from './offset-commit.js';
import { listGroupsHandler } from './list-groups.js';
import { describeGroupsHandler } from './describe-groups.js';
import { deleteGroupsHandler } from './delete-groups.js';
import { offsetDeleteHandler } from './offset-delete.js';

/** ConsumerProtocolSubscription v0 for topic `t`: version, [topics], null user data. */
const SUBSCRIPTION = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff]);

async function stableMember(broker: TestBroker, groupId: string): Promise<string> {
  const joined = await call(broker, joinGroupHandler, 2, { ...defaultJoinGroupRequest(), groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: SUBSCRIPTION }] });
  await call(broker, syncGroupHandler, 1, { ...defaultSyncGroupRequest(), groupId, generationId: joined.generationId, memberId: joined.memberId, assignments: [{ memberId: joined.memberId, assignment: Buffer.from('A') }] });
  return joined.memberId;
}

async function commitStandalone(broker: TestBroker, groupId: string, topic: string): Promise<void> {
  const response = await call(broker, offsetCommitHandler, 2, {
    ...defaultOffsetCommitRequest(),
    groupId,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }] }],
  });
  assert.equal(response.topics[0].partitions[0].errorCode, 0);
}

test('ListGroups v0–v5 and DescribeGroups v0–v5 show live and offsets-only groups', async (t) => {
  const { broker, service } = await groupTestBroker();
  t.after(() => service.close());
  await broker.topics.addTopic('t', 1);
  const memberId = await stableMember(broker, 'live');
  await commitStandalone(broker, 'offsets-only', 't');
  for (const version of [0, 1, 2, 3]) {
    const listed = await call(broker, listGroupsHandler, version, { statesFilter: [], typesFilter: [] });
    assert.deepEqual(listed.groups.map((g) => [g.groupId, g.protocolType]).sort(), [['live', 'consumer'], ['offsets-only', '']]);
  }
  const stable = await call(broker, listGroupsHandler, 4, { statesFilter: ['Stable'], typesFilter: [] });
  assert.deepEqual(stable.groups.map((g) => [g.groupId, g.groupState]), [['live', 'Stable']]);
  const consumerType = await call(broker, listGroupsHandler, 5, { statesFilter: [], typesFilter: ['consumer'] });
  assert.deepEqual(consumerType.groups, [], 'every group here is classic');
  for (const version of [0, 2, 3, 5]) {
    const described = await call(broker, describeGroupsHandler, version, { groups: ['live', 'nope'], includeAuthorizedOperations: false });
    const [live, nope] = described.groups;
    assert.deepEqual([live.groupState, live.protocolType, live.protocolData], ['Stable', 'consumer', 'range']);
    assert.equal(live.members[0].memberId, memberId);
    assert.deepEqual(live.members[0].memberMetadata, SUBSCRIPTION);
    assert.deepEqual(live.members[0].memberAssignment, Buffer.from('A'));
    assert.deepEqual([nope.errorCode, nope.groupState], [0, 'Dead']);
  }
});

test('DeleteGroups v0–v2 refuses live groups; OffsetDelete v0 keeps subscribed topics', async (t) => {
  const { broker, service } = await groupTestBroker();
  t.after(() => service.close());
  await broker.topics.addTopic('t', 1);
  await broker.topics.addTopic('u', 1);
  await stableMember(broker, 'live');
  await commitStandalone(broker, 'old', 't');
  const offsetsOf = (groupId: string) => ({ groupId, topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }, { name: 'u', partitions: [{ partitionIndex: 0 }] }] });
  const subscribed = await call(broker, offsetDeleteHandler, 0, offsetsOf('live'));
  assert.deepEqual(subscribed.topics.map((t) => t.partitions[0].errorCode), [GroupErrors.GROUP_SUBSCRIBED_TO_TOPIC, 0]);
  const missing = await call(broker, offsetDeleteHandler, 0, offsetsOf('nope'));
  assert.equal(missing.errorCode, GroupErrors.GROUP_ID_NOT_FOUND);
  for (const version of [0, 1, 2]) {
    const refused = await call(broker, deleteGroupsHandler, version, { groupsNames: ['live', 'nope'] });
    assert.deepEqual(refused.results.map((r) => r.errorCode), [GroupErrors.NON_EMPTY_GROUP, GroupErrors.GROUP_ID_NOT_FOUND]);
  }
  const deleted = await call(broker, deleteGroupsHandler, 1, { groupsNames: ['old'] });
  assert.deepEqual(deleted.results.map((r) => [r.groupId, r.errorCode]), [['old', 0]]);
  const listed = await call(broker, listGroupsHandler, 2, { statesFilter: [], typesFilter: [] });
  assert.deepEqual(listed.groups.map((g) => g.groupId), ['live']);
});
