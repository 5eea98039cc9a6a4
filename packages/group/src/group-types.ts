/**
 * The coordinator's inputs and outputs. Requests are the decoded Kafka bodies of the group APIs
 * with the version they came at; responses are the Kafka response bodies to encode at that
 * version. Records are key/value pairs for the group's `__consumer_offsets` partition.
 */
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '@tributary/protocol';

export interface GroupApiMap {
  JoinGroup: { request: JoinGroupRequest; response: JoinGroupResponse };
  SyncGroup: { request: SyncGroupRequest; response: SyncGroupResponse };
  Heartbeat: { request: HeartbeatRequest; response: HeartbeatResponse };
  LeaveGroup: { request: LeaveGroupRequest; response: LeaveGroupResponse };
  OffsetCommit: { request: OffsetCommitRequest; response: OffsetCommitResponse };
  OffsetFetch: { request: OffsetFetchRequest; response: OffsetFetchResponse };
  ListGroups: { request: ListGroupsRequest; response: ListGroupsResponse };
  DescribeGroups: { request: DescribeGroupsRequest; response: DescribeGroupsResponse };
  DeleteGroups: { request: DeleteGroupsRequest; response: DeleteGroupsResponse };
  OffsetDelete: { request: OffsetDeleteRequest; response: OffsetDeleteResponse };
}

export type GroupApi = keyof GroupApiMap;

export interface GroupRequestOf<A extends GroupApi> {
  readonly api: A;
  /** The Kafka version the request came at (responses are shaped for it). */
  readonly version: number;
  /** The request header's client id (member ids start with it). */
  readonly clientId: string;
  /** The client's address, as DescribeGroups reports it. */
  readonly clientHost: string;
  readonly body: GroupApiMap[A]['request'];
}

export type GroupRequest = { [A in GroupApi]: GroupRequestOf<A> }[GroupApi];
export type GroupResponse = GroupApiMap[GroupApi]['response'];

/** One record for the offsets partition; a null value is a tombstone (delete the key). */
export interface OffsetsRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

export interface PendingResponse {
  readonly requestId: number;
  readonly response: GroupResponse;
}

/**
 * What the driver must do, in this order: deliver `responses` now; append `records` to the
 * offsets partition; once they (and every earlier append) are durable, deliver
 * `durableResponses`. If the append fails, answer `durableResponses` with an error instead and
 * reload the coordinator from the log (its state ran ahead of the disk).
 */
export interface GroupReady {
  readonly responses: readonly PendingResponse[];
  readonly records: readonly OffsetsRecord[];
  readonly durableResponses: readonly PendingResponse[];
}

export interface GroupCoordinatorConfig {
  /** Kafka's group.min.session.timeout.ms: joins asking for less get INVALID_SESSION_TIMEOUT. */
  readonly minSessionTimeoutMs: number;
  /** Kafka's group.max.session.timeout.ms. */
  readonly maxSessionTimeoutMs: number;
  /** Kafka's group.initial.rebalance.delay.ms: how long an empty group waits for more joiners. */
  readonly initialRebalanceDelayMs: number;
  /** Kafka's group.max.size (bounded here by default, where Kafka's is unbounded). */
  readonly groupMaxSize: number;
  /** Kafka's offset.metadata.max.bytes: longer commit metadata gets OFFSET_METADATA_TOO_LARGE. */
  readonly offsetMetadataMaxBytes: number;
  /** How long a new member may take to rejoin a rebalance before it is dropped (Kafka: 5 min). */
  readonly newMemberJoinTimeoutMs: number;
  /** Groups one coordinator keeps at most; a join creating one more gets COORDINATOR_NOT_AVAILABLE. */
  readonly groupsMax: number;
}

export const defaultGroupCoordinatorConfig: GroupCoordinatorConfig = {
  minSessionTimeoutMs: 6_000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3_000,
  groupMaxSize: 1_000,
  offsetMetadataMaxBytes: 4_096,
  newMemberJoinTimeoutMs: 300_000,
  groupsMax: 100_000,
};
