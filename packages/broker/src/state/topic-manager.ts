/**
 * The broker's topics and partitions: the interface handlers use. The implementation
 * (state/local-topic-manager.ts) keeps each partition's PartitionLog under the data directory
 * and persists topic metadata and per-topic configs.
 */
import type { Result, TributaryError } from '@tributary/common';
import type { PartitionLog } from '@tributary/storage';

/** Where a config's value could come from, most specific first (DescribeConfigs v1+ synonyms). */
export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  /** Kafka's ConfigSource (1 DYNAMIC_TOPIC_CONFIG, 4 STATIC_BROKER_CONFIG, 5 DEFAULT_CONFIG, ...). */
  readonly source: number;
}

/** A topic config value as Kafka's DescribeConfigs reports it. */
export interface ConfigEntry {
  readonly name: string;
  readonly value: string | null;
  /** True when set on the topic; false when it is the broker's or Kafka's default. */
  readonly isExplicit: boolean;
  /** Kafka's ConfigSource of `value` (1 DYNAMIC_TOPIC_CONFIG, 4 STATIC_BROKER_CONFIG, 5 DEFAULT_CONFIG). */
  readonly source: number;
  readonly synonyms: readonly ConfigSynonym[];
  readonly readOnly: boolean;
  readonly isSensitive: boolean;
  /** Kafka's ConfigType for DescribeConfigs v3+ (1 BOOLEAN, 2 STRING, 3 INT, 4 SHORT, 5 LONG, 6 DOUBLE, 7 LIST, 8 CLASS, 9 PASSWORD). */
  readonly type: number;
  readonly documentation: string | null;
}

/** The resolved configs of one topic (topic overrides over broker defaults). */
export interface TopicConfig {
  readonly maxMessageBytes: number;
  readonly retentionMs: number;
  readonly retentionBytes: number;
  readonly segmentBytes: number;
  readonly segmentMs: number;
  readonly minInsyncReplicas: number;
  /** 'CreateTime' or 'LogAppendTime'. */
  readonly messageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** 'delete', 'compact', or both (Kafka's list, normalised to 'compact,delete'). */
  readonly cleanupPolicy: 'delete' | 'compact' | 'compact,delete';
  /** How long tombstones stay in a compacted topic (delete.retention.ms). */
  readonly deleteRetentionMs: number;
  readonly minCleanableDirtyRatio: number;
  readonly minCompactionLagMs: number;
  readonly uncleanLeaderElectionEnable: boolean;
  /** Just the overrides set on this topic, as strings (what is persisted). */
  readonly overrides: Readonly<Record<string, string>>;
}

/** A partition as the cluster metadata describes it (Metadata responses are built from this). */
export interface PartitionInfo {
  readonly index: number;
  /** The leader's broker id, or -1 when the partition has none. */
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** Replicas whose log is offline (a storage failure). */
  readonly offlineReplicas: readonly number[];
}

/** How acks=all waits on a replicated partition's followers (absent on a single broker). */
export interface PartitionReplication {
  /** The ISR's size now: acks=all needs at least min.insync.replicas. */
  readonly isrSize: number;
  /**
   * Resolves 'reached' once the high watermark is at or past `endOffset` (every ISR member holds
   * the records durably), 'timeout' after `timeoutMs`, or 'not-leader' when this broker stops
   * leading the partition first (the records may or may not survive: the client retries).
   */
  waitForHighWatermark(endOffset: number, timeoutMs: number): Promise<'reached' | 'timeout' | 'not-leader'>;
}

/** A partition this broker leads: its local log and what consumers may see of it. */
export interface PartitionHandle extends PartitionInfo {
  readonly topic: string;
  readonly log: PartitionLog;
  /**
   * Offsets below this are visible to consumers. On a single broker it is the durable log end
   * (with flush policy 'never', the log end): acks=all data is never shown before it is on disk.
   * In a cluster it is the offset every ISR member holds durably.
   */
  readonly highWatermark: number;
  /** Present when the partition is replicated (cluster mode). */
  readonly replication?: PartitionReplication;
}

export interface TopicState {
  readonly name: string;
  /** Kafka-style topic id: 22-character base64url of 16 random bytes. */
  readonly topicId: string;
  readonly isInternal: boolean;
  /** Every partition of the topic, in index order, wherever it is led. */
  readonly partitions: readonly PartitionInfo[];
  readonly config: TopicConfig;
}

/** Why a topic operation failed: a Kafka error code and a message for the client. */
export interface TopicAdminError extends TributaryError {
  readonly code: number;
}

export interface CreateTopicRequest {
  readonly name: string;
  /** -1: the broker default. */
  readonly numPartitions: number;
  /** -1: the broker default. */
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string | null>>;
  readonly validateOnly: boolean;
  /**
   * The broker itself creating one of its internal topics (__consumer_offsets, ...): allowed only
   * with this set, and the topic is marked internal. Clients' CreateTopics never sets it.
   */
  readonly internal?: boolean;
}

export type ConfigAlteration =
  /** AlterConfigs: the given set replaces every override. */
  | { readonly mode: 'replace'; readonly configs: Readonly<Record<string, string | null>> }
  /** IncrementalAlterConfigs: per-key operations (0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT). */
  | { readonly mode: 'incremental'; readonly operations: ReadonlyArray<{ readonly name: string; readonly op: number; readonly value: string | null }> };

export interface TopicManager {
  topics(): readonly TopicState[];
  topic(name: string): TopicState | undefined;
  topicById(topicId: string): TopicState | undefined;
  /** The partition when this broker leads it; undefined when it leads elsewhere or does not exist. */
  partition(topic: string, index: number): PartitionHandle | undefined;
  /**
   * Creates a topic durably and opens its partitions. With validateOnly nothing is created and
   * the state returned is what the topic would be, with no partitions and the zero topic id.
   */
  createTopic(request: CreateTopicRequest): Promise<Result<TopicState, TopicAdminError>>;
  deleteTopic(name: string): Promise<Result<void, TopicAdminError>>;
  /** Grows a topic to `totalCount` partitions. */
  createPartitions(name: string, totalCount: number, validateOnly: boolean): Promise<Result<void, TopicAdminError>>;
  describeConfigs(name: string, keys: readonly string[] | null): Result<readonly ConfigEntry[], TopicAdminError>;
  alterConfigs(name: string, alteration: ConfigAlteration, validateOnly: boolean): Promise<Result<void, TopicAdminError>>;
  /** Checks a topic name as Kafka does (length, characters, '.' and '..'). */
  validateTopicName(name: string): Result<void, TopicAdminError>;
  /** Runs retention, and compaction where the cleanup policy asks for it, on every partition (called on a timer by the broker). */
  enforceRetention(): Promise<void>;
  /** Flushes and closes every partition log. */
  close(): Promise<void>;
}
