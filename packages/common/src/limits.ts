/** Default bounds. Each is configurable where it is used; these are the values in force otherwise. */
export const limits = {
  /** Largest Kafka frame accepted from a peer (the size prefix is checked before any allocation). */
  frameBytesMax: 100 * 1024 * 1024,
  /** Largest decompressed record-batch payload we will inflate, to stop compression bombs. */
  decompressedBatchBytesMax: 256 * 1024 * 1024,
  /** Largest number of records in one batch (Kafka's record count is an int32). */
  batchRecordsMax: 1 << 24,
} as const;

export type Limits = typeof limits;
