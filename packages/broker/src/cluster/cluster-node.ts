/**
 * A node in cluster mode (KRaft's combined mode): a voter of the metadata quorum, possibly its
 * active controller, and a broker that registers, heartbeats and follows the committed metadata.
 * Start order: the quorum (it only needs the RPC server to receive, which the broker starts next
 * with `rpcServices()`), then the broker lifecycle once `begin()` is called with the addresses
 * the listeners were bound to.
 */
import type { Clock, FileSystem, Random, Result, Scheduler } from '@tributary/common';
import { unfencedBrokerIds } from '@tributary/metadata';
import type { Logger } from 'pino';
import type { BrokerAddress } from '../broker-context.js';
import { RPC_ENDPOINT_NAME, type BrokerConfig, type ClusterSettings, type HostPort, type KafkaListenerConfig } from '../config/broker-config.js';
import { componentLogger } from '../logging.js';
import type { RaftLogStore, RaftStorageError } from '../raft/raft-storage.js';
import type { RpcNetwork } from '../rpc/rpc-network.js';
import type { AdditionalRpcService } from '../rpc/rpc-server.js';
import { ActiveController } from './active-controller.js';
import { BrokerLifecycle } from './broker-lifecycle.js';
import { ClusterTopicManager } from './cluster-topic-manager.js';
import { ControllerClient } from './controller-client.js';
import { controllerRpcService } from './controller-service.js';
import { LocalReplicas } from './local-replicas.js';
import { MetadataQuorum } from './metadata-quorum.js';
import { ReplicaManager } from '../replication/replica-manager.js';
import { SwimGossip } from '../membership/swim-gossip.js';
import type { PartitionWaiters } from '../state/partition-waiters.js';
import type { ProducerStateManager } from '../state/producer-state.js';

const PLAINTEXT_PROTOCOL = 0;
const CONTROLLED_SHUTDOWN_MAX_MS = 3_000;

export interface ClusterNodeOptions {
  readonly config: BrokerConfig;
  readonly cluster: ClusterSettings;
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly random: Random;
  readonly rootLogger: Logger;
  /** Called when Raft persistence fails or a replica log goes offline: the node must stop. */
  readonly onFatal: (error: Error) => void;
  /** Consumers' fetch long polls: woken when a high watermark advances. */
  readonly waiters: PartitionWaiters;
  /** Idempotent-producer state, rebuilt from the log when a replica becomes leader. */
  readonly producers: ProducerStateManager;
  /** Simulation seams; each defaults to the real thing. */
  readonly scheduler?: Scheduler;
  readonly network?: RpcNetwork;
  readonly openRaftStorage?: (directory: string) => Promise<Result<RaftLogStore, RaftStorageError>>;
  readonly removeDirectory?: (path: string) => Promise<void>;
}

export class ClusterNode {
  private lifecycle: BrokerLifecycle | undefined;

  private constructor(
    private readonly options: ClusterNodeOptions,
    readonly quorum: MetadataQuorum,
    readonly controller: ActiveController,
    readonly controllerClient: ControllerClient,
    readonly topics: ClusterTopicManager,
    readonly replication: ReplicaManager,
    readonly membership: SwimGossip,
    /** The partition replicas this node holds (the simulation reads their logs). */
    readonly replicas: LocalReplicas,
  ) {}

  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const { config, cluster, rootLogger } = options;
    const seams = {
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
      ...(options.network === undefined ? {} : { network: options.network }),
    };
    const log = (component: string) => componentLogger(rootLogger, component, config.nodeId);
    const quorum = await MetadataQuorum.start({
      nodeId: config.nodeId,
      voters: config.voters,
      dataDir: config.dataDir,
      logger: log('raft'),
      snapshotIntervalEntries: cluster.metadataSnapshotIntervalEntries,
      onFatal: options.onFatal,
      random: options.random,
      ...seams,
      ...(options.openRaftStorage === undefined ? {} : { openStorage: options.openRaftStorage }),
    });
    let membership: SwimGossip | undefined;
    const controller = new ActiveController({
      quorum,
      clock: options.clock,
      random: options.random,
      logger: log('controller'),
      // A few heartbeat intervals: live brokers find the new controller at once (they are voters).
      config: {
        brokerSessionTimeoutMs: cluster.brokerSessionTimeoutMs,
        newControllerGraceMs: Math.max(300, 3 * cluster.brokerHeartbeatIntervalMs),
        preferredLeaderCheckIntervalMs: cluster.autoLeaderRebalance ? cluster.leaderImbalanceCheckIntervalMs : 0,
        // The gossip's dead verdict fences a broker silent for two heartbeat intervals.
        reportedDeadMinSilenceMs: 2 * cluster.brokerHeartbeatIntervalMs,
      },
      reportedDead: () => membership?.deadMembers() ?? new Set(),
      tickIntervalMs: 50,
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    });
    const controllerClient = new ControllerClient({ voters: config.voters, knownLeader: () => quorum.leaderId, logger: log('controller-client'), clock: options.clock, ...seams });
    const replicas = new LocalReplicas({
      nodeId: config.nodeId,
      dataDir: config.dataDir,
      fs: options.fs,
      clock: options.clock,
      defaults: config.topicDefaults,
      logger: log('replicas'),
      replication: { replicaLagTimeMaxMs: cluster.replicaLagTimeMaxMs },
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
      ...(options.removeDirectory === undefined ? {} : { removeDirectory: options.removeDirectory }),
    });
    let node: ClusterNode | undefined;
    const replication = new ReplicaManager({
      nodeId: config.nodeId,
      replicas,
      controller: controllerClient,
      brokerEpoch: () => node?.lifecycle?.epoch ?? -1,
      waiters: options.waiters,
      clock: options.clock,
      logger: log('replication'),
      rpcEndpointName: RPC_ENDPOINT_NAME,
      onBecameLeader: (handle) => options.producers.forget(handle.log),
      onLogFailure: (error) => options.onFatal(error),
      ...seams,
    });
    const topics = new ClusterTopicManager({
      nodeId: config.nodeId,
      quorum,
      controller: controllerClient,
      replicas,
      defaults: config.topicDefaults,
      logger: log('topics'),
      clock: options.clock,
      caughtUp: () => node?.lifecycle?.caughtUp ?? false,
      // Judged on the image being applied, not the latest one: reconciling takes time, and an
      // older image may still name this node leader for its previous incarnation.
      afterReconcile: (image) => replication.apply(image, node?.lifecycle?.registeredIn(image.offset) ?? false),
    });
    membership = new SwimGossip({
      selfId: config.nodeId,
      members: new Map(config.voters.map((v) => [v.nodeId, { host: v.host, port: v.port }])),
      logger: log('membership'),
      clock: options.clock,
      random: options.random,
      ...seams,
    });
    node = new ClusterNode(options, quorum, controller, controllerClient, topics, replication, membership, replicas);
    return node;
  }

  /** The gRPC services this node serves: Raft for the quorum, Controller for brokers and admin. */
  rpcServices(): AdditionalRpcService[] {
    return [this.quorum.rpcService(), this.replication.rpcService(), this.membership.rpcService(), controllerRpcService(this.controller, this.quorum, this.options.clock, componentLogger(this.options.rootLogger, 'controller', this.options.config.nodeId))];
  }

  /**
   * Registers with the controller, one endpoint per Kafka listener under its name at its advertised
   * address (ports as bound) plus the gRPC endpoint, and keeps heartbeating.
   */
  begin(listeners: readonly KafkaListenerConfig[], rpcAdvertise: HostPort): void {
    const config = this.options.config;
    this.lifecycle = new BrokerLifecycle({
      brokerId: config.nodeId,
      endpoints: [
        ...listeners.map(({ name, advertise }) => ({ name, host: advertise.host, port: advertise.port, securityProtocol: PLAINTEXT_PROTOCOL })),
        { name: RPC_ENDPOINT_NAME, host: rpcAdvertise.host, port: rpcAdvertise.port, securityProtocol: PLAINTEXT_PROTOCOL },
      ],
      rack: null,
      quorum: this.quorum,
      controller: this.controllerClient,
      logger: componentLogger(this.options.rootLogger, 'lifecycle', config.nodeId),
      heartbeatIntervalMs: this.options.cluster.brokerHeartbeatIntervalMs,
      random: this.options.random,
      ...(this.options.scheduler === undefined ? {} : { scheduler: this.options.scheduler }),
    });
    this.lifecycle.start();
  }

  /** Unfenced: registered, caught up with the metadata, and accepted by the controller. */
  get isActive(): boolean {
    return this.lifecycle?.state === 'active';
  }

  /** This node's gossip view: false for a broker it believes unreachable (suspect or dead). */
  isReachable(nodeId: number): boolean {
    return nodeId === this.options.config.nodeId || this.membership.isAlive(nodeId);
  }

  controllerId(): number {
    return this.quorum.leaderId ?? -1;
  }

  /**
   * Live brokers at their endpoint for the named listener, as Metadata lists them (fenced ones, and
   * those without that listener, are left out, as Kafka does).
   */
  brokers(listenerName: string): BrokerAddress[] {
    const image = this.quorum.image;
    const out: BrokerAddress[] = [];
    for (const id of unfencedBrokerIds(image)) {
      const broker = image.brokers.get(id)!;
      const endpoint = broker.endpoints.find((e) => e.name === listenerName);
      if (endpoint !== undefined) out.push({ nodeId: id, host: endpoint.host, port: endpoint.port, rack: broker.rack });
    }
    return out;
  }

  /**
   * Controlled shutdown first (leaderships move while this node still answers). Bounded by
   * `timeoutMs` and at most CONTROLLED_SHUTDOWN_MAX_MS: it is one heartbeat and one commit, and
   * when the quorum is gone (the last nodes of a cluster stopping) it cannot succeed anyway.
   */
  async leave(timeoutMs: number): Promise<void> {
    await this.lifecycle?.stop(Math.min(timeoutMs, CONTROLLED_SHUTDOWN_MAX_MS));
  }

  /** Stops fetching from leaders (before the logs close). */
  async stopReplication(): Promise<void> {
    await this.replication.close();
  }

  /** After the listeners are closed and the logs flushed: stops the controller and the quorum. */
  async close(): Promise<void> {
    this.membership.close();
    await this.replication.close();
    this.controller.close();
    this.controllerClient.close();
    await this.quorum.close();
  }
}
