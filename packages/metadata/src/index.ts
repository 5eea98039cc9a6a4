// Cluster metadata in the manner of KRaft: records, their binary encoding, the image they build
// when applied in commit order, and snapshots of that image. Pure: no I/O, clock or randomness.
export { NO_LEADER, isUuid } from './records.js';
export type {
  BrokerEndpoint,
  ConfigRecord,
  ConfigResourceType,
  FenceBrokerRecord,
  MetadataRecord,
  MetadataRecordType,
  PartitionChangeRecord,
  PartitionRecord,
  RegisterBrokerRecord,
  RemoveTopicRecord,
  TopicRecord,
  UnfenceBrokerRecord,
  Uuid,
} from './records.js';
export { METADATA_RECORD_VERSION, MetadataDecodeError, decodeRecord, defaultMetadataCodecLimits, encodeRecord } from './codec.js';
export type { MetadataCodecLimits, MetadataDecodeErrorKind } from './codec.js';
export {
  MetadataImageError,
  brokerById,
  configResourceKey,
  configsFor,
  emptyMetadataImage,
  fencedBrokerIds,
  partitionOf,
  topicById,
  topicByName,
  unfencedBrokerIds,
} from './metadata-image.js';
export type { BrokerImage, ImageResult, MetadataImage, MetadataImageErrorKind, PartitionImage, TopicImage } from './metadata-image.js';
export { applyRecord, applyRecords } from './apply-record.js';
export { decodeRecordBatch, defaultRecordBatchLimits, encodeRecordBatch } from './record-batch.js';
export type { RecordBatchLimits } from './record-batch.js';
export { loadSnapshot, snapshotRecords } from './snapshot.js';
export * from './controller/index.js';
