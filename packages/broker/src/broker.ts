/**
 * Assembles and runs one node: HTTP first (so /health answers while logs recover), then the data
 * directory's identity, topics, producer state, the Kafka listeners, the gRPC server and the
 * retention timer. `close()` takes them down in the reverse order: stop accepting, let requests in
 * flight finish (bounded by shutdownTimeoutMs), then flush and close every log.
 */
import { mkdir } from 'node:fs/promises';
import { nodeFileSystem, realScheduler, systemClock, type Clock, type FileSystem, type Random, type Scheduler } from '@tributary/common';
import type { Logger } from 'pino';
import type { BrokerContext } from './broker-context.js';
import type { BrokerConfig, HostPort, KafkaListenerConfig } from './config/broker-config.js';
import type { AnyHandlerSpec } from './handlers/handler.js';
import { HttpServer } from './http/http-server.js';
import { PrometheusMetrics } from './http/prometheus-metrics.js';
import { componentLogger, createRootLogger } from './logging.js';
import { BrokerStartError, openNodeCore, startFailed, type NodeCoreParts } from './node-core.js';
import { RpcServer } from './rpc/rpc-server.js';
import { ConnectionCount, KafkaListener } from './server/kafka-listener.js';
import type { TopicManager } from './state/topic-manager.js';
import { cryptoRandom } from './group/crypto-random.js';
import type { GroupServiceSettings } from './group/group-service.js';

export { BrokerStartError } from './node-core.js';

export interface StartBrokerOptions {
  /** Root logger; by default JSON on stdout at config.logLevel. */
  readonly logger?: Logger;
  /** Default: the real file system (and the data directory is created with its parents). */
  readonly fs?: FileSystem;
  readonly clock?: Clock;
  /** The handler table; default every handler (handlers/index.ts). */
  readonly handlers?: readonly AnyHandlerSpec[];
  /** Group coordination settings (offsets topic partitions, session timeout bounds, ...). */
  readonly groups?: Partial<GroupServiceSettings>;
  /** Randomness for member ids; default node's CSPRNG. */
  readonly random?: Random;
  readonly scheduler?: Scheduler;
  /** The node can no longer serve (its metadata storage failed); default: logged only. */
  readonly onFatal?: (error: Error) => void;
}

export interface RunningBroker {
  /** The port of the first Kafka listener. */
  readonly kafkaPort: number;
  /** Every Kafka listener's bound port, by listener name. */
  readonly listenerPorts: ReadonlyMap<string, number>;
  readonly httpPort: number;
  readonly rpcPort: number;
  /** True once the listener accepts and topics are loaded; false again from the start of close(). */
  readonly ready: boolean;
  /** The context handlers see (the config in it has the bound ports where port 0 was asked for). */
  readonly context: BrokerContext;
  /** Idempotent: every call returns the same shutdown. */
  close(): Promise<void>;
}

/** Started parts, so a failed start (or close) takes down exactly what is up. */
interface Parts extends NodeCoreParts {
  http?: HttpServer;
  listeners?: KafkaListener[];
  rpc?: RpcServer;
  retention?: RetentionTimer;
}

/** Runs retention every interval, never two runs at once. */
class RetentionTimer {
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | null = null;

  constructor(topics: TopicManager, intervalMs: number, logger: Logger) {
    this.timer = setInterval(() => {
      if (this.running !== null) return;
      this.running = topics
        .enforceRetention()
        .catch((error: unknown) => logger.error({ err: error }, 'retention run failed'))
        .finally(() => {
          this.running = null;
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

async function stopParts(parts: Parts, config: BrokerConfig, logger: Logger): Promise<void> {
  // Held JoinGroup/SyncGroup requests are answered first, so the listener can drain.
  parts.groups?.beginShutdown();
  // Controlled shutdown: leaderships move away while this node still answers (also as controller).
  await parts.cluster?.leave(config.shutdownTimeoutMs);
  await Promise.all((parts.listeners ?? []).map((listener) => listener.close(config.shutdownTimeoutMs)));
  await parts.rpc?.close(config.shutdownTimeoutMs);
  await parts.retention?.stop();
  await parts.groups?.close();
  await parts.cluster?.stopReplication();
  await parts.topics?.close();
  logger.info('logs flushed and closed');
  await parts.cluster?.close();
  await parts.http?.close();
}

export async function startBroker(config: BrokerConfig, options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const root = options.logger ?? createRootLogger(config.logLevel);
  const logger = componentLogger(root, 'broker', config.nodeId);
  const fs = options.fs ?? nodeFileSystem;
  const clock = options.clock ?? systemClock;
  const parts: Parts = {};
  let state: 'starting' | 'ready' | 'closing' = 'starting';
  const metricsSources = {
    partitionCount: () => parts.topics?.topics().reduce((n, t) => n + t.partitions.length, 0) ?? 0,
    // A single broker's partitions have one replica each, always in sync.
    underReplicatedPartitions: () =>
      (parts.topics?.topics() ?? []).reduce((n, t) => n + t.partitions.filter((p) => p.leaderId === config.nodeId && p.isr.length < p.replicas.length).length, 0),
    isActiveController: () => parts.cluster?.controller.isActive ?? true,
    openConnections: () => (parts.listeners ?? []).reduce((n, listener) => n + listener.openConnections, 0),
    consumerGroupLag: () =>
      (parts.groups?.committedOffsets() ?? []).flatMap(({ groupId, topic, partition, offset }) => {
        const handle = parts.topics?.partition(topic, partition);
        return handle === undefined ? [] : [{ group: groupId, topic, partition, lag: Math.max(0, handle.highWatermark - Number(offset)) }];
      }),
  };
  const metrics = new PrometheusMetrics(metricsSources, { nodeId: config.nodeId });
  try {
    parts.http = await HttpServer.start(
      config.httpListen,
      { isReady: () => state === 'ready' && (parts.cluster?.isActive ?? true), metrics: async () => ({ contentType: metrics.contentType, text: await metrics.render() }) },
      componentLogger(root, 'http', config.nodeId),
    );
    if (options.fs === undefined) await mkdir(config.dataDir, { recursive: true });
    const env = { fs, clock, scheduler: options.scheduler ?? realScheduler, random: options.random ?? cryptoRandom, ...(options.onFatal === undefined ? {} : { onFatal: options.onFatal }) };
    const core = await openNodeCore(config, env, { ...(options.handlers === undefined ? {} : { handlers: options.handlers }), ...(options.groups === undefined ? {} : { groups: options.groups }) }, parts, root);
    const resolved = await bindListeners(config, parts, root);
    const { context, dispatcher } = core.serve(resolved, metrics);
    for (const listener of parts.listeners ?? []) listener.serve((frame, origin) => dispatcher.dispatch(frame, origin));
    parts.rpc = await RpcServer.start(
      config.rpcListen,
      { nodeId: config.nodeId, clusterId: core.clusterId, nowMs: () => clock.nowMs() },
      componentLogger(root, 'rpc', config.nodeId),
      parts.cluster?.rpcServices() ?? [],
    );
    parts.cluster?.begin(resolved.listeners, rpcAdvertise(config, parts.rpc.port));
    parts.retention = new RetentionTimer(core.topics, config.retentionCheckIntervalMs, logger);
    state = 'ready';
    const listeners = resolved.listeners.map((l) => `${l.name} ${l.listen.host}:${l.listen.port} advertised as ${l.advertise.host}:${l.advertise.port}`);
    const [kafkaPort, rpcPort, httpPort] = [resolved.listeners[0].listen.port, parts.rpc.port, parts.http.port];
    logger.info({ clusterId: core.clusterId, kafkaPort, listeners, rpcPort, httpPort, topics: core.topics.topics().length }, 'broker ready');
    return running(parts as Required<Parts>, context, config, logger, () => state === 'ready', () => {
      state = 'closing';
    });
  } catch (error) {
    state = 'closing';
    logger.error({ err: error }, 'broker failed to start');
    await stopParts(parts, config, logger).catch((e: unknown) => logger.error({ err: e }, 'cleanup after failed start failed'));
    throw error instanceof BrokerStartError ? error : startFailed(`broker failed to start: ${(error as Error).message}`, error);
  }
}

function running(parts: Required<Parts>, context: BrokerContext, config: BrokerConfig, logger: Logger, isReady: () => boolean, markClosing: () => void): RunningBroker {
  let closing: Promise<void> | null = null;
  return {
    kafkaPort: parts.listeners[0].port,
    listenerPorts: new Map(parts.listeners.map((listener) => [listener.name, listener.port])),
    httpPort: parts.http.port,
    rpcPort: parts.rpc.port,
    get ready() {
      return isReady();
    },
    context,
    close() {
      if (closing === null) {
        markClosing();
        logger.info({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutting down');
        closing = stopParts(parts, config, logger).then(() => logger.info('broker stopped'));
      }
      return closing;
    },
  };
}

/** Where peers reach this node's gRPC server: its voter entry, else the listener. */
function rpcAdvertise(config: BrokerConfig, boundPort: number): HostPort {
  const self = config.voters.find((v) => v.nodeId === config.nodeId);
  if (self !== undefined && self.port !== 0) return { host: self.host, port: self.port };
  return { host: config.listeners[0].advertise.host, port: boundPort };
}

/**
 * Binds every Kafka listener, each into `parts` as soon as it is up (so a failed start closes
 * it). Returns the config with bound ports: listen ports, and advertised ports given as 0.
 */
async function bindListeners(config: BrokerConfig, parts: Parts, root: Logger): Promise<BrokerConfig> {
  const logger = componentLogger(root, 'kafka', config.nodeId);
  const connectionCount = new ConnectionCount();
  const bound: KafkaListener[] = [];
  parts.listeners = bound;
  const listeners: KafkaListenerConfig[] = [];
  for (const { name, listen, advertise } of config.listeners) {
    const listener = await KafkaListener.bind(listen, config.limits, logger, { name, connectionCount });
    bound.push(listener);
    listeners.push({ name, listen: { host: listen.host, port: listener.port }, advertise: { host: advertise.host, port: advertise.port === 0 ? listener.port : advertise.port } });
  }
  return { ...config, listeners };
}
