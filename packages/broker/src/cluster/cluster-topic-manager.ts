/**
 * The TopicManager of a broker in a cluster. Reads come from the committed metadata image (every
 * broker answers the same); changes are checked here as Kafka's brokers check them, forwarded to
 * the active controller, and answered once the change has been applied to this broker's own
 * image, so the client's next request to this broker sees it. The logs this broker holds follow
 * the image (local-replicas.ts); `partition()` hands out the ones it leads.
 *
 * AlterConfigs is read-modify-write on this broker's image: two brokers altering different keys
 * of one topic at the same instant can lose one of the changes (the controller applies each
 * request's full set of changed keys). Kafka serialises these in its controller; so will we when
 * the controller takes per-key operations.
 */
import { err, ok, TributaryError, type Clock, type Result } from '@tributary/common';
import type { MetadataImage } from '@tributary/metadata';

import type pino from 'pino';
import type { TopicDefaults } from '../config/broker-config.js';
import { applyAlteration } from '../state/config-alterations.js';
import { adminError } from '../state/topic-admin-error.js';
import { maintainPartition } from '../state/local-partition.js';
import { describeTopicConfigs, resolveTopicConfig, validateOverrides } from '../state/topic-configs.js';
import type { ConfigAlteration, ConfigEntry, CreateTopicRequest, PartitionHandle, TopicAdminError, TopicManager, TopicState } from '../state/topic-manager.js';
import { collisionError, collisionKey, isInternalTopic, validateTopicName } from '../state/topic-names.js';
import type { ControllerClient } from './controller-client.js';
import type { Outcome } from './controller-proto.js';
import type { LocalReplicas } from './local-replicas.js';
import type { MetadataQuorum } from './metadata-quorum.js';
import { buildTopicViews, topicOverrides, type TopicViews } from './topic-views.js';

/** A refusal from the controller (or the wait after it), with the code it gave. */
class ControllerAdminError extends TributaryError implements TopicAdminError {
  override readonly name = 'TopicAdminError';
  constructor(
    override readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ClusterTopicManagerOptions {
  readonly nodeId: number;
  readonly quorum: MetadataQuorum;
  readonly controller: ControllerClient;
  readonly replicas: LocalReplicas;
  readonly defaults: TopicDefaults;
  readonly logger: pino.Logger;
  readonly clock: Clock;
  /** This broker has caught up with the metadata log (stray replica directories may go). */
  readonly caughtUp: () => boolean;
  /** How long an admin change may take end to end (controller, commit, local apply). */
  readonly adminTimeoutMs?: number;
  /** Runs after each reconcile of the logs with the image it followed (replica roles). */
  readonly afterReconcile?: (image: MetadataImage) => Promise<void>;
}

const ZERO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/**
 * A replicated topic created without min.insync.replicas gets RF-1, between 1 and 2 (2 for the
 * usual replication factor 3), so acks=all survives one broker's loss and means two copies;
 * Kafka's default of 1 would let acks=all succeed with a single copy. A broker default above 1
 * (--min-insync-replicas) is left to apply instead.
 */
function withMinInsyncDefault(configs: Record<string, string>, replicationFactor: number, defaults: TopicDefaults): Record<string, string> {
  if (configs['min.insync.replicas'] !== undefined || defaults.minInsyncReplicas > 1 || replicationFactor < 3) return configs;
  return { ...configs, 'min.insync.replicas': String(Math.min(2, replicationFactor - 1)) };
}

export class ClusterTopicManager implements TopicManager {
  private views: TopicViews;
  private reconciling: Promise<void> = Promise.resolve();
  private reconcileQueued = false;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: ClusterTopicManagerOptions) {
    this.views = buildTopicViews(options.quorum.image, options.defaults);
    this.unsubscribe = options.quorum.onImage(() => this.scheduleReconcile());
    this.scheduleReconcile();
  }

  // ---- reads ---------------------------------------------------------------------------------

  topics(): readonly TopicState[] {
    return this.current().sorted;
  }

  topic(name: string): TopicState | undefined {
    return this.current().byName.get(name);
  }

  topicById(topicId: string): TopicState | undefined {
    return this.current().byWireId.get(topicId);
  }

  partition(topic: string, index: number): PartitionHandle | undefined {
    const image = this.options.quorum.image;
    const id = image.topicIdsByName.get(topic);
    if (id === undefined) return undefined;
    const handle = this.options.replicas.get(id, index);
    // The handle takes its role only after a reconcile: it serves once it leads at the image's epoch.
    const partition = image.topicsById.get(id)?.partitions.get(index);
    if (handle === undefined || partition === undefined || partition.leader !== this.options.nodeId) return undefined;
    const replicated = handle.replicated;
    return replicated.role === 'leader' && replicated.leaderEpoch === partition.leaderEpoch ? handle : undefined;
  }

  validateTopicName(name: string): Result<void, TopicAdminError> {
    return validateTopicName(name);
  }

  describeConfigs(name: string, keys: readonly string[] | null): Result<readonly ConfigEntry[], TopicAdminError> {
    const image = this.options.quorum.image;
    if (!image.topicIdsByName.has(name)) return err(adminError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${name}' does not exist.`));
    return ok(describeTopicConfigs(topicOverrides(image, name), this.options.defaults, keys));
  }

  // ---- changes, through the controller -------------------------------------------------------

  async createTopic(request: CreateTopicRequest): Promise<Result<TopicState, TopicAdminError>> {
    const { name } = request;
    const valid = validateTopicName(name);
    if (!valid.ok) return valid;
    if (isInternalTopic(name) && request.internal !== true) return err(adminError('INVALID_REQUEST', `Creation of internal topic ${name} is prohibited.`));
    const partitions = request.numPartitions === -1 ? this.options.defaults.numPartitions : request.numPartitions;
    if (!Number.isSafeInteger(partitions) || partitions < 1) return err(adminError('INVALID_PARTITIONS', 'Number of partitions was set to an invalid non-positive value.'));
    const replicationFactor = request.replicationFactor === -1 ? this.options.defaults.replicationFactor : request.replicationFactor;
    if (replicationFactor < 1) return err(adminError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0, or -1 to use the default value.'));
    const configs = validateOverrides(request.configs);
    if (!configs.ok) return configs;
    const image = this.options.quorum.image;
    if (image.topicIdsByName.has(name)) return err(adminError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`));
    const colliding = [...image.topicIdsByName.keys()].find((existing) => collisionKey(existing) === collisionKey(name));
    if (colliding !== undefined) return err(collisionError(name, colliding));
    const live = [...image.brokers.values()].filter((b) => !b.fenced).length;
    if (replicationFactor > live) {
      return err(adminError('INVALID_REPLICATION_FACTOR', `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${live} broker(s) are registered.`));
    }
    if (request.validateOnly) {
      const partitionInfos = Array.from({ length: partitions }, (_, index) => ({ index, leaderId: -1, leaderEpoch: 0, replicas: [], isr: [], offlineReplicas: [] }));
      return ok({ name, topicId: ZERO_TOPIC_ID, isInternal: isInternalTopic(name), partitions: partitionInfos, config: resolveTopicConfig(configs.value, this.options.defaults) });
    }
    const entries = Object.entries(withMinInsyncDefault(configs.value, replicationFactor, this.options.defaults)).map(([key, value]) => ({ key, value }));
    const called = await this.change('createTopic', { name, partitions, replicationFactor, configs: entries });
    if (!called.ok) return called;
    const created = this.topic(name);
    if (created === undefined) return err(adminError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' was deleted as it was created.`));
    this.options.logger.info({ topic: name, topicId: created.topicId, partitions, replicationFactor, configs: configs.value }, 'topic created');
    return ok(created);
  }

  async deleteTopic(name: string): Promise<Result<void, TopicAdminError>> {
    if (isInternalTopic(name)) return err(adminError('INVALID_REQUEST', `Topic ${name} is an internal topic and cannot be deleted.`));
    if (!this.options.quorum.image.topicIdsByName.has(name)) return err(adminError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host the topic '${name}'.`));
    const called = await this.change('deleteTopic', { name });
    if (called.ok) this.options.logger.info({ topic: name }, 'topic deleted');
    return called;
  }

  async createPartitions(name: string, totalCount: number, validateOnly: boolean): Promise<Result<void, TopicAdminError>> {
    const topic = this.topic(name);
    if (topic === undefined) return err(adminError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${name}' does not exist.`));
    const current = topic.partitions.length;
    if (!Number.isSafeInteger(totalCount) || totalCount < current) {
      return err(adminError('INVALID_PARTITIONS', `Topic currently has ${current} partitions, which is higher than the requested ${totalCount}.`));
    }
    if (totalCount === current) return err(adminError('INVALID_PARTITIONS', `Topic already has ${current} partitions.`));
    if (validateOnly) return ok(undefined);
    return this.change('createPartitions', { name, total: totalCount });
  }

  async alterConfigs(name: string, alteration: ConfigAlteration, validateOnly: boolean): Promise<Result<void, TopicAdminError>> {
    const image = this.options.quorum.image;
    if (!image.topicIdsByName.has(name)) return err(adminError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host the topic '${name}'.`));
    const current = topicOverrides(image, name);
    const next = applyAlteration(current, alteration, this.options.defaults);
    if (!next.ok) return next;
    if (validateOnly) return ok(undefined);
    const keys = new Set([...Object.keys(current), ...Object.keys(next.value)]);
    const changes = [...keys]
      .filter((key) => current[key] !== next.value[key])
      .map((key) => (next.value[key] === undefined ? { key, set: false, value: '' } : { key, set: true, value: next.value[key]! }));
    if (changes.length === 0) return ok(undefined);
    return this.change('alterTopicConfigs', { name, changes });
  }

  // ---- background and lifecycle --------------------------------------------------------------

  async enforceRetention(): Promise<void> {
    for (const handle of this.options.replicas.handles()) await maintainPartition(this.options, handle);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    await this.reconciling;
    await this.options.replicas.close();
  }

  /** Waits for the logs to follow the image as it is now (tests and startup). */
  async settled(): Promise<void> {
    while (this.reconcileQueued) await this.reconciling;
    await this.reconciling;
  }

  private current(): TopicViews {
    const image = this.options.quorum.image;
    if (this.views.image !== image) this.views = buildTopicViews(image, this.options.defaults);
    return this.views;
  }

  private scheduleReconcile(): void {
    if (this.reconcileQueued || this.closed) return;
    this.reconcileQueued = true;
    this.reconciling = this.reconciling.then(async () => {
      this.reconcileQueued = false;
      if (this.closed) return;
      try {
        const image = this.options.quorum.image;
        await this.options.replicas.reconcile(image, this.options.caughtUp());
        await this.options.afterReconcile?.(image);
      } catch (error) {
        this.options.logger.error({ err: error }, 'replica reconcile failed; retried on the next metadata change');
      }
    });
  }

  /** Sends a change to the controller and waits until this broker's image and logs have it. */
  private async change<M extends 'createTopic' | 'deleteTopic' | 'createPartitions' | 'alterTopicConfigs'>(
    method: M,
    request: Parameters<ControllerClient['call']>[1] & object,
  ): Promise<Result<void, TopicAdminError>> {
    const timeoutMs = this.options.adminTimeoutMs ?? 30_000;
    const deadline = this.options.clock.monotonicMs() + timeoutMs;
    const called = await this.options.controller.call(method, request as never, timeoutMs);
    if (!called.ok) return err(new ControllerAdminError(called.code, called.message));
    const outcome = (called.response as { outcome: Outcome }).outcome;
    if (outcome.errorCode !== 0) return err(new ControllerAdminError(outcome.errorCode, outcome.errorMessage));
    const applied = await this.options.quorum.waitForOffset(outcome.metadataOffset, Math.max(0, deadline - this.options.clock.monotonicMs()));
    if (!applied) return err(adminError('REQUEST_TIMED_OUT', 'The change committed but this broker has not applied it yet.'));
    await this.settled();
    return ok(undefined);
  }
}

