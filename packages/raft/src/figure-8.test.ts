import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@tributary/common';
import { RaftNode } from './raft-node.js';
import { InvariantChecker } from './sim/invariants.js';
import type { Message, NodeId } from './types.js';

/**
 * The Raft paper's Figure 8, scripted message by message on five nodes. S1 leads term 2 and gets
 * index 2 onto S2; S5 leads term 3 with its own index 2; S1 leads term 4 and gets its term-2 index 2
 * onto a majority (S1, S2, S3) without its term-4 entry. Counting replicas would commit index 2 now;
 * then S5 wins term 5 with S3, S4 and overwrites it. The §5.4.2 rule (commit only entries of the
 * current term by counting) must forbid that commit, and the checker must catch its removal.
 */
function runFigure8(unsafe: boolean): { checker: InvariantChecker; nodes: Map<NodeId, RaftNode> } {
  const ids = ['s1', 's2', 's3', 's4', 's5'];
  const checker = new InvariantChecker();
  const nodes = new Map<NodeId, RaftNode>();
  const make = (id: NodeId, from?: RaftNode): RaftNode => {
    const entries = from === undefined ? [] : Array.from({ length: from.lastIndex }, (_, i) => from.entryAt(i + 1)!);
    const node = new RaftNode({
      id, voters: ids, electionTimeoutTicks: 1000, heartbeatTicks: 1, random: seededRandom(1), maxEntriesPerAppend: 1,
      unsafeCommitEarlierTermsByCount: unsafe,
      persisted: from === undefined ? undefined : { hardState: { term: from.term, votedFor: from.vote, commitIndex: from.commitIndex }, entries },
    });
    nodes.set(id, node);
    checker.onRestart(node);
    return node;
  };
  for (const id of ids) make(id);
  const down = new Set<NodeId>();
  let queue: Message[] = [];
  const check = (): void => {
    const live = [...nodes.values()].filter((n) => !down.has(n.id));
    checker.checkStep(live);
    checker.checkLogs(live);
  };
  const collect = (node: RaftNode): void => {
    if (!node.hasReady()) return;
    const r = node.ready();
    queue.push(...r.messages);
    checker.onApply(node, r.committedEntries);
    node.advance();
    check();
  };
  const input = (id: NodeId, f: (n: RaftNode) => void): void => {
    const n = nodes.get(id)!;
    f(n);
    collect(n);
  };
  /** Delivers the queued messages matching `pick` (one round); drops the rest unless `keep`. */
  const deliver = (pick: (m: Message) => boolean, keep = false): void => {
    const batch = queue;
    queue = [];
    for (const m of batch) {
      if (pick(m)) input(m.to, (n) => n.step(m));
      else if (keep) queue.push(m);
    }
  };
  const campaign = (id: NodeId, voters: NodeId[]): void => {
    const n = nodes.get(id)!;
    input(id, (x) => x.step({ type: 'timeoutNow', from: ids.find((o) => o !== id)!, to: id, term: n.term }));
    deliver((m) => m.type === 'vote' && voters.includes(m.to));
    deliver((m) => m.type === 'voteResp' && m.to === id);
    queue = [];
  };
  const heartbeat = (leader: NodeId, to: NodeId[]): void => {
    input(leader, (n) => n.tick());
    deliver((m) => m.type === 'append' && to.includes(m.to));
  };

  // Term 1: s1 leads and commits its no-op (index 1) everywhere.
  campaign('s1', ['s2', 's3']);
  assert.equal(nodes.get('s1')!.role, 'leader');
  heartbeat('s1', ids);
  deliver((m) => m.type === 'appendResp');
  queue = [];
  // (a) Term 2: s1 (restarted, so a follower) leads again; its no-op (index 2, term 2) reaches s2 only.
  make('s1', nodes.get('s1'));
  campaign('s1', ['s2', 's3']);
  assert.equal(nodes.get('s1')!.term, 2);
  heartbeat('s1', ['s2']);
  deliver((m) => m.type === 'appendResp');
  queue = [];
  // (b) s1 crashes. s5 leads term 3 (votes of s3, s4) and appends index 2 in term 3 locally only.
  down.add('s1');
  campaign('s5', []);
  campaign('s5', ['s3', 's4']);
  assert.equal(nodes.get('s5')!.role, 'leader');
  assert.equal(nodes.get('s5')!.term, 3);
  down.add('s5');
  // (c) s1 restarts and leads term 4 (votes of s2, s3). Its index 2 (term 2) reaches s3, and its
  // term-4 no-op (index 3) reaches s2 only: index 2 is on a majority, index 3 is not.
  down.delete('s1');
  make('s1', nodes.get('s1'));
  campaign('s1', []);
  campaign('s1', ['s2', 's3']);
  assert.equal(nodes.get('s1')!.role, 'leader');
  assert.equal(nodes.get('s1')!.term, 4);
  heartbeat('s1', ['s2', 's3']); // s2 takes index 3; s3 lacks index 2 and rejects
  deliver((m) => m.type === 'appendResp', true); // s1 probes s3 with index 2
  deliver((m) => m.type === 'append' && m.to === 's3' && m.entries[0]?.index === 2);
  deliver((m) => m.type === 'appendResp' && m.from === 's3');
  queue = [];
  assert.equal(nodes.get('s3')!.termAt(2), 2);
  assert.equal(nodes.get('s3')!.lastIndex, 2);
  // (d) s1 crashes again. s5 restarts, leads term 5 (votes of s3, s4) and overwrites index 2.
  down.add('s1');
  down.delete('s5');
  make('s5', nodes.get('s5'));
  campaign('s5', []);
  campaign('s5', ['s3', 's4']);
  assert.equal(nodes.get('s5')!.role, 'leader');
  for (let round = 0; round < 6; round++) {
    heartbeat('s5', ['s2', 's3', 's4']);
    for (let i = 0; i < 4; i++) deliver((m) => !down.has(m.to), true);
    queue = [];
  }
  return { checker, nodes };
}

test('figure 8: with the current-term commit rule, a previous-term entry is not committed by counting', () => {
  const { nodes } = runFigure8(false);
  const s5 = nodes.get('s5')!;
  assert.ok(s5.commitIndex >= 3, 's5 commits its term-5 entries');
  assert.equal(nodes.get('s3')!.termAt(2), 3, 's3 took s5\'s index 2, which was never committed before');
});

test('figure 8: without the current-term commit rule, the invariant checker catches the lost commit', () => {
  assert.throws(() => runFigure8(true), /leader completeness: s5 \(term 5\) lacks committed 2|committed entry 2/);
});
