// Cluster metadata records, after KRaft's (KIP-631): the controller appends them to the metadata
// Raft log and every node applies them in commit order to build its MetadataImage.

/** A 16-byte id written as 32 lowercase hex digits (topic ids, broker incarnation ids). */
export type Uuid = string;

/** Leader value meaning "this partition has no leader" (Kafka's -1). */
export const NO_LEADER = -1;

export interface BrokerEndpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: number;
}

export interface RegisterBrokerRecord {
  readonly type: 'register-broker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly incarnationId: Uuid;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  /** A newly registered broker starts fenced until it catches up (as in Kafka). */
  readonly fenced: boolean;
}

export interface FenceBrokerRecord {
  readonly type: 'fence-broker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface UnfenceBrokerRecord {
  readonly type: 'unfence-broker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface TopicRecord {
  readonly type: 'topic';
  readonly name: string;
  readonly topicId: Uuid;
}

export interface PartitionRecord {
  readonly type: 'partition';
  readonly topicId: Uuid;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** A broker id, or NO_LEADER. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

/**
 * A change to an existing partition. A null field is unchanged. The leader epoch is not carried:
 * applying the record bumps it when the leader changes, and always bumps the partition epoch.
 */
export interface PartitionChangeRecord {
  readonly type: 'partition-change';
  readonly topicId: Uuid;
  readonly partition: number;
  readonly isr: readonly number[] | null;
  /** New leader (a broker id or NO_LEADER), or null when the leader is unchanged. */
  readonly leader: number | null;
}

export type ConfigResourceType = 'topic' | 'broker';

export interface ConfigRecord {
  readonly type: 'config';
  readonly resourceType: ConfigResourceType;
  /** Topic name, broker id in decimal, or '' for the cluster-wide broker default. */
  readonly resourceName: string;
  readonly key: string;
  /** null deletes the key. */
  readonly value: string | null;
}

export interface RemoveTopicRecord {
  readonly type: 'remove-topic';
  readonly topicId: Uuid;
}

export type MetadataRecord =
  | RegisterBrokerRecord
  | FenceBrokerRecord
  | UnfenceBrokerRecord
  | TopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | ConfigRecord
  | RemoveTopicRecord;

export type MetadataRecordType = MetadataRecord['type'];

const uuidPattern = /^[0-9a-f]{32}$/;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
