/**
 * Idempotent-producer state (owned by the data-path handlers): producer ids, epochs and the
 * last sequences per partition, so a retried batch is acknowledged with its original offset and
 * a gap gets OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
export interface ProducerStateManager {
  /** Allocates a producer id for InitProducerId (non-transactional). */
  allocateProducerId(): { producerId: bigint; producerEpoch: number };
}
