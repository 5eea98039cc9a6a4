/**
 * The record-batch compression codecs (batch attribute bits 0–2), each through a native library.
 *
 * `decompress` never inflates past `maxBytes` by more than one codec block:
 * - gzip: zlib's `maxOutputLength` stops inflation at the limit.
 * - snappy: every raw block declares its length; the sum is checked before inflating.
 * - lz4, zstd: the libraries have no output limit, so the frame structure is walked first
 *   (lz4-frame.ts, zstd-frame.ts) for an upper bound. A stream whose bound exceeds
 *   `maxBytes` + one block is refused; otherwise it is inflated and its true size checked. The
 *   allowance covers the usual partial last block; an encoder that writes many partial blocks
 *   (e.g. zstd's block splitting at high levels) can be refused when within a few blocks of the limit.
 * Every failure surfaces as a `CompressionError`, never as a library's own error.
 */
import { constants as bufferConstants } from 'node:buffer';
import { gzip as zlibGzip, gunzip as zlibGunzip, type InputType, type ZlibOptions } from 'node:zlib';
import { compressFrame as lz4Compress, decompressFrame as lz4Decompress } from 'lz4-napi';
import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd';
import { invariant } from '@tributary/common';
import { CompressionError, type CompressionErrorKind } from './errors.js';
import { lz4FrameBound } from './lz4-frame.js';
import { compressSnappyXerial, decompressSnappy } from './snappy-xerial.js';
import { ZSTD_BLOCK_MAX_BYTES, zstdFramesBound } from './zstd-frame.js';

/** Kafka's compression codec ids (record batch attributes bits 0–2). */
export enum CompressionCodec {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

/** Kafka's default zstd level (compression.zstd.level), and zstd's own default. */
const ZSTD_LEVEL = 3;

export function isCompressionCodec(value: number): value is CompressionCodec {
  return Number.isInteger(value) && value >= CompressionCodec.None && value <= CompressionCodec.Zstd;
}

export function compressionCodecName(codec: CompressionCodec): string {
  return CompressionCodec[codec]?.toLowerCase() ?? `codec ${String(codec)}`;
}

/** Compresses `data` the way Kafka clients do (gzip stream, xerial snappy, LZ4 frame, zstd frame). */
export async function compress(codec: CompressionCodec, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case CompressionCodec.None:
      return data;
    case CompressionCodec.Gzip:
      return wrapFailure(codec, 'failed', () => zlibCall(zlibGzip, data, {}));
    case CompressionCodec.Snappy:
      return wrapFailure(codec, 'failed', () => compressSnappyXerial(data));
    case CompressionCodec.Lz4:
      return wrapFailure(codec, 'failed', () => lz4Compress(data));
    case CompressionCodec.Zstd:
      return wrapFailure(codec, 'failed', () => zstdCompress(data, ZSTD_LEVEL));
    default:
      throw unsupported(codec);
  }
}

/**
 * Decompresses `data`; the output never exceeds `maxBytes` (see the file comment for how closely
 * each codec is held to it while inflating). Rejects with a `CompressionError` on bad input.
 */
export async function decompress(codec: CompressionCodec, data: Buffer, maxBytes: number): Promise<Buffer> {
  invariant(Number.isSafeInteger(maxBytes) && maxBytes >= 0, () => `maxBytes must be a non-negative integer: ${maxBytes}`);
  let out: Buffer;
  switch (codec) {
    case CompressionCodec.None:
      out = data;
      break;
    case CompressionCodec.Gzip:
      out = await gunzipBounded(data, maxBytes);
      break;
    case CompressionCodec.Snappy:
      out = await wrapFailure(codec, 'corrupt', () => decompressSnappy(data, maxBytes));
      break;
    case CompressionCodec.Lz4:
      out = await lz4Bounded(data, maxBytes);
      break;
    case CompressionCodec.Zstd:
      out = await zstdBounded(data, maxBytes);
      break;
    default:
      throw unsupported(codec);
  }
  if (out.length > maxBytes) throw tooLarge(codec, `inflated to ${out.length} bytes`, maxBytes);
  return out;
}

async function gunzipBounded(data: Buffer, maxBytes: number): Promise<Buffer> {
  // zlib refuses a maxOutputLength of 0; a 1-byte limit plus the final size check is equivalent.
  const maxOutputLength = Math.min(Math.max(maxBytes, 1), bufferConstants.MAX_LENGTH);
  try {
    return await zlibCall(zlibGunzip, data, { maxOutputLength });
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(CompressionCodec.Gzip, 'inflates past the limit', maxBytes, e);
    }
    throw libraryError(CompressionCodec.Gzip, 'corrupt', e);
  }
}

async function lz4Bounded(data: Buffer, maxBytes: number): Promise<Buffer> {
  const frame = lz4FrameBound(data);
  if (frame.declaredSize !== undefined && frame.declaredSize > maxBytes) {
    throw tooLarge(CompressionCodec.Lz4, `declares ${frame.declaredSize} bytes`, maxBytes);
  }
  if (frame.bound > maxBytes + frame.blockMax) {
    throw tooLarge(CompressionCodec.Lz4, `can inflate to ${frame.bound} bytes`, maxBytes);
  }
  return wrapFailure(CompressionCodec.Lz4, 'corrupt', () => lz4Decompress(data));
}

async function zstdBounded(data: Buffer, maxBytes: number): Promise<Buffer> {
  const bound = zstdFramesBound(data);
  if (bound > maxBytes + ZSTD_BLOCK_MAX_BYTES) {
    throw tooLarge(CompressionCodec.Zstd, `can inflate to ${bound} bytes`, maxBytes);
  }
  return wrapFailure(CompressionCodec.Zstd, 'corrupt', () => zstdDecompress(data));
}

type ZlibFn = (buf: InputType, options: ZlibOptions, callback: (error: Error | null, result: Buffer) => void) => void;

function zlibCall(fn: ZlibFn, data: Buffer, options: ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fn(data, options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** Runs a library call, turning anything it throws or rejects with into a CompressionError. */
async function wrapFailure(
  codec: CompressionCodec,
  kind: CompressionErrorKind,
  call: () => Promise<Buffer>,
): Promise<Buffer> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof CompressionError) throw e;
    throw libraryError(codec, kind, e);
  }
}

function libraryError(codec: CompressionCodec, kind: CompressionErrorKind, cause: unknown): CompressionError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const verb = kind === 'failed' ? 'compression failed' : 'invalid compressed data';
  return new CompressionError(kind, `${compressionCodecName(codec)}: ${verb}: ${detail}`, { cause });
}

function tooLarge(codec: CompressionCodec, what: string, maxBytes: number, cause?: unknown): CompressionError {
  return new CompressionError(
    'too-large',
    `${compressionCodecName(codec)}: ${what}, over the ${maxBytes}-byte limit`,
    { cause },
  );
}

function unsupported(codec: number): CompressionError {
  return new CompressionError('unsupported-codec', `unknown compression codec id ${codec}`);
}
