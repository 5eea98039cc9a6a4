/**
 * One member of a consumer group over the classic protocol, as `tributary consume --group`
 * runs it: join (answering MEMBER_ID_REQUIRED), assign with the range assignor when leader,
 * sync, heartbeat on a timer, commit, leave. A heartbeat or commit that says the group is
 * rebalancing (or that this member is fenced) sets `needsRejoin`; the consume loop rejoins.
 */
import { err, ok, type Result } from '@tributary/common';
import { ErrorCode } from '@tributary/protocol';
import { ClientError } from '../client/client-error.js';
import { commitOffsets, fetchCommittedOffsets, firstCommitError } from '../client/group-admin.js';
import { findCoordinator } from '../client/group-coordinator.js';
import { heartbeat, joinGroup, leaveGroup, syncGroup } from '../client/group-membership.js';
import {
  RANGE_ASSIGNOR,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  rangeAssign,
  type TopicPartitions,
} from '../client/consumer-protocol.js';
import type { KafkaClient, NegotiatedConnection } from '../client/kafka-client.js';

export interface MemberOptions {
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** JoinGroup/SyncGroup rounds per join() before giving up. */
  readonly joinAttemptsMax: number;
  readonly retryBackoffMs: number;
}

export const defaultMemberOptions: MemberOptions = {
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  joinAttemptsMax: 30,
  retryBackoffMs: 200,
};

/** Codes after which the member must join again (same id, or a new one when unknown). */
const REJOIN_CODES = new Set<number>([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID]);
/** Codes after which the coordinator must be looked up again. */
const COORDINATOR_CODES = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

export class GroupMember {
  memberId = '';
  generationId = -1;
  assignment: TopicPartitions = new Map();
  needsRejoin = true;
  private coordinator: NegotiatedConnection | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatInFlight = false;

  constructor(
    private readonly client: KafkaClient,
    readonly groupId: string,
    private readonly topics: readonly string[],
    private readonly options: MemberOptions = defaultMemberOptions,
  ) {}

  /** Joins (or rejoins) the group and returns this member's assignment. */
  async join(): Promise<Result<TopicPartitions, ClientError>> {
    this.stopHeartbeats();
    let last: ClientError | null = null;
    for (let attempt = 1; attempt <= this.options.joinAttemptsMax; attempt++) {
      const round = await this.joinRound();
      if (round.ok) {
        this.assignment = round.value;
        this.needsRejoin = false;
        this.startHeartbeats();
        return round;
      }
      last = round.error;
      if (round.error.kind !== 'kafka' && round.error.kind !== 'disconnected' && round.error.kind !== 'timeout') return round;
      if (COORDINATOR_CODES.has(round.error.code) || round.error.kind !== 'kafka') this.dropCoordinator();
      if (round.error.kind === 'kafka' && !REJOIN_CODES.has(round.error.code) && !COORDINATOR_CODES.has(round.error.code) && round.error.code !== ErrorCode.MEMBER_ID_REQUIRED) return round;
      if (round.error.code !== ErrorCode.MEMBER_ID_REQUIRED) await new Promise((resolve) => setTimeout(resolve, this.options.retryBackoffMs));
    }
    return err(last ?? new ClientError('protocol', `could not join group ${this.groupId}`));
  }

  /** One JoinGroup + SyncGroup exchange; an error code comes back as a 'kafka' error. */
  private async joinRound(): Promise<Result<TopicPartitions, ClientError>> {
    const coordinator = await this.coordinatorConnection();
    if (!coordinator.ok) return coordinator;
    const joined = await joinGroup(this.client, coordinator.value, {
      groupId: this.groupId,
      memberId: this.memberId,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
      protocols: new Map([[RANGE_ASSIGNOR, encodeSubscription(this.topics)]]),
    });
    if (!joined.ok) return joined;
    const join = joined.value;
    if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      // KIP-394: the coordinator names our id; join again with it straight away.
      this.memberId = join.memberId;
      return err(ClientError.fromCode(join.errorCode, `join group ${this.groupId}`));
    }
    if (join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
    if (join.errorCode !== ErrorCode.NONE) return err(ClientError.fromCode(join.errorCode, `join group ${this.groupId}`));
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    const protocolName = join.protocolName ?? RANGE_ASSIGNOR;
    let assignments = new Map<string, Buffer>();
    if (join.leader === join.memberId) {
      const planned = await this.assign(join.members);
      if (!planned.ok) return planned;
      assignments = planned.value;
    }
    const synced = await syncGroup(
      this.client,
      coordinator.value,
      { groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, protocolName, assignments },
      this.options.rebalanceTimeoutMs,
    );
    if (!synced.ok) return synced;
    if (synced.value.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
    if (synced.value.errorCode !== ErrorCode.NONE) return err(ClientError.fromCode(synced.value.errorCode, `sync group ${this.groupId}`));
    return decodeAssignment(synced.value.assignment);
  }

  /** The leader's work: every member's subscription, the partition counts, the range assignor. */
  private async assign(members: readonly { memberId: string; metadata: Buffer }[]): Promise<Result<Map<string, Buffer>, ClientError>> {
    const subscriptions = [];
    for (const m of members) {
      const decoded = decodeSubscription(m.metadata);
      if (!decoded.ok) return decoded;
      subscriptions.push({ memberId: m.memberId, topics: decoded.value.topics });
    }
    const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
    const cluster = await this.client.metadata(topics, false);
    if (!cluster.ok) return cluster;
    const counts = new Map(cluster.value.topics.filter((t) => t.errorCode === ErrorCode.NONE).map((t) => [t.name, t.partitions.length]));
    const plan = rangeAssign(subscriptions, counts);
    return ok(new Map([...plan].map(([memberId, assignment]) => [memberId, encodeAssignment(assignment)])));
  }

  /** Commits as this member's generation; a rebalance or fencing answer sets needsRejoin. */
  async commit(offsets: ReadonlyMap<string, ReadonlyMap<number, bigint>>): Promise<Result<void, ClientError>> {
    if (offsets.size === 0) return ok(undefined);
    const coordinator = await this.coordinatorConnection();
    if (!coordinator.ok) return coordinator;
    const result = await commitOffsets(this.client, coordinator.value, this.groupId, { generationId: this.generationId, memberId: this.memberId }, offsets);
    if (!result.ok) {
      this.dropCoordinator();
      return result;
    }
    const code = firstCommitError(result.value);
    if (code === ErrorCode.NONE) return ok(undefined);
    this.noteError(code);
    return err(ClientError.fromCode(code, `commit offsets of group ${this.groupId}`));
  }

  /** The group's committed offsets for this member's partitions of `topic` (-1n: none). */
  async committed(topic: string, partitions: readonly number[]): Promise<Result<Map<number, bigint>, ClientError>> {
    const coordinator = await this.coordinatorConnection();
    if (!coordinator.ok) return coordinator;
    const fetched = await fetchCommittedOffsets(this.client, coordinator.value, this.groupId, new Map([[topic, partitions]]));
    if (!fetched.ok) return fetched;
    const found = fetched.value.get(topic) ?? new Map<number, bigint>();
    return ok(new Map(partitions.map((p) => [p, found.get(p) ?? -1n])));
  }

  /** Leaves the group (best effort) and stops heartbeating. */
  async leave(): Promise<void> {
    this.stopHeartbeats();
    if (this.memberId === '' || this.coordinator === null) return;
    await leaveGroup(this.client, this.coordinator, this.groupId, this.memberId);
    this.memberId = '';
    this.generationId = -1;
  }

  private noteError(code: number): void {
    if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
    if (REJOIN_CODES.has(code)) this.needsRejoin = true;
    if (COORDINATOR_CODES.has(code)) {
      this.dropCoordinator();
      this.needsRejoin = true;
    }
  }

  private startHeartbeats(): void {
    this.stopHeartbeats();
    this.heartbeatTimer = setInterval(() => void this.beat(), this.options.heartbeatIntervalMs);
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async beat(): Promise<void> {
    if (this.heartbeatInFlight || this.needsRejoin || this.coordinator === null) return;
    this.heartbeatInFlight = true;
    try {
      const response = await heartbeat(this.client, this.coordinator, this.groupId, this.generationId, this.memberId);
      if (!response.ok) {
        this.dropCoordinator();
        this.needsRejoin = true;
      } else if (response.value.errorCode !== ErrorCode.NONE) {
        this.noteError(response.value.errorCode);
      }
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  private async coordinatorConnection(): Promise<Result<NegotiatedConnection, ClientError>> {
    if (this.coordinator !== null && !this.coordinator.connection.closed) return ok(this.coordinator);
    const found = await findCoordinator(this.client, this.groupId);
    if (!found.ok) return found;
    const connection = await this.client.dedicatedConnection(found.value.address);
    if (!connection.ok) return connection;
    this.coordinator = connection.value;
    return connection;
  }

  private dropCoordinator(): void {
    this.coordinator?.connection.close();
    this.coordinator = null;
  }
}
