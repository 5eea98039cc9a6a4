import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvariantError } from '@tributary/common';
import { truncationStep, type TruncationStep } from './truncation.js';
import { endOffsetFor, latestEpoch, modelLog, records, type ModelLog } from './testing/epoch-model.js';

/** One step for a follower asking the leader about `requestedEpoch` (its latest epoch by default). */
function step(leader: ModelLog, follower: ModelLog, requestedEpoch = latestEpoch(follower), leaderLogStartOffset = 0): TruncationStep {
  return truncationStep({
    requestedEpoch,
    leaderAnswer: endOffsetFor(leader, requestedEpoch),
    followerEndOffsetFor: (epoch) => endOffsetFor(follower, epoch),
    followerLogEndOffset: follower.epochs.length,
    leaderLogStartOffset,
  });
}

test('same epoch on both sides: truncate to where the shorter copy of it ends', () => {
  // The follower got more of epoch 2 than the new leader (epoch 3) kept.
  const leader = modelLog(records([1, 3], [2, 2], [3, 4]), 3);
  const follower = modelLog(records([1, 3], [2, 5]));
  assert.deepEqual(step(leader, follower), { kind: 'truncate', offset: 5 });
});

test('same epoch, the follower is a prefix of the leader: truncate at its own log end, nothing to do', () => {
  const leader = modelLog(records([1, 3], [2, 6]), 4);
  const follower = modelLog(records([1, 3], [2, 2]));
  assert.deepEqual(step(leader, follower), { kind: 'truncate', offset: 5 });
});

test('the leader answers a smaller epoch the follower also has: truncate to the shorter copy of that epoch', () => {
  // The follower led epoch 3 alone and wrote records nobody else has; the leader went 2 -> 4.
  const leader = modelLog(records([1, 2], [2, 3], [4, 2]), 4);
  const follower = modelLog(records([1, 2], [2, 4], [3, 3]));
  assert.deepEqual(endOffsetFor(leader, 3), { epoch: 2, endOffset: 5 });
  assert.deepEqual(step(leader, follower), { kind: 'truncate', offset: 5 });
});

test('the leader answers a smaller epoch the follower lacks: ask again about its largest epoch below that', () => {
  // Follower epochs 1, 2, 5; leader epochs 1, 3, 6. Asked about 5, the leader answers 3.
  const leader = modelLog(records([1, 2], [3, 3]), 6);
  const follower = modelLog(records([1, 2], [2, 2], [5, 2]));
  assert.deepEqual(step(leader, follower), { kind: 'ask-again', epoch: 2 });
  // Asked about 2, the leader answers 1, which the follower has: they share the first two records.
  assert.deepEqual(step(leader, follower, 2), { kind: 'truncate', offset: 2 });
});

test('the follower holds no epoch at or below the answer: truncate to where its first epoch starts', () => {
  const leader = modelLog(records([1, 4]), 3);
  const follower = modelLog(records([2, 3]));
  assert.deepEqual(step(leader, follower), { kind: 'truncate', offset: 0 });
});

test('an undefined answer (no epoch to ask about, or none the leader knows): truncate fully at the leader log start', () => {
  const leader = modelLog(records([4, 3]), 5);
  const empty = modelLog([]);
  assert.deepEqual(step(leader, empty, -1, 40), { kind: 'truncate-fully', offset: 40 });
  const noEpochs = modelLog([]);
  assert.deepEqual(step(noEpochs, modelLog(records([1, 2])), 1, 7), { kind: 'truncate-fully', offset: 7 });
});

test('an answer above the requested epoch breaks the protocol contract', () => {
  assert.throws(
    () =>
      truncationStep({
        requestedEpoch: 2,
        leaderAnswer: { epoch: 3, endOffset: 10 },
        followerEndOffsetFor: () => ({ epoch: 2, endOffset: 4 }),
        followerLogEndOffset: 4,
        leaderLogStartOffset: 0,
      }),
    InvariantError,
  );
});
