/**
 * Snappy as Kafka clients write it. The Java client wraps raw snappy blocks in xerial's
 * snappy-java framing: magic `82 'SNAPPY' 00`, int32 version, int32 min-compatible version,
 * then blocks of [int32 BE length][raw snappy block], each of at most 32 KiB uncompressed.
 * Other clients (kafkajs-snappy, older librdkafka) write one raw snappy block instead, and
 * every Kafka consumer accepts both, so both are read here.
 */
import { compress as snappyCompress, uncompress as snappyUncompress } from 'snappy';
import { CompressionError, RecordDecodeError } from './errors.js';
import { cursor, readUnsignedVarint } from './varint.js';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic + int32 version + int32 minimum compatible version. */
const XERIAL_HEADER_BYTES = 16;
const XERIAL_VERSION = 1;
const XERIAL_MIN_COMPATIBLE_VERSION = 1;
/** snappy-java's SnappyOutputStream default block size, which Kafka's producer uses. */
export const XERIAL_BLOCK_BYTES = 32 * 1024;

function corrupt(message: string, cause?: unknown): CompressionError {
  return new CompressionError('corrupt', `snappy: ${message}`, { cause });
}

function isXerialAt(data: Buffer, pos: number): boolean {
  return data.length - pos >= XERIAL_MAGIC.length && data.subarray(pos, pos + XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

/** Compresses into xerial framing with 32 KiB blocks, byte-compatible with the Java producer. */
export async function compressSnappyXerial(data: Buffer): Promise<Buffer> {
  // Blocks are independent, so compress them concurrently on the libuv pool.
  const pending: Promise<Buffer>[] = [];
  for (let off = 0; off < data.length; off += XERIAL_BLOCK_BYTES) {
    pending.push(snappyCompress(data.subarray(off, off + XERIAL_BLOCK_BYTES)));
  }
  const blocks = await Promise.all(pending);
  let total = XERIAL_HEADER_BYTES;
  for (const block of blocks) total += 4 + block.length;

  const out = Buffer.allocUnsafe(total);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(XERIAL_VERSION, 8);
  out.writeInt32BE(XERIAL_MIN_COMPATIBLE_VERSION, 12);
  let pos = XERIAL_HEADER_BYTES;
  for (const block of blocks) {
    pos = out.writeInt32BE(block.length, pos);
    pos += block.copy(out, pos);
  }
  return out;
}

/** Reads raw snappy or xerial-framed snappy; inflating past `maxBytes` is refused up front. */
export async function decompressSnappy(data: Buffer, maxBytes: number): Promise<Buffer> {
  if (!isXerialAt(data, 0)) {
    const declared = declaredLength(data);
    if (declared > maxBytes) throw tooLarge(declared, maxBytes);
    return uncompressBlock(data, declared);
  }
  const blocks = xerialBlocks(data);
  let total = 0;
  const declared: number[] = [];
  for (const block of blocks) {
    const size = declaredLength(block);
    total += size;
    if (total > maxBytes) throw tooLarge(total, maxBytes);
    declared.push(size);
  }
  const parts = await Promise.all(blocks.map((block, i) => uncompressBlock(block, declared[i])));
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
}

/** Splits xerial framing into its raw blocks (subarrays), checking every length against the input. */
function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let pos = 0;
  while (pos < data.length) {
    // snappy-java accepts concatenated streams: a header may recur at a block boundary. It cannot
    // be mistaken for a length, which would be negative (0x82…).
    if (isXerialAt(data, pos)) {
      if (data.length - pos < XERIAL_HEADER_BYTES) throw corrupt('truncated xerial header');
      pos += XERIAL_HEADER_BYTES;
      continue;
    }
    if (data.length - pos < 4) throw corrupt('truncated xerial block length');
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || length > data.length - pos) {
      throw corrupt(`xerial block length ${length} exceeds the ${data.length - pos} bytes left`);
    }
    blocks.push(data.subarray(pos, pos + length));
    pos += length;
  }
  return blocks;
}

/** A raw snappy block starts with its uncompressed length as an unsigned varint. */
function declaredLength(block: Buffer): number {
  try {
    return readUnsignedVarint(cursor(block));
  } catch (e) {
    if (e instanceof RecordDecodeError) throw corrupt(`bad block length header (${e.message})`, e);
    throw e;
  }
}

async function uncompressBlock(block: Buffer, declared: number): Promise<Buffer> {
  let out: string | Buffer;
  try {
    out = await snappyUncompress(block, { asBuffer: true });
  } catch (e) {
    throw corrupt(e instanceof Error ? e.message : String(e), e);
  }
  // The decoder already insists on the declared length; this pins that we relied on it.
  if (typeof out === 'string' || out.length !== declared) {
    throw corrupt(`block inflated to ${out.length} bytes, header declared ${declared}`);
  }
  return out;
}

function tooLarge(size: number, maxBytes: number): CompressionError {
  return new CompressionError('too-large', `snappy: declares ${size} bytes uncompressed, limit is ${maxBytes}`);
}
