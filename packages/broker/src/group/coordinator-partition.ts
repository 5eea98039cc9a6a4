/**
 * Runs the pure GroupCoordinator of one `__consumer_offsets` partition: feeds it requests and
 * time, and turns its ready() into I/O in the order that keeps answers honest:
 *   1. responses that depend on nothing unwritten go out at once (heartbeats, held joins);
 *   2. records are appended to the partition (appendAsLeader resolves once durable);
 *   3. only then the responses that claim those records (commits, the leader's assignment).
 * Appends are chained, so a durable response also waits for every earlier append. If an append
 * fails, the core's state has run ahead of the disk: every waiting request is answered
 * COORDINATOR_NOT_AVAILABLE and the partition is replayed from the log into a fresh core.
 */
import type { Clock, Random } from '@tributary/common';
import { GroupCoordinator, GroupErrors, groupErrorResponse, type GroupCoordinatorConfig, type GroupRequest, type GroupResponse, type OffsetsRecord } from '@tributary/group';
import { decodeRecordBatch, encodeRecordBatch, splitBatches } from '@tributary/protocol';
import type { Logger } from 'pino';
import type { PartitionHandle } from '../state/topic-manager.js';

/** Records per appended batch, and bytes read per replay step: bounds on one append and one read. */
export const OFFSETS_BATCH_RECORDS_MAX = 500;
export const OFFSETS_BATCH_BYTES_MAX = 512 * 1024;
export const REPLAY_READ_BYTES = 1024 * 1024;
/** How long a group write may wait for the in-sync replicas (Kafka's offsets.commit.timeout.ms). */
export const OFFSETS_COMMIT_TIMEOUT_MS = 5_000;

/** 'elsewhere': another broker leads this offsets partition (in a cluster), so it coordinates its groups. */
export type PartitionStatus = 'loading' | 'active' | 'failed' | 'elsewhere' | 'closed';

interface Waiting {
  readonly request: GroupRequest;
  readonly resolve: (response: GroupResponse) => void;
}

export interface CoordinatorPartitionOptions {
  readonly partition: number;
  readonly handle: () => PartitionHandle | undefined;
  readonly clock: Clock;
  readonly random: Random;
  readonly config: Partial<GroupCoordinatorConfig>;
  readonly logger: Logger;
  /** After each append: wakes fetch long polls on the partition (followers copying it). */
  readonly onAppended?: () => void;
}

export class CoordinatorPartition {
  status: PartitionStatus = 'loading';
  private core: GroupCoordinator;
  private nextRequestId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private appendChain: Promise<boolean> = Promise.resolve(true);
  private loading: Promise<void> | null = null;
  /** The leader epoch of the log the core was replayed from: a new epoch means a new leadership. */
  private loadedEpoch = -1;

  constructor(private readonly options: CoordinatorPartitionOptions) {
    this.core = this.newCore();
  }

  get partition(): number {
    return this.options.partition;
  }

  get coordinator(): GroupCoordinator {
    return this.core;
  }

  private newCore(): GroupCoordinator {
    return new GroupCoordinator({ random: this.options.random, config: this.options.config });
  }

  /** Replays the partition into a fresh core; requests meanwhile get COORDINATOR_LOAD_IN_PROGRESS. */
  load(): Promise<void> {
    this.loading ??= this.replay().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async replay(): Promise<void> {
    const handle = this.options.handle();
    if (handle === undefined) {
      this.becomeElsewhere();
      return;
    }
    this.status = 'loading';
    this.loadedEpoch = handle.leaderEpoch;
    const records = await readAllRecords(handle);
    if ((this.status as PartitionStatus) === 'closed') return;
    if (records === null) {
      this.status = 'failed';
      this.options.logger.error({ partition: this.partition }, 'cannot replay the offsets partition');
      return;
    }
    this.core = this.newCore();
    const loaded = this.core.load(records, this.options.clock.nowMs());
    this.status = 'active';
    this.options.logger.info({ partition: this.partition, records: records.length, ...loaded }, 'group coordinator loaded');
  }

  submit(request: GroupRequest): Promise<GroupResponse> {
    if (this.status !== 'active') {
      const code =
        this.status === 'loading' ? GroupErrors.COORDINATOR_LOAD_IN_PROGRESS : this.status === 'elsewhere' ? GroupErrors.NOT_COORDINATOR : GroupErrors.COORDINATOR_NOT_AVAILABLE;
      return Promise.resolve(groupErrorResponse(request, code));
    }
    const requestId = this.nextRequestId++;
    return new Promise((resolve) => {
      this.waiting.set(requestId, { request, resolve });
      this.core.step(requestId, request, this.options.clock.nowMs());
      this.processReady();
    });
  }

  tick(): void {
    this.followLeadership();
    if (this.status !== 'active') return;
    this.core.tick(this.options.clock.nowMs());
    this.processReady();
  }

  /**
   * In a cluster the offsets partition's leadership moves: losing it answers every held request
   * NOT_COORDINATOR (clients look the coordinator up again); gaining it, or a new leader epoch,
   * replays the log into a fresh core, since another leader may have written to it meanwhile.
   */
  private followLeadership(): void {
    if (this.status === 'closed' || this.loading !== null) return;
    const handle = this.options.handle();
    if (handle === undefined) {
      if (this.status !== 'elsewhere') this.becomeElsewhere();
      return;
    }
    if (this.status === 'elsewhere' || handle.leaderEpoch !== this.loadedEpoch) void this.load();
  }

  private becomeElsewhere(): void {
    this.status = 'elsewhere';
    this.answerAll(GroupErrors.NOT_COORDINATOR);
    this.core = this.newCore();
    this.appendChain = Promise.resolve(true);
  }

  private deliver(requestId: number, response: GroupResponse): void {
    const waiting = this.waiting.get(requestId);
    if (waiting === undefined) return;
    this.waiting.delete(requestId);
    waiting.resolve(response);
  }

  private processReady(): void {
    if (!this.core.hasReady()) return;
    const ready = this.core.ready();
    this.core.advance();
    for (const r of ready.responses) this.deliver(r.requestId, r.response);
    if (ready.records.length === 0 && ready.durableResponses.length === 0) return;
    const { records, durableResponses } = ready;
    this.appendChain = this.appendChain.then((previousOk) => (previousOk && records.length > 0 ? this.append(records) : previousOk));
    void this.appendChain.then((ok) => {
      if (ok) for (const r of durableResponses) this.deliver(r.requestId, r.response);
      else this.failAndReload();
    });
  }

  private async append(records: readonly OffsetsRecord[]): Promise<boolean> {
    const handle = this.options.handle();
    if (handle === undefined) return false;
    const batches: Buffer[] = [];
    for (const chunk of chunks(records)) {
      batches.push(
        await encodeRecordBatch({
          baseTimestamp: BigInt(this.options.clock.nowMs()),
          records: chunk.map((r, i) => ({ attributes: 0, timestampDelta: 0, offsetDelta: i, key: r.key, value: r.value, headers: [] })),
        }),
      );
    }
    const appended = await handle.log.appendAsLeader(Buffer.concat(batches), { leaderEpoch: handle.leaderEpoch });
    if (!appended.ok) {
      this.options.logger.error({ partition: this.partition, err: appended.error }, 'offsets append failed');
      return false;
    }
    this.options.onAppended?.();
    // In a cluster a commit is acknowledged only once every in-sync replica holds it (Kafka's
    // offsets.commit.required.acks=-1), so it survives the loss of this broker.
    if (handle.replication === undefined) return true;
    const replicated = await handle.replication.waitForHighWatermark(appended.value.lastOffset + 1, OFFSETS_COMMIT_TIMEOUT_MS);
    if (replicated !== 'reached') this.options.logger.warn({ partition: this.partition, outcome: replicated }, 'offsets records not replicated in time');
    return replicated === 'reached';
  }

  /** The core ran ahead of the disk: answer everyone waiting, then rebuild from the log. */
  private failAndReload(): void {
    if (this.status !== 'active') return;
    this.status = 'failed';
    this.answerAll(GroupErrors.COORDINATOR_NOT_AVAILABLE);
    this.appendChain = Promise.resolve(true);
    void this.load();
  }

  /** Answers every request still held (shutdown, failure) with `errorCode`. */
  answerAll(errorCode: number): void {
    for (const [requestId, w] of [...this.waiting]) this.deliver(requestId, groupErrorResponse(w.request, errorCode));
  }

  /** Stops taking requests, answers the held ones, and waits for appends under way. */
  async close(): Promise<void> {
    this.status = 'closed';
    this.answerAll(GroupErrors.NOT_COORDINATOR);
    await this.appendChain;
    await this.loading;
  }
}

function chunks(records: readonly OffsetsRecord[]): OffsetsRecord[][] {
  const out: OffsetsRecord[][] = [];
  let current: OffsetsRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = r.key.length + (r.value?.length ?? 0) + 32;
    if (current.length > 0 && (current.length >= OFFSETS_BATCH_RECORDS_MAX || bytes + size > OFFSETS_BATCH_BYTES_MAX)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Every record of the partition, in offset order; null when the log cannot be read. */
async function readAllRecords(handle: PartitionHandle): Promise<OffsetsRecord[] | null> {
  const records: OffsetsRecord[] = [];
  let offset = handle.log.logStartOffset;
  const end = handle.log.logEndOffset;
  while (offset < end) {
    const read = await handle.log.read(offset, { maxBytes: REPLAY_READ_BYTES });
    if (!read.ok) return null;
    const split = splitBatches(read.value.records);
    if (!split.ok || split.value.batches.length === 0) return null;
    for (const batch of split.value.batches) {
      const decoded = await decodeRecordBatch(batch.bytes);
      if (!decoded.ok) return null;
      const base = Number(decoded.value.baseOffset);
      for (const r of decoded.value.records) {
        if (base + r.offsetDelta < offset || r.key === null) continue;
        records.push({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) });
      }
      offset = Number(batch.header.baseOffset) + batch.header.lastOffsetDelta + 1;
    }
  }
  return records;
}
