/**
 * The partition logs this broker holds as a replica, kept in step with the committed metadata:
 * a log is opened for every partition whose replica set names this broker, reopened when the
 * topic's log configs change, and closed and removed when its topic is deleted.
 *
 * Layout: `<dataDir>/replicas/<topic id, 32 hex>-<partition>/`, one PartitionLog each. Naming
 * directories by topic id (not name, as Kafka does) means a topic deleted and created again under
 * the same name can never pick up the old one's files. Directories the metadata does not know are
 * removed once this broker has caught up with the metadata log (never before: a stale image
 * must not delete data).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, FileSystem, Scheduler } from '@tributary/common';
import type { MetadataImage } from '@tributary/metadata';
import type { ReplicationConfig } from '@tributary/replication';
import { LEADER_EPOCH_CHECKPOINT_FILE, LeaderEpochCache, type PartitionLog } from '@tributary/storage';
import type pino from 'pino';
import type { TopicDefaults } from '../config/broker-config.js';
import { logConfigOf, openPartitionLog, type PartitionOpenContext } from '../state/local-partition.js';
import { resolveTopicConfig } from '../state/topic-configs.js';
import { ReplicatedPartition } from '../replication/replicated-partition.js';
import type { PartitionHandle, PartitionInfo, PartitionReplication } from '../state/topic-manager.js';
import { topicOverrides } from './topic-views.js';

/** A partition replica held here: what handlers get when this broker leads it. */
export class ReplicaHandle implements PartitionHandle {
  leaderId = -1;
  leaderEpoch = 0;
  replicas: readonly number[] = [];
  isr: readonly number[] = [];
  offlineReplicas: readonly number[] = [];
  /** Role, leader-epoch cache and high watermark (replication/replicated-partition.ts). */
  readonly replicated: ReplicatedPartition;

  constructor(
    readonly topic: string,
    readonly index: number,
    readonly topicId: string,
    public log: PartitionLog,
    epochCache: LeaderEpochCache,
    private readonly nodeId: number,
    clock: Clock,
    replication: Partial<ReplicationConfig>,
    scheduler?: Scheduler,
  ) {
    this.replicated = new ReplicatedPartition(() => this.log, epochCache, clock, replication, scheduler);
  }

  get highWatermark(): number {
    return this.replicated.highWatermark;
  }

  /** acks=all waits through this while this broker leads the partition. */
  get replication(): PartitionReplication | undefined {
    return this.replicated.role === 'leader' ? this.replicated : undefined;
  }

  update(info: PartitionInfo): void {
    this.leaderId = info.leaderId;
    this.leaderEpoch = info.leaderEpoch;
    this.replicas = info.replicas;
    this.isr = info.isr;
    this.offlineReplicas = this.log.offlineError === null ? [] : [this.nodeId];
  }
}

interface Replica {
  readonly handle: ReplicaHandle;
  readonly topicId: string;
  readonly dir: string;
  /** The log config the log was opened with, to notice changes. */
  logConfigKey: string;
}

export interface LocalReplicasOptions {
  readonly nodeId: number;
  readonly dataDir: string;
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly scheduler?: Scheduler;
  readonly defaults: TopicDefaults;
  readonly logger: pino.Logger;
  readonly replication?: Partial<ReplicationConfig>;
  /** Removes a replica directory and everything in it (default: node's recursive rm). */
  readonly removeDirectory?: (path: string) => Promise<void>;
}

const REPLICA_DIR = /^([0-9a-f]{32})-(\d+)$/;

export class LocalReplicas {
  private readonly replicas = new Map<string, Replica>();
  private readonly root: string;
  private readonly openContext: PartitionOpenContext;
  private straysRemoved = false;
  private rootSynced = false;

  constructor(private readonly options: LocalReplicasOptions) {
    this.root = join(options.dataDir, 'replicas');
    this.openContext = { fs: options.fs, clock: options.clock, logger: options.logger, ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }) };
  }

  get(topicId: string, partition: number): ReplicaHandle | undefined {
    return this.replicas.get(key(topicId, partition))?.handle;
  }

  handles(): ReplicaHandle[] {
    return [...this.replicas.values()].map((r) => r.handle);
  }

  /** Brings the open logs in line with `image`. Callers run one reconcile at a time. */
  async reconcile(image: MetadataImage, caughtUp: boolean): Promise<void> {
    if (!this.rootSynced) {
      // The replicas directory's entry must be durable before any log under it counts as durable:
      // after a power loss an unsynced entry takes every fsynced log beneath it along.
      await this.options.fs.mkdir(this.root).catch(() => undefined);
      await this.options.fs.syncDirectory(this.options.dataDir);
      this.rootSynced = true;
    }
    const wanted = new Set<string>();
    for (const topic of image.topicsById.values()) {
      const config = resolveTopicConfig(topicOverrides(image, topic.name), this.options.defaults);
      const logConfigKey = JSON.stringify(logConfigOf(config));
      for (const p of topic.partitions.values()) {
        if (!p.replicas.includes(this.options.nodeId)) continue;
        const k = key(topic.topicId, p.partition);
        wanted.add(k);
        let replica = this.replicas.get(k);
        const dir = join(this.root, k);
        if (replica === undefined) {
          const log = await openPartitionLog(this.openContext, dir, config, { topic: topic.name, partition: p.partition });
          const epochCache = await this.openEpochCache(dir, log, topic.name, p.partition);
          const handle = new ReplicaHandle(topic.name, p.partition, topic.topicId, log, epochCache, this.options.nodeId, this.options.clock, this.options.replication ?? {}, this.options.scheduler);
          replica = { handle, topicId: topic.topicId, dir, logConfigKey };
          this.replicas.set(k, replica);
          this.options.logger.info({ topic: topic.name, partition: p.partition, dir }, 'replica opened');
        } else if (replica.logConfigKey !== logConfigKey) {
          await this.closeLog(replica);
          replica.handle.log = await openPartitionLog(this.openContext, dir, config, { topic: topic.name, partition: p.partition });
          replica.logConfigKey = logConfigKey;
        }
        replica.handle.update({ index: p.partition, leaderId: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, offlineReplicas: [] });
      }
    }
    for (const [k, replica] of [...this.replicas]) {
      if (wanted.has(k)) continue;
      this.replicas.delete(k);
      replica.handle.replicated.close();
      await this.closeLog(replica);
      await this.remove(replica.dir);
      this.options.logger.info({ topic: replica.handle.topic, partition: replica.handle.index }, 'replica removed (topic deleted or moved away)');
    }
    if (caughtUp && !this.straysRemoved) {
      this.straysRemoved = true;
      await this.removeStrays(wanted);
    }
  }

  async close(): Promise<void> {
    for (const replica of this.replicas.values()) {
      replica.handle.replicated.close();
      await this.closeLog(replica);
    }
    this.replicas.clear();
  }

  /**
   * The replica's leader-epoch cache from its checkpoint, cut back to the log's end (a crash may
   * have lost records whose epoch was already recorded). An unreadable checkpoint starts empty:
   * the next leader change repopulates it, and until then divergence falls back to full
   * truncation, which is safe.
   */
  private async openEpochCache(dir: string, log: PartitionLog, topic: string, partition: number): Promise<LeaderEpochCache> {
    const loaded = await LeaderEpochCache.load(this.options.fs, join(dir, LEADER_EPOCH_CHECKPOINT_FILE));
    if (!loaded.ok) {
      this.options.logger.error({ topic, partition, err: loaded.error }, 'leader-epoch checkpoint unreadable; starting empty');
      return LeaderEpochCache.inMemory();
    }
    const cache = loaded.value;
    if (cache.truncateFromEnd(log.logEndOffset).length > 0) await cache.flush();
    return cache;
  }

  private async removeStrays(wanted: ReadonlySet<string>): Promise<void> {
    const names = await this.options.fs.readdir(this.root).catch(() => [] as string[]);
    for (const name of names) {
      if (!REPLICA_DIR.test(name) || wanted.has(name)) continue;
      this.options.logger.warn({ dir: name }, 'removing a replica directory the metadata does not know');
      await this.remove(join(this.root, name));
    }
  }

  private async closeLog(replica: Replica): Promise<void> {
    const closed = await replica.handle.log.close();
    if (!closed.ok) this.options.logger.warn({ topic: replica.handle.topic, partition: replica.handle.index, err: closed.error }, 'log closed uncleanly');
  }

  private async remove(dir: string): Promise<void> {
    const removeDirectory = this.options.removeDirectory ?? ((path: string) => rm(path, { recursive: true, force: true }));
    await removeDirectory(dir).catch((error: unknown) => this.options.logger.error({ dir, err: error }, 'could not remove replica directory'));
  }
}

function key(topicId: string, partition: number): string {
  return `${topicId}-${partition}`;
}
