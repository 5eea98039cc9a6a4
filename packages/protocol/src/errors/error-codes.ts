/**
 * Kafka's error codes: code, name, whether a client may retry, and a short description in our
 * own words. The codes and names are Kafka's (org.apache.kafka.common.protocol.Errors); clients
 * act on the code, so these must never change.
 */
export interface KafkaErrorInfo {
  readonly code: number;
  readonly name: string;
  readonly retriable: boolean;
  readonly message: string;
}

type Row = readonly [code: number, name: string, retriable: boolean, message: string];

const rows = [
  [-1, 'UNKNOWN_SERVER_ERROR', false, 'An unexpected error on the server.'],
  [0, 'NONE', false, 'No error.'],
  [1, 'OFFSET_OUT_OF_RANGE', false, 'The offset is outside the range the partition holds.'],
  [2, 'CORRUPT_MESSAGE', true, 'The message failed its checksum or could not be parsed.'],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'This server does not host the topic or partition.'],
  [4, 'INVALID_FETCH_SIZE', false, 'The fetch size is invalid.'],
  [5, 'LEADER_NOT_AVAILABLE', true, 'The partition has no leader at the moment.'],
  [6, 'NOT_LEADER_OR_FOLLOWER', true, 'This server is not the leader or a follower of the partition.'],
  [7, 'REQUEST_TIMED_OUT', true, 'The request timed out.'],
  [8, 'BROKER_NOT_AVAILABLE', false, 'The broker is not available.'],
  [9, 'REPLICA_NOT_AVAILABLE', true, 'The replica is not available for the partition.'],
  [10, 'MESSAGE_TOO_LARGE', false, 'The batch is larger than the server accepts.'],
  [11, 'STALE_CONTROLLER_EPOCH', false, 'The controller moved to another broker.'],
  [12, 'OFFSET_METADATA_TOO_LARGE', false, 'The committed offset metadata is too large.'],
  [13, 'NETWORK_EXCEPTION', true, 'The connection closed before a response arrived.'],
  [14, 'COORDINATOR_LOAD_IN_PROGRESS', true, 'The coordinator is still loading its state.'],
  [15, 'COORDINATOR_NOT_AVAILABLE', true, 'The coordinator is not available.'],
  [16, 'NOT_COORDINATOR', true, 'This server is not the coordinator.'],
  [17, 'INVALID_TOPIC_EXCEPTION', false, 'The topic name is invalid or the operation is not allowed on it.'],
  [18, 'RECORD_LIST_TOO_LARGE', false, 'The batch is larger than the segment size.'],
  [19, 'NOT_ENOUGH_REPLICAS', true, 'Fewer in-sync replicas than min.insync.replicas.'],
  [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', true, 'Written, but to fewer in-sync replicas than required.'],
  [21, 'INVALID_REQUIRED_ACKS', false, 'acks must be -1, 0 or 1.'],
  [22, 'ILLEGAL_GENERATION', false, 'The group generation is not current.'],
  [23, 'INCONSISTENT_GROUP_PROTOCOL', false, "The member's protocols do not match the group's."],
  [24, 'INVALID_GROUP_ID', false, 'The group id is invalid.'],
  [25, 'UNKNOWN_MEMBER_ID', false, 'The coordinator does not know this member.'],
  [26, 'INVALID_SESSION_TIMEOUT', false, 'The session timeout is outside the allowed range.'],
  [27, 'REBALANCE_IN_PROGRESS', false, 'The group is rebalancing; rejoin.'],
  [28, 'INVALID_COMMIT_OFFSET_SIZE', false, 'The commit is too large.'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Not authorized for the topic.'],
  [30, 'GROUP_AUTHORIZATION_FAILED', false, 'Not authorized for the group.'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Not authorized for the cluster.'],
  [32, 'INVALID_TIMESTAMP', false, 'The timestamp is out of the acceptable range.'],
  [33, 'UNSUPPORTED_SASL_MECHANISM', false, 'The SASL mechanism is not supported.'],
  [34, 'ILLEGAL_SASL_STATE', false, 'The request is not valid in the current SASL state.'],
  [35, 'UNSUPPORTED_VERSION', false, 'This API or version is not supported.'],
  [36, 'TOPIC_ALREADY_EXISTS', false, 'The topic already exists.'],
  [37, 'INVALID_PARTITIONS', false, 'The number of partitions is invalid.'],
  [38, 'INVALID_REPLICATION_FACTOR', false, 'The replication factor is invalid.'],
  [39, 'INVALID_REPLICA_ASSIGNMENT', false, 'The replica assignment is invalid.'],
  [40, 'INVALID_CONFIG', false, 'The configuration is invalid.'],
  [41, 'NOT_CONTROLLER', true, 'This server is not the active controller.'],
  [42, 'INVALID_REQUEST', false, 'The request is malformed or not valid for this broker.'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', false, 'The message format does not support the request.'],
  [44, 'POLICY_VIOLATION', false, 'The request violates a configured policy.'],
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false, 'The producer sequence number is out of order.'],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', false, 'The producer sequence number is a duplicate.'],
  [47, 'INVALID_PRODUCER_EPOCH', false, 'The producer epoch is stale.'],
  [48, 'INVALID_TXN_STATE', false, 'The transactional operation is invalid in the current state.'],
  [49, 'INVALID_PRODUCER_ID_MAPPING', false, 'The producer id is not assigned to this transactional id.'],
  [50, 'INVALID_TRANSACTION_TIMEOUT', false, 'The transaction timeout exceeds the maximum.'],
  [51, 'CONCURRENT_TRANSACTIONS', true, 'Another operation on the transaction is in progress.'],
  [52, 'TRANSACTION_COORDINATOR_FENCED', false, 'The transaction coordinator has been fenced.'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false, 'Not authorized for the transactional id.'],
  [54, 'SECURITY_DISABLED', false, 'Security features are disabled.'],
  [55, 'OPERATION_NOT_ATTEMPTED', false, 'The operation was not attempted.'],
  [56, 'KAFKA_STORAGE_ERROR', true, 'A disk error on the server.'],
  [57, 'LOG_DIR_NOT_FOUND', false, 'The log directory does not exist.'],
  [58, 'SASL_AUTHENTICATION_FAILED', false, 'SASL authentication failed.'],
  [59, 'UNKNOWN_PRODUCER_ID', false, 'The producer id is not known to the broker.'],
  [60, 'REASSIGNMENT_IN_PROGRESS', false, 'A partition reassignment is in progress.'],
  [61, 'DELEGATION_TOKEN_AUTH_DISABLED', false, 'Delegation token authentication is disabled.'],
  [62, 'DELEGATION_TOKEN_NOT_FOUND', false, 'The delegation token was not found.'],
  [63, 'DELEGATION_TOKEN_OWNER_MISMATCH', false, 'The delegation token owner does not match.'],
  [64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', false, 'Delegation token requests are not allowed on this channel.'],
  [65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', false, 'Not authorized for the delegation token.'],
  [66, 'DELEGATION_TOKEN_EXPIRED', false, 'The delegation token has expired.'],
  [67, 'INVALID_PRINCIPAL_TYPE', false, 'The principal type is not supported.'],
  [68, 'NON_EMPTY_GROUP', false, 'The group is not empty.'],
  [69, 'GROUP_ID_NOT_FOUND', false, 'The group does not exist.'],
  [70, 'FETCH_SESSION_ID_NOT_FOUND', true, 'The fetch session does not exist.'],
  [71, 'INVALID_FETCH_SESSION_EPOCH', true, 'The fetch session epoch is invalid.'],
  [72, 'LISTENER_NOT_FOUND', true, 'The leader has no listener with this name.'],
  [73, 'TOPIC_DELETION_DISABLED', false, 'Topic deletion is disabled.'],
  [74, 'FENCED_LEADER_EPOCH', true, 'The leader epoch in the request is older than the broker’s.'],
  [75, 'UNKNOWN_LEADER_EPOCH', true, 'The leader epoch in the request is newer than the broker’s.'],
  [76, 'UNSUPPORTED_COMPRESSION_TYPE', false, 'The compression type is not supported.'],
  [77, 'STALE_BROKER_EPOCH', false, 'The broker epoch is stale.'],
  [78, 'OFFSET_NOT_AVAILABLE', true, 'The offset is not yet available.'],
  [79, 'MEMBER_ID_REQUIRED', false, 'A member id is required; rejoin with the one given.'],
  [80, 'PREFERRED_LEADER_NOT_AVAILABLE', true, 'The preferred leader is not available.'],
  [81, 'GROUP_MAX_SIZE_REACHED', false, 'The group has reached its maximum size.'],
  [82, 'FENCED_INSTANCE_ID', false, 'A newer member with this group.instance.id fenced this one.'],
  [83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', true, 'No eligible leader is available.'],
  [84, 'ELECTION_NOT_NEEDED', true, 'Leader election is not needed.'],
  [85, 'NO_REASSIGNMENT_IN_PROGRESS', false, 'No partition reassignment is in progress.'],
  [86, 'GROUP_SUBSCRIBED_TO_TOPIC', false, 'The group is subscribed to the topic.'],
  [87, 'INVALID_RECORD', false, 'A record failed validation.'],
  [88, 'UNSTABLE_OFFSET_COMMIT', true, 'Transactional offset commits are pending.'],
  [89, 'THROTTLING_QUOTA_EXCEEDED', true, 'The throttling quota has been exceeded.'],
  [90, 'PRODUCER_FENCED', false, 'A newer producer with the same transactional id fenced this one.'],
  [91, 'RESOURCE_NOT_FOUND', false, 'The resource does not exist.'],
  [92, 'DUPLICATE_RESOURCE', false, 'The resource appears more than once in the request.'],
  [93, 'UNACCEPTABLE_CREDENTIAL', false, 'The credential is not acceptable.'],
  [94, 'INCONSISTENT_VOTER_SET', false, 'The voter sets disagree.'],
  [95, 'INVALID_UPDATE_VERSION', false, 'The update version is invalid.'],
  [96, 'FEATURE_UPDATE_FAILED', false, 'The feature update failed.'],
  [97, 'PRINCIPAL_DESERIALIZATION_FAILURE', false, 'The forwarded principal could not be read.'],
  [98, 'SNAPSHOT_NOT_FOUND', false, 'The snapshot does not exist.'],
  [99, 'POSITION_OUT_OF_RANGE', false, 'The position is outside the snapshot.'],
  [100, 'UNKNOWN_TOPIC_ID', true, 'This server does not host a topic with this id.'],
  [101, 'DUPLICATE_BROKER_REGISTRATION', false, 'Another broker registered with this id.'],
  [102, 'BROKER_ID_NOT_REGISTERED', false, 'The broker id is not registered.'],
  [103, 'INCONSISTENT_TOPIC_ID', true, 'The topic id does not match the topic name.'],
  [104, 'INCONSISTENT_CLUSTER_ID', false, 'The cluster id does not match.'],
  [105, 'TRANSACTIONAL_ID_NOT_FOUND', false, 'The transactional id does not exist.'],
  [106, 'FETCH_SESSION_TOPIC_ID_ERROR', true, 'The fetch session saw inconsistent topic ids.'],
  [107, 'INELIGIBLE_REPLICA', false, 'The new ISR holds an ineligible replica.'],
  [108, 'NEW_LEADER_ELECTED', false, 'A new leader was elected; the ISR change was not applied.'],
  [109, 'OFFSET_MOVED_TO_TIERED_STORAGE', false, 'The offset has moved to tiered storage.'],
  [110, 'FENCED_MEMBER_EPOCH', false, 'The member epoch is fenced.'],
  [111, 'UNRELEASED_INSTANCE_ID', false, 'The instance id is still used by another member.'],
  [112, 'UNSUPPORTED_ASSIGNOR', false, 'The assignor is not supported.'],
  [113, 'STALE_MEMBER_EPOCH', false, 'The member epoch is stale.'],
  [114, 'MISMATCHED_ENDPOINT_TYPE', false, 'The request was sent to the wrong kind of endpoint.'],
  [115, 'UNSUPPORTED_ENDPOINT_TYPE', false, 'This endpoint type does not support the request.'],
  [116, 'UNKNOWN_CONTROLLER_ID', false, 'The controller id is not known.'],
  [117, 'UNKNOWN_SUBSCRIPTION_ID', false, 'The client metrics subscription id is not known.'],
  [118, 'TELEMETRY_TOO_LARGE', false, 'The telemetry payload is too large.'],
  [119, 'INVALID_REGISTRATION', false, 'The registration is invalid.'],
  [120, 'TRANSACTION_ABORTABLE', false, 'The transaction must be aborted.'],
  [121, 'INVALID_RECORD_STATE', false, 'The record state is invalid.'],
  [122, 'SHARE_SESSION_NOT_FOUND', true, 'The share session does not exist.'],
  [123, 'INVALID_SHARE_SESSION_EPOCH', true, 'The share session epoch is invalid.'],
  [124, 'FENCED_STATE_EPOCH', false, 'The state epoch is fenced.'],
  [125, 'INVALID_VOTER_KEY', false, 'The voter key does not match.'],
  [126, 'DUPLICATE_VOTER', false, 'The voter is already in the voter set.'],
  [127, 'VOTER_NOT_FOUND', false, 'The voter is not in the voter set.'],
] as const satisfies readonly Row[];

/** Every Kafka error name, e.g. 'NOT_LEADER_OR_FOLLOWER'. */
export type KafkaErrorName = (typeof rows)[number][1];

/** Error code by name, e.g. `ErrorCode.NOT_LEADER_OR_FOLLOWER` (6). */
export const ErrorCode = Object.freeze(Object.fromEntries(rows.map(([code, name]) => [name, code]))) as {
  readonly [Row in (typeof rows)[number] as Row[1]]: Row[0];
};

const byCode = new Map<number, KafkaErrorInfo>(rows.map(([code, name, retriable, message]): [number, KafkaErrorInfo] => [code, { code, name, retriable, message }]));

/** What Kafka calls an error code; unknown codes are reported as such, not thrown. */
export function kafkaError(code: number): KafkaErrorInfo {
  return byCode.get(code) ?? { code, name: `UNKNOWN_ERROR_CODE_${code}`, retriable: false, message: `Error code ${code} is not known to this build.` };
}

export const kafkaErrors: readonly KafkaErrorInfo[] = [...byCode.values()];
