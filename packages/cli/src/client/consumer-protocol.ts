/**
 * The consumer protocol inside the classic group protocol: the subscription a member sends in
 * JoinGroup and the assignment the leader hands out in SyncGroup, both an int16 version
 * followed by the generated struct. And the range assignor, Kafka's default for a consumer.
 */
import { err, ok, type Result } from '@tributary/common';
import {
  Reader,
  Writer,
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  defaultConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
  type ConsumerProtocolAssignment,
  type ConsumerProtocolSubscription,
} from '@tributary/protocol';
import { ClientError } from './client-error.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
export const RANGE_ASSIGNOR = 'range';
/** Newest struct versions we know; a newer member's bytes are read as these (Kafka does the same). */
const SUBSCRIPTION_VERSION_MAX = 3;
const ASSIGNMENT_VERSION_MAX = 3;
/** What we write: v0 carries everything the range assignor needs and every client reads it. */
const WRITE_VERSION = 0;

/** Topic → partitions, as an assignment holds them. */
export type TopicPartitions = Map<string, number[]>;

export function encodeSubscription(topics: readonly string[]): Buffer {
  const w = new Writer();
  w.int16(WRITE_VERSION);
  encodeConsumerProtocolSubscription(w, { ...defaultConsumerProtocolSubscription(), topics: [...topics] }, WRITE_VERSION);
  return Buffer.from(w.finish());
}

export function decodeSubscription(bytes: Buffer): Result<ConsumerProtocolSubscription, ClientError> {
  try {
    const r = new Reader(bytes);
    const version = r.int16();
    if (version < 0) return err(new ClientError('protocol', `consumer subscription with version ${version}`));
    return ok(decodeConsumerProtocolSubscription(r, Math.min(version, SUBSCRIPTION_VERSION_MAX)));
  } catch (e) {
    return err(new ClientError('protocol', `cannot decode a consumer subscription: ${(e as Error).message}`));
  }
}

export function encodeAssignment(assignment: TopicPartitions): Buffer {
  const w = new Writer();
  w.int16(WRITE_VERSION);
  const value: ConsumerProtocolAssignment = {
    assignedPartitions: [...assignment].map(([topic, partitions]) => ({ topic, partitions: [...partitions] })),
    userData: null,
  };
  encodeConsumerProtocolAssignment(w, value, WRITE_VERSION);
  return Buffer.from(w.finish());
}

/** An empty buffer is an empty assignment (a member the leader gave nothing). */
export function decodeAssignment(bytes: Buffer): Result<TopicPartitions, ClientError> {
  const out: TopicPartitions = new Map();
  if (bytes.length === 0) return ok(out);
  try {
    const r = new Reader(bytes);
    const version = r.int16();
    if (version < 0) return err(new ClientError('protocol', `consumer assignment with version ${version}`));
    const decoded = decodeConsumerProtocolAssignment(r, Math.min(version, ASSIGNMENT_VERSION_MAX));
    for (const { topic, partitions } of decoded.assignedPartitions) out.set(topic, [...(out.get(topic) ?? []), ...partitions].sort((a, b) => a - b));
    return ok(out);
  } catch (e) {
    return err(new ClientError('protocol', `cannot decode a consumer assignment: ${(e as Error).message}`));
  }
}

export interface MemberSubscription {
  readonly memberId: string;
  readonly topics: readonly string[];
}

/**
 * Kafka's RangeAssignor: per topic, the subscribed members sorted by id each get a contiguous
 * range; the first (partitions % members) get one extra. Every member appears in the result.
 */
export function rangeAssign(members: readonly MemberSubscription[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartitions> {
  const result = new Map<string, TopicPartitions>(members.map((m) => [m.memberId, new Map()]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const count = partitionCounts.get(topic) ?? 0;
    const subscribed = members.filter((m) => m.topics.includes(topic)).map((m) => m.memberId).sort();
    if (count === 0 || subscribed.length === 0) continue;
    const base = Math.floor(count / subscribed.length);
    const extra = count % subscribed.length;
    let next = 0;
    subscribed.forEach((memberId, i) => {
      const size = base + (i < extra ? 1 : 0);
      if (size === 0) return;
      result.get(memberId)?.set(topic, Array.from({ length: size }, (_, k) => next + k));
      next += size;
    });
  }
  return result;
}
