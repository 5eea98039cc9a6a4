/**
 * Requests encoded by kafkajs 2.2.4 decode with our codecs to the values kafkajs was given, for
 * the APIs not property-tested in kafkajs-requests.test.ts: fixed examples (non-default values,
 * multi-byte UTF-8, nulls and empty lists where kafkajs sends them) at every version kafkajs
 * implements. kafkajs has no OffsetFetch v0, the only version skipped.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiKey,
  defaultAlterConfigsRequest,
  defaultApiVersionsRequest,
  defaultCreatePartitionsRequest,
  defaultDeleteGroupsRequest,
  defaultDeleteRecordsRequest,
  defaultDeleteTopicsRequest,
  defaultDescribeConfigsRequest,
  defaultDescribeGroupsRequest,
  defaultFindCoordinatorRequest,
  defaultHeartbeatRequest,
  defaultInitProducerIdRequest,
  defaultLeaveGroupRequest,
  defaultListGroupsRequest,
  defaultOffsetFetchRequest,
  defaultSaslHandshakeRequest,
  defaultSyncGroupRequest,
  type ApiRequests,
} from '../index.js';
import { decodeKafkajsRequest, kafkajsVersions, when, type Header, type Js } from './kafkajs-helpers.js';

const headers: Header[] = [
  { correlationId: 7, clientId: 'tributary-ß-client' },
  { correlationId: -2147483648, clientId: null },
];

/** One test per kafkajs version: each example, under each header, decodes to `expected(version)`. */
function check<K extends ApiKey>(apiKey: K, dir: string, examples: Array<{ args: Js; expected: (v: number) => ApiRequests[K] }>): void {
  for (const version of kafkajsVersions(dir)) {
    test(`v${version}`, async () => {
      for (const { args, expected } of examples) {
        for (const h of headers) assert.deepStrictEqual(await decodeKafkajsRequest(apiKey, dir, version, args, h), expected(version));
      }
    });
  }
}

describe('ApiVersions requests from kafkajs', () => {
  check(ApiKey.ApiVersions, 'apiVersions', [{ args: {}, expected: () => defaultApiVersionsRequest() }]);
});

describe('DeleteTopics requests from kafkajs', () => {
  check(ApiKey.DeleteTopics, 'deleteTopics', [
    { args: { topics: ['orders', 'zahlungen-ü', ''], timeout: 12345 }, expected: () => ({ ...defaultDeleteTopicsRequest(), topicNames: ['orders', 'zahlungen-ü', ''], timeoutMs: 12345 }) },
    { args: { topics: [], timeout: -1 }, expected: () => ({ ...defaultDeleteTopicsRequest(), topicNames: [], timeoutMs: -1 }) },
  ]);
});

describe('CreatePartitions requests from kafkajs', () => {
  check(ApiKey.CreatePartitions, 'createPartitions', [
    {
      args: { topicPartitions: [{ topic: 'a-☃', count: 7, assignments: [[1, 2], [3]] }, { topic: 'b', count: 3 }], timeout: 999, validateOnly: true },
      expected: () => ({
        ...defaultCreatePartitionsRequest(),
        topics: [
          { name: 'a-☃', count: 7, assignments: [{ brokerIds: [1, 2] }, { brokerIds: [3] }] },
          // kafkajs sends an empty assignment list as null.
          { name: 'b', count: 3, assignments: null },
        ],
        timeoutMs: 999,
        validateOnly: true,
      }),
    },
  ]);
});

describe('DescribeConfigs requests from kafkajs', () => {
  check(ApiKey.DescribeConfigs, 'describeConfigs', [
    {
      args: { resources: [{ type: 2, name: 'topic-ä', configNames: ['retention.ms', 'cleanup.policy'] }, { type: 4, name: '1' }], includeSynonyms: true },
      expected: (v) => ({
        ...defaultDescribeConfigsRequest(),
        resources: [
          { resourceType: 2, resourceName: 'topic-ä', configurationKeys: ['retention.ms', 'cleanup.policy'] },
          // kafkajs sends "all keys" (an empty list) as null.
          { resourceType: 4, resourceName: '1', configurationKeys: null },
        ],
        ...when(v >= 1, { includeSynonyms: true }),
      }),
    },
  ]);
});

describe('AlterConfigs requests from kafkajs', () => {
  check(ApiKey.AlterConfigs, 'alterConfigs', [
    {
      args: {
        resources: [
          { type: 2, name: 'topic-é', configEntries: [{ name: 'retention.ms', value: '1000' }, { name: 'x', value: null }] },
          { type: 4, name: '3', configEntries: [] },
        ],
        validateOnly: true,
      },
      expected: () => ({
        ...defaultAlterConfigsRequest(),
        resources: [
          { resourceType: 2, resourceName: 'topic-é', configs: [{ name: 'retention.ms', value: '1000' }, { name: 'x', value: null }] },
          { resourceType: 4, resourceName: '3', configs: [] },
        ],
        validateOnly: true,
      }),
    },
  ]);
});

describe('InitProducerId requests from kafkajs', () => {
  check(ApiKey.InitProducerId, 'initProducerId', [
    { args: { transactionalId: 'txn-☃', transactionTimeout: 60001 }, expected: () => ({ ...defaultInitProducerIdRequest(), transactionalId: 'txn-☃', transactionTimeoutMs: 60001 }) },
    { args: { transactionalId: null, transactionTimeout: -5 }, expected: () => ({ ...defaultInitProducerIdRequest(), transactionalId: null, transactionTimeoutMs: -5 }) },
  ]);
});

describe('DeleteRecords requests from kafkajs', () => {
  check(ApiKey.DeleteRecords, 'deleteRecords', [
    {
      args: {
        topics: [
          { topic: 't-1', partitions: [{ partition: 0, offset: '9007199254740993' }, { partition: 5, offset: '-1' }] },
          { topic: 't-ü', partitions: [{ partition: 2147483647, offset: '-9223372036854775808' }] },
        ],
        timeout: 3000,
      },
      expected: () => ({
        ...defaultDeleteRecordsRequest(),
        topics: [
          { name: 't-1', partitions: [{ partitionIndex: 0, offset: 9007199254740993n }, { partitionIndex: 5, offset: -1n }] },
          { name: 't-ü', partitions: [{ partitionIndex: 2147483647, offset: -9223372036854775808n }] },
        ],
        timeoutMs: 3000,
      }),
    },
  ]);
});

describe('FindCoordinator requests from kafkajs', () => {
  check(ApiKey.FindCoordinator, 'findCoordinator', [
    { args: { groupId: 'group-ß', coordinatorType: 1 }, expected: (v) => ({ ...defaultFindCoordinatorRequest(), key: 'group-ß', ...when(v >= 1, { keyType: 1 }) }) },
    { args: { groupId: 'g' }, expected: () => ({ ...defaultFindCoordinatorRequest(), key: 'g', keyType: 0 }) },
  ]);
});

describe('SyncGroup requests from kafkajs', () => {
  const a1 = Buffer.from([0, 1, 0, 0, 0, 1, 0, 1, 0x74]);
  const a2 = Buffer.from('assignment-2');
  check(ApiKey.SyncGroup, 'syncGroup', [
    {
      args: { groupId: 'grp-☃', generationId: 42, memberId: 'member-1', groupInstanceId: 'instance-1', groupAssignment: [{ memberId: 'm1', memberAssignment: a1 }, { memberId: 'm2', memberAssignment: a2 }] },
      expected: (v) => ({
        ...defaultSyncGroupRequest(),
        groupId: 'grp-☃',
        generationId: 42,
        memberId: 'member-1',
        ...when(v >= 3, { groupInstanceId: 'instance-1' }),
        assignments: [{ memberId: 'm1', assignment: a1 }, { memberId: 'm2', assignment: a2 }],
      }),
    },
  ]);
});

describe('Heartbeat requests from kafkajs', () => {
  check(ApiKey.Heartbeat, 'heartbeat', [
    {
      args: { groupId: 'grp-é', groupGenerationId: -7, memberId: 'member-x', groupInstanceId: 'static-1' },
      expected: (v) => ({ ...defaultHeartbeatRequest(), groupId: 'grp-é', generationId: -7, memberId: 'member-x', ...when(v >= 3, { groupInstanceId: 'static-1' }) }),
    },
  ]);
});

describe('LeaveGroup requests from kafkajs', () => {
  check(ApiKey.LeaveGroup, 'leaveGroup', [
    {
      args: { groupId: 'grp-ö', memberId: 'member-y', groupInstanceId: 'static-2' },
      expected: (v) =>
        v >= 3
          ? { ...defaultLeaveGroupRequest(), groupId: 'grp-ö', members: [{ memberId: 'member-y', groupInstanceId: 'static-2', reason: null }] }
          : { ...defaultLeaveGroupRequest(), groupId: 'grp-ö', memberId: 'member-y' },
    },
  ]);
});

describe('OffsetFetch requests from kafkajs', () => {
  check(ApiKey.OffsetFetch, 'offsetFetch', [
    {
      args: { groupId: 'grp-1', topics: [{ topic: 'a', partitions: [{ partition: 0 }, { partition: 9 }] }, { topic: 'b-☃', partitions: [] }] },
      expected: () => ({
        ...defaultOffsetFetchRequest(),
        groupId: 'grp-1',
        topics: [
          { name: 'a', partitionIndexes: [0, 9] },
          { name: 'b-☃', partitionIndexes: [] },
        ],
      }),
    },
    // From v3 kafkajs sends "all topics" (an empty list) as null.
    { args: { groupId: 'grp-2', topics: [] }, expected: (v) => ({ ...defaultOffsetFetchRequest(), groupId: 'grp-2', topics: v >= 3 ? null : [] }) },
  ]);
});

describe('ListGroups requests from kafkajs', () => {
  check(ApiKey.ListGroups, 'listGroups', [{ args: {}, expected: () => defaultListGroupsRequest() }]);
});

describe('DescribeGroups requests from kafkajs', () => {
  check(ApiKey.DescribeGroups, 'describeGroups', [
    { args: { groupIds: ['g1', 'gruppe-ü', ''] }, expected: () => ({ ...defaultDescribeGroupsRequest(), groups: ['g1', 'gruppe-ü', ''] }) },
  ]);
});

describe('DeleteGroups requests from kafkajs', () => {
  // kafkajs's DeleteGroups takes the group ids themselves as its argument.
  check(ApiKey.DeleteGroups, 'deleteGroups', [{ args: ['g1', 'gruppe-☃'], expected: () => ({ ...defaultDeleteGroupsRequest(), groupsNames: ['g1', 'gruppe-☃'] }) }]);
});

describe('SaslHandshake requests from kafkajs', () => {
  check(ApiKey.SaslHandshake, 'saslHandshake', [{ args: { mechanism: 'SCRAM-SHA-512' }, expected: () => ({ ...defaultSaslHandshakeRequest(), mechanism: 'SCRAM-SHA-512' }) }]);
});
