// The quorum controller's decisions: which metadata records to append for each broker or admin request.
export { ControllerError, controllerErrorCodes } from './controller-errors.js';
export type { ControllerErrorKind, ControllerResult } from './controller-errors.js';
export { QuorumController, defaultQuorumControllerConfig } from './quorum-controller.js';
export type {
  BrokerRegistration,
  CreateTopicRequest,
  Decision,
  HeartbeatRequest,
  HeartbeatResult,
  QuorumControllerConfig,
} from './quorum-controller.js';
export type { AlterPartitionRequest, AlterPartitionResult } from './alter-partition.js';
export { UNCLEAN_LEADER_ELECTION_CONFIG, preferredLeaderChanges, repairPartitions, uncleanElectionEnabled } from './leader-election.js';
export { assignReplicas, topicNameProblem } from './replica-assignment.js';
