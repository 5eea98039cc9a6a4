/**
 * The checker's rules. About what was written: every acknowledged send against what was read
 * (lost writes, unseen writes, reads at another offset), values read twice or never sent, reads
 * of sends that definitely failed, offsets holding two values, each idempotent producer's
 * acknowledged offsets going forward. About what was read: each consumer's polls going forward
 * without skipping, within one generation.
 */
import { existsBetween, offsetKey, type AnomalySink, type HistoryIndex, type ReadAt } from './checker-index.js';
import type { SendOp } from './history.js';

const where = (reads: readonly ReadAt[]): string => [...new Set(reads.map((r) => `${r.partition}:${r.offset}`))].join(', ');

/** A value read somewhere, but never at the offset its send was acknowledged with. */
function checkAckOffset(send: SendOp, offset: number, index: HistoryIndex, sink: AnomalySink): void {
  const reads = index.readsByValue.get(send.value) ?? [];
  if (reads.length === 0 || reads.some((r) => r.partition === send.partition && r.offset === offset)) return;
  sink.add({
    kind: 'inconsistent-offsets',
    partition: send.partition,
    offset,
    value: send.value,
    message: `${send.value} acknowledged at ${send.partition}:${offset} but read at ${where(reads)}`,
    ops: [send.index, ...reads.map((r) => r.op)],
  });
}

/** Judges one acknowledged send: fine, lost, unseen, or not judgeable (the final read stopped short). */
function judgeAck(send: SendOp, offset: number, index: HistoryIndex, sink: AnomalySink): 'fine' | 'unverified' {
  const { partition: p, value: v } = send;
  const final = index.finals.get(p);
  const finalAt = final?.valuesAt.get(offset);
  if (finalAt?.has(v)) return 'fine';
  const base = { partition: p, offset, value: v };
  if (finalAt !== undefined && finalAt.size > 0) {
    sink.add({ ...base, kind: 'lost-write', message: `${v} acknowledged at ${p}:${offset}, but the final read holds ${[...finalAt].join(', ')} there`, ops: [send.index, final!.op] });
    return 'fine';
  }
  const others = [...(index.readsByOffset.get(offsetKey(p, offset)) ?? new Map<string, readonly number[]>())].filter(([w]) => w !== v);
  if (others.length > 0) {
    const ops = others.flatMap(([, readers]) => readers);
    sink.add({ ...base, kind: 'lost-write', message: `${v} acknowledged at ${p}:${offset}, but ${others.map(([w]) => w).join(', ')} was read there`, ops: [send.index, ...ops] });
    return 'fine';
  }
  if (final === undefined || !(final.complete || final.maxOffset > offset)) return 'unverified';
  if (final.highWatermark > offset || final.maxOffset > offset) {
    sink.add({ ...base, kind: 'lost-write', message: `${v} acknowledged at ${p}:${offset}; the final read has no record there, though the log goes on to ${Math.max(final.highWatermark - 1, final.maxOffset)}`, ops: [send.index, final.op] });
    return 'fine';
  }
  const seenInFinal = (index.readsByValue.get(v) ?? []).some((r) => r.final);
  if (!seenInFinal) {
    sink.add({ ...base, kind: 'unseen', message: `${v} acknowledged at ${p}:${offset}, but the final read ends at high watermark ${final.highWatermark}`, ops: [send.index, final.op] });
  }
  return 'fine';
}

/** Every acknowledged send; returns how many could not be judged. */
export function checkAcknowledged(index: HistoryIndex, sink: AnomalySink): number {
  let unverified = 0;
  for (const send of index.sends) {
    if (send.outcome !== 'ok' || send.offset === undefined) continue;
    checkAckOffset(send, send.offset, index, sink);
    if (judgeAck(send, send.offset, index, sink) === 'unverified') unverified++;
  }
  return unverified;
}

export interface ReadValueCounts {
  readonly allowedDuplicates: number;
  readonly infoSendsSeen: number;
}

/** Values read: unknown ones, ones whose send definitely failed, and ones at more than one offset. */
export function checkReadValues(index: HistoryIndex, sink: AnomalySink): ReadValueCounts {
  let allowedDuplicates = 0;
  let infoSendsSeen = 0;
  for (const [value, reads] of index.readsByValue) {
    const send = index.sendsByValue.get(value);
    const readOps = reads.map((r) => r.op);
    const first = reads[0];
    if (send === undefined) {
      sink.add({ kind: 'unknown-value', partition: first.partition, offset: first.offset, value, message: `${value} read at ${where(reads)} but never sent`, ops: readOps });
      continue;
    }
    if (send.outcome === 'fail') {
      sink.add({ kind: 'aborted-read', partition: first.partition, offset: first.offset, value, message: `${value} read at ${where(reads)} although its send failed (${send.error ?? 'rejected'})`, ops: [send.index, ...readOps] });
    } else if (send.outcome === 'info') {
      infoSendsSeen++;
    }
    const places = new Set(reads.map((r) => offsetKey(r.partition, r.offset)));
    if (places.size <= 1) continue;
    if (send.producer === 'plain') {
      allowedDuplicates++;
    } else {
      sink.add({ kind: 'duplicate', partition: first.partition, offset: first.offset, value, message: `${value} from idempotent producer ${send.process} at ${[...places].join(', ')}`, ops: [send.index, ...readOps] });
    }
  }
  return { allowedDuplicates, infoSendsSeen };
}

/** Offsets read with two values, and offsets a poll read that the (complete enough) final log lacks. */
export function checkOffsetValues(index: HistoryIndex, sink: AnomalySink): void {
  for (const [key, values] of index.readsByOffset) {
    const [partition, offset] = key.split(':').map(Number);
    if (values.size > 1) {
      sink.add({ kind: 'inconsistent-offsets', partition, offset, message: `${key} read as ${[...values.keys()].join(' and ')}`, ops: [...values.values()].flat() });
      continue;
    }
    const final = index.finals.get(partition);
    if (final === undefined || final.valuesAt.has(offset) || !(final.complete || final.maxOffset > offset)) continue;
    const [[value, ops]] = [...values];
    sink.add({ kind: 'inconsistent-offsets', partition, offset, value, message: `${value} polled at ${key}, but the final read has no record at that offset`, ops: [...ops, final.op] });
  }
}

/** Each idempotent producer process sends one record at a time: its acknowledged offsets must increase. */
export function checkSendOrder(index: HistoryIndex, sink: AnomalySink): void {
  const last = new Map<string, SendOp>();
  for (const send of index.sends) {
    if (send.producer !== 'idempotent' || send.outcome !== 'ok' || send.offset === undefined) continue;
    const key = `${send.process}|${send.partition}`;
    const previous = last.get(key);
    if (previous !== undefined && send.offset <= previous.offset!) {
      sink.add({
        kind: 'nonmonotonic-send',
        partition: send.partition,
        offset: send.offset,
        value: send.value,
        message: `${send.process} acknowledged ${send.value} at ${send.partition}:${send.offset} after ${previous.value} at ${send.partition}:${previous.offset}`,
        ops: [previous.index, send.index],
      });
    }
    last.set(key, send);
  }
}

/** Within one consumer, one generation and one partition, polls must go forward without skipping offsets that exist. */
export function checkPolls(index: HistoryIndex, sink: AnomalySink): void {
  const last = new Map<string, { readonly offset: number; readonly op: number }>();
  for (const poll of index.polls) {
    for (const record of poll.records) {
      const key = `${poll.process}|${poll.generation}|${record.partition}`;
      const previous = last.get(key);
      last.set(key, { offset: record.offset, op: poll.index });
      if (previous === undefined) continue;
      const base = { partition: record.partition, offset: record.offset, value: record.value, ops: [previous.op, poll.index] };
      const who = `${poll.process} (generation ${poll.generation})`;
      if (record.offset <= previous.offset) {
        sink.add({ ...base, kind: 'nonmonotonic-poll', message: `${who} read ${record.partition}:${record.offset} after ${record.partition}:${previous.offset}` });
      } else if (existsBetween(index.knownOffsets.get(record.partition) ?? [], previous.offset, record.offset)) {
        sink.add({ ...base, kind: 'poll-skip', message: `${who} went from ${record.partition}:${previous.offset} to ${record.partition}:${record.offset}, skipping offsets that exist` });
      }
    }
  }
}
