import { invariant, type Random } from '@tributary/common';
import { RaftLog } from './raft-log.js';
import { SnapshotHandling } from './snapshot-handling.js';
import type {
  AppendRequest, AppendResponse, Entry, HardState, InstallSnapshot, Message, NodeId, PersistedState, ProposeResult, RaftMessage, Ready, Role,
  VoteRequest, VoteResponse,
} from './types.js';

/**
 * A pure Raft node in the manner of etcd-io/raft: no I/O, no clock, no timers. Inputs are
 * step(message), tick() and propose(data); outputs are collected in ready() and acknowledged with
 * advance(). Voters are fixed by configuration: membership change (KIP-853 style, one voter at a
 * time through the log) has room here as a config entry kind, but is not built. Snapshots: the
 * caller compacts with compact(); a leader sends its snapshot to a follower it has compacted past.
 */
export interface RaftNodeConfig {
  readonly id: NodeId;
  /** Every voter, including this node. */
  readonly voters: readonly NodeId[];
  /** Base election timeout; the effective one is drawn from [base, 2*base) on each reset. */
  readonly electionTimeoutTicks: number;
  readonly heartbeatTicks: number;
  readonly random: Random;
  readonly persisted?: PersistedState;
  /** Bound on entries carried by one AppendEntries. */
  readonly maxEntriesPerAppend?: number;
  /**
   * Tests only: drop the "current term only" commit rule (§5.4.2), which is UNSAFE (Raft Figure 8).
   * It exists so that a test can show the invariant checker catches its removal.
   */
  readonly unsafeCommitEarlierTermsByCount?: boolean;
}

interface Progress {
  match: number;
  next: number;
  /** Probe: one append per heartbeat until an ack. Replicate: stream optimistically. */
  mode: 'probe' | 'replicate';
  recentActive: boolean;
}

const DEFAULT_MAX_ENTRIES_PER_APPEND = 64;

export class RaftNode {
  readonly id: NodeId;
  private readonly voters: readonly NodeId[];
  private readonly peers: readonly NodeId[];
  private readonly electionTimeout: number;
  private readonly heartbeatTimeout: number;
  private readonly random: Random;
  private readonly maxEntriesPerAppend: number;
  private readonly unsafeCommitEarlierTermsByCount: boolean;
  private readonly log: RaftLog;

  private currentTerm: number;
  private votedFor: NodeId | undefined;
  private commit: number;
  private applied = 0;
  private roleValue: Role = 'follower';
  private leader: NodeId | undefined;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private votes = new Map<NodeId, boolean>();
  private progress = new Map<NodeId, Progress>();
  private transferee: NodeId | undefined;
  private outbox: Message[] = [];
  private readonly snapshots: SnapshotHandling;
  private persistedHardState: HardState;
  private pendingReady: { lastIndex: number; commit: number; hardState: HardState } | undefined;

  constructor(config: RaftNodeConfig) {
    invariant(config.voters.includes(config.id), 'a node must be one of the voters');
    invariant(config.electionTimeoutTicks > config.heartbeatTicks, 'election timeout must exceed heartbeat');
    this.id = config.id;
    this.voters = [...config.voters];
    this.peers = this.voters.filter((v) => v !== config.id);
    this.electionTimeout = config.electionTimeoutTicks;
    this.heartbeatTimeout = config.heartbeatTicks;
    this.random = config.random;
    this.maxEntriesPerAppend = config.maxEntriesPerAppend ?? DEFAULT_MAX_ENTRIES_PER_APPEND;
    this.unsafeCommitEarlierTermsByCount = config.unsafeCommitEarlierTermsByCount ?? false;
    const hs = config.persisted?.hardState ?? { term: 0, votedFor: undefined, commitIndex: 0 };
    const snapshot = config.persisted?.snapshot;
    this.log = new RaftLog(config.persisted?.entries ?? [], snapshot);
    this.snapshots = new SnapshotHandling(snapshot);
    // The caller restores its state machine from the snapshot: committed entries start after it.
    this.applied = snapshot?.index ?? 0;
    const commitIndex = Math.max(hs.commitIndex, this.applied);
    invariant(commitIndex <= this.log.lastIndex(), 'persisted commit beyond persisted log');
    this.currentTerm = hs.term;
    this.votedFor = hs.votedFor;
    this.commit = commitIndex;
    this.persistedHardState = hs;
    this.resetElectionTimer();
  }

  // ---- read-only view (for callers, tests and the simulation) ----
  get role(): Role { return this.roleValue; }
  get term(): number { return this.currentTerm; }
  get leaderId(): NodeId | undefined { return this.leader; }
  get commitIndex(): number { return this.commit; }
  get lastIndex(): number { return this.log.lastIndex(); }
  get vote(): NodeId | undefined { return this.votedFor; }
  entryAt(index: number): Entry | undefined { return this.log.entry(index); }
  termAt(index: number): number | undefined { return this.log.term(index); }
  /** The last index covered by the snapshot; entries at or below it are gone (0: none). */
  get snapshotIndex(): number { return this.log.baseIndex(); }
  get appliedIndex(): number { return this.applied; }

  // ---- inputs ----

  /** One logical clock tick; the caller decides how long a tick is. */
  tick(): void {
    this.assertNoPendingReady();
    if (this.roleValue === 'leader') return this.tickLeader();
    this.electionElapsed++;
    if (this.electionElapsed >= this.randomizedElectionTimeout) this.campaign('preVote');
  }

  /** Appends `data` if this node leads; returns its index, or undefined (not leader, or transferring). */
  propose(data: Uint8Array): number | undefined {
    const result = this.tryPropose(data);
    return result.ok ? result.index : undefined;
  }

  /** As propose(), but says why a proposal was refused and which node to redirect it to. */
  tryPropose(data: Uint8Array): ProposeResult {
    this.assertNoPendingReady();
    if (this.roleValue !== 'leader') return { ok: false, reason: 'not-leader', leaderHint: this.leader };
    if (this.transferee !== undefined) return { ok: false, reason: 'transferring', leaderHint: this.transferee };
    const index = this.log.lastIndex() + 1;
    this.log.append({ index, term: this.currentTerm, kind: 'normal', data });
    this.afterLocalAppend();
    return { ok: true, index };
  }

  /** Leader only: catch `to` up, then tell it to campaign at once. Aborted after an election timeout. */
  transferLeadership(to: NodeId): boolean {
    this.assertNoPendingReady();
    if (this.roleValue !== 'leader' || to === this.id || !this.peers.includes(to)) return false;
    this.transferee = to;
    this.electionElapsed = 0;
    const pr = this.progressOf(to);
    if (pr.match === this.log.lastIndex()) this.send({ type: 'timeoutNow', from: this.id, to, term: this.currentTerm });
    else this.sendAppend(to);
    return true;
  }

  step(m: RaftMessage): void {
    this.assertNoPendingReady();
    if (m.to !== this.id || !this.voters.includes(m.from)) return;
    if (m.term > this.currentTerm) {
      if (!this.acceptHigherTerm(m)) return;
    } else if (m.term < this.currentTerm) {
      return this.rejectLowerTerm(m);
    }
    switch (m.type) {
      case 'preVote':
      case 'vote':
        return this.handleVoteRequest(m);
      case 'preVoteResp':
      case 'voteResp':
        return this.handleVoteResponse(m);
      case 'append':
        invariant(this.roleValue !== 'leader', () => `two leaders in term ${m.term}`);
        this.becomeFollower(m.term, m.from);
        this.electionElapsed = 0;
        return this.handleAppend(m);
      case 'appendResp':
        return this.handleAppendResponse(m);
      case 'timeoutNow':
        if (this.roleValue !== 'leader') this.campaign('vote', true);
        return;
      case 'installSnapshot':
        invariant(this.roleValue !== 'leader', () => `two leaders in term ${m.term}`);
        this.becomeFollower(m.term, m.from);
        this.electionElapsed = 0;
        return this.handleInstallSnapshot(m);
    }
  }

  /**
   * The caller has applied everything through `index` and hands the state machine's snapshot:
   * entries through `index` are dropped. The caller persists the snapshot itself (and may then
   * discard its persisted entries through `index`).
   */
  compact(index: number, data: Uint8Array): void {
    this.assertNoPendingReady();
    invariant(index <= this.applied, () => `compact(${index}) beyond applied ${this.applied}`);
    if (index <= this.log.baseIndex()) return;
    const term = this.log.term(index);
    invariant(term !== undefined, () => `no term at ${index}`);
    this.log.compact(index);
    this.snapshots.taken(index, term, data);
  }

  // ---- outputs ----

  hasReady(): boolean {
    return this.outbox.length > 0 || this.snapshots.hasOutput() || this.log.unstableEntries().length > 0 || this.commit > this.applied ||
      !sameHardState(this.hardState(), this.persistedHardState);
  }

  /** Collects outputs; the caller handles them in the order documented on Ready, then calls advance(). */
  ready(): Ready {
    this.assertNoPendingReady();
    const hardState = this.hardState();
    const entriesToPersist = this.log.unstableEntries();
    const truncateFrom = this.log.truncation();
    const ready: Ready = {
      hardState: sameHardState(hardState, this.persistedHardState) ? undefined : hardState,
      entriesToPersist,
      truncateFrom,
      messages: this.outbox,
      committedEntries: this.log.slice(Math.max(this.applied, this.snapshots.toApplyIndex) + 1, this.commit),
      ...this.snapshots.takeReadyParts(),
    };
    this.outbox = [];
    this.pendingReady = { lastIndex: this.log.lastIndex(), commit: this.commit, hardState };
    return ready;
  }

  /** The last Ready was persisted, sent and applied. */
  advance(): void {
    const pending = this.pendingReady;
    invariant(pending !== undefined, 'advance() without ready()');
    this.log.markStable(pending.lastIndex);
    this.applied = pending.commit;
    this.persistedHardState = pending.hardState;
    this.pendingReady = undefined;
  }

  // ---- terms ----

  /** Returns false when the message is to be ignored (a vote request during a leader lease). */
  private acceptHigherTerm(m: RaftMessage): boolean {
    const isVoteRequest = m.type === 'preVote' || m.type === 'vote';
    // Leader lease (Raft thesis §4.2.3): while we hear from a live leader, ignore those who would
    // unseat it. With pre-vote this keeps a rejoining, partitioned node from disrupting the cluster.
    if (isVoteRequest && !m.force && this.inLease()) return false;
    if (m.type === 'preVote') return true; // a pre-vote never changes our term
    if (m.type === 'preVoteResp' && !m.reject) return true; // carries the proposed term
    this.becomeFollower(m.term, m.type === 'append' || m.type === 'installSnapshot' ? m.from : undefined);
    return true;
  }

  private rejectLowerTerm(m: RaftMessage): void {
    // A stale leader learns the newer term from our reply and steps down.
    if (m.type === 'append' || m.type === 'installSnapshot') {
      const index = m.type === 'append' ? m.prevLogIndex : m.lastIncludedIndex;
      this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.currentTerm, reject: true, index, rejectHint: 0, hintTerm: 0 });
    } else if (m.type === 'preVote') {
      this.send({ type: 'preVoteResp', from: this.id, to: m.from, term: this.currentTerm, reject: true });
    }
  }

  private inLease(): boolean {
    if (this.roleValue === 'leader') return true;
    return this.leader !== undefined && this.electionElapsed < this.electionTimeout;
  }

  // ---- elections ----

  private campaign(kind: 'preVote' | 'vote', force = false): void {
    if (kind === 'preVote') {
      this.roleValue = 'preCandidate';
      this.leader = undefined;
      this.resetElectionTimer();
    } else {
      this.becomeCandidate();
    }
    this.votes = new Map([[this.id, true]]);
    if (this.peers.length === 0) return this.onVoteWon(kind);
    const term = kind === 'preVote' ? this.currentTerm + 1 : this.currentTerm;
    for (const to of this.peers) {
      this.send({ type: kind, from: this.id, to, term, lastLogIndex: this.log.lastIndex(), lastLogTerm: this.log.lastTerm(), force });
    }
  }

  private handleVoteRequest(m: VoteRequest): void {
    const canVote = this.votedFor === m.from ||
      (this.votedFor === undefined && this.leader === undefined) ||
      (m.type === 'preVote' && m.term > this.currentTerm);
    const grant = canVote && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm);
    const respType = m.type === 'preVote' ? 'preVoteResp' : 'voteResp';
    if (grant && m.type === 'vote') {
      this.votedFor = m.from;
      this.electionElapsed = 0;
    }
    this.send({ type: respType, from: this.id, to: m.from, term: grant ? m.term : this.currentTerm, reject: !grant });
  }

  private handleVoteResponse(m: VoteResponse): void {
    const expected = this.roleValue === 'preCandidate' ? 'preVoteResp' : this.roleValue === 'candidate' ? 'voteResp' : undefined;
    if (m.type !== expected) return;
    if (m.type === 'preVoteResp' && !m.reject && m.term !== this.currentTerm + 1) return; // stale round
    this.votes.set(m.from, !m.reject);
    let granted = 0;
    let rejected = 0;
    for (const v of this.votes.values()) v ? granted++ : rejected++;
    if (granted >= this.quorum()) this.onVoteWon(m.type === 'preVoteResp' ? 'preVote' : 'vote');
    else if (rejected > this.voters.length - this.quorum()) this.becomeFollower(this.currentTerm, undefined);
  }

  private onVoteWon(kind: 'preVote' | 'vote'): void {
    if (kind === 'preVote') this.campaign('vote');
    else this.becomeLeader();
  }

  // ---- role changes ----

  private becomeFollower(term: number, leader: NodeId | undefined): void {
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = undefined;
    }
    const wasFollowingSame = this.roleValue === 'follower' && this.leader === leader && leader !== undefined;
    this.roleValue = 'follower';
    this.leader = leader;
    this.transferee = undefined;
    this.progress.clear();
    if (!wasFollowingSame) this.resetElectionTimer();
  }

  private becomeCandidate(): void {
    this.roleValue = 'candidate';
    this.currentTerm++;
    this.votedFor = this.id;
    this.leader = undefined;
    this.resetElectionTimer();
  }

  private becomeLeader(): void {
    this.roleValue = 'leader';
    this.leader = this.id;
    this.heartbeatElapsed = 0;
    this.electionElapsed = 0;
    this.transferee = undefined;
    this.progress = new Map(this.peers.map((p) => [p, { match: 0, next: this.log.lastIndex() + 1, mode: 'probe', recentActive: true }]));
    // The no-op lets the leader commit entries of earlier terms (Raft §5.4.2) at once.
    this.log.append({ index: this.log.lastIndex() + 1, term: this.currentTerm, kind: 'noop', data: new Uint8Array(0) });
    this.afterLocalAppend();
  }

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.randomizedElectionTimeout = this.electionTimeout + this.random.int(this.electionTimeout);
  }

  // ---- leader ----

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      this.transferee = undefined; // a transfer that did not finish in one election timeout is abandoned
      // Check quorum: a leader that has not heard from a majority steps down, so it stops
      // holding a lease that would make followers ignore a legitimate new election.
      let active = 1;
      for (const pr of this.progress.values()) {
        if (pr.recentActive) active++;
        pr.recentActive = false;
      }
      if (active < this.quorum()) return this.becomeFollower(this.currentTerm, undefined);
    }
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      for (const p of this.peers) {
        // Re-send from the last acknowledged index: repairs streams that lost messages.
        const pr = this.progressOf(p);
        if (pr.mode === 'replicate') pr.next = pr.match + 1;
        this.sendAppend(p);
      }
    }
  }

  private afterLocalAppend(): void {
    for (const p of this.peers) {
      if (this.progressOf(p).mode === 'replicate') this.sendAppend(p);
    }
    this.maybeCommit();
  }

  private sendAppend(to: NodeId): void {
    const pr = this.progressOf(to);
    if (pr.next <= this.log.baseIndex()) return this.sendSnapshot(to, pr);
    const prevLogIndex = pr.next - 1;
    const entries = this.log.slice(pr.next, Math.min(this.log.lastIndex(), prevLogIndex + this.maxEntriesPerAppend));
    this.send({
      type: 'append', from: this.id, to, term: this.currentTerm, prevLogIndex,
      prevLogTerm: this.log.term(prevLogIndex) ?? 0, entries, commitIndex: this.commit,
    });
    if (pr.mode === 'replicate' && entries.length > 0) pr.next = entries[entries.length - 1].index + 1;
  }

  /** The follower needs entries we compacted: send the snapshot, and probe until it acknowledges. */
  private sendSnapshot(to: NodeId, pr: Progress): void {
    this.snapshots.send(this.id, to, this.currentTerm, this.log.baseIndex());
    pr.mode = 'probe';
  }

  private handleAppendResponse(m: AppendResponse): void {
    if (this.roleValue !== 'leader') return;
    const pr = this.progressOf(m.from);
    pr.recentActive = true;
    if (m.reject) {
      const stale = pr.mode === 'replicate' ? m.index <= pr.match : m.index !== pr.next - 1;
      if (stale) return;
      const probe = this.log.findConflictByTerm(m.rejectHint, m.hintTerm);
      pr.next = Math.max(pr.match + 1, Math.min(probe + 1, pr.next - 1));
      pr.mode = 'probe';
      return this.sendAppend(m.from);
    }
    if (m.index > pr.match) {
      pr.match = m.index;
      pr.mode = 'replicate';
      this.maybeCommit();
    }
    pr.next = Math.max(pr.next, pr.match + 1);
    if (this.roleValue !== 'leader') return;
    if (pr.next <= this.log.lastIndex()) this.sendAppend(m.from);
    if (this.transferee === m.from && pr.match === this.log.lastIndex()) {
      this.send({ type: 'timeoutNow', from: this.id, to: m.from, term: this.currentTerm });
    }
  }

  /** Commit the highest index held by a majority, but only if it is of the current term (§5.4.2). */
  private maybeCommit(): void {
    const matches = [this.log.lastIndex(), ...[...this.progress.values()].map((p) => p.match)].sort((a, b) => b - a);
    const candidate = matches[this.quorum() - 1];
    const ofCurrentTerm = this.log.term(candidate) === this.currentTerm || this.unsafeCommitEarlierTermsByCount;
    if (candidate > this.commit && ofCurrentTerm) {
      this.commit = candidate;
      for (const p of this.peers) if (this.progressOf(p).mode === 'replicate') this.sendAppend(p);
    }
  }

  // ---- follower ----

  private handleAppend(m: AppendRequest): void {
    const reply = (fields: Pick<AppendResponse, 'reject' | 'index' | 'rejectHint' | 'hintTerm'>): void =>
      this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.currentTerm, ...fields });
    if (m.prevLogIndex < this.commit) {
      // Everything up to our commit already matches any leader's log; say so and let it move on.
      return reply({ reject: false, index: this.commit, rejectHint: 0, hintTerm: 0 });
    }
    if (!this.log.matchTerm(m.prevLogIndex, m.prevLogTerm)) {
      const hint = this.log.findConflictByTerm(Math.min(m.prevLogIndex, this.log.lastIndex()), m.prevLogTerm);
      return reply({ reject: true, index: m.prevLogIndex, rejectHint: hint, hintTerm: this.log.term(hint) ?? 0 });
    }
    this.log.appendFromLeader(m.entries, this.commit);
    const lastNew = m.prevLogIndex + m.entries.length;
    const newCommit = Math.min(m.commitIndex, lastNew);
    if (newCommit > this.commit) this.commit = newCommit;
    reply({ reject: false, index: lastNew, rejectHint: 0, hintTerm: 0 });
  }

  private handleInstallSnapshot(m: InstallSnapshot): void {
    const ack = (index: number): void =>
      this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.currentTerm, reject: false, index, rejectHint: 0, hintTerm: 0 });
    // Everything through our commit matches any leader's log already.
    if (m.lastIncludedIndex <= this.commit) return ack(this.commit);
    this.log.restore(m.lastIncludedIndex, m.lastIncludedTerm);
    this.snapshots.installed(m);
    this.commit = m.lastIncludedIndex;
    ack(m.lastIncludedIndex);
  }

  // ---- helpers ----

  private quorum(): number {
    return Math.floor(this.voters.length / 2) + 1;
  }

  private progressOf(peer: NodeId): Progress {
    const pr = this.progress.get(peer);
    invariant(pr !== undefined, () => `no progress for ${peer}`);
    return pr;
  }

  private send(m: Message): void {
    this.outbox.push(m);
  }

  private hardState(): HardState {
    return { term: this.currentTerm, votedFor: this.votedFor, commitIndex: this.commit };
  }

  private assertNoPendingReady(): void {
    invariant(this.pendingReady === undefined, 'call advance() after handling a Ready before the next input');
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.votedFor === b.votedFor && a.commitIndex === b.commitIndex;
}
