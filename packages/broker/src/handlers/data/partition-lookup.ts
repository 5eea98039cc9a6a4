/**
 * Why a partition handle is missing, as Kafka answers it: the partition exists but this broker
 * does not lead it (NOT_LEADER_OR_FOLLOWER, retriable: the client refreshes its metadata), or it
 * does not exist at all (UNKNOWN_TOPIC_OR_PARTITION).
 */
import type { TopicManager } from '../../state/topic-manager.js';
import { Errors } from './error-codes.js';

export function partitionExists(topics: TopicManager, topic: string, index: number): boolean {
  return topics.topic(topic)?.partitions[index] !== undefined;
}

export function missingPartitionError(topics: TopicManager, topic: string, index: number): number {
  return partitionExists(topics, topic, index) ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION;
}
