/**
 * FindCoordinator for a consumer group: which broker keeps the group, retried while the
 * coordinator is loading or not yet elected (bounded), as Kafka's clients do.
 */
import { err, ok, type Result } from '@tributary/common';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { apiRanges } from './api-ranges.js';
import { ClientError } from './client-error.js';
import type { BrokerAddress } from './host-port.js';
import type { KafkaClient } from './kafka-client.js';

/** Kafka's FindCoordinator key type for a group. */
const KEY_TYPE_GROUP = 0;

export interface CoordinatorLookup {
  /** FindCoordinator requests at most. */
  readonly attemptsMax: number;
  readonly backoffMs: number;
}

export const defaultCoordinatorLookup: CoordinatorLookup = { attemptsMax: 10, backoffMs: 300 };

const RETRIABLE = new Set<number>([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR]);

export interface Coordinator {
  readonly nodeId: number;
  readonly address: BrokerAddress;
}

export async function findCoordinator(
  client: KafkaClient,
  groupId: string,
  lookup: CoordinatorLookup = defaultCoordinatorLookup,
): Promise<Result<Coordinator, ClientError>> {
  if (!client.versions.supports(ApiKey.FindCoordinator) || !client.versions.supports(ApiKey.JoinGroup)) {
    return err(new ClientError('unsupported', 'the broker does not support consumer groups (no FindCoordinator/JoinGroup)', ErrorCode.UNSUPPORTED_VERSION));
  }
  let last: ClientError | null = null;
  for (let attempt = 1; attempt <= lookup.attemptsMax; attempt++) {
    const response = await client.call(ApiKey.FindCoordinator, apiRanges.findCoordinator, (version) => ({
      key: groupId,
      keyType: version >= 1 ? KEY_TYPE_GROUP : 0,
      coordinatorKeys: [],
    }));
    if (!response.ok) return response;
    const body = response.value.body;
    if (body.errorCode === ErrorCode.NONE) return ok({ nodeId: body.nodeId, address: { host: body.host, port: body.port } });
    last = ClientError.fromCode(body.errorCode, `find the coordinator of group ${groupId}`, body.errorMessage);
    if (!RETRIABLE.has(body.errorCode)) break;
    if (attempt < lookup.attemptsMax) await new Promise((resolve) => setTimeout(resolve, lookup.backoffMs));
  }
  return err(last ?? new ClientError('protocol', `no coordinator for group ${groupId}`));
}
