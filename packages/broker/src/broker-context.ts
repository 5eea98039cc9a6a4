/** Everything a request handler may reach: passed in, never imported as a singleton. */
import type { Clock } from '@tributary/common';
import type { Logger } from 'pino';
import type { BrokerConfig } from './config/broker-config.js';
import type { TopicManager } from './state/topic-manager.js';
import type { BrokerMetrics } from './http/broker-metrics.js';
import type { ProducerStateManager } from './state/producer-state.js';
import type { PartitionWaiters } from './state/partition-waiters.js';
import type { GroupCoordinatorService } from './group/group-service.js';

/** A broker as Metadata and FindCoordinator report it: where clients reach it. */
export interface BrokerAddress {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

/** A single broker's `brokers(listenerName)`: itself at that listener's advertised address (none if it has no such listener). */
export function singleBrokerAddresses(config: BrokerConfig, listenerName: string): BrokerAddress[] {
  return config.listeners.filter((l) => l.name === listenerName).map((l) => ({ nodeId: config.nodeId, host: l.advertise.host, port: l.advertise.port, rack: null }));
}

export interface BrokerContext {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly topics: TopicManager;
  /** Idempotent-producer state: sequence checks and duplicate detection per producer and partition. */
  readonly producers: ProducerStateManager;
  /** Fetch long polls wait here; Produce notifies after an append becomes visible. */
  readonly waiters: PartitionWaiters;
  readonly metrics: BrokerMetrics;
  readonly logger: Logger;
  /** The id of the active controller (this node on a single broker; -1 while unknown). */
  readonly controllerId: () => number;
  /**
   * The live brokers (this one included when it is live) at their advertised address for the
   * named listener, the one a request came in on; brokers without that listener are left out, as Kafka does.
   */
  readonly brokers: (listenerName: string) => readonly BrokerAddress[];
  /**
   * Whether this broker can reach another (its gossip view; always true on a single broker).
   * Advisory: Metadata stops naming an unreachable leader so clients look it up again sooner.
   */
  readonly isReachable?: (nodeId: number) => boolean;
  /** Consumer group coordination; absent, group APIs answer COORDINATOR_NOT_AVAILABLE. */
  readonly groups?: GroupCoordinatorService;
}
