/**
 * Two logs with random epoch histories that share a prefix, built the way leader epochs happen:
 * a common history, then each side holding its own prefix of the last common epoch's records,
 * then epochs only one side holds (each epoch has one leader, so no epoch is on both sides of
 * the split), and the leader's current epoch above them all. Iterating truncationStep must find
 * exactly where the logs first differ, within the follower's epoch count + 1 steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { truncationStep, type TruncationStep } from './truncation.js';
import { endOffsetFor, latestEpoch, modelLog, records, type ModelLog } from './testing/epoch-model.js';

interface Segment {
  readonly length: number;
  /** How far its epoch is above the previous one. */
  readonly gap: number;
}

interface Histories {
  readonly common: readonly Segment[];
  readonly leaderExtra: number;
  readonly followerExtra: number;
  /** Epochs after the split, in epoch order, each held by one side. */
  readonly divergent: ReadonlyArray<Segment & { readonly onLeader: boolean }>;
  readonly leaderCurrent: Segment;
}

const segment = (minLength: number): fc.Arbitrary<Segment> =>
  fc.record({ length: fc.integer({ min: minLength, max: 4 }), gap: fc.integer({ min: 1, max: 3 }) });

const histories: fc.Arbitrary<Histories> = fc.record({
  common: fc.array(segment(1), { maxLength: 4 }),
  leaderExtra: fc.integer({ min: 0, max: 3 }),
  followerExtra: fc.integer({ min: 0, max: 3 }),
  divergent: fc.array(fc.record({ length: fc.integer({ min: 1, max: 4 }), gap: fc.integer({ min: 1, max: 3 }), onLeader: fc.boolean() }), { maxLength: 6 }),
  leaderCurrent: segment(0),
});

function buildLogs(h: Histories): { leader: ModelLog; follower: ModelLog } {
  let epoch = 0;
  const common: Array<[number, number]> = h.common.map((s) => [(epoch += s.gap), s.length]);
  // Both sides may hold more of the last common epoch, each a prefix of what its leader wrote.
  const lastCommon = common.length > 0 ? epoch : undefined;
  const leaderRuns = [...common, ...(lastCommon === undefined ? [] : [[lastCommon, h.leaderExtra] as [number, number]])];
  const followerRuns = [...common, ...(lastCommon === undefined ? [] : [[lastCommon, h.followerExtra] as [number, number]])];
  for (const s of h.divergent) (s.onLeader ? leaderRuns : followerRuns).push([(epoch += s.gap), s.length]);
  const current = (epoch += h.leaderCurrent.gap);
  leaderRuns.push([current, h.leaderCurrent.length]);
  return { leader: modelLog(records(...leaderRuns), current), follower: modelLog(records(...followerRuns)) };
}

function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Asks and steps as a follower would until told to truncate; returns the final step and the count. */
function resolve(leader: ModelLog, follower: ModelLog, maxSteps: number): { final: Exclude<TruncationStep, { kind: 'ask-again' }>; steps: number } {
  let requestedEpoch = latestEpoch(follower);
  for (let steps = 1; steps <= maxSteps; steps++) {
    const next = truncationStep({
      requestedEpoch,
      leaderAnswer: endOffsetFor(leader, requestedEpoch),
      followerEndOffsetFor: (epoch) => endOffsetFor(follower, epoch),
      followerLogEndOffset: follower.epochs.length,
      leaderLogStartOffset: 0,
    });
    if (next.kind !== 'ask-again') return { final: next, steps };
    assert.ok(next.epoch < requestedEpoch, `asks again about a smaller epoch (${next.epoch} after ${requestedEpoch})`);
    requestedEpoch = next.epoch;
  }
  assert.fail(`no truncation within ${maxSteps} steps`);
}

test('iterated truncation steps converge to where the two logs first differ', () => {
  const seen = { askedAgain: 0, truncatedInside: 0, nothingCommon: 0 };
  fc.assert(
    fc.property(histories, (h) => {
      const { leader, follower } = buildLogs(h);
      const expected = commonPrefixLength(leader.epochs, follower.epochs);
      const { final, steps } = resolve(leader, follower, follower.entries.length + 1);
      if (steps > 1) seen.askedAgain++;
      if (expected < follower.epochs.length) seen.truncatedInside++;
      if (final.kind === 'truncate-fully') {
        seen.nothingCommon++;
        assert.equal(expected, 0, 'a full truncation only when nothing is common');
        assert.equal(final.offset, 0, 'at the leader log start');
      } else {
        assert.equal(final.offset, expected);
      }
    }),
    { numRuns: 2_000 },
  );
  assert.ok(seen.askedAgain > 0 && seen.truncatedInside > 0 && seen.nothingCommon > 0, `runs reached every branch: ${JSON.stringify(seen)}`);
});
