/**
 * The classic group protocol's member calls: JoinGroup, SyncGroup, Heartbeat and LeaveGroup,
 * each built for the version negotiated. Responses come back whole: the member decides what
 * an error code means (rejoin, reset its id, give up).
 */
import type { Result } from '@tributary/common';
import { ApiKey, type HeartbeatResponse, type JoinGroupResponse, type LeaveGroupResponse, type SyncGroupResponse } from '@tributary/protocol';
import { apiRanges } from './api-ranges.js';
import type { ClientError } from './client-error.js';
import { CONSUMER_PROTOCOL_TYPE } from './consumer-protocol.js';
import type { KafkaClient, NegotiatedConnection } from './kafka-client.js';

export interface JoinRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  /** Assignor name → subscription bytes. */
  readonly protocols: ReadonlyMap<string, Buffer>;
}

export async function joinGroup(client: KafkaClient, coordinator: NegotiatedConnection, join: JoinRequest): Promise<Result<JoinGroupResponse, ClientError>> {
  const response = await client.call(
    ApiKey.JoinGroup,
    apiRanges.joinGroup,
    (version) => ({
      groupId: join.groupId,
      sessionTimeoutMs: join.sessionTimeoutMs,
      // v0 has no rebalance timeout: the session timeout serves as both.
      rebalanceTimeoutMs: version >= 1 ? join.rebalanceTimeoutMs : -1,
      memberId: join.memberId,
      groupInstanceId: null,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocols: [...join.protocols].map(([name, metadata]) => ({ name, metadata })),
      reason: null,
    }),
    coordinator,
    // The coordinator holds a JoinGroup until every member has rejoined.
    join.rebalanceTimeoutMs,
  );
  return response.ok ? { ok: true, value: response.value.body } : response;
}

export interface SyncRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly protocolName: string;
  /** Only the leader sends assignments; followers send none. */
  readonly assignments: ReadonlyMap<string, Buffer>;
}

export async function syncGroup(
  client: KafkaClient,
  coordinator: NegotiatedConnection,
  sync: SyncRequest,
  waitMs: number,
): Promise<Result<SyncGroupResponse, ClientError>> {
  const response = await client.call(
    ApiKey.SyncGroup,
    apiRanges.syncGroup,
    (version) => ({
      groupId: sync.groupId,
      generationId: sync.generationId,
      memberId: sync.memberId,
      groupInstanceId: null,
      protocolType: version >= 5 ? CONSUMER_PROTOCOL_TYPE : null,
      protocolName: version >= 5 ? sync.protocolName : null,
      assignments: [...sync.assignments].map(([memberId, assignment]) => ({ memberId, assignment })),
    }),
    coordinator,
    waitMs,
  );
  return response.ok ? { ok: true, value: response.value.body } : response;
}

export async function heartbeat(
  client: KafkaClient,
  coordinator: NegotiatedConnection,
  groupId: string,
  generationId: number,
  memberId: string,
): Promise<Result<HeartbeatResponse, ClientError>> {
  const response = await client.call(ApiKey.Heartbeat, apiRanges.heartbeat, () => ({ groupId, generationId, memberId, groupInstanceId: null }), coordinator);
  return response.ok ? { ok: true, value: response.value.body } : response;
}

export async function leaveGroup(client: KafkaClient, coordinator: NegotiatedConnection, groupId: string, memberId: string): Promise<Result<LeaveGroupResponse, ClientError>> {
  const response = await client.call(
    ApiKey.LeaveGroup,
    apiRanges.leaveGroup,
    (version) =>
      version >= 3
        ? { groupId, memberId: '', members: [{ memberId, groupInstanceId: null, reason: null }] }
        : { groupId, memberId, members: [] },
    coordinator,
  );
  return response.ok ? { ok: true, value: response.value.body } : response;
}
