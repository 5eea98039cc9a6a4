/** Fetch long polls wait for new data here; Produce wakes them (owned by the data-path handlers). */
export interface PartitionWaiters {
  /** Wakes the waiters on a partition whose visible data (high watermark) advanced. */
  notify(topic: string, partition: number): void;
}
