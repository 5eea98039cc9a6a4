/** Test support for topic state: a manager over a given FileSystem, a silent logger, a one-record batch. */
import type { Clock, FileSystem } from '@tributary/common';
import { encodeRecordBatch } from '@tributary/protocol';
import pino from 'pino';
import { defaultTopicDefaults, type TopicDefaults } from '../../config/broker-config.js';
import { LocalTopicManager, type TopicManagerLimits } from '../local-topic-manager.js';
import type { CreateTopicRequest } from '../topic-manager.js';

export const silentLogger = pino({ level: 'silent' });

export function fixedClock(nowMs = 1_700_000_000_000): Clock & { nowMsValue: number } {
  const clock = { nowMsValue: nowMs, nowMs: () => clock.nowMsValue, monotonicMs: () => clock.nowMsValue };
  return clock;
}

let idCounter = 0;
/** Deterministic topic ids, distinct per call. */
export function countingRandomBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size, 0x11);
  bytes.writeUInt32BE(++idCounter, 0);
  return bytes;
}

export async function openManager(
  fs: FileSystem,
  dataDir = '/data',
  options: { defaults?: Partial<TopicDefaults>; limits?: Partial<TopicManagerLimits>; clock?: Clock } = {},
): Promise<LocalTopicManager> {
  const opened = await LocalTopicManager.open({
    dataDir,
    fs,
    clock: options.clock ?? fixedClock(),
    defaults: { ...defaultTopicDefaults, ...options.defaults },
    logger: silentLogger,
    randomBytes: countingRandomBytes,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  if (!opened.ok) throw opened.error;
  return opened.value;
}

export function createRequest(name: string, overrides: Partial<CreateTopicRequest> = {}): CreateTopicRequest {
  return { name, numPartitions: 1, replicationFactor: 1, configs: {}, validateOnly: false, ...overrides };
}

export function oneRecordBatch(value: string, timestamp = 1_700_000_000_000): Promise<Buffer> {
  return encodeRecordBatch({
    baseTimestamp: BigInt(timestamp),
    records: [{ attributes: 0, timestampDelta: 0, offsetDelta: 0, key: null, value: Buffer.from(value), headers: [] }],
  });
}
