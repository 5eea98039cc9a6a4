/** Test support: request bodies for the data-path handlers, and reading records back. */
import {
  decodeRecordBatch,
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  defaultProduceRequest,
  splitBatches,
  type FetchRequest,
  type FetchResponse,
  type FetchResponsePartitionData,
  type ProduceRequest,
} from '@tributary/protocol';

export function produceRequest(topic: string, partitions: ReadonlyArray<{ index: number; records: Buffer | null }>, acks = -1): ProduceRequest {
  return { ...defaultProduceRequest(), acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: partitions.map((p) => ({ ...p })) }] };
}

export interface FetchSpec {
  readonly topic: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly partitionMaxBytes?: number;
  readonly currentLeaderEpoch?: number;
}

export function fetchRequest(
  partitions: readonly FetchSpec[],
  options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; isolationLevel?: number } = {},
): FetchRequest {
  const topics: FetchRequest['topics'] = [];
  for (const spec of partitions) {
    let topic = topics.find((t) => t.topic === spec.topic);
    if (!topic) topics.push((topic = { topic: spec.topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [] }));
    topic.partitions.push({
      ...defaultFetchRequestFetchPartition(),
      partition: spec.partition ?? 0,
      fetchOffset: BigInt(spec.offset ?? 0),
      partitionMaxBytes: spec.partitionMaxBytes ?? 1024 * 1024,
      currentLeaderEpoch: spec.currentLeaderEpoch ?? -1,
    });
  }
  return {
    ...defaultFetchRequest(),
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 0,
    maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
    isolationLevel: options.isolationLevel ?? 0,
    topics,
  };
}

export function partitionOf(response: FetchResponse, topic: string, partition = 0): FetchResponsePartitionData {
  const found = response.responses.find((t) => t.topic === topic)?.partitions.find((p) => p.partitionIndex === partition);
  if (!found) throw new Error(`no ${topic}-${partition} in the fetch response`);
  return found;
}

/** Offsets and values of every record in a fetched records blob (whole batches expected). */
export async function recordsOf(records: Buffer | null): Promise<Array<{ offset: number; value: string }>> {
  if (records === null) return [];
  const split = splitBatches(records);
  if (!split.ok) throw split.error;
  const out: Array<{ offset: number; value: string }> = [];
  for (const { bytes } of split.value.batches) {
    const batch = await decodeRecordBatch(bytes);
    if (!batch.ok) throw batch.error;
    for (const r of batch.value.records) out.push({ offset: Number(batch.value.baseOffset) + r.offsetDelta, value: r.value?.toString() ?? '' });
  }
  return out;
}

export function batchCount(records: Buffer | null): number {
  if (records === null) return 0;
  const split = splitBatches(records);
  if (!split.ok) throw split.error;
  return split.value.batches.length;
}
