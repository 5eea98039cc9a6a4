/**
 * kafkajs as the bench's independent client: compression codecs (gzip is built in; snappy,
 * lz4 and zstd come from kafkajs-snappy, kafkajs-lz4 and @mongodb-js/zstd when installed),
 * and a partition fetch through kafkajs's own broker connection and decoders for brokers
 * without consumer groups (kafkajs's public consumer always joins a group).
 */
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import type { Kafka } from 'kafkajs';
import { CliFailure } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import type { CompressionName } from '../record-options.js';

const require = createRequire(import.meta.url);

/** kafkajs's CompressionTypes value for a codec, its plugin registered first. */
export async function kafkajsCompression(name: CompressionName): Promise<number> {
  const types = kafkajs.CompressionTypes;
  const codecs = kafkajs.CompressionCodecs as Record<number, unknown>;
  const missing = (pkg: string): CliFailure => new CliFailure(`--compression ${name} needs the ${pkg} package, which is not installed`, ExitCode.usage);
  switch (name) {
    case 'none':
      return types.None;
    case 'gzip':
      return types.GZIP;
    case 'snappy':
      try {
        codecs[types.Snappy] = require('kafkajs-snappy');
      } catch {
        throw missing('kafkajs-snappy');
      }
      return types.Snappy;
    case 'lz4':
      try {
        const LZ4Codec = require('kafkajs-lz4');
        codecs[types.LZ4] = new LZ4Codec().codec;
      } catch {
        throw missing('kafkajs-lz4');
      }
      return types.LZ4;
    case 'zstd': {
      let zstd: { compress(b: Buffer): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> };
      try {
        zstd = require('@mongodb-js/zstd');
      } catch {
        throw missing('@mongodb-js/zstd');
      }
      codecs[types.ZSTD] = () => ({
        compress: async (encoder: { buffer: Buffer }) => zstd.compress(encoder.buffer),
        decompress: async (buffer: Buffer) => zstd.decompress(buffer),
      });
      return types.ZSTD;
    }
  }
}

/** The slice of kafkajs's internal Broker.fetch response the bench reads. */
export interface KafkajsFetchPartition {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: string;
  readonly messages: readonly { offset: string; value: Buffer | null }[];
}

interface KafkajsBroker {
  fetch(request: unknown): Promise<{ responses: { topicName: string; partitions: KafkajsFetchPartition[] }[] }>;
}

interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findBroker(query: { nodeId: number }): Promise<KafkajsBroker>;
}

/**
 * kafkajs's cluster (its connections, metadata and decoders) without a consumer group. It is
 * reached through kafkajs's private factory: a kafkajs upgrade may move it, which fails loudly.
 */
export async function kafkajsCluster(kafka: Kafka): Promise<KafkajsCluster> {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (symbol === undefined) throw new CliFailure('this kafkajs version does not expose its cluster; cannot fetch without a group', ExitCode.failure);
  const create = (kafka as unknown as Record<symbol, (options: object) => KafkajsCluster>)[symbol];
  const cluster = create({ allowAutoTopicCreation: false });
  await cluster.connect();
  return cluster;
}

/** One fetch of some partitions on one leader, through kafkajs. */
export async function kafkajsFetch(
  cluster: KafkajsCluster,
  leader: number,
  topic: string,
  positions: ReadonlyMap<number, bigint>,
  maxWaitMs: number,
): Promise<KafkajsFetchPartition[]> {
  const broker = await cluster.findBroker({ nodeId: leader });
  const response = await broker.fetch({
    replicaId: -1,
    isolationLevel: 0,
    maxWaitTime: maxWaitMs,
    minBytes: 1,
    maxBytes: 50 * 1024 * 1024,
    topics: [{ topic, partitions: [...positions].map(([partition, offset]) => ({ partition, fetchOffset: offset.toString(), maxBytes: 1024 * 1024 })) }],
  });
  return response.responses.filter((r) => r.topicName === topic).flatMap((r) => r.partitions);
}

/** Registers every codec plugin that is installed, so fetched batches of any codec decode. */
export async function registerInstalledCodecs(): Promise<void> {
  for (const name of ['snappy', 'lz4', 'zstd'] as const) {
    try {
      await kafkajsCompression(name);
    } catch {
      // Not installed: batches with that codec fail to decode, with kafkajs's own message.
    }
  }
}
