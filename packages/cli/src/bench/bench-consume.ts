/**
 * Consume benchmark: reads a topic from its earliest offsets to the ends they had when the
 * run started, through kafkajs's broker connection and decoders (see kafkajs-support.ts).
 */
import type { Admin, Kafka } from 'kafkajs';
import { throughput, type Throughput } from '../latency-stats.js';
import { kafkajsCluster, kafkajsFetch } from './kafkajs-support.js';

export interface ConsumeBenchResult {
  readonly records: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  readonly throughput: Throughput;
}

/** The longest the whole run may take. */
export interface ConsumeBenchSettings {
  readonly topic: string;
  /** Stop after this many records; undefined reads to the ends seen at the start. */
  readonly records: number | undefined;
  readonly timeoutMs: number;
}

export async function benchConsume(kafka: Kafka, admin: Admin, s: ConsumeBenchSettings): Promise<ConsumeBenchResult> {
  const offsets = await admin.fetchTopicOffsets(s.topic);
  const ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const positions = new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
  const target = s.records ?? offsets.reduce((sum, o) => sum + Number(BigInt(o.high) - BigInt(o.low)), 0);
  const cluster = await kafkajsCluster(kafka);
  try {
    await cluster.addTargetTopic(s.topic);
    const leaders = new Map<number, number[]>();
    for (const { partitionId, leader } of cluster.findTopicPartitionMetadata(s.topic)) leaders.set(leader, [...(leaders.get(leader) ?? []), partitionId]);
    let records = 0;
    let bytes = 0;
    const start = performance.now();
    while (records < target) {
      if (performance.now() - start > s.timeoutMs) throw new Error(`read ${records} of ${target} records in ${s.timeoutMs} ms`);
      for (const [leader, partitions] of leaders) {
        const open = partitions.filter((p) => (positions.get(p) ?? 0n) < (ends.get(p) ?? 0n) || s.records !== undefined);
        if (open.length === 0) continue;
        const fetched = await kafkajsFetch(cluster, leader, s.topic, new Map(open.map((p) => [p, positions.get(p) ?? 0n])), 500);
        for (const part of fetched) {
          if (part.errorCode !== 0) throw new Error(`fetch ${s.topic}-${part.partition} failed with error code ${part.errorCode}`);
          for (const m of part.messages) {
            const offset = BigInt(m.offset);
            if (offset < (positions.get(part.partition) ?? 0n)) continue;
            records++;
            bytes += m.value?.length ?? 0;
            positions.set(part.partition, offset + 1n);
          }
        }
      }
    }
    const elapsedMs = performance.now() - start;
    return { records, bytes, elapsedMs, throughput: throughput(records, bytes, elapsedMs) };
  } finally {
    await cluster.disconnect();
  }
}
