/**
 * `tributary groups reset-offsets`: where each partition of a topic would move to, computed
 * from ListOffsets as kafka-consumer-groups.sh does (--to-offset is clamped into the log's
 * range; a time past the last record means the end).
 */
import type { TopicMetadata } from '../client/cluster-metadata.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../client/list-offsets.js';
import { unwrap } from '../cli-args.js';

export type ResetTarget =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'offset'; readonly offset: bigint }
  | { readonly kind: 'timestamp'; readonly timestamp: bigint };

export interface ResetRow {
  readonly partition: number;
  /** null when the group has no committed offset there. */
  readonly current: bigint | null;
  readonly target: bigint;
}

async function offsetsAt(client: KafkaClient, topic: TopicMetadata, timestamp: bigint): Promise<Map<number, bigint>> {
  const byLeader = new Map<number, number[]>();
  for (const p of topic.partitions) byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), p.partition]);
  const out = new Map<number, bigint>();
  for (const [leader, partitions] of byLeader) {
    const connection = unwrap(await client.nodeConnection(leader));
    for (const [p, offset] of unwrap(await listOffsets(client, connection, topic.name, partitions, timestamp))) out.set(p, offset);
  }
  return out;
}

export async function resetPlan(
  client: KafkaClient,
  topic: TopicMetadata,
  committed: ReadonlyMap<number, bigint>,
  target: ResetTarget,
): Promise<ResetRow[]> {
  const earliest = await offsetsAt(client, topic, EARLIEST_TIMESTAMP);
  const latest = await offsetsAt(client, topic, LATEST_TIMESTAMP);
  const atTime = target.kind === 'timestamp' ? await offsetsAt(client, topic, target.timestamp) : null;
  return topic.partitions.map(({ partition }) => {
    const low = earliest.get(partition) ?? 0n;
    const high = latest.get(partition) ?? low;
    let offset: bigint;
    if (target.kind === 'earliest') offset = low;
    else if (target.kind === 'latest') offset = high;
    else if (target.kind === 'offset') offset = target.offset < low ? low : target.offset > high ? high : target.offset;
    else offset = (atTime?.get(partition) ?? -1n) >= 0n ? (atTime?.get(partition) as bigint) : high;
    const current = committed.get(partition) ?? -1n;
    return { partition, current: current >= 0n ? current : null, target: offset };
  });
}
