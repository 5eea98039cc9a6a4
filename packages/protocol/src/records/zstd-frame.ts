/**
 * Structure of zstd frames (RFC 8878 §3.1), read without decompressing.
 *
 * @mongodb-js/zstd decompresses with zstd's `decode_all`, which grows its output without limit,
 * so before calling it we walk the block headers: a raw block inflates to its stored size, an RLE
 * block to its declared size, and a compressed block to at most Block_Maximum_Size
 * (min(window, 128 KiB)). That bounds the output without inflating anything.
 *
 * Like the decoder, this accepts concatenated frames and skippable frames (the Java client writes
 * one frame; zstd's own tools may write several).
 */
import { CompressionError } from './errors.js';

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC = 0x184d2a50; // low 4 bits are free: 0x184D2A50..0x184D2A5F
/** zstd's block size ceiling; also the slack allowed for one partial block (see compression.ts). */
export const ZSTD_BLOCK_MAX_BYTES = 128 * 1024;
const DICT_ID_BYTES: readonly number[] = [0, 1, 2, 4];
const BLOCK_RAW = 0;
const BLOCK_RLE = 1;
const BLOCK_COMPRESSED = 2;

function corrupt(message: string): CompressionError {
  return new CompressionError('corrupt', `zstd: ${message}`);
}

function need(data: Buffer, pos: number, bytes: number, what: string): void {
  if (data.length - pos < bytes) throw corrupt(`truncated ${what}`);
}

/** The most `data` (a sequence of zstd/skippable frames) can inflate to; throws if malformed. */
export function zstdFramesBound(data: Buffer): number {
  let pos = 0;
  let bound = 0;
  let frames = 0;
  while (pos < data.length) {
    need(data, pos, 4, 'frame magic number');
    const magic = data.readUInt32LE(pos);
    if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) {
      need(data, pos, 8, 'skippable frame');
      const size = data.readUInt32LE(pos + 4);
      need(data, pos + 8, size, 'skippable frame');
      pos += 8 + size;
      continue;
    }
    if (magic !== FRAME_MAGIC) throw corrupt('not a zstd frame (bad magic number)');
    const frame = walkFrame(data, pos + 4);
    pos = frame.end;
    bound += frame.bound;
    frames++;
  }
  if (frames === 0) throw corrupt('no frame in input');
  return bound;
}

interface FrameWalk {
  readonly end: number;
  readonly bound: number;
}

function walkFrame(data: Buffer, start: number): FrameWalk {
  let pos = start;
  need(data, pos, 1, 'frame header');
  const descriptor = data[pos++];
  if (descriptor & 0x08) throw corrupt('reserved frame header bit is set');
  const singleSegment = (descriptor & 0x20) !== 0;
  const hasChecksum = (descriptor & 0x04) !== 0;

  let window = 0;
  if (!singleSegment) {
    need(data, pos, 1, 'window descriptor');
    const wd = data[pos++];
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 0x07);
  }
  pos += DICT_ID_BYTES[descriptor & 0x03];

  const fcsFlag = descriptor >> 6;
  const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
  need(data, pos, fcsBytes, 'frame content size');
  // Single-segment frames have no window descriptor: the window is the whole content.
  if (singleSegment) window = readContentSize(data, pos, fcsBytes);
  pos += fcsBytes;

  const blocks = walkBlocks(data, pos, Math.min(window, ZSTD_BLOCK_MAX_BYTES));
  pos = blocks.end;
  if (hasChecksum) {
    need(data, pos, 4, 'content checksum');
    pos += 4;
  }
  return { end: pos, bound: blocks.bound };
}

function readContentSize(data: Buffer, pos: number, bytes: number): number {
  switch (bytes) {
    case 1:
      return data[pos];
    case 2:
      return data.readUInt16LE(pos) + 256; // the 2-byte form is offset by 256
    case 4:
      return data.readUInt32LE(pos);
    default:
      return Number(data.readBigUInt64LE(pos));
  }
}

function walkBlocks(data: Buffer, start: number, blockMax: number): FrameWalk {
  let pos = start;
  let bound = 0;
  for (;;) {
    need(data, pos, 3, 'block header');
    const header = data.readUIntLE(pos, 3);
    pos += 3;
    const type = (header >> 1) & 0x03;
    const size = header >>> 3;
    if (type === BLOCK_RLE) {
      need(data, pos, 1, 'RLE block');
      pos += 1;
      bound += size;
    } else if (type === BLOCK_RAW || type === BLOCK_COMPRESSED) {
      need(data, pos, size, 'block');
      pos += size;
      bound += type === BLOCK_RAW ? size : blockMax;
    } else {
      throw corrupt('reserved block type');
    }
    if (header & 0x01) return { end: pos, bound }; // Last_Block
  }
}
