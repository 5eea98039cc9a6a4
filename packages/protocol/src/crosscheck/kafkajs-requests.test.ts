/**
 * Requests encoded by kafkajs 2.2.4 decode with our codecs to the values kafkajs was given:
 * property tests for the main APIs (Produce, Fetch, Metadata, ListOffsets, CreateTopics,
 * OffsetCommit, JoinGroup), at every version kafkajs implements. Each expected body starts from
 * our defaults, so a field a version lacks must decode as its default; our decoder also rejects
 * trailing bytes. The other APIs are in kafkajs-requests-more.test.ts; coverage is listed in
 * KAFKAJS_VERSIONS (kafkajs-helpers.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ApiKey,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableReplicaAssignment,
  defaultCreateTopicsRequestCreatableTopic,
  defaultCreateTopicsRequestCreatableTopicConfig,
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  defaultFetchRequestFetchTopic,
  defaultFetchRequestForgottenTopic,
  defaultJoinGroupRequest,
  defaultJoinGroupRequestJoinGroupRequestProtocol,
  defaultListOffsetsRequest,
  defaultListOffsetsRequestListOffsetsPartition,
  defaultListOffsetsRequestListOffsetsTopic,
  defaultMetadataRequest,
  defaultMetadataRequestMetadataRequestTopic,
  defaultOffsetCommitRequest,
  defaultOffsetCommitRequestOffsetCommitRequestPartition,
  defaultOffsetCommitRequestOffsetCommitRequestTopic,
} from '../index.js';
import {
  bytes,
  decodeKafkajsRequest,
  forVersions,
  header,
  int16,
  int32,
  int64,
  int8,
  kafkajsMessageSet,
  kafkajsRecordBatch,
  kafkajsVersions,
  KAFKAJS_VERSIONS,
  message,
  messageSetSize,
  named,
  names,
  nullableText,
  partitioned,
  text,
  when,
  type Js,
} from './kafkajs-helpers.js';

test('kafkajs implements the versions this cross-check expects', () => {
  for (const [dir, versions] of Object.entries(KAFKAJS_VERSIONS)) assert.deepEqual(kafkajsVersions(dir), versions, dir);
});

describe('Produce requests from kafkajs', () => {
  const arb = (v: number) =>
    fc.record(
      {
        header,
        acks: int16,
        timeout: int32,
        transactionalId: v >= 3 ? nullableText : fc.constant(null),
        producerId: int64,
        producerEpoch: int16,
        topicData: named(partitioned(fc.array(message, { minLength: 1, maxLength: 3 }), 3, 1), 3),
      },
      { noNullPrototype: true },
    );
  for (const version of kafkajsVersions('produce')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const body = await decodeKafkajsRequest(ApiKey.Produce, 'produce', v, {
          acks: x.acks,
          timeout: x.timeout,
          transactionalId: x.transactionalId,
          producerId: String(x.producerId),
          producerEpoch: x.producerEpoch,
          topicData: x.topicData.map(([topic, ps]) => ({ topic, partitions: ps.map(([partition, messages]) => ({ partition, messages })) })),
        }, x.header);
        assert.equal(body.transactionalId, x.transactionalId);
        assert.equal(body.acks, x.acks);
        assert.equal(body.timeoutMs, x.timeout);
        assert.deepStrictEqual(
          body.topicData.map((t) => [t.name, t.partitionData.map((p) => p.index)]),
          x.topicData.map(([topic, ps]) => [topic, ps.map(([partition]) => partition)]),
        );
        // The records field must hold exactly the data kafkajs built: decode it with kafkajs.
        for (const [ti, [, ps]] of x.topicData.entries()) {
          for (const [pi, [, messages]] of ps.entries()) {
            const records = body.topicData[ti].partitionData[pi].records;
            assert.ok(records !== null && records.length > 0, 'records');
            if (v >= 3) {
              const batch = await kafkajsRecordBatch(records);
              assert.equal(batch.producerId, String(x.producerId));
              assert.equal(batch.producerEpoch, x.producerEpoch);
              assert.equal(batch.inTransaction, Boolean(x.transactionalId));
              assert.deepStrictEqual(
                batch.records.map((r: Js) => ({ key: r.key, value: r.value, timestamp: r.timestamp })),
                messages.map((m) => ({ key: m.key, value: m.value, timestamp: String(m.timestamp) })),
              );
            } else {
              // v0-1 carry magic 0 messages, v2 magic 1 (with timestamps).
              const magic = v === 2 ? 1 : 0;
              assert.equal(records.length, messageSetSize(messages, magic));
              const decoded = await kafkajsMessageSet(records);
              assert.deepStrictEqual(
                decoded.map((m: Js) => ({ magicByte: m.magicByte, key: m.key, value: m.value, timestamp: m.timestamp })),
                messages.map((m) => ({ magicByte: magic, key: m.key, value: m.value, timestamp: magic === 1 ? String(m.timestamp) : undefined })),
              );
            }
          }
        }
      }));
  }
});

describe('Fetch requests from kafkajs', () => {
  const partition = fc.record({ currentLeaderEpoch: int32, fetchOffset: int64, logStartOffset: int64, maxBytes: int32 }, { noNullPrototype: true });
  const arb = () =>
    fc.record(
      {
        header,
        replicaId: int32,
        maxWaitTime: int32,
        minBytes: int32,
        maxBytes: int32,
        isolationLevel: int8,
        sessionId: int32,
        sessionEpoch: int32,
        topics: named(partitioned(partition, 3), 3),
        forgottenTopics: named(fc.array(int32, { maxLength: 3 }), 2),
        rackId: text,
      },
      { noNullPrototype: true },
    );
  for (const version of kafkajsVersions('fetch')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const body = await decodeKafkajsRequest(ApiKey.Fetch, 'fetch', v, {
          replicaId: x.replicaId,
          maxWaitTime: x.maxWaitTime,
          minBytes: x.minBytes,
          maxBytes: x.maxBytes,
          isolationLevel: x.isolationLevel,
          sessionId: x.sessionId,
          sessionEpoch: x.sessionEpoch,
          forgottenTopics: x.forgottenTopics.map(([topic, partitions]) => ({ topic, partitions })),
          rackId: x.rackId,
          topics: x.topics.map(([topic, ps]) => ({
            topic,
            partitions: ps.map(([p, d]) => ({ partition: p, currentLeaderEpoch: d.currentLeaderEpoch, fetchOffset: String(d.fetchOffset), logStartOffset: String(d.logStartOffset), maxBytes: d.maxBytes })),
          })),
        }, x.header);
        assert.deepStrictEqual(body, {
          ...defaultFetchRequest(),
          replicaId: x.replicaId,
          maxWaitMs: x.maxWaitTime,
          minBytes: x.minBytes,
          ...when(v >= 3, { maxBytes: x.maxBytes }),
          ...when(v >= 4, { isolationLevel: x.isolationLevel }),
          ...when(v >= 7, {
            sessionId: x.sessionId,
            sessionEpoch: x.sessionEpoch,
            forgottenTopicsData: x.forgottenTopics.map(([topic, partitions]) => ({ ...defaultFetchRequestForgottenTopic(), topic, partitions })),
          }),
          ...when(v >= 11, { rackId: x.rackId }),
          topics: x.topics.map(([topic, ps]) => ({
            ...defaultFetchRequestFetchTopic(),
            topic,
            partitions: ps.map(([p, d]) => ({
              ...defaultFetchRequestFetchPartition(),
              partition: p,
              fetchOffset: d.fetchOffset,
              partitionMaxBytes: d.maxBytes,
              ...when(v >= 9, { currentLeaderEpoch: d.currentLeaderEpoch }),
              ...when(v >= 5, { logStartOffset: d.logStartOffset }),
            })),
          })),
        });
      }));
  }
});

describe('Metadata requests from kafkajs', () => {
  const arb = () => fc.record({ header, topics: names(4), allowAutoTopicCreation: fc.boolean() }, { noNullPrototype: true });
  for (const version of kafkajsVersions('metadata')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const body = await decodeKafkajsRequest(ApiKey.Metadata, 'metadata', v, { topics: x.topics, allowAutoTopicCreation: x.allowAutoTopicCreation }, x.header);
        const topics = x.topics.map((name) => ({ ...defaultMetadataRequestMetadataRequestTopic(), name }));
        assert.deepStrictEqual(body, {
          ...defaultMetadataRequest(),
          // From v1 kafkajs sends "all topics" (null) for an empty list.
          topics: v >= 1 && topics.length === 0 ? null : topics,
          ...when(v >= 4, { allowAutoTopicCreation: x.allowAutoTopicCreation }),
        });
      }));
  }
  test('v1+ null topics (all topics) and v4 allowAutoTopicCreation=false', async () => {
    const body = await decodeKafkajsRequest(ApiKey.Metadata, 'metadata', 4, { topics: [], allowAutoTopicCreation: false });
    assert.deepStrictEqual(body, { ...defaultMetadataRequest(), topics: null, allowAutoTopicCreation: false });
  });
});

describe('ListOffsets requests from kafkajs', () => {
  const partition = fc.record({ timestamp: int64, maxNumOffsets: int32 }, { noNullPrototype: true });
  const arb = () => fc.record({ header, replicaId: int32, isolationLevel: int8, topics: named(partitioned(partition, 3), 3) }, { noNullPrototype: true });
  for (const version of kafkajsVersions('listOffsets')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const body = await decodeKafkajsRequest(ApiKey.ListOffsets, 'listOffsets', v, {
          replicaId: x.replicaId,
          isolationLevel: x.isolationLevel,
          topics: x.topics.map(([topic, ps]) => ({ topic, partitions: ps.map(([partition, d]) => ({ partition, timestamp: String(d.timestamp), maxNumOffsets: d.maxNumOffsets })) })),
        }, x.header);
        assert.deepStrictEqual(body, {
          ...defaultListOffsetsRequest(),
          replicaId: x.replicaId,
          ...when(v >= 2, { isolationLevel: x.isolationLevel }),
          topics: x.topics.map(([name, ps]) => ({
            ...defaultListOffsetsRequestListOffsetsTopic(),
            name,
            partitions: ps.map(([partitionIndex, d]) => ({
              ...defaultListOffsetsRequestListOffsetsPartition(),
              partitionIndex,
              timestamp: d.timestamp,
              ...when(v === 0, { maxNumOffsets: d.maxNumOffsets }),
            })),
          })),
        });
      }));
  }
});

describe('CreateTopics requests from kafkajs', () => {
  const topic = fc.record(
    {
      numPartitions: int32,
      replicationFactor: int16,
      replicaAssignment: partitioned(fc.array(int32, { maxLength: 4 }), 3),
      configEntries: fc.array(fc.record({ name: text, value: nullableText }, { noNullPrototype: true }), { maxLength: 3 }),
    },
    { noNullPrototype: true },
  );
  const arb = () => fc.record({ header, topics: named(topic, 3), timeout: int32, validateOnly: fc.boolean() }, { noNullPrototype: true });
  for (const version of kafkajsVersions('createTopics')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const body = await decodeKafkajsRequest(ApiKey.CreateTopics, 'createTopics', v, {
          timeout: x.timeout,
          validateOnly: x.validateOnly,
          topics: x.topics.map(([name, t]) => ({
            topic: name,
            numPartitions: t.numPartitions,
            replicationFactor: t.replicationFactor,
            replicaAssignment: t.replicaAssignment.map(([partition, replicas]) => ({ partition, replicas })),
            configEntries: t.configEntries,
          })),
        }, x.header);
        assert.deepStrictEqual(body, {
          ...defaultCreateTopicsRequest(),
          timeoutMs: x.timeout,
          ...when(v >= 1, { validateOnly: x.validateOnly }),
          topics: x.topics.map(([name, t]) => ({
            ...defaultCreateTopicsRequestCreatableTopic(),
            name,
            numPartitions: t.numPartitions,
            replicationFactor: t.replicationFactor,
            assignments: t.replicaAssignment.map(([partitionIndex, brokerIds]) => ({ ...defaultCreateTopicsRequestCreatableReplicaAssignment(), partitionIndex, brokerIds })),
            configs: t.configEntries.map((c) => ({ ...defaultCreateTopicsRequestCreatableTopicConfig(), name: c.name, value: c.value })),
          })),
        });
      }));
  }
});

describe('OffsetCommit requests from kafkajs', () => {
  const partition = fc.record({ offset: int64, timestamp: int64, metadata: nullableText }, { noNullPrototype: true });
  const arb = () =>
    fc.record(
      { header, groupId: text, groupGenerationId: int32, memberId: text, retentionTime: int64, topics: named(partitioned(partition, 3), 3) },
      { noNullPrototype: true },
    );
  for (const version of kafkajsVersions('offsetCommit')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const body = await decodeKafkajsRequest(ApiKey.OffsetCommit, 'offsetCommit', v, {
          groupId: x.groupId,
          groupGenerationId: x.groupGenerationId,
          memberId: x.memberId,
          retentionTime: String(x.retentionTime),
          topics: x.topics.map(([topic, ps]) => ({
            topic,
            partitions: ps.map(([partition, d]) => ({ partition, offset: String(d.offset), timestamp: String(d.timestamp), metadata: d.metadata })),
          })),
        }, x.header);
        assert.deepStrictEqual(body, {
          ...defaultOffsetCommitRequest(),
          groupId: x.groupId,
          ...when(v >= 1, { generationIdOrMemberEpoch: x.groupGenerationId, memberId: x.memberId }),
          ...when(v >= 2 && v <= 4, { retentionTimeMs: x.retentionTime }),
          topics: x.topics.map(([name, ps]) => ({
            ...defaultOffsetCommitRequestOffsetCommitRequestTopic(),
            name,
            partitions: ps.map(([partitionIndex, d]) => ({
              ...defaultOffsetCommitRequestOffsetCommitRequestPartition(),
              partitionIndex,
              committedOffset: d.offset,
              committedMetadata: d.metadata,
              ...when(v === 1, { commitTimestamp: d.timestamp }),
            })),
          })),
        });
      }));
  }
});

describe('JoinGroup requests from kafkajs', () => {
  const arb = () =>
    fc.record(
      {
        header,
        groupId: text,
        sessionTimeout: int32,
        rebalanceTimeout: int32,
        memberId: text,
        groupInstanceId: nullableText,
        protocolType: text,
        groupProtocols: fc.array(fc.record({ name: text, metadata: bytes }, { noNullPrototype: true }), { maxLength: 3 }),
      },
      { noNullPrototype: true },
    );
  for (const version of kafkajsVersions('joinGroup')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const { header: h, ...args } = x;
        const body = await decodeKafkajsRequest(ApiKey.JoinGroup, 'joinGroup', v, args, h);
        assert.deepStrictEqual(body, {
          ...defaultJoinGroupRequest(),
          groupId: x.groupId,
          sessionTimeoutMs: x.sessionTimeout,
          ...when(v >= 1, { rebalanceTimeoutMs: x.rebalanceTimeout }),
          memberId: x.memberId,
          ...when(v >= 5, { groupInstanceId: x.groupInstanceId }),
          protocolType: x.protocolType,
          protocols: x.groupProtocols.map((p) => ({ ...defaultJoinGroupRequestJoinGroupRequestProtocol(), name: p.name, metadata: p.metadata })),
        });
      }));
  }
});
