/** Node ids are small strings chosen by the caller (broker ids in the cluster). */
export type NodeId = string;

/** One log entry. A leader's first entry in its term is a no-op (empty `data`, kind 'noop'). */
export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly kind: 'normal' | 'noop';
  readonly data: Uint8Array;
}

/** What a node must persist (fsync) before it sends the messages of the same Ready. */
export interface HardState {
  readonly term: number;
  readonly votedFor: NodeId | undefined;
  readonly commitIndex: number;
}

/** Everything a node had on disk when it (re)starts. */
export interface PersistedState {
  readonly hardState: HardState;
  /** Contiguous from index 1, or from snapshot.index + 1 when there is a snapshot. */
  readonly entries: readonly Entry[];
  /** The latest state-machine snapshot; the caller restores its state machine from it itself. */
  readonly snapshot?: Snapshot;
}

/** A state-machine snapshot: everything applied through `index`, whose entry had `term`. */
export interface Snapshot {
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array;
}

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  /** For a granted pre-vote (and its request) this is the proposed term, not the sender's. */
  readonly term: number;
}

export interface VoteRequest extends MessageBase {
  readonly type: 'preVote' | 'vote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  /** Set by a leadership transfer: the voter ignores its leader lease. */
  readonly force: boolean;
}

export interface VoteResponse extends MessageBase {
  readonly type: 'preVoteResp' | 'voteResp';
  readonly reject: boolean;
}

/** AppendEntries; with no entries it is the heartbeat. */
export interface AppendRequest extends MessageBase {
  readonly type: 'append';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly commitIndex: number;
}

export interface AppendResponse extends MessageBase {
  readonly type: 'appendResp';
  readonly reject: boolean;
  /** Accepted: the follower's log matches the leader's through this index. Rejected: the rejected prevLogIndex. */
  readonly index: number;
  /** Rejected only: the leader should probe at or below this index with a term at most `hintTerm`. */
  readonly rejectHint: number;
  readonly hintTerm: number;
}

/** Sent by a leader transferring leadership: campaign now, skipping pre-vote. */
export interface TimeoutNow extends MessageBase {
  readonly type: 'timeoutNow';
}

export type Message = VoteRequest | VoteResponse | AppendRequest | AppendResponse | TimeoutNow | InstallSnapshot;

/**
 * Sent by a leader to a follower whose next index it has compacted away. The follower answers
 * with an AppendResponse for lastIncludedIndex.
 */
export interface InstallSnapshot extends MessageBase {
  readonly type: 'installSnapshot';
  readonly leaderId: NodeId;
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
  readonly data: Uint8Array;
}

/** The same as `Message`, kept as an alias for callers written before InstallSnapshot joined it. */
export type RaftMessage = Message;

/**
 * The outputs of a node since the last advance(). The caller handles them in this order:
 *  1. persist `hardState` (if present) and `entriesToPersist` — first discarding every persisted
 *     entry whose index is >= entriesToPersist[0].index — and fsync;
 *  2. only then send `messages` (a vote or an acknowledgement must never outrun the disk);
 *  3. apply `committedEntries` to the state machine, in order;
 *  4. call advance().
 */
export interface Ready {
  readonly hardState: HardState | undefined;
  readonly entriesToPersist: readonly Entry[];
  /** Set when a conflict truncated the log: persisted entries from this index on are void. */
  readonly truncateFrom: number | undefined;
  readonly messages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  /**
   * Set when a leader's snapshot was installed: persist it (discarding every persisted entry at or
   * below its index) with the rest of step 1, and apply it, replacing the state machine, before
   * `committedEntries`.
   */
  readonly snapshot?: Snapshot;
  /** InstallSnapshot messages, sent with `messages` (step 2). */
  readonly snapshotMessages?: readonly InstallSnapshot[];
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** Why a node refused a proposal; `leaderHint` is the leader it knows of, if any, to redirect to. */
export type ProposeRejection = 'not-leader' | 'transferring';

export type ProposeResult =
  | { readonly ok: true; readonly index: number }
  | { readonly ok: false; readonly reason: ProposeRejection; readonly leaderHint: NodeId | undefined };
