import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@tributary/common';
import { RaftNode } from '../raft-node.js';
import type { Entry, HardState } from '../types.js';
import { InvariantChecker } from './invariants.js';
import { runSeed } from './run-seed.js';

const voters = ['n1', 'n2', 'n3'];

function restartFrom(id: string, hardState: HardState, entries: Entry[]): RaftNode {
  return new RaftNode({ id, voters, electionTimeoutTicks: 10, heartbeatTicks: 2, random: seededRandom(1), persisted: { hardState, entries } });
}

function entry(index: number, term: number, byte: number): Entry {
  return { index, term, kind: 'normal', data: new Uint8Array([byte]) };
}

test('checker: a commit persisted in a life no check saw is recorded on restart, not reported as changed', () => {
  // The leader committed 1..2 in memory, persisted the hard state and crashed before sending:
  // the step never ended, so checkStep never saw commit 2. Its restart reads commit 2 from disk.
  const checker = new InvariantChecker();
  const log = [entry(1, 1, 1), entry(2, 1, 2)];
  const node = restartFrom('n1', { term: 1, votedFor: 'n1', commitIndex: 2 }, log);
  checker.onRestart(node);
  checker.checkStep([node]);
  assert.doesNotThrow(() => checker.checkLogs([node]));
  assert.equal(checker.committedCount(), 2);
  assert.equal(checker.committedEntry(2), log[1]);
});

test('checker: a restarted node whose persisted commit contradicts an earlier commit is caught', () => {
  const checker = new InvariantChecker();
  checker.onRestart(restartFrom('n1', { term: 1, votedFor: 'n1', commitIndex: 1 }, [entry(1, 1, 1)]));
  const liar = restartFrom('n2', { term: 2, votedFor: 'n2', commitIndex: 1 }, [entry(1, 2, 9)]);
  assert.throws(() => checker.onRestart(liar), /committed entry 1 differs on n2/);
});

test('simulation: seeds that crashed a node after it persisted an unchecked commit now pass', () => {
  for (const [seed, nodes] of [[4015, 3], [5736, 3], [2663, 5], [4771, 5]] as const) {
    const r = runSeed(seed, { nodes });
    assert.equal(r.ok, true, `seed ${seed} (${nodes} nodes): ${r.error}`);
  }
});
