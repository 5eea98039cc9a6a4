/**
 * Waiting for a topic's partitions to have leaders: right after a create (or an auto-create
 * by Metadata), Kafka answers LEADER_NOT_AVAILABLE for a moment. Bounded in attempts.
 */
import { ErrorCode } from '@tributary/protocol';
import type { TopicMetadata } from './client/cluster-metadata.js';
import type { KafkaClient } from './client/kafka-client.js';
import { unwrap } from './cli-args.js';
import { CliFailure, unknownTopic } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

export interface LeaderWait {
  /** Metadata requests at most. */
  readonly attemptsMax: number;
  readonly backoffMs: number;
}

export const defaultLeaderWait: LeaderWait = { attemptsMax: 40, backoffMs: 250 };

export async function topicWithLeaders(
  client: KafkaClient,
  topic: string,
  allowAutoTopicCreation: boolean,
  wait: LeaderWait = defaultLeaderWait,
): Promise<TopicMetadata> {
  let last: TopicMetadata | undefined;
  for (let attempt = 1; attempt <= wait.attemptsMax; attempt++) {
    const cluster = unwrap(await client.metadata([topic], allowAutoTopicCreation));
    last = cluster.topics.find((t) => t.name === topic);
    if (last === undefined || last.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw unknownTopic(topic);
    const ready = last.errorCode === ErrorCode.NONE && last.partitions.length > 0 && last.partitions.every((p) => p.leader >= 0);
    if (ready) return last;
    const retriable = last.errorCode === ErrorCode.NONE || last.errorCode === ErrorCode.LEADER_NOT_AVAILABLE;
    if (!retriable) break;
    await new Promise((resolve) => setTimeout(resolve, wait.backoffMs));
  }
  const code = last?.errorCode ?? ErrorCode.LEADER_NOT_AVAILABLE;
  throw new CliFailure(`topic ${topic} has partitions without a leader (error code ${code})`, ExitCode.failure);
}
