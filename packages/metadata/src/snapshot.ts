// Snapshots: the fewest records that rebuild an image. Brokers come first (partitions name them),
// then each topic followed by its partitions and configs, then broker configs; all in a stable
// order so equal images give equal snapshots.
import { applyRecords } from './apply-record.js';
import { configResourceKey, emptyMetadataImage, type ImageResult, type MetadataImage } from './metadata-image.js';
import type { ConfigRecord, ConfigResourceType, MetadataRecord } from './records.js';

export function snapshotRecords(image: MetadataImage): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const broker of [...image.brokers.values()].sort((a, b) => a.brokerId - b.brokerId)) {
    records.push({ type: 'register-broker', ...broker });
  }
  const topics = [...image.topicsById.values()].sort((a, b) => compareStrings(a.name, b.name));
  for (const topic of topics) {
    records.push({ type: 'topic', name: topic.name, topicId: topic.topicId });
    for (const p of [...topic.partitions.values()].sort((a, b) => a.partition - b.partition)) {
      records.push({ type: 'partition', topicId: topic.topicId, ...p });
    }
    records.push(...configRecords(image, 'topic', topic.name));
  }
  const brokerPrefix = configResourceKey('broker', '');
  const brokerConfigNames = [...image.configs.keys()]
    .filter((key) => key.startsWith(brokerPrefix))
    .map((key) => key.slice(brokerPrefix.length))
    .sort(compareStrings);
  for (const name of brokerConfigNames) records.push(...configRecords(image, 'broker', name));
  return records;
}

/** Rebuilds an image from a snapshot taken at `offset`. */
export function loadSnapshot(records: readonly MetadataRecord[], offset: number): ImageResult {
  // Set the offset even when the snapshot is empty (everything created was since removed).
  return applyRecords({ ...emptyMetadataImage, offset }, records, offset);
}

function configRecords(image: MetadataImage, resourceType: ConfigResourceType, resourceName: string): ConfigRecord[] {
  const entries = image.configs.get(configResourceKey(resourceType, resourceName));
  if (entries === undefined) return [];
  return [...entries.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([key, value]) => ({ type: 'config', resourceType, resourceName, key, value }));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
