import { invariant } from '@tributary/common';
import type { RaftNode } from '../raft-node.js';
import type { Entry, NodeId } from '../types.js';

/**
 * Raft's safety properties, checked against the live nodes after every simulation step. Entries
 * travel by reference in the simulation, so "the same entry" is object identity: a stronger check
 * than comparing bytes.
 */
export class InvariantChecker {
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** committed[i - 1] is the entry committed at index i, with the term in which it was seen committed. */
  private readonly committed: { entry: Entry; seenInTerm: number }[] = [];
  private readonly commitInLife = new Map<NodeId, number>();
  private readonly appliedCount = new Map<NodeId, number>();
  /** (index, term) -> the one entry with that position, and the term of its predecessor. */
  private readonly positions = new Map<string, { entry: Entry; prevTerm: number }>();

  committedCount(): number {
    return this.committed.length;
  }

  committedEntry(index: number): Entry | undefined {
    return this.committed[index - 1]?.entry;
  }

  /**
   * A restarted node keeps only its persisted commit; its state machine is rebuilt from 0. That
   * commit may never have been seen by checkStep: a node can commit in memory, persist the hard
   * state and crash before the step ends (and before any check runs). So the entries below the
   * persisted commit are recorded (or, if already known, compared) here, not taken on trust.
   */
  onRestart(node: RaftNode, snapshotMachine: readonly Entry[] = []): void {
    this.onApplySnapshot(node, snapshotMachine);
    for (let i = node.snapshotIndex + 1; i <= node.commitIndex; i++) this.recordCommitted(node, node.entryAt(i));
    this.commitInLife.set(node.id, node.commitIndex);
  }

  /** A snapshot replaced the node's state machine: it must be a prefix of the committed sequence. */
  onApplySnapshot(node: RaftNode, machine: readonly Entry[]): void {
    machine.forEach((e, i) => {
      invariant(e.index === i + 1, () => `${node.id} snapshot state has ${e.index} at ${i + 1}`);
      this.recordCommitted(node, e);
    });
    invariant(machine.length === node.snapshotIndex,
      () => `${node.id} snapshot state length ${machine.length} vs base ${node.snapshotIndex}`);
    this.appliedCount.set(node.id, machine.length);
  }

  onApply(node: RaftNode, entries: readonly Entry[]): void {
    let applied = this.appliedCount.get(node.id) ?? 0;
    for (const e of entries) {
      invariant(e.index === applied + 1, () => `${node.id} applied ${e.index} after ${applied}`);
      this.recordCommitted(node, e);
      applied = e.index;
    }
    this.appliedCount.set(node.id, applied);
  }

  /** Cheap checks, after every step. */
  checkStep(nodes: readonly RaftNode[]): void {
    for (const node of nodes) {
      if (node.role === 'leader') {
        const other = this.leaderOfTerm.get(node.term);
        invariant(other === undefined || other === node.id, () => `two leaders in term ${node.term}: ${other} and ${node.id}`);
        this.leaderOfTerm.set(node.term, node.id);
      }
      const before = this.commitInLife.get(node.id) ?? 0;
      invariant(node.commitIndex >= before, () => `${node.id} commit went back from ${before} to ${node.commitIndex}`);
      invariant(node.commitIndex <= node.lastIndex, () => `${node.id} commit beyond its log`);
      // Entries under a freshly installed snapshot are checked when the snapshot is applied.
      for (let i = Math.max(before, node.snapshotIndex) + 1; i <= node.commitIndex; i++) this.recordCommitted(node, node.entryAt(i));
      this.commitInLife.set(node.id, node.commitIndex);
    }
  }

  /** Full-log checks: log matching, leader completeness, committed entries unchanged. */
  checkLogs(nodes: readonly RaftNode[]): void {
    for (const node of nodes) {
      const base = node.snapshotIndex;
      if (base > 0) {
        // The snapshot covers committed entries only; its (index, term) must be the committed one's.
        const committed = this.committed[base - 1];
        invariant(committed !== undefined && committed.entry.term === node.termAt(base),
          () => `${node.id} snapshot base ${base}/t${node.termAt(base)} is not the committed entry`);
      }
      for (let i = base + 1; i <= node.lastIndex; i++) {
        const entry = node.entryAt(i);
        invariant(entry !== undefined && entry.index === i, () => `${node.id} log hole at ${i}`);
        const key = `${i}:${entry.term}`;
        const prevTerm = node.termAt(i - 1) ?? -1;
        const seen = this.positions.get(key);
        if (seen === undefined) this.positions.set(key, { entry, prevTerm });
        else {
          invariant(seen.entry === entry, () => `log matching: two entries at index ${i} term ${entry.term}`);
          invariant(seen.prevTerm === prevTerm, () => `log matching: prefixes differ below index ${i} term ${entry.term}`);
        }
        const committed = this.committed[i - 1];
        if (i <= node.commitIndex) {
          invariant(committed?.entry === entry, () =>
            `${node.id} committed entry ${i} changed: holds ${describeEntry(entry)}, committed was ${committed === undefined ? 'none' : describeEntry(committed.entry)}`);
        }
        if (node.role === 'leader' && committed !== undefined && committed.seenInTerm <= node.term) {
          invariant(committed.entry === entry, () => `leader completeness: ${node.id} (term ${node.term}) lacks committed ${i}`);
        }
      }
      if (node.role === 'leader') {
        const missing = this.committed.findIndex((c, i) => i + 1 > node.lastIndex && c.seenInTerm <= node.term);
        invariant(missing < 0, () => `leader completeness: ${node.id} (term ${node.term}) lacks committed ${missing + 1}`);
      }
    }
  }

  private recordCommitted(node: RaftNode, entry: Entry | undefined): void {
    invariant(entry !== undefined, () => `${node.id} committed an entry it does not hold`);
    const existing = this.committed[entry.index - 1];
    if (existing !== undefined) {
      invariant(existing.entry === entry, () => `committed entry ${entry.index} differs on ${node.id}`);
      return;
    }
    invariant(entry.index === this.committed.length + 1, () => `commit skipped to ${entry.index}`);
    this.committed.push({ entry, seenInTerm: node.term });
  }
}

function describeEntry(e: Entry): string {
  return `${e.index}/t${e.term}/${e.kind}[${[...e.data].join(',')}]`;
}
