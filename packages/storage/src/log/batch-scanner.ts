/**
 * Walks the record batches of a segment file in order, reading it in chunks: what recovery,
 * index rebuilding, offset location and timestamp search share. Each batch is framed (length,
 * magic 2, header readable) and, when asked, checked against its CRC-32C; the walk stops at the
 * first batch that is cut short (`torn`) or fails a check (`corrupt`), reporting where.
 */
import { invariant, type FileHandle } from '@tributary/common';
import { BATCH_HEADER_BYTES, BATCH_OFFSETS, LOG_OVERHEAD, readBatchHeader, verifyBatchCrc, type RecordBatchHeader } from '@tributary/protocol';

export interface ScannedBatch {
  /** Where the batch starts in the file. */
  readonly position: number;
  /** The whole batch's size in bytes (LOG_OVERHEAD + batchLength). */
  readonly size: number;
  readonly header: RecordBatchHeader;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  /** The whole batch when `verify` was asked (a view into a reused buffer: copy to keep); else its header. */
  readonly bytes: Buffer;
}

export type ScanStop =
  /** Reached `to` on a batch boundary (or the visitor asked to stop). */
  | { readonly kind: 'end' }
  /** The last batch runs past `to`, or the file is shorter than `to`: an unfinished write. */
  | { readonly kind: 'torn'; readonly reason: string }
  /** A batch that fails framing, its CRC or the visitor's check. */
  | { readonly kind: 'corrupt'; readonly reason: string };

export interface ScanResult {
  /** Position after the last good batch visited: where a torn or corrupt tail starts. */
  readonly end: number;
  readonly stop: ScanStop;
}

export interface ScanOptions {
  readonly from: number;
  /** Scanning stops here (the file's size, or a bound on it). */
  readonly to: number;
  readonly chunkBytes: number;
  /** Check each batch's CRC (reads whole batches, not only headers). */
  readonly verify: boolean;
  /**
   * Called per good batch, in order. Return 'stop' to end the scan there (result `end` is then
   * the batch's start), a string to reject the batch as corrupt, or nothing to go on.
   */
  readonly visit: (batch: ScannedBatch) => 'stop' | string | void | Promise<'stop' | string | void>;
}

/** Sequential chunked reader over [from, to): a window of the file that slides forward. */
class Window {
  private buf: Buffer;
  private start = 0;
  private length = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly to: number,
    private readonly chunkBytes: number,
  ) {
    this.buf = Buffer.alloc(chunkBytes);
  }

  /** `need` bytes at `position`, or fewer when the file ends first. */
  async bytes(position: number, need: number): Promise<Buffer> {
    const have = this.start + this.length - position;
    if (position < this.start || have < need) await this.fill(position, need);
    const from = position - this.start;
    return this.buf.subarray(from, Math.min(from + need, this.length));
  }

  private async fill(position: number, need: number): Promise<void> {
    const want = Math.min(Math.max(this.chunkBytes, need), this.to - position);
    // A batch larger than the chunk gets a buffer of its own size (bounded by the segment's size).
    if (want > this.buf.length) this.buf = Buffer.alloc(want);
    this.start = position;
    this.length = await readFully(this.handle, this.buf, want, position);
  }
}

/** Reads up to `length` bytes at `position` into the start of `buffer`; fewer only at the end of the file. */
export async function readFully(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<number> {
  invariant(length <= buffer.length, 'read longer than its buffer');
  let done = 0;
  // Each round reads at least one byte or ends the loop, so it is bounded by `length`.
  while (done < length) {
    const n = await handle.read(buffer, done, length - done, position + done);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

export async function scanBatches(handle: FileHandle, options: ScanOptions): Promise<ScanResult> {
  const { from, to, verify } = options;
  invariant(from >= 0 && from <= to, () => `bad scan range [${from}, ${to})`);
  const window = new Window(handle, to, Math.max(options.chunkBytes, BATCH_HEADER_BYTES));
  let position = from;
  while (position < to) {
    const framing = await window.bytes(position, LOG_OVERHEAD);
    if (framing.length < LOG_OVERHEAD) return { end: position, stop: torn(position, 'batch length cut off') };
    const size = LOG_OVERHEAD + framing.readInt32BE(BATCH_OFFSETS.batchLength);
    if (size < BATCH_HEADER_BYTES) return { end: position, stop: corrupt(position, `impossible batch size ${size}`) };
    if (size > to - position) return { end: position, stop: torn(position, `batch of ${size} bytes runs past ${to}`) };
    const bytes = await window.bytes(position, verify ? size : BATCH_HEADER_BYTES);
    if (bytes.length < (verify ? size : BATCH_HEADER_BYTES)) return { end: position, stop: torn(position, 'file ends inside the batch') };
    const header = verify ? verifyBatchCrc(bytes) : readBatchHeader(bytes, 0);
    if (!header.ok) return { end: position, stop: corrupt(position, header.error.message) };
    const batch = describe(position, size, header.value, bytes);
    if (!batch) return { end: position, stop: corrupt(position, 'offsets or record count out of range') };
    const verdict = await options.visit(batch);
    if (verdict === 'stop') return { end: position, stop: { kind: 'end' } };
    if (typeof verdict === 'string') return { end: position, stop: corrupt(position, verdict) };
    position += size;
  }
  return { end: position, stop: { kind: 'end' } };
}

/** The batch with its offsets as numbers; null when they cannot belong to a log (not safe integers, no records). */
function describe(position: number, size: number, header: RecordBatchHeader, bytes: Buffer): ScannedBatch | null {
  const baseOffset = Number(header.baseOffset);
  const lastOffset = baseOffset + header.lastOffsetDelta;
  if (!Number.isSafeInteger(lastOffset) || baseOffset < 0 || header.lastOffsetDelta < 0 || header.recordCount <= 0) return null;
  return { position, size, header, baseOffset, lastOffset, maxTimestamp: Number(header.maxTimestamp), bytes };
}

function torn(position: number, reason: string): ScanStop {
  return { kind: 'torn', reason: `at byte ${position}: ${reason}` };
}

function corrupt(position: number, reason: string): ScanStop {
  return { kind: 'corrupt', reason: `at byte ${position}: ${reason}` };
}
