/**
 * One classic group's state: members, generation, the selected protocol and leader, static
 * member ids and committed offsets; and the transitions Kafka allows between
 * Empty → PreparingRebalance → CompletingRebalance → Stable (→ Dead).
 */
import { invariant } from '@tributary/common';
import { Reader, decodeConsumerProtocolSubscription } from '@tributary/protocol';

export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** The states each state may be entered from (Kafka's GroupState.validPreviousStates). */
const validPrevious: Record<GroupStateName, readonly GroupStateName[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export interface MemberProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

/** A request held until the rebalance answers it. */
export interface PendingCall {
  readonly requestId: number;
  readonly version: number;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  assignment: Buffer;
  awaitingJoin: PendingCall | null;
  awaitingSync: PendingCall | null;
  lastHeartbeatMs: number;
  /** Joined during the current rebalance and not yet answered. */
  isNew: boolean;
}

export interface CommittedOffset {
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly commitTimestampMs: bigint;
}

export class Group {
  state: GroupStateName = 'Empty';
  stateTimestampMs: number;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  /** Insertion order matters: a new leader is the earliest-joined remaining member. */
  readonly members = new Map<string, Member>();
  /** group.instance.id → current member id. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED → when they expire unless the member joins. */
  readonly pendingMembers = new Map<string, number>();
  /** topic → partition → committed offset. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /** PreparingRebalance: when the join phase ends whoever has rejoined. */
  rebalanceDeadlineMs = 0;
  /** PreparingRebalance from Empty: the join cannot complete before this (initial delay). */
  initialDelayUntilMs = 0;
  /** The initial delay is extended per new joiner, but not past this. */
  initialDelayLimitMs = 0;
  /** CompletingRebalance: members that have not sent SyncGroup by this are removed. */
  syncDeadlineMs = 0;
  /** CompletingRebalance: members yet to send SyncGroup. */
  readonly pendingSync = new Set<string>();

  constructor(
    readonly groupId: string,
    nowMs: number,
  ) {
    this.stateTimestampMs = nowMs;
  }

  is(state: GroupStateName): boolean {
    return this.state === state;
  }

  transitionTo(next: GroupStateName, nowMs: number): void {
    invariant(validPrevious[next].includes(this.state), () => `group ${this.groupId}: illegal transition ${this.state} → ${next}`);
    this.state = next;
    this.stateTimestampMs = nowMs;
  }

  add(member: Member): void {
    invariant(!this.members.has(member.memberId), () => `member ${member.memberId} already in ${this.groupId}`);
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.leaderId ??= member.memberId;
    this.pendingMembers.delete(member.memberId);
  }

  remove(memberId: string): Member | undefined {
    const member = this.members.get(memberId);
    if (member === undefined) return undefined;
    this.members.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) this.staticMembers.delete(member.groupInstanceId);
    this.pendingSync.delete(memberId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return member;
  }

  /** True when the member id was given to another member of the same group.instance.id. */
  isStaticMemberFenced(groupInstanceId: string | null, memberId: string): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  /** Kafka's supportsProtocols: an empty group takes any non-empty type; otherwise the type must match and one protocol be common to all. */
  supportsProtocols(protocolType: string, names: readonly string[], excludingMemberId: string | null): boolean {
    const others = [...this.members.values()].filter((m) => m.memberId !== excludingMemberId);
    if (others.length === 0) return protocolType.length > 0 && names.length > 0;
    if (this.protocolType !== protocolType) return false;
    return names.some((name) => others.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /** The protocol every member supports with the most first-choice votes (ties: the leader's order). */
  selectProtocol(): string {
    const members = [...this.members.values()];
    invariant(members.length > 0, 'selectProtocol on an empty group');
    const leader = (this.leaderId !== null ? this.members.get(this.leaderId) : undefined) ?? members[0];
    const candidates = leader.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    invariant(candidates.length > 0, () => `group ${this.groupId} has no common protocol`);
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of members) {
      const choice = m.protocols.find((p) => votes.has(p.name));
      if (choice !== undefined) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = candidates[0];
    for (const c of candidates) if ((votes.get(c) ?? 0) > (votes.get(best) ?? 0)) best = c;
    return best;
  }

  hasAllMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (m.awaitingJoin === null) return false;
    return true;
  }

  /** The longest rebalance timeout of the members (Kafka's group rebalance timeout). */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** A member's metadata for `protocolName` (empty when it lacks it). */
  static metadataFor(member: Member, protocolName: string | null): Buffer {
    return member.protocols.find((p) => p.name === protocolName)?.metadata ?? Buffer.alloc(0);
  }

  /** The topics the members subscribe to (consumer protocol), or null when it cannot be told. */
  subscribedTopics(): Set<string> | null {
    if (this.protocolType !== 'consumer' || this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const subscribed = subscriptionTopics(Group.metadataFor(m, this.protocolName));
      if (subscribed === null) return null;
      for (const t of subscribed) topics.add(t);
    }
    return topics;
  }

  offsetCount(): number {
    let n = 0;
    for (const partitions of this.offsets.values()) n += partitions.size;
    return n;
  }
}

/** The topics of a ConsumerProtocolSubscription (int16 version, then the struct); null when unreadable. */
export function subscriptionTopics(metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata);
    const version = r.int16();
    if (version < 0) return null;
    return decodeConsumerProtocolSubscription(r, Math.min(version, 3)).topics;
  } catch {
    return null;
  }
}
