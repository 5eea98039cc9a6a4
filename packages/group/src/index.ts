// The classic group coordinator: a pure state machine per __consumer_offsets partition.
export { GroupCoordinator } from './group-coordinator.js';
export type { GroupCoordinatorOptions, GroupSnapshot } from './group-coordinator.js';
export { defaultGroupCoordinatorConfig } from './group-types.js';
export type { GroupApi, GroupApiMap, GroupCoordinatorConfig, GroupReady, GroupRequest, GroupRequestOf, GroupResponse, OffsetsRecord, PendingResponse } from './group-types.js';
export type { GroupStateName } from './group-metadata.js';
export { GroupErrors } from './error-codes.js';
export type { GroupErrorName } from './error-codes.js';
export { javaStringHashCode, offsetsPartitionFor } from './java-hash.js';
export { groupErrorResponse } from './responses.js';
export { newMemberId, randomUuid } from './member-id.js';
export {
  OffsetsRecordError,
  decodeGroupValue,
  decodeOffsetValue,
  decodeOffsetsKey,
  encodeGroupKey,
  encodeGroupValue,
  encodeOffsetKey,
  encodeOffsetValue,
} from './offsets-records.js';
export type { GroupValue, OffsetValue, OffsetsKey, StoredMember } from './offsets-records.js';
