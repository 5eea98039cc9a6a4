/**
 * One node's SWIM membership view, pure: no timers or I/O, time passed in. Holds each member's
 * state and incarnation, merges gossip by SWIM's precedence rules, moves unrefuted suspects to
 * dead after `suspicionTimeoutMs`, and refutes suspicion of itself by raising its incarnation.
 *
 * Precedence for one member, (state, incarnation) against what is held:
 * - alive i  overrides suspect j or alive j when i > j;
 * - suspect i overrides alive j when i >= j, and suspect j when i > j;
 * - dead i  overrides alive or suspect j when i >= j;
 * - nothing overrides dead j except alive (or suspect) with i > j: the member restarted.
 * Only a member clears suspicion of itself: every probe carries the prober's view, so a suspected
 * member that answers has already raised its incarnation and gossips itself alive in the ack.
 */
export type MemberState = 'alive' | 'suspect' | 'dead';

export interface MemberRecord {
  readonly nodeId: number;
  readonly incarnation: number;
  readonly state: MemberState;
}

interface Held extends MemberRecord {
  /** When this node last changed the member's state (for suspicion timeouts and metrics). */
  readonly sinceMs: number;
}

const rank: Record<MemberState, number> = { alive: 0, suspect: 1, dead: 2 };

/** True when `incoming` should replace `held` under SWIM's rules. */
export function overrides(incoming: MemberRecord, held: MemberRecord): boolean {
  if (held.state === 'dead') return incoming.state !== 'dead' && incoming.incarnation > held.incarnation;
  if (incoming.incarnation !== held.incarnation) return incoming.incarnation > held.incarnation;
  return rank[incoming.state] > rank[held.state];
}

export class SwimView {
  private readonly members = new Map<number, Held>();
  private incarnation: number;

  /** `incarnation` should grow across restarts (the start time in ms does). */
  constructor(
    readonly selfId: number,
    peers: readonly number[],
    incarnation: number,
    nowMs: number,
    private readonly suspicionTimeoutMs: number,
  ) {
    this.incarnation = incarnation;
    this.members.set(selfId, { nodeId: selfId, incarnation, state: 'alive', sinceMs: nowMs });
    // Peers start alive at incarnation 0: any real gossip from them overrides it.
    for (const id of peers) if (id !== selfId) this.members.set(id, { nodeId: id, incarnation: 0, state: 'alive', sinceMs: nowMs });
  }

  get peers(): number[] {
    return [...this.members.keys()].filter((id) => id !== this.selfId).sort((a, b) => a - b);
  }

  stateOf(nodeId: number): MemberState | undefined {
    return this.members.get(nodeId)?.state;
  }

  /** What is piggybacked on every message: the whole view. */
  digest(): MemberRecord[] {
    return [...this.members.values()].map(({ nodeId, incarnation, state }) => ({ nodeId, incarnation, state }));
  }

  /** Merges gossip; returns the members whose state changed. */
  merge(gossip: readonly MemberRecord[], nowMs: number): MemberRecord[] {
    const changed: MemberRecord[] = [];
    for (const incoming of gossip) {
      if (incoming.nodeId === this.selfId) {
        this.refuteIfNeeded(incoming, nowMs);
        continue;
      }
      const held = this.members.get(incoming.nodeId);
      if (held === undefined || overrides(incoming, held)) {
        const next = { nodeId: incoming.nodeId, incarnation: incoming.incarnation, state: incoming.state, sinceMs: nowMs };
        if (held?.state !== next.state) changed.push(next);
        this.members.set(incoming.nodeId, next);
      }
    }
    return changed;
  }

  /** No answer, directly or through others: suspect it (if alive). */
  suspect(nodeId: number, nowMs: number): boolean {
    const held = this.members.get(nodeId);
    if (held === undefined || held.state !== 'alive') return false;
    this.members.set(nodeId, { ...held, state: 'suspect', sinceMs: nowMs });
    return true;
  }

  /** Suspects not refuted within the timeout become dead; returns them. */
  tick(nowMs: number): number[] {
    const died: number[] = [];
    for (const held of this.members.values()) {
      if (held.state === 'suspect' && nowMs - held.sinceMs >= this.suspicionTimeoutMs) {
        this.members.set(held.nodeId, { ...held, state: 'dead', sinceMs: nowMs });
        died.push(held.nodeId);
      }
    }
    return died;
  }

  private refuteIfNeeded(aboutSelf: MemberRecord, nowMs: number): void {
    if (aboutSelf.state === 'alive' || aboutSelf.incarnation < this.incarnation) return;
    this.incarnation = aboutSelf.incarnation + 1;
    this.members.set(this.selfId, { nodeId: this.selfId, incarnation: this.incarnation, state: 'alive', sinceMs: nowMs });
  }
}
