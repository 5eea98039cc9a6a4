// The cluster metadata state built by applying committed records in order. Immutable: applying a
// record returns a new image sharing the unchanged parts. A record that contradicts the image (an
// unknown topic, broker or partition, a stale epoch) is refused as a typed error value; the
// controller must never emit one, so a refusal means a controller bug or a corrupt log.
import { TributaryError, err, ok, type Result } from '@tributary/common';
import type { BrokerEndpoint, ConfigResourceType, Uuid } from './records.js';

export interface BrokerImage {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly incarnationId: Uuid;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  readonly fenced: boolean;
}

export interface PartitionImage {
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

export interface TopicImage {
  readonly name: string;
  readonly topicId: Uuid;
  readonly partitions: ReadonlyMap<number, PartitionImage>;
}

export interface MetadataImage {
  /** Offset (Raft index) of the last applied record; -1 when nothing is applied. */
  readonly offset: number;
  readonly brokers: ReadonlyMap<number, BrokerImage>;
  readonly topicsById: ReadonlyMap<Uuid, TopicImage>;
  readonly topicIdsByName: ReadonlyMap<string, Uuid>;
  /** Keyed by configResourceKey(type, name). Resources without keys are absent. */
  readonly configs: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export const emptyMetadataImage: MetadataImage = {
  offset: -1,
  brokers: new Map(),
  topicsById: new Map(),
  topicIdsByName: new Map(),
  configs: new Map(),
};

export type MetadataImageErrorKind =
  | 'offset-regression'
  | 'unknown-broker'
  | 'stale-broker-epoch'
  | 'unknown-topic'
  | 'duplicate-topic'
  | 'unknown-partition'
  | 'duplicate-partition'
  | 'invalid-assignment';

export class MetadataImageError extends TributaryError {
  override readonly name = 'MetadataImageError';
  constructor(
    readonly kind: MetadataImageErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export type ImageResult = Result<MetadataImage, MetadataImageError>;

export function imageError(kind: MetadataImageErrorKind, message: string): ImageResult {
  return err(new MetadataImageError(kind, message));
}

export function imageOk(image: MetadataImage): ImageResult {
  return ok(image);
}

export function configResourceKey(resourceType: ConfigResourceType, resourceName: string): string {
  return `${resourceType}:${resourceName}`;
}

// Lookups.

export function brokerById(image: MetadataImage, brokerId: number): BrokerImage | undefined {
  return image.brokers.get(brokerId);
}

export function fencedBrokerIds(image: MetadataImage): number[] {
  return [...image.brokers.values()].filter((b) => b.fenced).map((b) => b.brokerId).sort((a, b) => a - b);
}

export function unfencedBrokerIds(image: MetadataImage): number[] {
  return [...image.brokers.values()].filter((b) => !b.fenced).map((b) => b.brokerId).sort((a, b) => a - b);
}

export function topicById(image: MetadataImage, topicId: Uuid): TopicImage | undefined {
  return image.topicsById.get(topicId);
}

export function topicByName(image: MetadataImage, name: string): TopicImage | undefined {
  const id = image.topicIdsByName.get(name);
  return id === undefined ? undefined : image.topicsById.get(id);
}

export function partitionOf(image: MetadataImage, topicName: string, partition: number): PartitionImage | undefined {
  return topicByName(image, topicName)?.partitions.get(partition);
}

export function configsFor(
  image: MetadataImage,
  resourceType: ConfigResourceType,
  resourceName: string,
): ReadonlyMap<string, string> {
  return image.configs.get(configResourceKey(resourceType, resourceName)) ?? new Map();
}
