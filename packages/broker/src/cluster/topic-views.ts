/**
 * The TopicState views handlers see, derived from the committed MetadataImage: one per topic,
 * rebuilt only when the image changes. Topic ids are 32 hex digits in the metadata log and
 * 22-character base64url on the Kafka wire.
 */
import type { MetadataImage, TopicImage } from '@tributary/metadata';
import { configsFor } from '@tributary/metadata';
import type { TopicDefaults } from '../config/broker-config.js';
import { resolveTopicConfig } from '../state/topic-configs.js';
import type { PartitionInfo, TopicState } from '../state/topic-manager.js';
import { isInternalTopic } from '../state/topic-names.js';

export function wireTopicId(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64url');
}

export function metadataTopicId(wire: string): string | undefined {
  const bytes = Buffer.from(wire, 'base64url');
  return bytes.length === 16 ? bytes.toString('hex') : undefined;
}

export function topicOverrides(image: MetadataImage, name: string): Record<string, string> {
  return Object.fromEntries(configsFor(image, 'topic', name));
}

function partitionsOf(topic: TopicImage): PartitionInfo[] {
  return [...topic.partitions.values()]
    .sort((a, b) => a.partition - b.partition)
    .map((p) => ({ index: p.partition, leaderId: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, offlineReplicas: [] }));
}

export interface TopicViews {
  readonly image: MetadataImage;
  readonly sorted: readonly TopicState[];
  readonly byName: ReadonlyMap<string, TopicState>;
  readonly byWireId: ReadonlyMap<string, TopicState>;
}

export function buildTopicViews(image: MetadataImage, defaults: TopicDefaults): TopicViews {
  const byName = new Map<string, TopicState>();
  const byWireId = new Map<string, TopicState>();
  for (const topic of image.topicsById.values()) {
    const state: TopicState = Object.freeze({
      name: topic.name,
      topicId: wireTopicId(topic.topicId),
      isInternal: isInternalTopic(topic.name),
      partitions: Object.freeze(partitionsOf(topic)),
      config: resolveTopicConfig(topicOverrides(image, topic.name), defaults),
    });
    byName.set(state.name, state);
    byWireId.set(state.topicId, state);
  }
  const sorted = Object.freeze([...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  return { image, sorted, byName, byWireId };
}
