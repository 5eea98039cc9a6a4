/**
 * Produce for one partition: check the records as Kafka does for Produce v3+ (exactly one magic-2
 * batch, CRC, max.message.bytes, no control or transactional batches), run the idempotence check
 * when the batch carries a producer id, append durably, then wake fetches and count the bytes.
 */
import { BATCH_OFFSETS, splitBatches, verifyBatchCrc, type RecordBatchHeader } from '@tributary/protocol';
import type { BrokerContext } from '../../broker-context.js';
import type { PartitionHandle, PartitionReplication, TopicState } from '../../state/topic-manager.js';
import { Errors, errorCodeOf } from './error-codes.js';

export interface PartitionProduceResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly baseOffset: number;
  readonly logAppendTimeMs: number;
  readonly logStartOffset: number;
}

export function produceError(errorCode: number, errorMessage: string | null): PartitionProduceResult {
  return { errorCode, errorMessage, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
}

type Checked = { readonly ok: true; readonly header: RecordBatchHeader } | { readonly ok: false; readonly result: PartitionProduceResult };

const reject = (errorCode: number, message: string): Checked => ({ ok: false, result: produceError(errorCode, message) });

/** The one batch a partition's records must hold, or why they are refused. */
export function checkProduceRecords(records: Buffer | null, maxMessageBytes: number): Checked {
  if (records === null || records.length === 0) return reject(Errors.INVALID_RECORD, 'a produce request needs one record batch per partition');
  // Message sets v0/v1 and batches v2 all keep the magic byte at offset 16.
  if (records.length > BATCH_OFFSETS.magic) {
    const magic = records.readInt8(BATCH_OFFSETS.magic);
    if (magic === 0 || magic === 1) {
      return reject(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT, `message format v${magic} is not supported; only record batches (magic 2)`);
    }
  }
  const split = splitBatches(records);
  if (!split.ok) return reject(Errors.CORRUPT_MESSAGE, split.error.message);
  if (split.value.partialBytes > 0) return reject(Errors.CORRUPT_MESSAGE, `the records end with ${split.value.partialBytes} bytes that are not a whole batch`);
  if (split.value.batches.length !== 1) return reject(Errors.INVALID_RECORD, `a partition's records must be exactly one batch, not ${split.value.batches.length}`);
  const bytes = split.value.batches[0].bytes;
  if (bytes.length > maxMessageBytes) return reject(Errors.MESSAGE_TOO_LARGE, `a batch of ${bytes.length} bytes exceeds max.message.bytes ${maxMessageBytes}`);
  const verified = verifyBatchCrc(bytes);
  if (!verified.ok) return reject(Errors.CORRUPT_MESSAGE, verified.error.message);
  const header = verified.value;
  if (header.isControl) return reject(Errors.INVALID_RECORD, 'clients may not produce control batches');
  if (header.isTransactional) return reject(Errors.INVALID_TXN_STATE, 'transactions are not supported yet');
  if (header.recordCount <= 0 || header.lastOffsetDelta !== header.recordCount - 1) {
    return reject(Errors.INVALID_RECORD, `a batch of ${header.recordCount} records must have last offset delta ${header.recordCount - 1}`);
  }
  if (header.producerId >= 0n && (header.producerEpoch < 0 || header.baseSequence < 0)) {
    return reject(Errors.INVALID_RECORD, `producer ${header.producerId} sent epoch ${header.producerEpoch} and sequence ${header.baseSequence}`);
  }
  return { ok: true, header };
}

/** acks and the request's timeout, which bounds an acks=all wait on the followers. */
export interface ProduceAcks {
  readonly acks: number;
  readonly timeoutMs: number;
}

export async function producePartition(broker: BrokerContext, topic: TopicState, index: number, records: Buffer | null, acks: ProduceAcks = { acks: 1, timeoutMs: 30_000 }): Promise<PartitionProduceResult> {
  const partition = broker.topics.partition(topic.name, index);
  if (partition === undefined) {
    if (topic.partitions[index] === undefined) return produceError(Errors.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic.name} has no partition ${index}`);
    return produceError(Errors.NOT_LEADER_OR_FOLLOWER, `this broker does not lead ${topic.name}-${index}`);
  }
  const checked = checkProduceRecords(records, topic.config.maxMessageBytes);
  if (!checked.ok) return checked.result;
  const { header } = checked;
  const replication = acks.acks === -1 ? partition.replication : undefined;
  const minIsr = topic.config.minInsyncReplicas;
  if (replication !== undefined && replication.isrSize < minIsr) {
    return produceError(Errors.NOT_ENOUGH_REPLICAS, `${topic.name}-${index} has ${replication.isrSize} in-sync replicas, below min.insync.replicas ${minIsr}`);
  }
  const log = partition.log;
  const append = () => log.appendAsLeader(records!, { leaderEpoch: partition.leaderEpoch });
  let result: PartitionProduceResult;
  let endOffset: number;
  if (header.producerId < 0n) {
    const appended = await append();
    if (!appended.ok) return appendFailed(broker, partition, appended.error);
    result = appendedResult(broker, partition, header, appended.value.baseOffset, appended.value.logAppendTimeMs, records!.length);
    endOffset = appended.value.lastOffset + 1;
  } else {
    const outcome = await broker.producers.appendIdempotent(log, header, append);
    switch (outcome.kind) {
      case 'appended':
        result = appendedResult(broker, partition, header, outcome.info.baseOffset, outcome.info.logAppendTimeMs, records!.length);
        endOffset = outcome.info.lastOffset + 1;
        break;
      case 'duplicate':
        // Kafka answers a retried batch with its original offset and no error.
        result = { errorCode: Errors.NONE, errorMessage: null, baseOffset: outcome.baseOffset, logAppendTimeMs: -1, logStartOffset: log.logStartOffset };
        endOffset = outcome.baseOffset + header.lastOffsetDelta + 1;
        break;
      case 'rejected':
        return produceError(outcome.errorCode, outcome.message);
      case 'append-failed':
        return appendFailed(broker, partition, outcome.error);
    }
  }
  return replication === undefined ? result : awaitReplication(replication, result, endOffset, acks.timeoutMs, minIsr, `${topic.name}-${index}`);
}

/** acks=all: the answer waits until every ISR member holds the batch durably (the high watermark covers it). */
async function awaitReplication(replication: PartitionReplication, result: PartitionProduceResult, endOffset: number, timeoutMs: number, minIsr: number, name: string): Promise<PartitionProduceResult> {
  const outcome = await replication.waitForHighWatermark(endOffset, timeoutMs);
  if (outcome === 'timeout') return produceError(Errors.REQUEST_TIMED_OUT, `${name}: the in-sync replicas did not acknowledge within ${timeoutMs} ms`);
  if (outcome === 'not-leader') return produceError(Errors.NOT_LEADER_OR_FOLLOWER, `${name}: leadership moved before the in-sync replicas acknowledged`);
  if (replication.isrSize < minIsr) {
    return produceError(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND, `${name}: written, but the ISR shrank to ${replication.isrSize}, below min.insync.replicas ${minIsr}`);
  }
  return result;
}

function appendedResult(
  broker: BrokerContext,
  partition: PartitionHandle,
  header: RecordBatchHeader,
  baseOffset: number,
  logAppendTimeMs: number,
  bytes: number,
): PartitionProduceResult {
  broker.metrics.recordProduced(partition.topic, bytes, header.recordCount);
  broker.waiters.notify(partition.topic, partition.index);
  return { errorCode: Errors.NONE, errorMessage: null, baseOffset, logAppendTimeMs, logStartOffset: partition.log.logStartOffset };
}

function appendFailed(broker: BrokerContext, partition: PartitionHandle, error: Error): PartitionProduceResult {
  const code = errorCodeOf(error);
  if (code === Errors.KAFKA_STORAGE_ERROR || code === Errors.UNKNOWN_SERVER_ERROR) {
    broker.logger.warn({ topic: partition.topic, partition: partition.index, err: error }, 'produce append failed');
  }
  return produceError(code, error.message);
}
