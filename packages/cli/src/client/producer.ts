/**
 * Produce: record batch v2 per partition, one Produce request per batch, sent to the
 * partition's leader. Not idempotent; with acks=0 the broker sends no response.
 */
import { err, ok, type Result } from '@tributary/common';
import { ApiKey, CompressionCodec, ErrorCode, encodeRecordBatch, type RecordHeader } from '@tributary/protocol';
import { apiRanges } from './api-ranges.js';
import { ClientError } from './client-error.js';
import type { KafkaClient, NegotiatedConnection } from './kafka-client.js';

export type Acks = -1 | 0 | 1;

export interface ProducerRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export interface ProduceOptions {
  readonly acks: Acks;
  readonly compression: CompressionCodec;
  /** How long the leader may wait for replicas (acks=all). */
  readonly timeoutMs: number;
}

/** The offset of the batch's first record; null with acks=0 (no answer to read it from). */
export type ProduceAck = { readonly baseOffset: bigint } | null;

export async function encodeBatch(records: readonly ProducerRecord[], compression: CompressionCodec, now = BigInt(Date.now())): Promise<Buffer> {
  return encodeRecordBatch(
    {
      baseTimestamp: now,
      records: records.map((r, i) => ({ attributes: 0, timestampDelta: 0, offsetDelta: i, key: r.key, value: r.value, headers: r.headers })),
    },
    { compression },
  );
}

/** Sends one batch to `leader` (a connection to the partition's leader). */
export async function produceBatch(
  client: KafkaClient,
  leader: NegotiatedConnection,
  topic: string,
  partition: number,
  records: readonly ProducerRecord[],
  options: ProduceOptions,
): Promise<Result<ProduceAck, ClientError>> {
  const batch = await encodeBatch(records, options.compression);
  const build = (): { transactionalId: null; acks: number; timeoutMs: number; topicData: { name: string; partitionData: { index: number; records: Buffer }[] }[] } => ({
    transactionalId: null,
    acks: options.acks,
    timeoutMs: options.timeoutMs,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
  });
  if (options.acks === 0) {
    const version = leader.versions.pick(ApiKey.Produce, apiRanges.produce);
    if (!version.ok) return version;
    const sent = await leader.connection.send(ApiKey.Produce, version.value, build());
    return sent.ok ? ok(null) : sent;
  }
  const response = await client.call(ApiKey.Produce, apiRanges.produce, build, leader, options.timeoutMs);
  if (!response.ok) return response;
  const result = response.value.body.responses.find((t) => t.name === topic)?.partitionResponses.find((p) => p.index === partition);
  if (result === undefined) return err(new ClientError('protocol', `Produce response does not mention ${topic}-${partition}`));
  if (result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
    return err(new ClientError('kafka', `topic ${topic} does not exist (or has no partition ${partition})`, result.errorCode));
  }
  if (result.errorCode !== ErrorCode.NONE) return err(ClientError.fromCode(result.errorCode, `produce to ${topic}-${partition}`, result.errorMessage));
  return ok({ baseOffset: result.baseOffset });
}
