/**
 * Idempotent-producer state, as Kafka keeps it (ProducerStateManager): per partition and producer
 * id, the epoch and the last 5 batches' (first sequence, last sequence, offsets).
 *
 * - Producer ids come from blocks reserved durably in `<dataDir>/producer-id-block` (a
 *   checkpoint file written atomically): opening reserves a fresh block, so ids never repeat
 *   across restarts, even after a crash.
 * - A partition's state is built on first use from the tail of its log (batch headers only,
 *   bounded), so a retry after a restart is still recognised; Kafka keeps snapshots instead.
 * - Differs from Kafka in one bounded way: a producer whose last batch lies beyond the scanned
 *   tail, or that was evicted (`producersPerPartitionMax`), is unknown, and an unknown producer's
 *   batch is accepted at any sequence, as Kafka >= 2.5 does after retention removed its state.
 */
import { TributaryError, err, invariant, ok, type FileSystem, type Result } from '@tributary/common';
import { splitBatches } from '@tributary/protocol';
import { CheckpointFile, type AppendError, type AppendInfo, type CheckpointFormat, type PartitionLog } from '@tributary/storage';
import { Errors } from '../handlers/data/error-codes.js';
import type { IdempotentAppendOutcome, ProducerBatch, ProducerIdAndEpoch, ProducerIdError, ProducerStateManager } from './producer-state.js';

export interface ProducerStateOptions {
  readonly fs: FileSystem;
  readonly dataDir: string;
  /** Producer ids reserved per checkpoint write. */
  readonly idBlockSize?: number;
  /** Producers remembered per partition; the least recently appended is forgotten beyond it. */
  readonly producersPerPartitionMax?: number;
  /** Producers whose latest epoch is remembered for InitProducerId epoch bumps. */
  readonly epochsTrackedMax?: number;
  /** Rebuilding a partition's state reads at most this many offsets back from the log end... */
  readonly rebuildTailOffsets?: number;
  /** ...and at most this many bytes of batches. */
  readonly rebuildScanBytesMax?: number;
  /**
   * The first producer id this broker hands out (default 0). In a cluster each broker allocates
   * from its own range (`producerIdBase(nodeId)`), so two brokers never give out the same id.
   */
  readonly idBase?: bigint;
}

/** Producer ids per broker in a cluster: 2^40 (about 10^12), so node ids below 2^22 stay within int64. */
export const PRODUCER_ID_RANGE_BITS = 40n;
export const PRODUCER_ID_NODE_ID_MAX = 2 ** 22 - 1;

export function producerIdBase(nodeId: number): bigint {
  invariant(Number.isInteger(nodeId) && nodeId >= 0 && nodeId <= PRODUCER_ID_NODE_ID_MAX, () => `node id ${nodeId} too large for a producer id range`);
  return BigInt(nodeId) << PRODUCER_ID_RANGE_BITS;
}

export const PRODUCER_ID_BLOCK_FILE = 'producer-id-block';
/** Kafka keeps the metadata of this many batches per producer and partition. */
export const BATCHES_PER_PRODUCER = 5;
const EPOCH_MAX = 0x7fff - 1;
const SEQUENCE_MAX = 0x7fff_ffff;
const REBUILD_READ_BYTES = 1024 * 1024;

const defaults = {
  idBlockSize: 1000,
  producersPerPartitionMax: 10_000,
  epochsTrackedMax: 100_000,
  rebuildTailOffsets: 100_000,
  rebuildScanBytesMax: 64 * 1024 * 1024,
};

class ProducerStateError extends TributaryError implements ProducerIdError {
  override readonly name = 'ProducerStateError';
  constructor(
    override readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const idBlockFormat: CheckpointFormat<bigint> = {
  version: 0,
  format: (next) => next.toString(),
  parse: (line) => (/^(0|[1-9][0-9]{0,18})$/.test(line) ? BigInt(line) : undefined),
  validate: (entries) => (entries.length === 1 ? null : `expected 1 entry, found ${entries.length}`),
};

/** The sequence `count` after `sequence`, wrapping past Int32.MAX to 0 as Kafka does. */
export function incrementSequence(sequence: number, count: number): number {
  return sequence > SEQUENCE_MAX - count ? count - (SEQUENCE_MAX - sequence) - 1 : sequence + count;
}

interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
}

interface ProducerEntry {
  readonly epoch: number;
  /** Oldest first; at most BATCHES_PER_PRODUCER. */
  readonly batches: BatchMetadata[];
}

type CheckResult =
  | { readonly kind: 'new' }
  | { readonly kind: 'duplicate'; readonly batch: BatchMetadata }
  | { readonly kind: 'rejected'; readonly errorCode: number; readonly message: string };

/** Kafka's sequence rules for one incoming batch against what is known of its producer. */
export function checkSequence(entry: ProducerEntry | undefined, batch: ProducerBatch): CheckResult {
  if (entry === undefined) return { kind: 'new' };
  const { producerId, producerEpoch, baseSequence } = batch;
  if (producerEpoch < entry.epoch) {
    return { kind: 'rejected', errorCode: Errors.INVALID_PRODUCER_EPOCH, message: `producer ${producerId} epoch ${producerEpoch} is older than ${entry.epoch}` };
  }
  if (producerEpoch > entry.epoch) {
    if (baseSequence === 0) return { kind: 'new' };
    return { kind: 'rejected', errorCode: Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `producer ${producerId} epoch ${producerEpoch} must start at sequence 0, not ${baseSequence}` };
  }
  const lastSeq = incrementSequence(baseSequence, batch.lastOffsetDelta);
  const duplicate = entry.batches.find((b) => b.firstSeq === baseSequence && b.lastSeq === lastSeq);
  if (duplicate) return { kind: 'duplicate', batch: duplicate };
  const expected = incrementSequence(entry.batches[entry.batches.length - 1].lastSeq, 1);
  if (baseSequence === expected) return { kind: 'new' };
  return { kind: 'rejected', errorCode: Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `producer ${producerId} sent sequence ${baseSequence}, expected ${expected}` };
}

/** One partition's producers, least recently appended first (Map order). */
class PartitionProducers {
  private readonly producers = new Map<bigint, ProducerEntry>();

  constructor(private readonly max: number) {}

  get(producerId: bigint): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  record(batch: ProducerBatch, baseOffset: number): void {
    const previous = this.producers.get(batch.producerId);
    const metadata: BatchMetadata = {
      firstSeq: batch.baseSequence,
      lastSeq: incrementSequence(batch.baseSequence, batch.lastOffsetDelta),
      baseOffset,
      lastOffset: baseOffset + batch.lastOffsetDelta,
    };
    const batches = previous && previous.epoch === batch.producerEpoch ? [...previous.batches, metadata].slice(-BATCHES_PER_PRODUCER) : [metadata];
    this.producers.delete(batch.producerId);
    this.producers.set(batch.producerId, { epoch: batch.producerEpoch, batches });
    if (this.producers.size > this.max) this.producers.delete(this.producers.keys().next().value!);
  }
}

/** Producer ids from durably reserved blocks. */
class ProducerIdBlocks {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: CheckpointFile<bigint>,
    private readonly blockSize: bigint,
    private next: bigint,
    private end: bigint,
    /** Ids below this belong to other brokers' ranges. */
    readonly base: bigint,
  ) {}

  static async open(file: CheckpointFile<bigint>, blockSize: number, base: bigint): Promise<Result<ProducerIdBlocks, ProducerIdError>> {
    const read = await file.read();
    if (!read.ok) return read;
    // A block file from before ranges (or of another range) restarts at this range's base.
    const stored = read.value[0] ?? base;
    const start = stored < base ? base : stored;
    const end = start + BigInt(blockSize);
    const written = await file.write([end]);
    if (!written.ok) return written;
    return ok(new ProducerIdBlocks(file, BigInt(blockSize), start, end, base));
  }

  /** Ids below this have been handed out or reserved. */
  get reservedEnd(): bigint {
    return this.end;
  }

  allocate(): Promise<Result<bigint, ProducerIdError>> {
    // One at a time: reserving the next block must not race with another allocation.
    const result = this.tail.then(async (): Promise<Result<bigint, ProducerIdError>> => {
      if (this.next >= this.end) {
        const written = await this.file.write([this.end + this.blockSize]);
        if (!written.ok) return written;
        this.end += this.blockSize;
      }
      return ok(this.next++);
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export class ProducerStateManagerImpl implements ProducerStateManager {
  private readonly partitions = new WeakMap<PartitionLog, PartitionProducers>();
  private readonly locks = new WeakMap<PartitionLog, Promise<void>>();
  /** The latest epoch handed out per producer id (InitProducerId), least recent first. */
  private readonly epochs = new Map<bigint, number>();

  constructor(
    private readonly ids: ProducerIdBlocks,
    private readonly options: typeof defaults,
  ) {}

  async allocateProducerId(): Promise<Result<ProducerIdAndEpoch, ProducerIdError>> {
    const id = await this.ids.allocate();
    if (!id.ok) return id;
    this.rememberEpoch(id.value, 0);
    return ok({ producerId: id.value, producerEpoch: 0 });
  }

  async bumpEpoch(current: ProducerIdAndEpoch): Promise<Result<ProducerIdAndEpoch, ProducerIdError>> {
    const { producerId, producerEpoch } = current;
    // An id this broker did not hand out (another broker's, or never) gets a fresh one of ours.
    if (producerId < this.ids.base || producerId >= this.ids.reservedEnd || producerEpoch < 0) return this.allocateProducerId();
    const latest = this.epochs.get(producerId);
    let next: number;
    if (latest === undefined || producerEpoch >= latest) next = producerEpoch + 1;
    else if (producerEpoch === latest - 1) next = latest; // a retry of the bump that gave `latest`
    else return err(new ProducerStateError(Errors.INVALID_PRODUCER_EPOCH, `producer ${producerId} epoch ${producerEpoch} is older than ${latest}`));
    if (next > EPOCH_MAX) return this.allocateProducerId();
    this.rememberEpoch(producerId, next);
    return ok({ producerId, producerEpoch: next });
  }

  async appendIdempotent(
    log: PartitionLog,
    batch: ProducerBatch,
    append: () => Promise<Result<AppendInfo, AppendError>>,
  ): Promise<IdempotentAppendOutcome> {
    invariant(batch.producerId >= 0n, 'appendIdempotent needs a producer id');
    return this.exclusive(log, async () => {
      const producers = await this.stateOf(log);
      const check = checkSequence(producers.get(batch.producerId), batch);
      if (check.kind === 'duplicate') return { kind: 'duplicate', baseOffset: check.batch.baseOffset, lastOffset: check.batch.lastOffset };
      if (check.kind === 'rejected') return check;
      const appended = await append();
      if (!appended.ok) return { kind: 'append-failed', error: appended.error };
      producers.record(batch, appended.value.baseOffset);
      return { kind: 'appended', info: appended.value };
    });
  }

  private rememberEpoch(producerId: bigint, epoch: number): void {
    this.epochs.delete(producerId);
    this.epochs.set(producerId, epoch);
    if (this.epochs.size > this.options.epochsTrackedMax) this.epochs.delete(this.epochs.keys().next().value!);
  }

  /** Runs `body` after every earlier call on the same log has finished. */
  private async exclusive<T>(log: PartitionLog, body: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(log) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.locks.set(log, tail);
    await previous;
    try {
      return await body();
    } finally {
      release();
      if (this.locks.get(log) === tail) this.locks.delete(log);
    }
  }

  forget(log: PartitionLog): void {
    this.partitions.delete(log);
  }

  private async stateOf(log: PartitionLog): Promise<PartitionProducers> {
    let producers = this.partitions.get(log);
    if (!producers) {
      producers = await rebuildFromLog(log, this.options);
      this.partitions.set(log, producers);
    }
    return producers;
  }
}

/**
 * Replays the producer batches in the tail of `log` (headers only). Bounded by
 * `rebuildTailOffsets` and `rebuildScanBytesMax`; a read error leaves the state empty (the log is
 * offline then, and appends fail anyway until it is reopened).
 */
async function rebuildFromLog(log: PartitionLog, options: typeof defaults): Promise<PartitionProducers> {
  const producers = new PartitionProducers(options.producersPerPartitionMax);
  const end = log.logEndOffset;
  let offset = Math.max(log.logStartOffset, end - options.rebuildTailOffsets);
  let scanned = 0;
  while (offset < end && scanned < options.rebuildScanBytesMax) {
    const read = await log.read(offset, { maxBytes: Math.min(REBUILD_READ_BYTES, options.rebuildScanBytesMax - scanned), maxOffset: end });
    if (!read.ok || read.value.records.length === 0) break;
    scanned += read.value.records.length;
    const split = splitBatches(read.value.records);
    if (!split.ok || split.value.batches.length === 0) break;
    for (const { header } of split.value.batches) {
      const baseOffset = Number(header.baseOffset);
      offset = baseOffset + header.lastOffsetDelta + 1;
      if (header.producerId < 0n || header.isControl) continue;
      producers.record(header, baseOffset);
    }
  }
  return producers;
}

/** Opens the producer state of a broker: reserves a fresh producer id block under `dataDir`. */
export async function openProducerStateManager(options: ProducerStateOptions): Promise<Result<ProducerStateManagerImpl, ProducerIdError>> {
  const resolved = {
    idBlockSize: options.idBlockSize ?? defaults.idBlockSize,
    producersPerPartitionMax: options.producersPerPartitionMax ?? defaults.producersPerPartitionMax,
    epochsTrackedMax: options.epochsTrackedMax ?? defaults.epochsTrackedMax,
    rebuildTailOffsets: options.rebuildTailOffsets ?? defaults.rebuildTailOffsets,
    rebuildScanBytesMax: options.rebuildScanBytesMax ?? defaults.rebuildScanBytesMax,
  };
  for (const [name, value] of Object.entries(resolved)) {
    invariant(Number.isSafeInteger(value) && value > 0, () => `${name} must be a positive integer, got ${value}`);
  }
  const file = new CheckpointFile(options.fs, `${options.dataDir}/${PRODUCER_ID_BLOCK_FILE}`, idBlockFormat);
  const ids = await ProducerIdBlocks.open(file, resolved.idBlockSize, options.idBase ?? 0n);
  if (!ids.ok) return ids;
  return ok(new ProducerStateManagerImpl(ids.value, resolved));
}
