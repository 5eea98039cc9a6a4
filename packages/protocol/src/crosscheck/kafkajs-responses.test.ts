/**
 * Responses encoded by our codecs decode with kafkajs 2.2.4 to the values we encoded: property
 * tests for the main APIs (Produce, Fetch, Metadata, ListOffsets, CreateTopics, OffsetCommit,
 * JoinGroup) at every version kafkajs implements. kafkajs's `decode` runs on the body after the
 * correlation id (as its Connection hands it over) and must read every byte of it. kafkajs names
 * fields its own way and reads int64s as strings; the expected values below are in its terms.
 * The other APIs are in kafkajs-responses-more.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ApiKey,
  defaultCreateTopicsResponse,
  defaultCreateTopicsResponseCreatableTopicResult,
  defaultFetchResponse,
  defaultFetchResponseAbortedTransaction,
  defaultFetchResponseFetchableTopicResponse,
  defaultFetchResponsePartitionData,
  defaultJoinGroupResponse,
  defaultJoinGroupResponseJoinGroupResponseMember,
  defaultListOffsetsResponse,
  defaultListOffsetsResponseListOffsetsPartitionResponse,
  defaultListOffsetsResponseListOffsetsTopicResponse,
  defaultMetadataResponse,
  defaultMetadataResponseMetadataResponseBroker,
  defaultMetadataResponseMetadataResponsePartition,
  defaultMetadataResponseMetadataResponseTopic,
  defaultOffsetCommitResponse,
  defaultOffsetCommitResponseOffsetCommitResponsePartition,
  defaultOffsetCommitResponseOffsetCommitResponseTopic,
  defaultProduceResponse,
  defaultProduceResponsePartitionProduceResponse,
  defaultProduceResponseTopicProduceResponse,
  type FetchResponse,
} from '../index.js';
import {
  byLocale,
  bytes,
  errorCode,
  forVersions,
  int32,
  int64,
  kafkajsDecodeResponse,
  kafkajsMessageSetBytes,
  kafkajsRecordBatchBytes,
  kafkajsVersions,
  message,
  named,
  nullableText,
  partitioned,
  text,
  throttle,
  when,
  type Js,
} from './kafkajs-helpers.js';

const s = (n: bigint): string => n.toString();

describe('Produce responses to kafkajs', () => {
  const partition = fc.record({ errorCode, baseOffset: int64, logAppendTimeMs: int64, logStartOffset: int64 }, { noNullPrototype: true });
  const arb = () => fc.record({ throttleTimeMs: int32, topics: named(partitioned(partition, 3), 3) }, { noNullPrototype: true });
  for (const version of kafkajsVersions('produce')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const decoded = await kafkajsDecodeResponse(ApiKey.Produce, 'produce', v, {
          ...defaultProduceResponse(),
          ...when(v >= 1, { throttleTimeMs: x.throttleTimeMs }),
          responses: x.topics.map(([name, ps]) => ({
            ...defaultProduceResponseTopicProduceResponse(),
            name,
            partitionResponses: ps.map(([index, p]) => ({
              ...defaultProduceResponsePartitionProduceResponse(),
              index,
              errorCode: p.errorCode,
              baseOffset: p.baseOffset,
              ...when(v >= 2, { logAppendTimeMs: p.logAppendTimeMs }),
              ...when(v >= 5, { logStartOffset: p.logStartOffset }),
            })),
          })),
        });
        assert.deepStrictEqual(decoded, {
          ...when(v >= 1, throttle(x.throttleTimeMs, 6, v)),
          topics: x.topics.map(([topicName, ps]) => ({
            topicName,
            partitions: ps.map(([partition, p]) =>
              v < 3
                ? { partition, errorCode: p.errorCode, offset: s(p.baseOffset), ...when(v >= 2, { timestamp: s(p.logAppendTimeMs) }) }
                : {
                    partition,
                    errorCode: p.errorCode,
                    baseOffset: s(p.baseOffset),
                    logAppendTime: s(p.logAppendTimeMs),
                    ...when(v >= 5, { logStartOffset: s(p.logStartOffset) }),
                  },
            ),
          })),
        });
      }));
  }
});

describe('Fetch responses to kafkajs', () => {
  const aborted = fc.record({ producerId: int64, firstOffset: int64 }, { noNullPrototype: true });
  const partition = fc.record(
    {
      errorCode,
      highWatermark: int64,
      lastStableOffset: int64,
      logStartOffset: int64,
      abortedTransactions: fc.option(fc.array(aborted, { maxLength: 2 }), { nil: null }),
      preferredReadReplica: int32,
      firstOffset: fc.bigInt({ min: 0n, max: 1n << 62n }),
      messages: fc.array(message, { maxLength: 3 }),
      nullRecords: fc.boolean(),
    },
    { noNullPrototype: true },
  );
  const arb = () =>
    fc.record({ throttleTimeMs: int32, errorCode, sessionId: int32, topics: named(partitioned(partition, 2), 2) }, { noNullPrototype: true });
  type P = typeof partition extends fc.Arbitrary<infer T> ? T : never;

  /** The records field: a kafkajs-built record batch (v4+) or message set (magic 0 for v0-1, 1 for v2-3). */
  async function records(p: P, v: number): Promise<Buffer | null> {
    if (p.messages.length === 0) {
      // kafkajs reads a null record set only from v4 (before, it mis-steps on the -1 length).
      return p.nullRecords && v >= 4 ? null : Buffer.alloc(0);
    }
    return v >= 4 ? kafkajsRecordBatchBytes(p.firstOffset, p.messages) : kafkajsMessageSetBytes(p.messages, v >= 2 ? 1 : 0);
  }
  /** What kafkajs makes of those records, projected onto the fields we set. */
  function expectedMessages(p: P, v: number): Js[] {
    return p.messages.map((m, i) => ({
      // kafkajs's message set writer gives uncompressed messages offset -1.
      offset: v >= 4 ? s(p.firstOffset + BigInt(i)) : '-1',
      key: m.key,
      value: m.value,
      timestamp: v >= 2 ? String(m.timestamp) : undefined,
    }));
  }

  for (const version of kafkajsVersions('fetch')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const body: FetchResponse = {
          ...defaultFetchResponse(),
          ...when(v >= 1, { throttleTimeMs: x.throttleTimeMs }),
          ...when(v >= 7, { errorCode: x.errorCode, sessionId: x.sessionId }),
          responses: [],
        };
        for (const [topic, ps] of x.topics) {
          const partitions: FetchResponse['responses'][number]['partitions'] = [];
          for (const [partitionIndex, p] of ps) {
            partitions.push({
              ...defaultFetchResponsePartitionData(),
              partitionIndex,
              errorCode: p.errorCode,
              highWatermark: p.highWatermark,
              ...when(v >= 4, {
                lastStableOffset: p.lastStableOffset,
                abortedTransactions: p.abortedTransactions?.map((a) => ({ ...defaultFetchResponseAbortedTransaction(), ...a })) ?? null,
              }),
              ...when(v >= 5, { logStartOffset: p.logStartOffset }),
              ...when(v >= 11, { preferredReadReplica: p.preferredReadReplica }),
              records: await records(p, v),
            });
          }
          body.responses.push({ ...defaultFetchResponseFetchableTopicResponse(), topic, partitions });
        }
        const decoded = await kafkajsDecodeResponse(ApiKey.Fetch, 'fetch', v, body);
        for (const t of decoded.responses) {
          for (const p of t.partitions) {
            p.messages = p.messages.map((m: Js) => ({ offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp }));
          }
        }
        assert.deepStrictEqual(decoded, {
          ...when(v >= 1, throttle(x.throttleTimeMs, 8, v)),
          ...when(v >= 7, { errorCode: x.errorCode, sessionId: x.sessionId }),
          responses: x.topics.map(([topicName, ps]) => ({
            topicName,
            partitions: ps.map(([partition, p]) => ({
              partition,
              errorCode: p.errorCode,
              highWatermark: s(p.highWatermark),
              ...when(v >= 4, {
                lastStableOffset: s(p.lastStableOffset),
                // kafkajs reads a null array as [].
                abortedTransactions: (p.abortedTransactions ?? []).map((a) => ({ producerId: s(a.producerId), firstOffset: s(a.firstOffset) })),
              }),
              ...when(v >= 5, { lastStartOffset: s(p.logStartOffset) }),
              ...when(v >= 11, { preferredReadReplica: p.preferredReadReplica }),
              messages: expectedMessages(p, v),
            })),
          })),
        });
      }));
  }
});

describe('Metadata responses to kafkajs', () => {
  const broker = fc.record({ nodeId: int32, host: text, port: int32, rack: nullableText }, { noNullPrototype: true });
  const partition = fc.record(
    {
      errorCode,
      partitionIndex: int32,
      leaderId: int32,
      replicaNodes: fc.array(int32, { maxLength: 4 }),
      isrNodes: fc.array(int32, { maxLength: 4 }),
      offlineReplicas: fc.array(int32, { maxLength: 3 }),
    },
    { noNullPrototype: true },
  );
  const topic = fc.record({ errorCode, name: text, isInternal: fc.boolean(), partitions: fc.array(partition, { maxLength: 3 }) }, { noNullPrototype: true });
  const arb = () =>
    fc.record(
      { throttleTimeMs: int32, brokers: fc.array(broker, { maxLength: 3 }), clusterId: nullableText, controllerId: int32, topics: fc.array(topic, { maxLength: 3 }) },
      { noNullPrototype: true },
    );
  for (const version of kafkajsVersions('metadata')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const decoded = await kafkajsDecodeResponse(ApiKey.Metadata, 'metadata', v, {
          ...defaultMetadataResponse(),
          ...when(v >= 3, { throttleTimeMs: x.throttleTimeMs }),
          brokers: x.brokers.map((b) => ({ ...defaultMetadataResponseMetadataResponseBroker(), nodeId: b.nodeId, host: b.host, port: b.port, ...when(v >= 1, { rack: b.rack }) })),
          ...when(v >= 2, { clusterId: x.clusterId }),
          ...when(v >= 1, { controllerId: x.controllerId }),
          topics: x.topics.map((t) => ({
            ...defaultMetadataResponseMetadataResponseTopic(),
            errorCode: t.errorCode,
            name: t.name,
            ...when(v >= 1, { isInternal: t.isInternal }),
            partitions: t.partitions.map((p) => ({
              ...defaultMetadataResponseMetadataResponsePartition(),
              errorCode: p.errorCode,
              partitionIndex: p.partitionIndex,
              leaderId: p.leaderId,
              replicaNodes: p.replicaNodes,
              isrNodes: p.isrNodes,
              ...when(v >= 5, { offlineReplicas: p.offlineReplicas }),
            })),
          })),
        });
        assert.deepStrictEqual(decoded, {
          ...when(v >= 3, throttle(x.throttleTimeMs, 6, v)),
          brokers: x.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, ...when(v >= 1, { rack: b.rack }) })),
          ...when(v >= 2, { clusterId: x.clusterId }),
          ...when(v >= 1, { controllerId: x.controllerId }),
          topicMetadata: x.topics.map((t) => ({
            topicErrorCode: t.errorCode,
            topic: t.name,
            ...when(v >= 1, { isInternal: t.isInternal }),
            partitionMetadata: t.partitions.map((p) => ({
              partitionErrorCode: p.errorCode,
              partitionId: p.partitionIndex,
              leader: p.leaderId,
              replicas: p.replicaNodes,
              isr: p.isrNodes,
              ...when(v >= 5, { offlineReplicas: p.offlineReplicas }),
            })),
          })),
        });
      }));
  }
});

describe('ListOffsets responses to kafkajs', () => {
  const partition = fc.record({ errorCode, oldStyleOffsets: fc.array(int64, { maxLength: 3 }), timestamp: int64, offset: int64 }, { noNullPrototype: true });
  const arb = () => fc.record({ throttleTimeMs: int32, topics: named(partitioned(partition, 3), 3) }, { noNullPrototype: true });
  for (const version of kafkajsVersions('listOffsets')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const decoded = await kafkajsDecodeResponse(ApiKey.ListOffsets, 'listOffsets', v, {
          ...defaultListOffsetsResponse(),
          ...when(v >= 2, { throttleTimeMs: x.throttleTimeMs }),
          topics: x.topics.map(([name, ps]) => ({
            ...defaultListOffsetsResponseListOffsetsTopicResponse(),
            name,
            partitions: ps.map(([partitionIndex, p]) => ({
              ...defaultListOffsetsResponseListOffsetsPartitionResponse(),
              partitionIndex,
              errorCode: p.errorCode,
              ...(v === 0 ? { oldStyleOffsets: p.oldStyleOffsets } : { timestamp: p.timestamp, offset: p.offset }),
            })),
          })),
        });
        assert.deepStrictEqual(decoded, {
          ...when(v >= 2, throttle(x.throttleTimeMs, 3, v)),
          responses: x.topics.map(([topic, ps]) => ({
            topic,
            partitions: ps.map(([partition, p]) => ({
              partition,
              errorCode: p.errorCode,
              ...(v === 0 ? { offsets: p.oldStyleOffsets.map(s) } : { timestamp: s(p.timestamp), offset: s(p.offset) }),
            })),
          })),
        });
      }));
  }
});

describe('CreateTopics responses to kafkajs', () => {
  const arb = () =>
    fc.record({ throttleTimeMs: int32, topics: named(fc.record({ errorCode, errorMessage: nullableText }, { noNullPrototype: true }), 4) }, { noNullPrototype: true });
  for (const version of kafkajsVersions('createTopics')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const decoded = await kafkajsDecodeResponse(ApiKey.CreateTopics, 'createTopics', v, {
          ...defaultCreateTopicsResponse(),
          ...when(v >= 2, { throttleTimeMs: x.throttleTimeMs }),
          topics: x.topics.map(([name, t]) => ({
            ...defaultCreateTopicsResponseCreatableTopicResult(),
            name,
            errorCode: t.errorCode,
            ...when(v >= 1, { errorMessage: t.errorMessage }),
          })),
        });
        assert.deepStrictEqual(decoded, {
          ...when(v >= 2, throttle(x.throttleTimeMs, 3, v)),
          // kafkajs sorts the results by topic name.
          topicErrors: x.topics
            .map(([topic, t]) => ({ topic, errorCode: t.errorCode, ...when(v >= 1, { errorMessage: t.errorMessage }) }))
            .sort(byLocale((t) => t.topic)),
        });
      }));
  }
});

describe('OffsetCommit responses to kafkajs', () => {
  const arb = () => fc.record({ throttleTimeMs: int32, topics: named(partitioned(errorCode, 3), 3) }, { noNullPrototype: true });
  for (const version of kafkajsVersions('offsetCommit')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const decoded = await kafkajsDecodeResponse(ApiKey.OffsetCommit, 'offsetCommit', v, {
          ...defaultOffsetCommitResponse(),
          ...when(v >= 3, { throttleTimeMs: x.throttleTimeMs }),
          topics: x.topics.map(([name, ps]) => ({
            ...defaultOffsetCommitResponseOffsetCommitResponseTopic(),
            name,
            partitions: ps.map(([partitionIndex, code]) => ({ ...defaultOffsetCommitResponseOffsetCommitResponsePartition(), partitionIndex, errorCode: code })),
          })),
        });
        assert.deepStrictEqual(decoded, {
          ...when(v >= 3, throttle(x.throttleTimeMs, 4, v)),
          responses: x.topics.map(([topic, ps]) => ({ topic, partitions: ps.map(([partition, code]) => ({ partition, errorCode: code })) })),
        });
      }));
  }
});

describe('JoinGroup responses to kafkajs', () => {
  const member = fc.record({ memberId: text, groupInstanceId: nullableText, metadata: bytes }, { noNullPrototype: true });
  const arb = () =>
    fc.record(
      { throttleTimeMs: int32, errorCode, generationId: int32, protocolName: text, leader: text, memberId: text, members: fc.array(member, { maxLength: 3 }) },
      { noNullPrototype: true },
    );
  for (const version of kafkajsVersions('joinGroup')) {
    test(`v${version}`, () =>
      forVersions([version], arb, async (x, v) => {
        const decoded = await kafkajsDecodeResponse(ApiKey.JoinGroup, 'joinGroup', v, {
          ...defaultJoinGroupResponse(),
          ...when(v >= 2, { throttleTimeMs: x.throttleTimeMs }),
          errorCode: x.errorCode,
          generationId: x.generationId,
          protocolName: x.protocolName,
          leader: x.leader,
          memberId: x.memberId,
          members: x.members.map((m) => ({
            ...defaultJoinGroupResponseJoinGroupResponseMember(),
            memberId: m.memberId,
            ...when(v >= 5, { groupInstanceId: m.groupInstanceId }),
            metadata: m.metadata,
          })),
        });
        assert.deepStrictEqual(decoded, {
          ...when(v >= 2, throttle(x.throttleTimeMs, 3, v)),
          errorCode: x.errorCode,
          generationId: x.generationId,
          groupProtocol: x.protocolName,
          leaderId: x.leader,
          memberId: x.memberId,
          members: x.members.map((m) => ({ memberId: m.memberId, ...when(v >= 5, { groupInstanceId: m.groupInstanceId }), memberMetadata: m.metadata })),
        });
      }));
  }
});
