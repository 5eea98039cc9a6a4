/**
 * Test support for the data-path handlers: a small TopicManager over real PartitionLogs on a
 * MemoryFileSystem, a broker context around it, and helpers to build requests' record batches.
 * Not used outside tests.
 */
import { err, ok, MemoryFileSystem, TributaryError, systemClock, type Clock, type Result } from '@tributary/common';
import { encodeRecordBatch, type ApiKey, type RequestHeader } from '@tributary/protocol';
import { PartitionLog, type LogConfig } from '@tributary/storage';
import { singleBrokerAddresses, type BrokerContext } from '../../../broker-context.js';
import { DEFAULT_KAFKA_LISTENER_NAME, defaultLimits, defaultTopicDefaults, type BrokerConfig, type BrokerLimits } from '../../../config/broker-config.js';
import type { BrokerMetrics } from '../../../http/broker-metrics.js';
import { silentLogger } from '../../../logging.js';
import { createPartitionWaiters, type PartitionWaitersImpl } from '../../../state/partition-waiters-impl.js';
import { openProducerStateManager, type ProducerStateManagerImpl } from '../../../state/producer-state-manager.js';
import type { PartitionHandle, TopicConfig, TopicManager, TopicState, TopicAdminError } from '../../../state/topic-manager.js';
import type { RequestContext } from '../../handler.js';

class FakeAdminError extends TributaryError implements TopicAdminError {
  override readonly name = 'FakeAdminError';
  constructor(
    override readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const unsupported = (): never => {
  throw new Error('not in the fake topic manager');
};

function topicConfig(overrides: Partial<TopicConfig>): TopicConfig {
  return {
    maxMessageBytes: defaultTopicDefaults.maxMessageBytes,
    retentionMs: defaultTopicDefaults.retentionMs,
    retentionBytes: -1,
    segmentBytes: defaultTopicDefaults.segmentBytes,
    segmentMs: defaultTopicDefaults.segmentMs,
    minInsyncReplicas: 1,
    messageTimestampType: 'CreateTime',
    cleanupPolicy: 'delete',
    deleteRetentionMs: 24 * 60 * 60 * 1000,
    minCleanableDirtyRatio: 0.5,
    minCompactionLagMs: 0,
    uncleanLeaderElectionEnable: false,
    overrides: {},
    ...overrides,
  };
}

function handleOf(topic: string, index: number, log: PartitionLog, leaderEpoch: number): PartitionHandle {
  return {
    topic,
    index,
    log,
    leaderEpoch,
    leaderId: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    get highWatermark() {
      return log.durableEndOffset;
    },
  };
}

export class FakeTopicManager implements TopicManager {
  private readonly byName = new Map<string, { state: TopicState; handles: PartitionHandle[]; logConfig: Partial<LogConfig> }>();
  readonly created: string[] = [];
  leaderEpoch = 0;

  constructor(
    readonly fs: MemoryFileSystem,
    readonly clock: Clock,
  ) {}

  static async create(clock: Clock = systemClock): Promise<FakeTopicManager> {
    const fs = new MemoryFileSystem();
    await fs.mkdir('/data');
    return new FakeTopicManager(fs, clock);
  }

  async addTopic(name: string, partitions = 1, config: Partial<TopicConfig> = {}, logConfig: Partial<LogConfig> = {}): Promise<TopicState> {
    const handles: PartitionHandle[] = [];
    for (let i = 0; i < partitions; i++) handles.push(handleOf(name, i, await this.openLog(name, i, logConfig), this.leaderEpoch));
    const state: TopicState = { name, topicId: `id-${name}`, isInternal: false, partitions: handles, config: topicConfig(config) };
    this.byName.set(name, { state, handles, logConfig });
    return state;
  }

  /** Closes every log and opens it again (a broker restart, as the handlers see it). */
  async reopenAll(): Promise<void> {
    for (const [name, { state, handles: old, logConfig }] of this.byName) {
      const handles: PartitionHandle[] = [];
      for (const p of old) {
        await p.log.close();
        handles.push(handleOf(name, p.index, await this.openLog(name, p.index, logConfig), this.leaderEpoch));
      }
      this.byName.set(name, { state: { ...state, partitions: handles }, handles, logConfig });
    }
  }

  private async openLog(name: string, index: number, config: Partial<LogConfig>): Promise<PartitionLog> {
    const opened = await PartitionLog.open({ dir: `/data/${name}-${index}`, fs: this.fs, clock: this.clock, config });
    if (!opened.ok) throw opened.error;
    return opened.value;
  }

  topics(): readonly TopicState[] {
    return [...this.byName.values()].map((t) => t.state);
  }
  topic(name: string): TopicState | undefined {
    return this.byName.get(name)?.state;
  }
  topicById(topicId: string): TopicState | undefined {
    return this.topics().find((t) => t.topicId === topicId);
  }
  partition(topic: string, index: number): PartitionHandle | undefined {
    return this.byName.get(topic)?.handles[index];
  }
  async createTopic(request: { name: string; numPartitions: number }): Promise<Result<TopicState, TopicAdminError>> {
    if (this.byName.has(request.name)) return err(new FakeAdminError(36, `topic ${request.name} exists`));
    this.created.push(request.name);
    return ok(await this.addTopic(request.name, request.numPartitions > 0 ? request.numPartitions : 1));
  }
  deleteTopic = unsupported;
  createPartitions = unsupported;
  describeConfigs = unsupported;
  alterConfigs = unsupported;
  validateTopicName(name: string): Result<void, TopicAdminError> {
    return /^[a-zA-Z0-9._-]{1,249}$/.test(name) ? ok(undefined) : err(new FakeAdminError(17, `bad topic name ${name}`));
  }
  async enforceRetention(): Promise<void> {}
  async close(): Promise<void> {
    for (const t of this.byName.values()) for (const p of t.handles) await p.log.close();
  }
}

export class RecordingMetrics implements BrokerMetrics {
  readonly produced: Array<{ topic: string; bytes: number; records: number }> = [];
  readonly fetched: Array<{ topic: string; bytes: number; records: number }> = [];
  recordRequest(): void {}
  recordProduced(topic: string, bytes: number, records: number): void {
    this.produced.push({ topic, bytes, records });
  }
  recordFetched(topic: string, bytes: number, records: number): void {
    this.fetched.push({ topic, bytes, records });
  }
}

export interface TestBroker {
  readonly topics: FakeTopicManager;
  readonly producers: ProducerStateManagerImpl;
  readonly waiters: PartitionWaitersImpl;
  readonly metrics: RecordingMetrics;
  readonly context: BrokerContext;
  /** A request context for `apiKey` at `apiVersion`, with its own abort controller. */
  request(apiKey: ApiKey, apiVersion: number, controller?: AbortController): RequestContext;
}

export async function testBroker(options: { autoCreateTopics?: boolean; limits?: Partial<BrokerLimits>; topics?: FakeTopicManager } = {}): Promise<TestBroker> {
  const topics = options.topics ?? (await FakeTopicManager.create());
  const opened = await openProducerStateManager({ fs: topics.fs, dataDir: '/data', idBlockSize: 10 });
  if (!opened.ok) throw opened.error;
  const producers = opened.value;
  const waiters = createPartitionWaiters({ watchesMax: 100 });
  const metrics = new RecordingMetrics();
  const config = {
    nodeId: 1,
    dataDir: '/data',
    listeners: [{ name: DEFAULT_KAFKA_LISTENER_NAME, listen: { host: '127.0.0.1', port: 9092 }, advertise: { host: '127.0.0.1', port: 9092 } }],
    autoCreateTopics: options.autoCreateTopics ?? true,
    deleteTopicEnable: true,
    topicDefaults: defaultTopicDefaults,
    limits: { ...defaultLimits, ...options.limits },
  } as unknown as BrokerConfig;
  const context: BrokerContext = {
    nodeId: 1,
    clusterId: 'test-cluster',
    config,
    clock: topics.clock,
    topics,
    producers,
    waiters,
    metrics,
    logger: silentLogger(),
    brokers(listenerName) {
      return singleBrokerAddresses(this.config, listenerName);
    },
    controllerId: () => 1,
  };
  const request = (apiKey: ApiKey, apiVersion: number, controller = new AbortController()): RequestContext => {
    const header: RequestHeader = { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId: 1, clientId: 'test' };
    return { header, apiVersion, connectionId: 1, clientAddress: '127.0.0.1:1', listenerName: DEFAULT_KAFKA_LISTENER_NAME, broker: context, signal: controller.signal };
  };
  return { topics, producers, waiters, metrics, context, request };
}

export interface TestBatchSpec {
  readonly records?: number;
  readonly valueBytes?: number;
  readonly timestamp?: number;
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
}

/** Now, so segments do not roll by segment.ms on every append (the clock is the system's). */
export const TEST_TIMESTAMP = Date.now();

/** A producer's record batch (values `v<i>`, padded to valueBytes). */
export function testBatch(spec: TestBatchSpec = {}): Promise<Buffer> {
  const count = spec.records ?? 1;
  const records = Array.from({ length: count }, (_, i) => ({
    attributes: 0,
    timestampDelta: i,
    offsetDelta: i,
    key: null,
    value: Buffer.from(`v${i}`.padEnd(spec.valueBytes ?? 8, '.')),
    headers: [],
  }));
  return encodeRecordBatch({
    baseTimestamp: BigInt(spec.timestamp ?? TEST_TIMESTAMP),
    producerId: spec.producerId,
    producerEpoch: spec.producerEpoch,
    baseSequence: spec.baseSequence,
    records,
  });
}
