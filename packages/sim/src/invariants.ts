/**
 * Safety checks over the live nodes, after every simulation step:
 * - a leader's high watermark never goes down within a leader epoch, whichever node or
 *   incarnation leads it;
 * - committed data never changes: what any replica holds below its high watermark equals, record
 *   by record, what was first seen committed at that offset (so replicas agree below the HW);
 * - an acknowledgement names an offset some leader had already committed.
 */
import { decodeRecordBatch, splitBatches } from '@tributary/protocol';
import type { ReplicaHandle } from '@tributary/broker';
import type { Ack } from './workload.js';
import type { SimNode } from './sim-node.js';

const READ_BYTES = 1 << 20;

export class InvariantChecker {
  readonly violations: string[] = [];
  /** Highest HW seen per partition and leader epoch. */
  private readonly leaderHighWatermarks = new Map<string, number>();
  /** Highest HW any leader reached per partition: everything below is committed. */
  private readonly committedEnd = new Map<string, number>();
  /** Per partition, the record first seen committed at each offset. */
  private readonly committed = new Map<string, Map<number, string>>();
  recordsChecked = 0;

  constructor(private readonly now: () => number) {}

  private readonly reported = new Set<string>();

  /** Each distinct violation is reported once, at its first occurrence. */
  violate(message: string): void {
    if (this.reported.has(message) || this.violations.length >= 50) return;
    this.reported.add(message);
    this.violations.push(`t=${this.now()} ms: ${message}`);
  }

  afterStep(nodes: readonly SimNode[]): void {
    for (const node of nodes) {
      for (const handle of handlesOf(node)) {
        if (handle.replicated.role !== 'leader') continue;
        const partition = `${handle.topic}-${handle.index}`;
        // The epoch it leads at (the handle's own field already shows newer metadata mid-change).
        const epoch = handle.replicated.leaderEpoch;
        const key = `${partition}@${epoch}`;
        const hw = handle.highWatermark;
        const before = this.leaderHighWatermarks.get(key);
        if (before !== undefined && hw < before) this.violate(`high watermark of ${partition} went down within leader epoch ${epoch}: ${before} -> ${hw} (node ${node.nodeId})`);
        if (before === undefined || hw > before) this.leaderHighWatermarks.set(key, hw);
        if (hw > (this.committedEnd.get(partition) ?? 0)) this.committedEnd.set(partition, hw);
      }
    }
  }

  onAck(ack: Ack, topic: string): void {
    const end = this.committedEnd.get(`${topic}-${ack.partition}`) ?? 0;
    if (ack.offset >= end) this.violate(`${ack.value} acknowledged at ${topic}-${ack.partition} offset ${ack.offset}, but no leader's high watermark had passed it (${end})`);
  }

  /** Per incarnation and partition, the offset below which the replica was compared already. */
  private readonly checkedUpTo = new Map<string, number>();

  /**
   * Reads every live replica below its high watermark and compares it with what was committed:
   * `full` from each log's start, otherwise from where the last check of that replica ended.
   */
  async checkLogs(nodes: readonly SimNode[], full = false): Promise<void> {
    for (const node of nodes) {
      const incarnation = node.incarnation;
      for (const handle of handlesOf(node)) {
        if (node.incarnation !== incarnation) break;
        const partition = `${handle.topic}-${handle.index}`;
        const progressKey = `${incarnation}/${partition}`;
        const state = describeReplica(handle);
        const records = await committedRecords(handle, full ? 0 : (this.checkedUpTo.get(progressKey) ?? 0));
        if (records === undefined) continue;
        const last = [...records.keys()].at(-1);
        if (last !== undefined) this.checkedUpTo.set(progressKey, last + 1);
        let known = this.committed.get(partition);
        if (known === undefined) this.committed.set(partition, (known = new Map()));
        for (const [offset, record] of records) {
          this.recordsChecked++;
          const first = known.get(offset);
          if (first === undefined) known.set(offset, record);
          else if (first !== record) this.violate(`committed data changed: ${partition} offset ${offset} on node ${node.nodeId} holds ${record}, committed was ${first} (replica when read: ${state})`);
        }
      }
    }
  }

  /** Committed records of a partition as first seen (offset -> value), for the final checks. */
  committedOf(partition: string): ReadonlyMap<number, string> {
    return this.committed.get(partition) ?? new Map();
  }
}

/** Role, epochs and offsets of a replica, for violation messages. */
function describeReplica(handle: ReplicaHandle): string {
  const r = handle.replicated;
  return `${r.role} at epoch ${r.leaderEpoch}, hw ${handle.highWatermark} (follower hw ${r.followerHighWatermark}), log ${handle.log.logStartOffset}-${handle.log.logEndOffset}, durable ${handle.log.durableEndOffset}`;
}

export function handlesOf(node: SimNode): ReplicaHandle[] {
  if (!node.serving) return [];
  return node.cluster?.replicas.handles() ?? [];
}

/** offset -> "key|value" of every record below the replica's high watermark; undefined if unreadable now. */
export async function committedRecords(handle: ReplicaHandle, from = 0): Promise<Map<number, string> | undefined> {
  const log = handle.log;
  if (log.offlineError !== null) return undefined;
  const end = Math.min(handle.highWatermark, log.logEndOffset);
  const out = new Map<number, string>();
  let offset = Math.max(log.logStartOffset, Math.min(from, end));
  while (offset < end) {
    const read = await log.read(offset, { maxBytes: READ_BYTES, maxOffset: end });
    if (!read.ok || read.value.records.length === 0) return read.ok ? out : undefined;
    const split = splitBatches(read.value.records);
    if (!split.ok) return undefined;
    let next = offset;
    for (const { bytes } of split.value.batches) {
      const batch = await decodeRecordBatch(bytes);
      if (!batch.ok) return undefined;
      const base = Number(batch.value.baseOffset);
      for (const r of batch.value.records) {
        const at = base + r.offsetDelta;
        if (at >= offset && at < end) out.set(at, `${r.key?.toString('hex') ?? ''}|${r.value?.toString() ?? ''}`);
      }
      next = Math.max(next, base + batch.value.lastOffsetDelta + 1);
    }
    if (next <= offset) break;
    offset = next;
  }
  return out;
}
