// The active controller's decisions (KRaft's QuorumController, issue 6 point 5), pure: time comes
// in as nowMs and randomness as an injected Random. Each decision returns the records to append
// to the metadata log; the controller applies them to its own speculative image at once, so the
// next decision sees them before they commit. A record list that does not apply is a controller
// bug and stops the process (invariant). Broker session times are soft state, not in the image:
// a newly elected controller calls `reset` and every broker gets a fresh session.
import { invariant, ok, type Random } from '@tributary/common';
import { applyRecords } from '../apply-record.js';
import { configsFor, topicByName, unfencedBrokerIds, type MetadataImage, type PartitionImage } from '../metadata-image.js';
import type { BrokerEndpoint, MetadataRecord, PartitionRecord, Uuid } from '../records.js';
import { controllerError, type ControllerResult } from './controller-errors.js';
import { preferredLeaderChanges, repairPartitions } from './leader-election.js';
import { assignReplicas, newTopicId, topicNameProblem } from './replica-assignment.js';
import { alterPartitionRecords, type AlterPartitionRequest, type AlterPartitionResult } from './alter-partition.js';

export interface QuorumControllerConfig {
  /** A broker without a heartbeat for this long is fenced (Kafka's broker.session.timeout.ms). */
  readonly brokerSessionTimeoutMs: number;
  /** Upper bound on partitions per topic, so one request cannot emit an unbounded record list. */
  readonly maxPartitionsPerTopic: number;
  /**
   * A new controller knows no broker's last heartbeat; it gives each this long to check in (at
   * most the session timeout). Live brokers learn of the new controller at once and heartbeat
   * within an interval, so a grace of a few intervals fences a broker that died with the old
   * controller sooner than a whole session would.
   */
  readonly newControllerGraceMs: number;
  /**
   * How often leadership moves back to preferred replicas (Kafka's
   * leader.imbalance.check.interval.seconds, 300 s there); 0 disables it.
   */
  readonly preferredLeaderCheckIntervalMs: number;
  /**
   * A broker reported dead (by the failure detector, see tick) is fenced only once it has also
   * been silent this long: a broker still heartbeating is never fenced on hearsay.
   */
  readonly reportedDeadMinSilenceMs: number;
}

export const defaultQuorumControllerConfig: QuorumControllerConfig = {
  brokerSessionTimeoutMs: 9_000,
  maxPartitionsPerTopic: 10_000,
  newControllerGraceMs: 9_000,
  preferredLeaderCheckIntervalMs: 30_000,
  reportedDeadMinSilenceMs: 2_000,
};

export interface BrokerRegistration {
  readonly brokerId: number;
  readonly incarnationId: Uuid;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
}

export interface HeartbeatRequest {
  /** The broker's log has caught up with the metadata log's end: it may be unfenced. */
  readonly caughtUp: boolean;
  readonly wantFence: boolean;
  readonly wantShutdown: boolean;
}

export interface HeartbeatResult {
  readonly isFenced: boolean;
  readonly shouldShutdown: boolean;
}

export interface CreateTopicRequest {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs?: ReadonlyMap<string, string>;
}

/** Records to append, with what the requester is told once they commit. */
export interface Decision<T> {
  readonly records: readonly MetadataRecord[];
  readonly response: T;
}

export class QuorumController {
  private currentImage: MetadataImage;
  /** Last heartbeat (or registration) time of each broker, by id. */
  private readonly lastContactMs = new Map<number, number>();
  private lastPreferredCheckMs: number;

  constructor(
    image: MetadataImage,
    nowMs: number,
    private readonly random: Random,
    private readonly config: QuorumControllerConfig = defaultQuorumControllerConfig,
  ) {
    this.currentImage = image;
    this.lastPreferredCheckMs = nowMs;
    this.reset(image, nowMs);
  }

  /** The image with every decision so far applied (ahead of the committed one). */
  get image(): MetadataImage {
    return this.currentImage;
  }

  /** Restarts from a committed image (on election, or after uncommitted records were lost). */
  reset(image: MetadataImage, nowMs: number): void {
    this.currentImage = image;
    this.lastContactMs.clear();
    const grace = Math.min(this.config.newControllerGraceMs, this.config.brokerSessionTimeoutMs);
    for (const brokerId of image.brokers.keys()) this.lastContactMs.set(brokerId, nowMs - this.config.brokerSessionTimeoutMs + grace);
  }

  registerBroker(registration: BrokerRegistration, nowMs: number): ControllerResult<Decision<{ brokerEpoch: number }>> {
    const existing = this.currentImage.brokers.get(registration.brokerId);
    if (existing !== undefined && existing.incarnationId === registration.incarnationId) {
      // A retried registration: the same process already holds this epoch.
      this.lastContactMs.set(registration.brokerId, nowMs);
      return ok({ records: [], response: { brokerEpoch: existing.brokerEpoch } });
    }
    if (existing !== undefined && !existing.fenced && !this.sessionExpired(registration.brokerId, nowMs)) {
      return controllerError(
        'duplicate-broker-registration',
        `broker ${registration.brokerId} is live with another incarnation ${existing.incarnationId}`,
      );
    }
    const brokerEpoch = existing === undefined ? 1 : existing.brokerEpoch + 1;
    // The old incarnation's leaderships and ISR places go first: the new one starts fenced.
    const alive = this.aliveWithout([registration.brokerId]);
    const records: MetadataRecord[] = [
      ...repairPartitions(this.currentImage, alive),
      { type: 'register-broker', ...registration, brokerEpoch, fenced: true },
    ];
    this.commit(records);
    this.lastContactMs.set(registration.brokerId, nowMs);
    return ok({ records, response: { brokerEpoch } });
  }

  heartbeat(
    brokerId: number,
    brokerEpoch: number,
    nowMs: number,
    request: HeartbeatRequest,
  ): ControllerResult<Decision<HeartbeatResult>> {
    const broker = this.currentImage.brokers.get(brokerId);
    if (broker === undefined) return controllerError('broker-id-not-registered', `broker ${brokerId} is not registered`);
    if (broker.brokerEpoch !== brokerEpoch) {
      return controllerError('stale-broker-epoch', `broker ${brokerId} epoch ${brokerEpoch}, registered ${broker.brokerEpoch}`);
    }
    this.lastContactMs.set(brokerId, nowMs);
    const leaving = request.wantFence || request.wantShutdown;
    let records: MetadataRecord[] = [];
    if (leaving && !broker.fenced) records = this.fenceRecords([brokerId]);
    else if (!leaving && broker.fenced && request.caughtUp) records = this.unfenceRecords(brokerId);
    this.commit(records);
    const isFenced = this.currentImage.brokers.get(brokerId)?.fenced ?? true;
    return ok({ records, response: { isFenced, shouldShutdown: request.wantShutdown } });
  }

  /**
   * Fences every unfenced broker whose session has expired, or that `reportedDead` (a failure
   * detector's verdict) names and that has been silent for reportedDeadMinSilenceMs, moving its
   * leaderships away; and, every preferredLeaderCheckIntervalMs, moves leaderships back to
   * preferred replicas.
   */
  tick(nowMs: number, reportedDead: ReadonlySet<number> = new Set()): Decision<{ fencedBrokerIds: readonly number[]; preferredLeaderMoves: number }> {
    const expired = unfencedBrokerIds(this.currentImage).filter(
      (id) => this.sessionExpired(id, nowMs) || (reportedDead.has(id) && this.silentFor(id, nowMs) >= this.config.reportedDeadMinSilenceMs),
    );
    const records = expired.length === 0 ? [] : this.fenceRecords(expired);
    this.commit(records);
    let moves: MetadataRecord[] = [];
    const interval = this.config.preferredLeaderCheckIntervalMs;
    if (interval > 0 && nowMs - this.lastPreferredCheckMs >= interval) {
      this.lastPreferredCheckMs = nowMs;
      moves = preferredLeaderChanges(this.currentImage, new Set(unfencedBrokerIds(this.currentImage)));
      this.commit(moves);
    }
    return { records: [...records, ...moves], response: { fencedBrokerIds: expired, preferredLeaderMoves: moves.length } };
  }

  createTopic(request: CreateTopicRequest): ControllerResult<Decision<{ topicId: Uuid }>> {
    const nameProblem = topicNameProblem(request.name);
    if (nameProblem !== null) return controllerError('invalid-topic', nameProblem);
    if (this.currentImage.topicIdsByName.has(request.name)) {
      return controllerError('topic-already-exists', `topic ${request.name} already exists`);
    }
    const { partitions, replicationFactor } = request;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > this.config.maxPartitionsPerTopic) {
      return controllerError('invalid-partitions', `partitions ${partitions} not in [1, ${this.config.maxPartitionsPerTopic}]`);
    }
    const brokers = unfencedBrokerIds(this.currentImage);
    if (!Number.isInteger(replicationFactor) || replicationFactor < 1 || replicationFactor > brokers.length) {
      return controllerError(
        'invalid-replication-factor',
        `replication factor ${replicationFactor} with ${brokers.length} unfenced brokers`,
      );
    }
    const topicId = newTopicId(this.currentImage, this.random);
    const assignments = assignReplicas(brokers, 0, partitions, replicationFactor, this.random);
    const records: MetadataRecord[] = [
      { type: 'topic', name: request.name, topicId },
      ...assignments.map((replicas, partition) => newPartition(topicId, partition, replicas)),
      ...[...(request.configs ?? new Map<string, string>())].map(
        ([key, value]): MetadataRecord => ({ type: 'config', resourceType: 'topic', resourceName: request.name, key, value }),
      ),
    ];
    this.commit(records);
    return ok({ records, response: { topicId } });
  }

  deleteTopic(name: string): ControllerResult<Decision<{ topicId: Uuid }>> {
    const topic = topicByName(this.currentImage, name);
    if (topic === undefined) return controllerError('unknown-topic-or-partition', `topic ${name} does not exist`);
    const records: MetadataRecord[] = [{ type: 'remove-topic', topicId: topic.topicId }];
    this.commit(records);
    return ok({ records, response: { topicId: topic.topicId } });
  }

  /** Grows topic `name` to `total` partitions, each with the replication factor of partition 0. */
  createPartitions(name: string, total: number): ControllerResult<Decision<{ topicId: Uuid }>> {
    const topic = topicByName(this.currentImage, name);
    if (topic === undefined) return controllerError('unknown-topic-or-partition', `topic ${name} does not exist`);
    const current = topic.partitions.size;
    if (!Number.isInteger(total) || total <= current || total > this.config.maxPartitionsPerTopic) {
      return controllerError('invalid-partitions', `topic ${name} has ${current} partitions; cannot grow to ${total}`);
    }
    const replicationFactor = topic.partitions.get(0)?.replicas.length ?? 1;
    const brokers = unfencedBrokerIds(this.currentImage);
    if (replicationFactor > brokers.length) {
      return controllerError(
        'invalid-replication-factor',
        `replication factor ${replicationFactor} with ${brokers.length} unfenced brokers`,
      );
    }
    const assignments = assignReplicas(brokers, current, total - current, replicationFactor, this.random);
    const records = assignments.map((replicas, i) => newPartition(topic.topicId, current + i, replicas));
    this.commit(records);
    return ok({ records, response: { topicId: topic.topicId } });
  }

  /**
   * Sets (a string) or deletes (null) config keys of a topic. The broker has validated names and
   * values against its config table; the controller emits a record per key that changes.
   */
  alterTopicConfigs(name: string, changes: ReadonlyMap<string, string | null>): ControllerResult<Decision<{ topicId: Uuid }>> {
    const topic = topicByName(this.currentImage, name);
    if (topic === undefined) return controllerError('unknown-topic-or-partition', `topic ${name} does not exist`);
    const current = configsFor(this.currentImage, 'topic', name);
    const records: MetadataRecord[] = [];
    for (const [key, value] of changes) {
      if ((current.get(key) ?? null) === value) continue;
      records.push({ type: 'config', resourceType: 'topic', resourceName: name, key, value });
    }
    this.commit(records);
    return ok({ records, response: { topicId: topic.topicId } });
  }

  /** An ISR change requested by a partition leader (Kafka's AlterPartition). */
  alterPartition(request: AlterPartitionRequest): ControllerResult<Decision<AlterPartitionResult>> {
    const decided = alterPartitionRecords(this.currentImage, request);
    if (!decided.ok) return decided;
    this.commit(decided.value);
    const state = this.currentImage.topicsById.get(request.topicId)?.partitions.get(request.partition);
    invariant(state !== undefined, 'altered partition vanished');
    return ok({ records: decided.value, response: partitionState(state) });
  }

  private sessionExpired(brokerId: number, nowMs: number): boolean {
    return this.silentFor(brokerId, nowMs) > this.config.brokerSessionTimeoutMs;
  }

  private silentFor(brokerId: number, nowMs: number): number {
    return nowMs - (this.lastContactMs.get(brokerId) ?? Number.NEGATIVE_INFINITY);
  }

  private aliveWithout(brokerIds: readonly number[]): Set<number> {
    const alive = new Set(unfencedBrokerIds(this.currentImage));
    for (const id of brokerIds) alive.delete(id);
    return alive;
  }

  /** Leaderships and ISR places move off the brokers before they are fenced. */
  private fenceRecords(brokerIds: readonly number[]): MetadataRecord[] {
    const fences = brokerIds.map((brokerId): MetadataRecord => {
      const broker = this.currentImage.brokers.get(brokerId);
      invariant(broker !== undefined, `fencing unknown broker ${brokerId}`);
      return { type: 'fence-broker', brokerId, brokerEpoch: broker.brokerEpoch };
    });
    return [...repairPartitions(this.currentImage, this.aliveWithout(brokerIds)), ...fences];
  }

  /** The broker is unfenced first, so it may then lead the partitions that wait for it. */
  private unfenceRecords(brokerId: number): MetadataRecord[] {
    const broker = this.currentImage.brokers.get(brokerId);
    invariant(broker !== undefined, `unfencing unknown broker ${brokerId}`);
    const alive = this.aliveWithout([]);
    alive.add(brokerId);
    return [
      { type: 'unfence-broker', brokerId, brokerEpoch: broker.brokerEpoch },
      ...repairPartitions(this.currentImage, alive),
    ];
  }

  private commit(records: readonly MetadataRecord[]): void {
    if (records.length === 0) return;
    const applied = applyRecords(this.currentImage, records, this.currentImage.offset);
    invariant(applied.ok, () => `controller emitted records the image refuses: ${applied.ok ? '' : applied.error.message}`);
    this.currentImage = applied.value;
  }
}

function newPartition(topicId: Uuid, partition: number, replicas: readonly number[]): PartitionRecord {
  return { type: 'partition', topicId, partition, replicas, isr: replicas, leader: replicas[0]!, leaderEpoch: 0, partitionEpoch: 0 };
}

export function partitionState(partition: PartitionImage): AlterPartitionResult {
  return {
    leader: partition.leader,
    leaderEpoch: partition.leaderEpoch,
    partitionEpoch: partition.partitionEpoch,
    isr: partition.isr,
  };
}
