/** ListOffsets: the earliest or latest offset of partitions, or the first offset at a time. */
import { err, ok, type Result } from '@tributary/common';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { apiRanges } from './api-ranges.js';
import { ClientError } from './client-error.js';
import type { KafkaClient, NegotiatedConnection } from './kafka-client.js';

/** Kafka's special timestamps for ListOffsets. */
export const LATEST_TIMESTAMP = -1n;
export const EARLIEST_TIMESTAMP = -2n;

/**
 * The offset for `timestamp` in each partition (all on `leader`); -1n where no record is that
 * recent (Kafka's answer for a time past the end).
 */
export async function listOffsets(
  client: KafkaClient,
  leader: NegotiatedConnection,
  topic: string,
  partitions: readonly number[],
  timestamp: bigint,
): Promise<Result<Map<number, bigint>, ClientError>> {
  const response = await client.call(
    ApiKey.ListOffsets,
    apiRanges.listOffsets,
    () => ({
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })) }],
      timeoutMs: 0,
    }),
    leader,
  );
  if (!response.ok) return response;
  const offsets = new Map<number, bigint>();
  for (const t of response.value.body.topics) {
    if (t.name !== topic) continue;
    for (const p of t.partitions) {
      if (p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return err(new ClientError('kafka', `topic ${topic} does not exist`, p.errorCode));
      if (p.errorCode !== ErrorCode.NONE) return err(ClientError.fromCode(p.errorCode, `list offsets of ${topic}-${p.partitionIndex}`));
      offsets.set(p.partitionIndex, p.offset);
    }
  }
  for (const partition of partitions) {
    if (!offsets.has(partition)) return err(new ClientError('protocol', `ListOffsets response does not mention ${topic}-${partition}`));
  }
  return ok(offsets);
}
