// Kafka-style partition replication as a pure core: the leader's ISR and high-watermark logic and
// the follower's divergence handling. The broker feeds it offsets and times and acts on its answers.
export { LeaderState } from './leader-state.js';
export type { FollowerFetchOutcome, LeaderStateInit } from './leader-state.js';
export { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, truncationStep } from './truncation.js';
export type { EpochEndOffset, TruncationInput, TruncationStep } from './truncation.js';
export { defaultReplicationConfig } from './types.js';
export type { IsrChangeRequest, IsrChangeResult, PartitionAssignment, ReplicaState, ReplicationConfig } from './types.js';
