import { invariant } from '@tributary/common';
import type { InstallSnapshot, NodeId, Ready, Snapshot } from './types.js';

/**
 * A RaftNode's snapshot bookkeeping: the latest snapshot (taken by compaction or installed from a
 * leader) to send to lagging followers, the one the caller must still persist and apply, and the
 * InstallSnapshot messages not yet handed out in a Ready.
 */
export class SnapshotHandling {
  /** The latest snapshot (taken here or installed from a leader), to send to lagging followers. */
  private latest: Snapshot | undefined;
  /** A leader's snapshot installed since the last Ready: the caller must persist and apply it. */
  private toApply: Snapshot | undefined;
  private outbox: InstallSnapshot[] = [];

  constructor(persisted: Snapshot | undefined) {
    this.latest = persisted;
  }

  /** The index committed entries of the next Ready start after, at least (0 with nothing to apply). */
  get toApplyIndex(): number {
    return this.toApply?.index ?? 0;
  }

  hasOutput(): boolean {
    return this.outbox.length > 0 || this.toApply !== undefined;
  }

  /** The caller compacted through `index`, whose entry had `term`. */
  taken(index: number, term: number, data: Uint8Array): void {
    this.latest = { index, term, data };
  }

  /** Queues the latest snapshot for `to`; it must cover exactly the log's compacted prefix. */
  send(from: NodeId, to: NodeId, term: number, baseIndex: number): void {
    const snap = this.latest;
    invariant(snap !== undefined && snap.index === baseIndex, 'compacted log without its snapshot');
    this.outbox.push({
      type: 'installSnapshot', from, to, term, leaderId: from,
      lastIncludedIndex: snap.index, lastIncludedTerm: snap.term, data: snap.data,
    });
  }

  /** A leader's snapshot replaces our state: keep it to send on, and to hand to the caller. */
  installed(m: InstallSnapshot): void {
    const snap: Snapshot = { index: m.lastIncludedIndex, term: m.lastIncludedTerm, data: m.data };
    this.latest = snap;
    this.toApply = snap;
  }

  /** The snapshot parts of a Ready; hands them out once. */
  takeReadyParts(): Pick<Ready, 'snapshot' | 'snapshotMessages'> {
    const parts = {
      ...(this.toApply !== undefined ? { snapshot: this.toApply } : {}),
      ...(this.outbox.length > 0 ? { snapshotMessages: this.outbox } : {}),
    };
    this.outbox = [];
    this.toApply = undefined;
    return parts;
  }
}
