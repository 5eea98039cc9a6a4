/**
 * Idempotent-producer state (owned by the data-path handlers): producer ids, epochs and the
 * last sequences per partition, so a retried batch is acknowledged with its original offset and
 * a gap gets OUT_OF_ORDER_SEQUENCE_NUMBER. The implementation is state/producer-state-manager.ts
 * (`openProducerStateManager`).
 */
import type { Result, TributaryError } from '@tributary/common';
import type { AppendError, AppendInfo, PartitionLog } from '@tributary/storage';

export interface ProducerIdAndEpoch {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** Why InitProducerId failed: a Kafka error code (KAFKA_STORAGE_ERROR, INVALID_PRODUCER_EPOCH, ...). */
export interface ProducerIdError extends TributaryError {
  readonly code: number;
}

/** The idempotence fields of one incoming batch's header. */
export interface ProducerBatch {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  /** The batch holds lastOffsetDelta + 1 records (and sequences). */
  readonly lastOffsetDelta: number;
}

export type IdempotentAppendOutcome =
  /** Checked, then appended by `append`. */
  | { readonly kind: 'appended'; readonly info: AppendInfo }
  /** A retry of one of the producer's last 5 batches on this partition: not appended again. */
  | { readonly kind: 'duplicate'; readonly baseOffset: number; readonly lastOffset: number }
  /** Refused by the sequence/epoch check (OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH). */
  | { readonly kind: 'rejected'; readonly errorCode: number; readonly message: string }
  /** Accepted, but the append itself failed (storage error, ...): the state is unchanged. */
  | { readonly kind: 'append-failed'; readonly error: AppendError };

export interface ProducerStateManager {
  /** Allocates a fresh producer id with epoch 0 (InitProducerId, non-transactional). */
  allocateProducerId(): Promise<Result<ProducerIdAndEpoch, ProducerIdError>>;
  /**
   * InitProducerId v3+ from a producer that already has an id (KIP-360): the same id with the
   * next epoch (a fresh id when the epoch is exhausted). A retry of the same bump gets the same
   * answer; an epoch older than the last bump is INVALID_PRODUCER_EPOCH.
   */
  bumpEpoch(current: ProducerIdAndEpoch): Promise<Result<ProducerIdAndEpoch, ProducerIdError>>;
  /**
   * Checks `batch` against the producer's state on `log`'s partition and, when it is new and in
   * sequence, runs `append` and records it. Check, append and record are atomic per partition:
   * calls on the same log run one at a time. The partition's state is rebuilt from the tail of
   * the log on first use (after a restart, duplicates are still found).
   */
  appendIdempotent(
    log: PartitionLog,
    batch: ProducerBatch,
    append: () => Promise<Result<AppendInfo, AppendError>>,
  ): Promise<IdempotentAppendOutcome>;
  /**
   * Drops what is known of `log`'s producers, so the next use rebuilds it from the log: called
   * when a replica becomes leader, since batches it copied as a follower were not recorded.
   */
  forget(log: PartitionLog): void;
}
