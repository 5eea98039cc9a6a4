/**
 * The TopicManager of a single broker: topics and their partition logs under
 * `<dataDir>/topics/` (layout and crash safety in topic-metadata-store.ts), configs from
 * topic-configs.ts over the broker's TopicDefaults.
 *
 * - Admin operations (create, delete, createPartitions, alterConfigs) run one at a time per
 *   topic name, keyed so that names colliding in '.' vs '_' share a queue; reads (topics(),
 *   partition(), describeConfigs) see the last committed state and never wait.
 * - A change is on disk before it shows in memory; a deletion removes the topic from view, closes
 *   its logs, then renames its directory away (the durable step) before removing the files.
 * - A partition whose log cannot be opened is served offline (see offline-partition-log.ts).
 * - A config change that the log applies (segment.*, retention.*, max.message.bytes,
 *   message.timestamp.type) reopens the topic's logs, since a PartitionLog's config is fixed:
 *   requests racing the reopen get NOT_LEADER_OR_FOLLOWER (retriable) from the closed log.
 */
import { randomBytes } from 'node:crypto';
import { err, ok, type Clock, type FileSystem, type Result } from '@tributary/common';
import type { Scheduler } from '@tributary/storage';
import type pino from 'pino';
import type { TopicDefaults } from '../config/broker-config.js';
import { applyAlteration } from './config-alterations.js';
import { KeyedMutex } from './keyed-mutex.js';
import { LocalPartitionHandle, maintainPartition, openPartitionLog, type PartitionOpenContext } from './local-partition.js';
import { adminError, type TopicAdminFailure } from './topic-admin-error.js';
import { LOG_CONFIG_NAMES, describeTopicConfigs, resolveTopicConfig, validateOverrides } from './topic-configs.js';
import type { ConfigAlteration, ConfigEntry, CreateTopicRequest, PartitionHandle, TopicAdminError, TopicManager, TopicState } from './topic-manager.js';
import { TopicMetadataStore, type TopicMetadata } from './topic-metadata-store.js';
import { collisionError, collisionKey, isInternalTopic, validateTopicName } from './topic-names.js';

export interface TopicManagerLimits {
  /** Partitions across all topics at most (each is an open log with its files). */
  readonly partitionsMax: number;
  /** Admin operations waiting on one topic at most; more are refused (REQUEST_TIMED_OUT). */
  readonly adminWaitersPerTopicMax: number;
}

export const defaultTopicManagerLimits: TopicManagerLimits = { partitionsMax: 100_000, adminWaitersPerTopicMax: 256 };

export interface LocalTopicManagerOptions {
  readonly dataDir: string;
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly defaults: TopicDefaults;
  readonly logger: pino.Logger;
  readonly scheduler?: Scheduler;
  readonly limits?: Partial<TopicManagerLimits>;
  /** Source of topic ids (16 bytes); default crypto randomness. */
  readonly randomBytes?: (size: number) => Buffer;
  /** This broker's id: the leader and only replica of every partition (default 1). */
  readonly nodeId?: number;
}

interface LocalTopic {
  metadata: TopicMetadata;
  state: TopicState;
  readonly handles: LocalPartitionHandle[];
}

/** A topic id that is all zeros is Kafka's "no id"; one starting with '-' confuses command lines (Kafka avoids both). */
function newTopicId(random: (size: number) => Buffer): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA') return id;
  }
}

export class LocalTopicManager implements TopicManager {
  private readonly byName = new Map<string, LocalTopic>();
  private readonly byId = new Map<string, LocalTopic>();
  /** Collision key → the topic name holding it. */
  private readonly byCollisionKey = new Map<string, string>();
  /** Topic directories whose metadata could not be read: their names stay taken. */
  private readonly unreadable = new Set<string>();
  private readonly mutex: KeyedMutex;
  private readonly running = new Set<Promise<unknown>>();
  private snapshot: readonly TopicState[] = [];
  private closed = false;

  private constructor(
    private readonly store: TopicMetadataStore,
    private readonly partitionCtx: PartitionOpenContext,
    private readonly defaults: TopicDefaults,
    private readonly limits: TopicManagerLimits,
    private readonly random: (size: number) => Buffer,
    private readonly nodeId: number,
  ) {
    this.mutex = new KeyedMutex(limits.adminWaitersPerTopicMax);
  }

  static async open(options: LocalTopicManagerOptions): Promise<Result<LocalTopicManager, TopicAdminError>> {
    const logger = options.logger.child({ component: 'topic-manager' });
    const store = new TopicMetadataStore(options.fs, options.dataDir);
    const ctx: PartitionOpenContext = { fs: options.fs, clock: options.clock, logger, ...(options.scheduler ? { scheduler: options.scheduler } : {}) };
    const limits = { ...defaultTopicManagerLimits, ...options.limits };
    const manager = new LocalTopicManager(store, ctx, options.defaults, limits, options.randomBytes ?? randomBytes, options.nodeId ?? 1);
    const initialised = await store.init();
    if (!initialised.ok) return initialised;
    const loaded = await store.loadAll();
    if (!loaded.ok) return loaded;
    for (const entry of loaded.value) {
      if (entry.kind === 'unreadable') {
        logger.error({ dir: entry.dir, reason: entry.reason }, 'topic directory skipped: its metadata is unreadable');
        manager.unreadable.add(entry.dir);
        continue;
      }
      await manager.load(entry.metadata);
    }
    manager.publish();
    logger.info({ topics: manager.byName.size, partitions: manager.partitionCount() }, 'topics loaded');
    return ok(manager);
  }

  private async load(stored: TopicMetadata): Promise<void> {
    const configs: Record<string, string> = {};
    for (const [name, value] of Object.entries(stored.configs)) {
      // A config that a newer or older build wrote and this one rejects is dropped, not fatal.
      const checked = validateOverrides({ [name]: value });
      if (checked.ok) configs[name] = checked.value[name]!;
      else this.partitionCtx.logger.warn({ topic: stored.name, config: name, value, reason: checked.error.message }, 'stored topic config ignored');
    }
    const metadata = { ...stored, configs };
    const config = resolveTopicConfig(metadata.configs, this.defaults);
    const handles = await this.openHandles(metadata, 0, config);
    this.insert({ metadata, handles, state: this.stateOf(metadata, handles) });
  }

  // ---- reads ---------------------------------------------------------------------------------

  topics(): readonly TopicState[] {
    return this.snapshot;
  }

  topic(name: string): TopicState | undefined {
    return this.byName.get(name)?.state;
  }

  topicById(topicId: string): TopicState | undefined {
    return this.byId.get(topicId)?.state;
  }

  partition(topic: string, index: number): PartitionHandle | undefined {
    return this.byName.get(topic)?.handles[index];
  }

  validateTopicName(name: string): Result<void, TopicAdminError> {
    return validateTopicName(name);
  }

  describeConfigs(name: string, keys: readonly string[] | null): Result<readonly ConfigEntry[], TopicAdminError> {
    const topic = this.byName.get(name);
    if (topic === undefined) return err(unknownTopic(name));
    return ok(describeTopicConfigs(topic.metadata.configs, this.defaults, keys));
  }

  // ---- admin operations ----------------------------------------------------------------------

  createTopic(request: CreateTopicRequest): Promise<Result<TopicState, TopicAdminError>> {
    const checked = this.checkCreate(request);
    if (!checked.ok) return Promise.resolve(checked);
    return this.exclusive(request.name, () => this.createLocked(request, checked.value.partitionCount, checked.value.configs));
  }

  private checkCreate(request: CreateTopicRequest): Result<{ partitionCount: number; configs: Record<string, string> }, TopicAdminFailure> {
    const { name } = request;
    const valid = validateTopicName(name);
    if (!valid.ok) return valid;
    if (isInternalTopic(name) && request.internal !== true) return err(adminError('INVALID_REQUEST', `Creation of internal topic ${name} is prohibited.`));
    const partitionCount = request.numPartitions === -1 ? this.defaults.numPartitions : request.numPartitions;
    if (!Number.isSafeInteger(partitionCount) || partitionCount < 1) {
      return err(adminError('INVALID_PARTITIONS', 'Number of partitions was set to an invalid non-positive value.'));
    }
    const replicas = request.replicationFactor === -1 ? this.defaults.replicationFactor : request.replicationFactor;
    if (replicas < 1) return err(adminError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0, or -1 to use the default value.'));
    if (replicas > 1) {
      return err(
        adminError(
          'INVALID_REPLICATION_FACTOR',
          `Unable to replicate the partition ${replicas} time(s): The target replication factor of ${replicas} cannot be reached because only 1 broker(s) are registered.`,
        ),
      );
    }
    const configs = validateOverrides(request.configs);
    if (!configs.ok) return configs;
    return ok({ partitionCount, configs: configs.value });
  }

  private async createLocked(request: CreateTopicRequest, partitionCount: number, configs: Record<string, string>): Promise<Result<TopicState, TopicAdminError>> {
    const { name } = request;
    if (this.byName.has(name)) return err(adminError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`));
    if (this.unreadable.has(name)) return err(adminError('KAFKA_STORAGE_ERROR', `Topic '${name}' exists on disk but its metadata is unreadable.`));
    const colliding = this.byCollisionKey.get(collisionKey(name));
    if (colliding !== undefined) return err(collisionError(name, colliding));
    const room = this.checkPartitionRoom(partitionCount);
    if (!room.ok) return room;
    const internal = request.internal === true;
    if (request.validateOnly) {
      const metadata: TopicMetadata = { name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionCount, internal, configs };
      return ok(this.stateOf(metadata, []));
    }
    const metadata: TopicMetadata = { name, topicId: newTopicId(this.random), partitionCount, internal, configs };
    const created = await this.store.createTopic(metadata);
    if (!created.ok) return created;
    const handles = await this.openHandles(metadata, 0, resolveTopicConfig(configs, this.defaults));
    const topic: LocalTopic = { metadata, handles, state: this.stateOf(metadata, handles) };
    this.insert(topic);
    this.publish();
    this.partitionCtx.logger.info({ topic: name, topicId: metadata.topicId, partitions: partitionCount, configs }, 'topic created');
    return ok(topic.state);
  }

  deleteTopic(name: string): Promise<Result<void, TopicAdminError>> {
    return this.exclusive(name, async () => {
      const topic = this.byName.get(name);
      if (topic === undefined) return err(unknownTopic(name));
      if (topic.metadata.internal) return err(adminError('INVALID_REQUEST', `Topic ${name} is an internal topic and cannot be deleted.`));
      // Out of view first: no new request finds it; requests holding a handle see a closed log.
      this.remove(topic);
      this.publish();
      await this.closeLogs(topic.handles);
      const trashed = await this.store.moveToTrash(topic.metadata);
      if (!trashed.ok) {
        this.partitionCtx.logger.error({ topic: name, err: trashed.error }, 'topic deletion failed; the topic stays');
        await this.reopenLogs(topic, resolveTopicConfig(topic.metadata.configs, this.defaults));
        this.insert(topic);
        this.publish();
        return trashed;
      }
      const purged = await this.store.purge(trashed.value);
      if (!purged.ok) this.partitionCtx.logger.warn({ topic: name, err: purged.error }, 'deleted topic files not all removed; the next start finishes');
      this.partitionCtx.logger.info({ topic: name, topicId: topic.metadata.topicId }, 'topic deleted');
      return ok(undefined);
    });
  }

  createPartitions(name: string, totalCount: number, validateOnly: boolean): Promise<Result<void, TopicAdminError>> {
    return this.exclusive(name, async () => {
      const topic = this.byName.get(name);
      if (topic === undefined) return err(adminError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${name}' does not exist.`));
      const current = topic.metadata.partitionCount;
      if (!Number.isSafeInteger(totalCount) || totalCount < current) {
        return err(adminError('INVALID_PARTITIONS', `Topic currently has ${current} partitions, which is higher than the requested ${totalCount}.`));
      }
      if (totalCount === current) return err(adminError('INVALID_PARTITIONS', `Topic already has ${current} partitions.`));
      const room = this.checkPartitionRoom(totalCount - current);
      if (!room.ok) return room;
      if (validateOnly) return ok(undefined);
      const metadata = { ...topic.metadata, partitionCount: totalCount };
      const added = await this.store.addPartitions(metadata, current);
      if (!added.ok) return added;
      const handles = await this.openHandles(metadata, current, topic.state.config);
      topic.handles.push(...handles);
      this.update(topic, metadata);
      this.partitionCtx.logger.info({ topic: name, from: current, to: totalCount }, 'partitions created');
      return ok(undefined);
    });
  }

  alterConfigs(name: string, alteration: ConfigAlteration, validateOnly: boolean): Promise<Result<void, TopicAdminError>> {
    return this.exclusive(name, async () => {
      const topic = this.byName.get(name);
      if (topic === undefined) return err(unknownTopic(name));
      const next = applyAlteration(topic.metadata.configs, alteration, this.defaults);
      if (!next.ok) return next;
      if (validateOnly) return ok(undefined);
      const metadata = { ...topic.metadata, configs: next.value };
      const written = await this.store.writeMetadata(metadata);
      if (!written.ok) return written;
      const before = topic.state.config;
      this.update(topic, metadata);
      const after = topic.state.config;
      if ([...LOG_CONFIG_NAMES].some((key) => before.overrides[key] !== after.overrides[key])) await this.reopenLogs(topic, after);
      this.partitionCtx.logger.info({ topic: name, configs: next.value }, 'topic configs altered');
      return ok(undefined);
    });
  }

  // ---- background and lifecycle --------------------------------------------------------------

  async enforceRetention(): Promise<void> {
    for (const topic of [...this.byName.values()]) {
      for (const handle of topic.handles) await maintainPartition(this.partitionCtx, handle);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    // Admin operations under way finish first, so none opens a log after this closes them.
    await Promise.allSettled([...this.running]);
    for (const topic of this.byName.values()) await this.closeLogs(topic.handles);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private exclusive<T>(name: string, operation: () => Promise<Result<T, TopicAdminError>>): Promise<Result<T, TopicAdminError>> {
    if (this.closed) return Promise.resolve(err(adminError('KAFKA_STORAGE_ERROR', 'The broker is shutting down.')));
    const run = this.mutex.run(collisionKey(name), () => (this.closed ? Promise.resolve(err(adminError('KAFKA_STORAGE_ERROR', 'The broker is shutting down.'))) : operation()));
    if (run === null) return Promise.resolve(err(adminError('REQUEST_TIMED_OUT', `Too many admin operations are waiting on topic '${name}'.`)));
    this.running.add(run);
    void run.finally(() => this.running.delete(run)).catch(() => undefined);
    return run;
  }

  private checkPartitionRoom(adding: number): Result<void, TopicAdminFailure> {
    const total = this.partitionCount() + adding;
    if (total <= this.limits.partitionsMax) return ok(undefined);
    return err(adminError('POLICY_VIOLATION', `This would make ${total} partitions on the broker, above its limit of ${this.limits.partitionsMax}.`));
  }

  private partitionCount(): number {
    let count = 0;
    for (const topic of this.byName.values()) count += topic.metadata.partitionCount;
    return count;
  }

  private async openHandles(metadata: TopicMetadata, from: number, config: TopicState['config']): Promise<LocalPartitionHandle[]> {
    const handles: LocalPartitionHandle[] = [];
    for (let p = from; p < metadata.partitionCount; p++) {
      const log = await openPartitionLog(this.partitionCtx, this.store.partitionDir(metadata.name, p), config, { topic: metadata.name, partition: p });
      handles.push(new LocalPartitionHandle(metadata.name, p, log, this.nodeId));
    }
    return handles;
  }

  private async reopenLogs(topic: LocalTopic, config: TopicState['config']): Promise<void> {
    for (const handle of topic.handles) {
      await this.closeLogs([handle]);
      handle.log = await openPartitionLog(this.partitionCtx, this.store.partitionDir(handle.topic, handle.index), config, { topic: handle.topic, partition: handle.index });
    }
  }

  private async closeLogs(handles: readonly LocalPartitionHandle[]): Promise<void> {
    for (const handle of handles) {
      const closed = await handle.log.close();
      if (!closed.ok) this.partitionCtx.logger.warn({ topic: handle.topic, partition: handle.index, err: closed.error }, 'log closed uncleanly; recovery runs on the next open');
    }
  }

  private stateOf(metadata: TopicMetadata, handles: readonly LocalPartitionHandle[]): TopicState {
    return Object.freeze({
      name: metadata.name,
      topicId: metadata.topicId,
      isInternal: metadata.internal,
      partitions: Object.freeze([...handles]),
      config: resolveTopicConfig(metadata.configs, this.defaults),
    });
  }

  private update(topic: LocalTopic, metadata: TopicMetadata): void {
    topic.metadata = metadata;
    topic.state = this.stateOf(metadata, topic.handles);
    this.publish();
  }

  private insert(topic: LocalTopic): void {
    this.byName.set(topic.metadata.name, topic);
    this.byId.set(topic.metadata.topicId, topic);
    this.byCollisionKey.set(collisionKey(topic.metadata.name), topic.metadata.name);
  }

  private remove(topic: LocalTopic): void {
    this.byName.delete(topic.metadata.name);
    this.byId.delete(topic.metadata.topicId);
    this.byCollisionKey.delete(collisionKey(topic.metadata.name));
  }

  /** A new list for topics(): callers may hold the old one. */
  private publish(): void {
    this.snapshot = Object.freeze([...this.byName.values()].map((topic) => topic.state).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }
}

function unknownTopic(name: string): TopicAdminFailure {
  return adminError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host the topic '${name}'.`);
}
