/**
 * The broker's configuration: what `tributary broker` flags, TRIBUTARY_* environment variables
 * and the `--config` file resolve to. Parsing and validation live in config/load-config.ts.
 */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The listener --kafka-listen defines, and the one a single listener is named by default (as Kafka's). */
export const DEFAULT_KAFKA_LISTENER_NAME = 'PLAINTEXT';
/** The endpoint each broker registers for broker-to-broker gRPC; no Kafka listener may take this name. */
export const RPC_ENDPOINT_NAME = 'RPC';

/** One Kafka listener (an entry of Kafka's `listeners` and `advertised.listeners`). */
export interface KafkaListenerConfig {
  /** [A-Z0-9_]+; the name its advertised endpoint is registered under with the controller. */
  readonly name: string;
  readonly listen: HostPort;
  /** What Metadata gives clients that connected to this listener; port 0: the port bound. */
  readonly advertise: HostPort;
}

export interface Voter {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/** Broker-wide limits; every one has a default and can be set in the config file. */
export interface BrokerLimits {
  /** Largest request frame accepted (Kafka's socket.request.max.bytes). */
  readonly frameBytesMax: number;
  /** Open client connections at most; more are refused at accept. */
  readonly connectionsMax: number;
  /** Requests read ahead per connection (they are answered in order, one at a time). */
  readonly inFlightRequestsPerConnectionMax: number;
  /** Longest Fetch long-poll wait honoured, whatever the client asks. */
  readonly fetchMaxWaitMsMax: number;
  /** Largest Fetch response in bytes, whatever the client asks (Kafka's fetch.max.bytes). */
  readonly fetchResponseBytesMax: number;
}

/** Defaults for topics created without explicit configs (Kafka's broker-level log.* settings). */
export interface TopicDefaults {
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly retentionMs: number;
  readonly retentionBytes: number;
  readonly segmentBytes: number;
  readonly segmentMs: number;
  /** Broker default of max.message.bytes (Kafka's message.max.bytes). */
  readonly maxMessageBytes: number;
  readonly minInsyncReplicas: number;
}

/** Consumer-group coordination (Kafka's offsets.* and group.* broker settings). */
export interface GroupSettings {
  /** Partitions of __consumer_offsets when it is created (an existing topic keeps its count). */
  readonly offsetsTopicPartitions: number;
  /** Replicas of each __consumer_offsets partition in a cluster (at most the number of voters). */
  readonly offsetsTopicReplicationFactor: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  /** How long the first rebalance of an empty group waits for more members. */
  readonly initialRebalanceDelayMs: number;
}

export const defaultGroupSettings: GroupSettings = {
  offsetsTopicPartitions: 50,
  offsetsTopicReplicationFactor: 3,
  minSessionTimeoutMs: 6_000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3_000,
};

/** How a broker takes part in a cluster (only with --voters). */
export interface ClusterSettings {
  /**
   * Every node of a cluster must have the same; by default derived from the voter list (so the
   * nodes of one --voters agree without a format step), or set with --cluster-id.
   */
  readonly clusterId: string;
  /** The controller fences a broker without a heartbeat for this long (Kafka's broker.session.timeout.ms). */
  readonly brokerSessionTimeoutMs: number;
  readonly brokerHeartbeatIntervalMs: number;
  /** Metadata log entries applied between snapshots. */
  readonly metadataSnapshotIntervalEntries: number;
  /** A follower not caught up for this long leaves the ISR (Kafka's replica.lag.time.max.ms). */
  readonly replicaLagTimeMaxMs: number;
  /** Move leaderships back to preferred replicas (Kafka's auto.leader.rebalance.enable). */
  readonly autoLeaderRebalance: boolean;
  /** How often that check runs (Kafka: leader.imbalance.check.interval.seconds, 300 s). */
  readonly leaderImbalanceCheckIntervalMs: number;
}

/**
 * Kafka's defaults are 9000 and 2000 ms; ours are much shorter so a dead broker loses its
 * leaderships in under a second (issue 7's failover target is 1.5 s to the producer's next
 * acknowledged write). A heartbeat is one small gRPC call every 150 ms; a live broker misses its
 * session only after five of them are lost, and a falsely fenced broker is unfenced at its next
 * heartbeat (its leaderships moved, nothing is lost).
 */
export const defaultClusterSettings: Omit<ClusterSettings, 'clusterId'> = {
  brokerSessionTimeoutMs: 800,
  brokerHeartbeatIntervalMs: 150,
  metadataSnapshotIntervalEntries: 1_000,
  replicaLagTimeMaxMs: 10_000,
  autoLeaderRebalance: true,
  leaderImbalanceCheckIntervalMs: 30_000,
};

export interface BrokerConfig {
  readonly nodeId: number;
  readonly dataDir: string;
  /**
   * The Kafka listeners, at least one, names unique. The first is the primary: the other
   * listeners' default hosts and a single node's voter address follow it.
   */
  readonly listeners: readonly KafkaListenerConfig[];
  readonly rpcListen: HostPort;
  readonly httpListen: HostPort;
  /** The controller quorum; just this node when not given. */
  readonly voters: readonly Voter[];
  /**
   * Cluster mode (with --voters): metadata through the Raft quorum, this node a voter and a
   * broker (KRaft's combined mode). null: a single broker keeping its own topic metadata.
   */
  readonly cluster: ClusterSettings | null;
  /** Kafka's auto.create.topics.enable (default true). */
  readonly autoCreateTopics: boolean;
  /** Kafka's delete.topic.enable (default true). */
  readonly deleteTopicEnable: boolean;
  readonly topicDefaults: TopicDefaults;
  readonly limits: BrokerLimits;
  readonly groups: GroupSettings;
  /** How often retention runs, in ms. */
  readonly retentionCheckIntervalMs: number;
  /** Grace for in-flight requests on SIGTERM before connections are cut. */
  readonly shutdownTimeoutMs: number;
  readonly logLevel: string;
}

export const defaultLimits: BrokerLimits = {
  frameBytesMax: 100 * 1024 * 1024,
  connectionsMax: 1000,
  inFlightRequestsPerConnectionMax: 16,
  fetchMaxWaitMsMax: 30_000,
  fetchResponseBytesMax: 55 * 1024 * 1024,
};

export const defaultTopicDefaults: TopicDefaults = {
  numPartitions: 1,
  replicationFactor: 1,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  maxMessageBytes: 1024 * 1024 + 12,
  minInsyncReplicas: 1,
};
