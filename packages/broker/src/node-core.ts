/**
 * The node without its sockets: data-directory identity, idempotent-producer state, topics (the
 * cluster node with its quorum, controller, replication and gossip, or the single broker's own),
 * the group coordinator and the Kafka request dispatcher. `startBroker` puts listeners, gRPC and
 * HTTP around it; the simulation (packages/sim) drives it over a simulated network, disk and
 * clock through the seams in NodeEnvironment.
 */
import type { Clock, FileSystem, Random, Result, Scheduler } from '@tributary/common';
import type { Logger } from 'pino';
import type { BrokerContext } from './broker-context.js';
import { singleBrokerAddresses } from './broker-context.js';
import type { BrokerConfig } from './config/broker-config.js';
import { ClusterNode } from './cluster/cluster-node.js';
import type { AnyHandlerSpec } from './handlers/handler.js';
import { handlerSpecs } from './handlers/index.js';
import type { BrokerMetrics } from './http/broker-metrics.js';
import { componentLogger } from './logging.js';
import type { RaftLogStore, RaftStorageError } from './raft/raft-storage.js';
import type { RpcNetwork } from './rpc/rpc-network.js';
import { loadOrCreateMetaProperties } from './server/meta-properties.js';
import { RequestDispatcher } from './server/request-dispatcher.js';
import { GroupService, type GroupServiceSettings } from './group/group-service.js';
import { LocalTopicManager } from './state/local-topic-manager.js';
import { createPartitionWaiters } from './state/partition-waiters-impl.js';
import type { PartitionWaiters } from './state/partition-waiters.js';
import type { ProducerStateManager } from './state/producer-state.js';
import { PRODUCER_ID_NODE_ID_MAX, openProducerStateManager, producerIdBase } from './state/producer-state-manager.js';
import type { TopicManager } from './state/topic-manager.js';
import { TributaryError } from '@tributary/common';

export class BrokerStartError extends TributaryError {
  override readonly name = 'BrokerStartError';
}

export function startFailed(message: string, cause?: unknown): BrokerStartError {
  const error = new BrokerStartError(message);
  if (cause !== undefined) (error as { cause?: unknown }).cause = cause;
  return error;
}

/** What the node runs on. A real broker gets the real ones; the simulation its own. */
export interface NodeEnvironment {
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly random: Random;
  /** gRPC by default. */
  readonly network?: RpcNetwork;
  /** LevelDB by default. */
  readonly openRaftStorage?: (directory: string) => Promise<Result<RaftLogStore, RaftStorageError>>;
  /** Recursive rm by default. */
  readonly removeDirectory?: (path: string) => Promise<void>;
  /** The node can no longer keep its promises (metadata storage failed): it must stop. */
  readonly onFatal?: (error: Error) => void;
}

export interface NodeCoreOptions {
  /** The handler table; default every handler (handlers/index.ts). */
  readonly handlers?: readonly AnyHandlerSpec[];
  /** Group coordination settings (offsets topic partitions, session timeout bounds, ...). */
  readonly groups?: Partial<GroupServiceSettings>;
}

/** Opened parts, so a failed start (or a close) takes down exactly what is up. */
export interface NodeCoreParts {
  topics?: TopicManager;
  groups?: GroupService;
  cluster?: ClusterNode;
}

export interface NodeCore {
  readonly clusterId: string;
  readonly topics: TopicManager;
  readonly groups: GroupService;
  readonly cluster: ClusterNode | undefined;
  readonly producers: ProducerStateManager;
  readonly waiters: PartitionWaiters;
  /** The handlers' context and the dispatcher, once the listeners' addresses are known. */
  serve(resolved: BrokerConfig, metrics: BrokerMetrics): { context: BrokerContext; dispatcher: RequestDispatcher };
}

export async function openNodeCore(config: BrokerConfig, env: NodeEnvironment, options: NodeCoreOptions, parts: NodeCoreParts, root: Logger): Promise<NodeCore> {
  const { fs, clock } = env;
  const meta = await loadOrCreateMetaProperties(fs, config.dataDir, config.nodeId, config.cluster?.clusterId);
  if (!meta.ok) throw startFailed(meta.error.message);
  if (config.cluster !== null && config.nodeId > PRODUCER_ID_NODE_ID_MAX) throw startFailed(`in a cluster node ids must be at most ${PRODUCER_ID_NODE_ID_MAX} (producer id ranges)`);
  const producers = await openProducerStateManager({ fs, dataDir: config.dataDir, ...(config.cluster === null ? {} : { idBase: producerIdBase(config.nodeId) }) });
  if (!producers.ok) throw startFailed(`cannot open producer state in ${config.dataDir}: ${producers.error.message}`, producers.error);
  const waiters = createPartitionWaiters({ setTimeout: (run, ms) => env.scheduler.setTimeout(run, ms), clearTimeout: (handle) => env.scheduler.clearTimeout(handle) });
  const topics = await openTopics(config, env, parts, root, waiters, producers.value);
  parts.topics = topics;
  const groups = new GroupService({
    topics,
    clock,
    scheduler: env.scheduler,
    random: env.random,
    logger: componentLogger(root, 'group', config.nodeId),
    settings: groupServiceSettings(config, options.groups),
    waiters,
  });
  parts.groups = groups;
  groups.start();
  return {
    clusterId: meta.value.clusterId,
    topics,
    groups,
    cluster: parts.cluster,
    producers: producers.value,
    waiters,
    serve(resolved, metrics) {
      const context: BrokerContext = {
        nodeId: config.nodeId,
        clusterId: meta.value.clusterId,
        config: resolved,
        clock,
        topics,
        producers: producers.value,
        waiters,
        metrics,
        logger: componentLogger(root, 'handlers', config.nodeId),
        controllerId: () => parts.cluster?.controllerId() ?? config.nodeId,
        isReachable: (nodeId: number) => parts.cluster?.isReachable(nodeId) ?? true,
        brokers: (listenerName: string) => parts.cluster?.brokers(listenerName) ?? singleBrokerAddresses(resolved, listenerName),
        groups,
      };
      const dispatcher = new RequestDispatcher(options.handlers ?? handlerSpecs, context, componentLogger(root, 'dispatch', config.nodeId));
      return { context, dispatcher };
    },
  };
}

/** The topic manager: the cluster's (metadata through the quorum) with --voters, else the single broker's own. */
async function openTopics(config: BrokerConfig, env: NodeEnvironment, parts: NodeCoreParts, root: Logger, waiters: PartitionWaiters, producers: ProducerStateManager): Promise<TopicManager> {
  if (config.cluster !== null) {
    const logger = componentLogger(root, 'broker', config.nodeId);
    parts.cluster = await ClusterNode.start({
      config,
      cluster: config.cluster,
      fs: env.fs,
      clock: env.clock,
      random: env.random,
      scheduler: env.scheduler,
      ...(env.network === undefined ? {} : { network: env.network }),
      ...(env.openRaftStorage === undefined ? {} : { openRaftStorage: env.openRaftStorage }),
      ...(env.removeDirectory === undefined ? {} : { removeDirectory: env.removeDirectory }),
      rootLogger: root,
      waiters,
      producers,
      onFatal: (error) => {
        logger.fatal({ err: error }, 'storage failed; this node can no longer serve');
        env.onFatal?.(error);
      },
    });
    return parts.cluster.topics;
  }
  const topics = await LocalTopicManager.open({ dataDir: config.dataDir, fs: env.fs, clock: env.clock, defaults: config.topicDefaults, logger: root.child({ nodeId: config.nodeId }), nodeId: config.nodeId });
  if (!topics.ok) throw startFailed(`cannot load topics from ${config.dataDir}: ${topics.error.message}`, topics.error);
  return topics.value;
}

/** The broker's group settings as the group service takes them; options (tests) override the config. */
function groupServiceSettings(broker: BrokerConfig, overrides: Partial<GroupServiceSettings> | undefined): Partial<GroupServiceSettings> {
  const { offsetsTopicPartitions, offsetsTopicReplicationFactor, minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs } = broker.groups;
  return {
    offsetsTopicPartitions,
    // A single broker holds one replica of everything; a cluster replicates the offsets up to its size.
    offsetsTopicReplicationFactor: broker.cluster === null ? -1 : Math.min(offsetsTopicReplicationFactor, broker.voters.length),
    ...overrides,
    coordinator: { minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, ...overrides?.coordinator },
  };
}
