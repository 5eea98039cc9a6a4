/**
 * Structure of an LZ4 frame (lz4 Frame format spec v1.6), read without decompressing.
 *
 * Kafka's "lz4" is one standard LZ4 frame (the Java client writes 64 KiB independent blocks, no
 * content size, no checksums; lz4 npm, used by kafkajs-lz4, writes 4 MiB blocks with a content
 * checksum). The decoder we use (lz4_flex through lz4-napi) has no output limit, so before calling
 * it we walk the block headers: every block inflates to at most the frame's block maximum, and an
 * uncompressed block to exactly its stored size, which bounds the output without inflating it.
 *
 * Only a single frame is accepted: lz4_flex stops after the first frame and silently ignores the
 * rest, and Kafka's Java reader (KafkaLZ4BlockInputStream) reads only one frame too.
 */
import { CompressionError } from './errors.js';

const FRAME_MAGIC = 0x184d2204;
/** Block maximum sizes by the BD byte's 3-bit id; ids 0–3 are reserved. */
const BLOCK_MAX_BYTES: readonly number[] = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];
const FLG_VERSION_SHIFT = 6;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BD_RESERVED = 0x8f;
const BLOCK_UNCOMPRESSED = 0x80000000;

export interface Lz4FrameBound {
  /** The most the frame can inflate to: Σ (stored size if uncompressed, else block maximum). */
  readonly bound: number;
  /** The frame's block maximum: how far `bound` can exceed the true size when only the last block is partial. */
  readonly blockMax: number;
  /** The content size the frame declares, if it declares one. */
  readonly declaredSize: number | undefined;
}

function corrupt(message: string): CompressionError {
  return new CompressionError('corrupt', `lz4: ${message}`);
}

/** Walks one LZ4 frame filling all of `data`; throws a `corrupt` CompressionError otherwise. */
export function lz4FrameBound(data: Buffer): Lz4FrameBound {
  if (data.length < 7) throw corrupt('truncated frame header');
  if (data.readUInt32LE(0) !== FRAME_MAGIC) throw corrupt('not an LZ4 frame (bad magic number)');
  const flg = data[4];
  const bd = data[5];
  if (flg >> FLG_VERSION_SHIFT !== 1) throw corrupt(`unsupported frame version ${flg >> FLG_VERSION_SHIFT}`);
  if (flg & FLG_RESERVED || bd & BD_RESERVED) throw corrupt('reserved descriptor bits are set');
  const blockMax = BLOCK_MAX_BYTES[(bd >> 4) & 0x07];
  if (blockMax === 0) throw corrupt(`invalid block maximum size id ${(bd >> 4) & 0x07}`);

  let pos = 6;
  let declaredSize: number | undefined;
  if (flg & FLG_CONTENT_SIZE) {
    if (data.length < pos + 8) throw corrupt('truncated frame header');
    declaredSize = Number(data.readBigUInt64LE(pos));
    pos += 8;
  }
  if (flg & FLG_DICT_ID) pos += 4;
  pos += 1; // header checksum: lz4_flex verifies it
  const blockChecksumBytes = flg & FLG_BLOCK_CHECKSUM ? 4 : 0;
  const bound = walkBlocks(data, pos, blockMax, blockChecksumBytes, flg & FLG_CONTENT_CHECKSUM ? 4 : 0);
  return { bound, blockMax, declaredSize };
}

function walkBlocks(
  data: Buffer,
  start: number,
  blockMax: number,
  blockChecksumBytes: number,
  contentChecksumBytes: number,
): number {
  let pos = start;
  let bound = 0;
  for (;;) {
    if (data.length - pos < 4) throw corrupt('truncated block header (no end mark)');
    const word = data.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break; // end mark
    const size = word & ~BLOCK_UNCOMPRESSED;
    if (size > blockMax) throw corrupt(`block of ${size} bytes exceeds the frame's ${blockMax}-byte maximum`);
    if (data.length - pos < size + blockChecksumBytes) throw corrupt('truncated block');
    pos += size + blockChecksumBytes;
    bound += word & BLOCK_UNCOMPRESSED ? size : blockMax;
  }
  pos += contentChecksumBytes;
  if (pos > data.length) throw corrupt('truncated content checksum');
  if (pos < data.length) throw corrupt(`${data.length - pos} bytes after the frame (only one frame is allowed)`);
  return bound;
}
