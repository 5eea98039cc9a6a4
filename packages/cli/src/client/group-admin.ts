/**
 * Group administration over the classic protocol: ListGroups on every broker, DescribeGroups,
 * OffsetFetch and OffsetCommit at a group's coordinator. Per-partition error codes come back
 * as values: a commit's callers decide what ILLEGAL_GENERATION or REBALANCE_IN_PROGRESS means.
 */
import { err, ok, type Result } from '@tributary/common';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { apiRanges } from './api-ranges.js';
import { ClientError } from './client-error.js';
import type { KafkaClient, NegotiatedConnection } from './kafka-client.js';

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
  /** Empty when the broker's ListGroups is older than v4 (no state in the answer). */
  readonly state: string;
  readonly brokerId: number;
}

export interface GroupMemberDescription {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly metadata: Buffer;
  readonly assignment: Buffer;
}

export interface GroupDescription {
  readonly groupId: string;
  readonly errorCode: number;
  readonly state: string;
  readonly protocolType: string;
  readonly protocol: string;
  readonly members: readonly GroupMemberDescription[];
}

/** topic → partition → committed offset (-1n: none). */
export type CommittedOffsets = Map<string, Map<number, bigint>>;

/** ListGroups on every broker in the metadata, merged (a group lives on its coordinator only). */
export async function listGroups(client: KafkaClient): Promise<Result<ListedGroup[], ClientError>> {
  const cluster = await client.metadata([]);
  if (!cluster.ok) return cluster;
  const groups: ListedGroup[] = [];
  for (const nodeId of [...cluster.value.brokers.keys()].sort((a, b) => a - b)) {
    const connection = await client.nodeConnection(nodeId);
    if (!connection.ok) return connection;
    const response = await client.call(ApiKey.ListGroups, apiRanges.listGroups, () => ({ statesFilter: [], typesFilter: [] }), connection.value);
    if (!response.ok) return response;
    if (response.value.body.errorCode !== ErrorCode.NONE) return err(ClientError.fromCode(response.value.body.errorCode, `list groups on broker ${nodeId}`));
    for (const g of response.value.body.groups) groups.push({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, brokerId: nodeId });
  }
  return ok(groups.sort((a, b) => a.groupId.localeCompare(b.groupId)));
}

export async function describeGroup(client: KafkaClient, coordinator: NegotiatedConnection, groupId: string): Promise<Result<GroupDescription, ClientError>> {
  const response = await client.call(ApiKey.DescribeGroups, apiRanges.describeGroups, () => ({ groups: [groupId], includeAuthorizedOperations: false }), coordinator);
  if (!response.ok) return response;
  const g = response.value.body.groups.find((x) => x.groupId === groupId);
  if (g === undefined) return err(new ClientError('protocol', `DescribeGroups response does not mention ${groupId}`));
  return ok({
    groupId,
    errorCode: g.errorCode,
    state: g.groupState,
    protocolType: g.protocolType,
    protocol: g.protocolData,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: m.memberMetadata,
      assignment: m.memberAssignment,
    })),
  });
}

/** Committed offsets of some topics' partitions, or of every topic when `topics` is null (v2+). */
export async function fetchCommittedOffsets(
  client: KafkaClient,
  coordinator: NegotiatedConnection,
  groupId: string,
  topics: ReadonlyMap<string, readonly number[]> | null,
): Promise<Result<CommittedOffsets, ClientError>> {
  const response = await client.call(
    ApiKey.OffsetFetch,
    topics === null ? { ...apiRanges.offsetFetch, minVersion: 2 } : apiRanges.offsetFetch,
    () => ({
      groupId,
      topics: topics === null ? null : [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes: [...partitionIndexes] })),
      groups: [],
      requireStable: false,
    }),
    coordinator,
  );
  if (!response.ok) return response;
  const body = response.value.body;
  if (body.errorCode !== ErrorCode.NONE) return err(ClientError.fromCode(body.errorCode, `fetch committed offsets of group ${groupId}`));
  const out: CommittedOffsets = new Map();
  for (const t of body.topics) {
    const partitions = new Map<number, bigint>();
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE && p.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        return err(ClientError.fromCode(p.errorCode, `fetch the committed offset of ${t.name}-${p.partitionIndex} for group ${groupId}`));
      }
      partitions.set(p.partitionIndex, p.errorCode === ErrorCode.NONE ? p.committedOffset : -1n);
    }
    out.set(t.name, partitions);
  }
  return ok(out);
}

export interface CommitIdentity {
  /** -1 with an empty member id: an admin commit, allowed only while the group has no members. */
  readonly generationId: number;
  readonly memberId: string;
}

/** OffsetCommit; the result holds each partition's error code (0 when committed). */
export async function commitOffsets(
  client: KafkaClient,
  coordinator: NegotiatedConnection,
  groupId: string,
  identity: CommitIdentity,
  offsets: ReadonlyMap<string, ReadonlyMap<number, bigint>>,
): Promise<Result<Map<string, Map<number, number>>, ClientError>> {
  const response = await client.call(
    ApiKey.OffsetCommit,
    apiRanges.offsetCommit,
    () => ({
      groupId,
      generationIdOrMemberEpoch: identity.generationId,
      memberId: identity.memberId,
      groupInstanceId: null,
      // v2-4 carry a retention; -1 is the broker's default.
      retentionTimeMs: -1n,
      topics: [...offsets].map(([name, partitions]) => ({
        name,
        partitions: [...partitions].map(([partitionIndex, committedOffset]) => ({
          partitionIndex,
          committedOffset,
          committedLeaderEpoch: -1,
          commitTimestamp: -1n,
          committedMetadata: '',
        })),
      })),
    }),
    coordinator,
  );
  if (!response.ok) return response;
  const codes = new Map<string, Map<number, number>>();
  for (const t of response.value.body.topics) codes.set(t.name, new Map(t.partitions.map((p) => [p.partitionIndex, p.errorCode])));
  return ok(codes);
}

/** The first non-zero code of a commit result, or 0. */
export function firstCommitError(codes: ReadonlyMap<string, ReadonlyMap<number, number>>): number {
  for (const partitions of codes.values()) for (const code of partitions.values()) if (code !== ErrorCode.NONE) return code;
  return ErrorCode.NONE;
}
