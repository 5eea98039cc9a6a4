/** Flag values shared by produce and bench: acks and compression codecs by name. */
import { CompressionCodec } from '@tributary/protocol';
import type { Acks } from './client/producer.js';
import { usageError } from './cli-error.js';

export function parseAcks(value: string | undefined, fallback: Acks): Acks {
  if (value === undefined) return fallback;
  if (value === 'all' || value === '-1') return -1;
  if (value === '0') return 0;
  if (value === '1') return 1;
  throw usageError(`--acks must be 0, 1 or all, got "${value}"`);
}

export const compressionNames = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionName = (typeof compressionNames)[number];

const codecs: Record<CompressionName, CompressionCodec> = {
  none: CompressionCodec.None,
  gzip: CompressionCodec.Gzip,
  snappy: CompressionCodec.Snappy,
  lz4: CompressionCodec.Lz4,
  zstd: CompressionCodec.Zstd,
};

export function parseCompressionName(value: string | undefined): CompressionName {
  const name = (value ?? 'none').toLowerCase();
  if (!(compressionNames as readonly string[]).includes(name)) throw usageError(`--compression must be one of ${compressionNames.join(', ')}, got "${value}"`);
  return name as CompressionName;
}

export function parseCompression(value: string | undefined): CompressionCodec {
  return codecs[parseCompressionName(value)];
}
