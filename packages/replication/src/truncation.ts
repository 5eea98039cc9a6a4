/**
 * The follower's side of log divergence (KIP-101, KIP-279): before fetching from a new leader it
 * asks OffsetsForLeaderEpoch where its latest epoch ends in the leader's log, and truncates its
 * own log where the two stop agreeing. Records of one leader epoch were all written by that
 * epoch's single leader from one start offset, so two logs holding the same epoch agree up to
 * where the shorter copy of it ends; an epoch only one of them holds proves nothing in common.
 */
import { invariant } from '@tributary/common';

/** OffsetsForLeaderEpoch's "no such epoch" answer (LeaderEpochCache.endOffsetFor's too). */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

/** The largest leader epoch <= a requested one and the offset where it ends (the next epoch's start, or the log end). */
export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

/** One step of finding where a follower's log diverges from the leader's. */
export type TruncationStep =
  /** Truncate the follower log to this offset (may equal its log end: nothing to do), then fetch from there. */
  | { readonly kind: 'truncate'; readonly offset: number }
  /** Ask the leader again for this (smaller) epoch. */
  | { readonly kind: 'ask-again'; readonly epoch: number }
  /** The leader has no common epoch: start over at the leader's log start offset. */
  | { readonly kind: 'truncate-fully'; readonly offset: number };

export interface TruncationInput {
  /** The epoch the follower asked about: its latest epoch, or one an earlier step said to ask about. */
  readonly requestedEpoch: number;
  /** The leader's OffsetsForLeaderEpoch answer: its largest epoch <= requestedEpoch and where that ends; -1/-1 when undefined. */
  readonly leaderAnswer: EpochEndOffset;
  /** The follower's own LeaderEpochCache.endOffsetFor (same semantics as the leader's answer). */
  readonly followerEndOffsetFor: (epoch: number) => EpochEndOffset;
  readonly followerLogEndOffset: number;
  readonly leaderLogStartOffset: number;
}

export function truncationStep(input: TruncationInput): TruncationStep {
  const { requestedEpoch, leaderAnswer, followerEndOffsetFor, followerLogEndOffset, leaderLogStartOffset } = input;

  // Undefined: the follower had no epoch to ask about, or the leader knows no epoch at or below it.
  // Nothing is provably common, so the follower starts over from the leader's log start.
  if (leaderAnswer.epoch === UNDEFINED_EPOCH || leaderAnswer.endOffset === UNDEFINED_EPOCH_OFFSET) {
    return { kind: 'truncate-fully', offset: leaderLogStartOffset };
  }
  invariant(leaderAnswer.epoch <= requestedEpoch, () => `the leader answered epoch ${leaderAnswer.epoch} to a request for epoch ${requestedEpoch}`);

  const follower = followerEndOffsetFor(leaderAnswer.epoch);
  if (leaderAnswer.epoch === requestedEpoch) {
    // Both hold the requested epoch: they agree up to where the shorter copy of it ends.
    return truncateTo(Math.min(leaderAnswer.endOffset, follower.endOffset, followerLogEndOffset));
  }

  // The leader never had the requested epoch; its largest below it is E' = leaderAnswer.epoch.
  invariant(follower.epoch !== UNDEFINED_EPOCH, () => `the follower holds no epoch from ${leaderAnswer.epoch} up: requested epoch ${requestedEpoch} must be one of its own`);
  if (follower.epoch === leaderAnswer.epoch) {
    // The follower has E' too, so they agree up to where the shorter copy of E' ends. (endOffsetFor
    // also answers E' when the follower holds no epoch at or below it; its endOffset is then where
    // the follower's first epoch starts, and everything from there is in epochs the leader lacks.)
    return truncateTo(Math.min(leaderAnswer.endOffset, follower.endOffset, followerLogEndOffset));
  }
  // The follower lacks E'. The leader holds no epoch in (E', requestedEpoch], so the follower's
  // epochs there are not common either: ask about its largest epoch below E' instead.
  return { kind: 'ask-again', epoch: follower.epoch };
}

function truncateTo(offset: number): TruncationStep {
  return { kind: 'truncate', offset: Math.max(0, offset) };
}
