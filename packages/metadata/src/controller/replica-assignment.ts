// Replica placement and topic naming for the controller: Kafka's rack-unaware assignment (a random
// start broker and a random follower shift, so leaders spread evenly and followers vary), topic
// name rules, and topic ids drawn from the injected Random.
import { invariant, type Random } from '@tributary/common';
import type { MetadataImage } from '../metadata-image.js';
import type { Uuid } from '../records.js';

/** Kafka's limit: a topic name becomes a directory name with a partition suffix. */
export const MAX_TOPIC_NAME_LENGTH = 249;
const legalTopicName = /^[a-zA-Z0-9._-]+$/;

/** Why `name` is not a legal topic name, or null when it is. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `topic name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`;
  if (!legalTopicName.test(name)) return `topic name ${JSON.stringify(name)} has characters outside [a-zA-Z0-9._-]`;
  return null;
}

/** Bound on redraws of a colliding topic id; 128 random bits collide only if the Random is broken. */
const MAX_TOPIC_ID_DRAWS = 16;
const zeroUuid = '0'.repeat(32);

/** A fresh topic id: 32 hex digits, neither all zeros (Kafka's reserved id) nor already in use. */
export function newTopicId(image: MetadataImage, random: Random): Uuid {
  for (let draw = 0; draw < MAX_TOPIC_ID_DRAWS; draw++) {
    let id = '';
    for (let i = 0; i < 16; i++) id += random.int(256).toString(16).padStart(2, '0');
    if (id !== zeroUuid && !image.topicsById.has(id)) return id;
  }
  invariant(false, `no fresh topic id after ${MAX_TOPIC_ID_DRAWS} draws: the Random is not random`);
}

/**
 * Replica lists for partitions [firstPartition, firstPartition + count) over `brokers` (sorted,
 * distinct, at least `replicationFactor` of them). Follows Kafka's AdminUtils rack-unaware
 * assignment: partition p's leader is brokers[(p + start) % n]; followers follow at a shift that
 * grows every n partitions, so the same pairs do not always replicate each other.
 */
export function assignReplicas(
  brokers: readonly number[],
  firstPartition: number,
  count: number,
  replicationFactor: number,
  random: Random,
): number[][] {
  const n = brokers.length;
  invariant(replicationFactor >= 1 && replicationFactor <= n, `replication factor ${replicationFactor} over ${n} brokers`);
  const start = random.int(n);
  let shift = random.int(n);
  const assignments: number[][] = [];
  for (let p = firstPartition; p < firstPartition + count; p++) {
    if (p > 0 && p % n === 0) shift++;
    const first = (p + start) % n;
    const replicas = [brokers[first]!];
    for (let j = 0; j < replicationFactor - 1; j++) {
      replicas.push(brokers[(first + 1 + ((shift + j) % (n - 1))) % n]!);
    }
    assignments.push(replicas);
  }
  return assignments;
}
