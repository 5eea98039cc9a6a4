/**
 * Durable Raft state in LevelDB (`level`): the hard state under one key and each log entry under
 * `log/<index, 20 digits zero-padded>` so that key order is index order. Every write is one
 * LevelDB batch with `sync: true`: truncation, appends and hard state land together, and are on
 * disk before write() resolves — Raft's votes and acknowledgements depend on it.
 *
 * The latest snapshot sits under `snapshot` (index, term, data). Writing one deletes every log key
 * at or below its index in the same batch, so after a crash the log always starts right after the
 * snapshot.
 */
import { Level } from 'level';
import { err, ok, TributaryError, type Result } from '@tributary/common';
import type { Entry, HardState, PersistedState, Ready, Snapshot } from '@tributary/raft';

export class RaftStorageError extends TributaryError {
  override readonly name = 'RaftStorageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const HARD_STATE_KEY = 'hardState';
const SNAPSHOT_KEY = 'snapshot';
const LOG_PREFIX = 'log/';
/** '0' sorts right after '/', so [`log/`, `log0`) is exactly the log. */
const LOG_END = 'log0';
const INDEX_DIGITS = 20;

export function logKey(index: number): string {
  return LOG_PREFIX + String(index).padStart(INDEX_DIGITS, '0');
}

type Batch = Array<{ type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }>;

/** What one Ready asks to persist. */
export type PersistRequest = Pick<Ready, 'hardState' | 'entriesToPersist' | 'truncateFrom' | 'snapshot'>;

/**
 * Durable Raft state as the driver needs it. RaftStorage (LevelDB) is the real one; the
 * simulation keeps it in memory and loses what a crash would.
 */
export interface RaftLogStore {
  load(): Promise<Result<PersistedState, RaftStorageError>>;
  /** Resolves once everything in `request` is durable. */
  write(request: PersistRequest): Promise<Result<void, RaftStorageError>>;
  /** Replaces the log through `index` with a snapshot holding `data`, durably. */
  compact(index: number, data: Uint8Array): Promise<Result<void, RaftStorageError>>;
  close(): Promise<void>;
}

export class RaftStorage implements RaftLogStore {
  /** The last persisted index, tracked so truncation can name the keys it deletes in the same batch. */
  private lastIndex = 0;
  /** The persisted snapshot's index (0 without one): log keys start right after it. */
  private snapshotIndex = 0;

  private constructor(private readonly db: Level<string, Uint8Array>) {}

  static async open(directory: string): Promise<Result<RaftStorage, RaftStorageError>> {
    const db = new Level<string, Uint8Array>(directory, { valueEncoding: 'view' });
    try {
      await db.open();
    } catch (cause) {
      return err(new RaftStorageError(`cannot open raft storage at ${directory}`, { cause }));
    }
    return ok(new RaftStorage(db));
  }

  /** The state the core's constructor takes. Fails on a gap in the log: the directory is damaged. */
  async load(): Promise<Result<PersistedState, RaftStorageError>> {
    try {
      const raw = await this.db.get(HARD_STATE_KEY);
      const hardState = raw === undefined ? { term: 0, votedFor: undefined, commitIndex: 0 } : decodeHardState(raw);
      const rawSnapshot = await this.db.get(SNAPSHOT_KEY);
      const snapshot = rawSnapshot === undefined ? undefined : decodeSnapshot(rawSnapshot);
      const base = snapshot?.index ?? 0;
      const entries: Entry[] = [];
      for await (const [key, value] of this.db.iterator({ gte: LOG_PREFIX, lt: LOG_END })) {
        const index = Number(key.slice(LOG_PREFIX.length));
        const expected = base + entries.length + 1;
        if (index !== expected) return err(new RaftStorageError(`raft log gap: expected index ${expected}, found ${index}`));
        entries.push(decodeEntry(index, value));
      }
      this.snapshotIndex = base;
      this.lastIndex = base + entries.length;
      return ok(snapshot === undefined ? { hardState, entries } : { hardState, entries, snapshot });
    } catch (cause) {
      return err(new RaftStorageError('cannot read raft storage', { cause }));
    }
  }

  /**
   * Applies one Ready's durable part atomically and fsyncs. Every persisted entry at or after the
   * truncation point, or at or after the first entry to persist, is discarded first; with a
   * snapshot, so is every entry at or below its index.
   */
  async write(request: PersistRequest): Promise<Result<void, RaftStorageError>> {
    const batch: Batch = [];
    const first = request.entriesToPersist[0]?.index;
    const discardFrom = Math.min(request.truncateFrom ?? Infinity, first ?? Infinity);
    const snapshot = request.snapshot;
    if (snapshot !== undefined) {
      for (let i = this.snapshotIndex + 1; i <= Math.min(snapshot.index, this.lastIndex); i++) batch.push({ type: 'del', key: logKey(i) });
      batch.push({ type: 'put', key: SNAPSHOT_KEY, value: encodeSnapshot(snapshot) });
    }
    const liveFrom = Math.max(discardFrom, (snapshot?.index ?? this.snapshotIndex) + 1);
    for (let i = liveFrom; i <= this.lastIndex; i++) batch.push({ type: 'del', key: logKey(i) });
    for (const e of request.entriesToPersist) batch.push({ type: 'put', key: logKey(e.index), value: encodeEntry(e) });
    if (request.hardState !== undefined) batch.push({ type: 'put', key: HARD_STATE_KEY, value: encodeHardState(request.hardState) });
    if (batch.length === 0) return ok(undefined);
    try {
      await this.db.batch(batch, { sync: true });
    } catch (cause) {
      return err(new RaftStorageError('raft storage write failed', { cause }));
    }
    const last = request.entriesToPersist.at(-1)?.index;
    if (discardFrom <= this.lastIndex) this.lastIndex = discardFrom - 1;
    if (snapshot !== undefined) {
      this.snapshotIndex = snapshot.index;
      this.lastIndex = Math.max(this.lastIndex, snapshot.index);
    }
    if (last !== undefined) this.lastIndex = last;
    return ok(undefined);
  }

  /**
   * The caller's own compaction: stores `data` as the snapshot through `index` (an entry this
   * storage holds, or the current snapshot's index) and deletes log keys at or below it, in one
   * synced batch. A no-op at or below the current snapshot.
   */
  async compact(index: number, data: Uint8Array): Promise<Result<void, RaftStorageError>> {
    if (index <= this.snapshotIndex) return ok(undefined);
    if (index > this.lastIndex) return err(new RaftStorageError(`cannot compact through ${index}: the log ends at ${this.lastIndex}`));
    try {
      const raw = await this.db.get(logKey(index));
      if (raw === undefined) return err(new RaftStorageError(`cannot compact through ${index}: no entry`));
      const snapshot: Snapshot = { index, term: decodeEntry(index, raw).term, data };
      const batch: Batch = [];
      for (let i = this.snapshotIndex + 1; i <= index; i++) batch.push({ type: 'del', key: logKey(i) });
      batch.push({ type: 'put', key: SNAPSHOT_KEY, value: encodeSnapshot(snapshot) });
      await this.db.batch(batch, { sync: true });
    } catch (cause) {
      return err(new RaftStorageError('raft storage compaction failed', { cause }));
    }
    this.snapshotIndex = index;
    return ok(undefined);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

function encodeHardState(hs: HardState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ term: hs.term, votedFor: hs.votedFor ?? null, commitIndex: hs.commitIndex }));
}

function decodeHardState(raw: Uint8Array): HardState {
  const parsed = JSON.parse(new TextDecoder().decode(raw)) as { term: number; votedFor: string | null; commitIndex: number };
  return { term: parsed.term, votedFor: parsed.votedFor ?? undefined, commitIndex: parsed.commitIndex };
}

/** Entry value: kind (1 byte: 0 normal, 1 noop), term (8 bytes, big-endian), then the data. */
function encodeEntry(e: Entry): Uint8Array {
  const out = new Uint8Array(9 + e.data.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, e.kind === 'noop' ? 1 : 0);
  view.setBigUint64(1, BigInt(e.term));
  out.set(e.data, 9);
  return out;
}

function decodeEntry(index: number, value: Uint8Array): Entry {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  if (value.byteLength < 9) throw new RaftStorageError(`raft log entry ${index} is truncated`);
  return { index, term: Number(view.getBigUint64(1)), kind: view.getUint8(0) === 1 ? 'noop' : 'normal', data: Uint8Array.from(value.subarray(9)) };
}

/** Snapshot value: index (8 bytes, big-endian), term (8 bytes), then the state machine's data. */
function encodeSnapshot(snap: Snapshot): Uint8Array {
  const out = new Uint8Array(16 + snap.data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(snap.index));
  view.setBigUint64(8, BigInt(snap.term));
  out.set(snap.data, 16);
  return out;
}

function decodeSnapshot(value: Uint8Array): Snapshot {
  if (value.byteLength < 16) throw new RaftStorageError('raft snapshot is truncated');
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return { index: Number(view.getBigUint64(0)), term: Number(view.getBigUint64(8)), data: Uint8Array.from(value.subarray(16)) };
}
