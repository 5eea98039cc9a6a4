/**
 * A tiny in-process Kafka broker for the client's tests: one node, topics in memory, just
 * enough of ApiVersions, Metadata, Produce, Fetch, ListOffsets, CreateTopics, DeleteTopics,
 * DescribeConfigs and IncrementalAlterConfigs to exercise our client through real sockets.
 * Batches are stored as produced with the base offset rewritten, as a log does.
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  ApiKey,
  BATCH_OFFSETS,
  ErrorCode,
  FrameSplitter,
  decodeRequest,
  defaultApiVersionsResponse,
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  defaultListOffsetsResponse,
  defaultListOffsetsResponseListOffsetsPartitionResponse,
  defaultMetadataResponse,
  defaultMetadataResponseMetadataResponsePartition,
  defaultMetadataResponseMetadataResponseTopic,
  defaultProduceResponse,
  defaultProduceResponsePartitionProduceResponse,
  encodeResponse,
  readBatchHeader,
  type ApiResponses,
  type DecodedRequest,
} from '@tributary/protocol';
import { FakeGroupCoordinator, groupApis } from './fake-group-coordinator.js';

interface FakePartition {
  batches: Buffer[];
  nextOffset: bigint;
}

export interface FakeBrokerOptions {
  /** APIs to leave out of ApiVersions (and refuse), e.g. to test fallbacks. */
  readonly without?: readonly number[];
  /** Serve the classic group APIs from a FakeGroupCoordinator. */
  readonly groups?: boolean;
}

export class FakeBroker {
  readonly topics = new Map<string, FakePartition[]>();
  readonly configs = new Map<string, Map<string, string>>();
  /** Every request received, by API key, for assertions. */
  readonly received: number[] = [];
  private readonly sockets = new Set<Socket>();
  /** Present when started with `groups: true`. */
  readonly coordinator: FakeGroupCoordinator | null;
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly options: FakeBrokerOptions,
  ) {
    this.coordinator = options.groups === true ? new FakeGroupCoordinator() : null;
  }

  static async start(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const broker = new FakeBroker(server, port, options);
    server.on('connection', (socket) => broker.serve(socket));
    return broker;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  addTopic(name: string, partitions: number): void {
    this.topics.set(name, Array.from({ length: partitions }, () => ({ batches: [], nextOffset: 0n })));
    this.configs.set(name, new Map());
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const splitter = new FrameSplitter();
    socket.on('data', (chunk: Buffer) => {
      const frames = splitter.push(chunk);
      if (!frames.ok) return void socket.destroy();
      for (const frame of frames.value) {
        const decoded = decodeRequest(frame);
        if (!decoded.ok) return void socket.destroy();
        this.received.push(decoded.value.apiKey);
        if (this.options.without?.includes(decoded.value.apiKey)) return void socket.destroy();
        const body = this.answer(decoded.value);
        if (body === null) continue;
        const out = encodeResponse(decoded.value.apiKey, decoded.value.header.requestApiVersion, decoded.value.header.correlationId, body as never);
        if (!out.ok) throw out.error;
        socket.write(out.value);
      }
    });
  }

  private answer(request: DecodedRequest): ApiResponses[keyof ApiResponses] | null {
    switch (request.apiKey) {
      case ApiKey.ApiVersions: {
        const served: [number, number][] = [
          [ApiKey.Produce, 7], [ApiKey.Fetch, 11], [ApiKey.ListOffsets, 5], [ApiKey.Metadata, 8], [ApiKey.ApiVersions, 3],
          [ApiKey.CreateTopics, 4], [ApiKey.DeleteTopics, 3], [ApiKey.DescribeConfigs, 3], [ApiKey.IncrementalAlterConfigs, 1],
          [ApiKey.AlterConfigs, 1], [ApiKey.CreatePartitions, 1],
          ...(this.coordinator !== null ? groupApis : []),
        ];
        const apiKeys = served.filter(([key]) => !this.options.without?.includes(key)).map(([apiKey, maxVersion]) => ({ apiKey, minVersion: 0, maxVersion }));
        return { ...defaultApiVersionsResponse(), apiKeys };
      }
      case ApiKey.Metadata:
        return this.metadata(request.body.topics?.map((t) => t.name ?? '') ?? null);
      case ApiKey.Produce: {
        const response = defaultProduceResponse();
        for (const t of request.body.topicData) {
          const partitions = t.partitionData.map((p) => {
            const log = this.topics.get(t.name)?.[p.index];
            const result = { ...defaultProduceResponsePartitionProduceResponse(), index: p.index };
            if (log === undefined || p.records === null) return { ...result, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
            const header = readBatchHeader(p.records, 0);
            if (!header.ok) return { ...result, errorCode: ErrorCode.CORRUPT_MESSAGE };
            const batch = Buffer.from(p.records);
            batch.writeBigInt64BE(log.nextOffset, 0);
            log.batches.push(batch);
            const baseOffset = log.nextOffset;
            log.nextOffset += BigInt(header.value.lastOffsetDelta + 1);
            return { ...result, baseOffset };
          });
          response.responses.push({ name: t.name, partitionResponses: partitions });
        }
        return request.body.acks === 0 ? null : response;
      }
      case ApiKey.Fetch: {
        const response = defaultFetchResponse();
        for (const t of request.body.topics) {
          const partitions = t.partitions.map((p) => {
            const log = this.topics.get(t.topic)?.[p.partition];
            const result = { ...defaultFetchResponsePartitionData(), partitionIndex: p.partition };
            if (log === undefined) return { ...result, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
            const batches = log.batches.filter((b) => b.readBigInt64BE(0) + BigInt(b.readInt32BE(BATCH_OFFSETS.lastOffsetDelta)) >= p.fetchOffset);
            return { ...result, highWatermark: log.nextOffset, logStartOffset: 0n, records: Buffer.concat(batches) };
          });
          response.responses.push({ topic: t.topic, topicId: t.topicId, partitions });
        }
        return response;
      }
      case ApiKey.ListOffsets: {
        const response = defaultListOffsetsResponse();
        for (const t of request.body.topics) {
          const partitions = t.partitions.map((p) => {
            const log = this.topics.get(t.name)?.[p.partitionIndex];
            const result = { ...defaultListOffsetsResponseListOffsetsPartitionResponse(), partitionIndex: p.partitionIndex };
            if (log === undefined) return { ...result, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
            return { ...result, offset: p.timestamp === -2n ? 0n : log.nextOffset };
          });
          response.topics.push({ name: t.name, partitions });
        }
        return response;
      }
      case ApiKey.CreateTopics: {
        const topics = request.body.topics.map((t) => {
          const exists = this.topics.has(t.name);
          if (!exists) this.addTopic(t.name, t.numPartitions < 0 ? 1 : t.numPartitions);
          for (const c of t.configs) if (c.value !== null) this.configs.get(t.name)?.set(c.name, c.value);
          return { name: t.name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: exists ? ErrorCode.TOPIC_ALREADY_EXISTS : 0, errorMessage: null, topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: null };
        });
        return { throttleTimeMs: 0, topics };
      }
      case ApiKey.DeleteTopics: {
        const responses = request.body.topicNames.map((name) => {
          const existed = this.topics.delete(name);
          return { name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: existed ? 0 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
        });
        return { throttleTimeMs: 0, responses };
      }
      case ApiKey.DescribeConfigs: {
        const results = request.body.resources.map((r) => {
          const configs = this.configs.get(r.resourceName);
          const entries = [...(configs ?? new Map<string, string>())].map(([name, value]) => ({
            name, value, readOnly: false, isDefault: false, configSource: 1, isSensitive: false, synonyms: [], configType: 0, documentation: null,
          }));
          entries.push({ name: 'retention.ms', value: '604800000', readOnly: false, isDefault: false, configSource: 5, isSensitive: false, synonyms: [], configType: 0, documentation: null });
          return { errorCode: configs ? 0 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: entries };
        });
        return { throttleTimeMs: 0, results };
      }
      case ApiKey.IncrementalAlterConfigs: {
        const responses = request.body.resources.map((r) => {
          const configs = this.configs.get(r.resourceName);
          for (const c of r.configs) {
            if (c.configOperation === 0 && c.value !== null) configs?.set(c.name, c.value);
            if (c.configOperation === 1) configs?.delete(c.name);
          }
          return { errorCode: configs ? 0 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName };
        });
        return { throttleTimeMs: 0, responses };
      }
      case ApiKey.AlterConfigs: {
        const responses = request.body.resources.map((r) => {
          const exists = this.configs.has(r.resourceName);
          if (exists) this.configs.set(r.resourceName, new Map(r.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value as string])));
          return { errorCode: exists ? 0 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName };
        });
        return { throttleTimeMs: 0, responses };
      }
      case ApiKey.CreatePartitions: {
        const results = request.body.topics.map((t) => {
          const partitions = this.topics.get(t.name);
          if (partitions === undefined) return { name: t.name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
          while (partitions.length < t.count) partitions.push({ batches: [], nextOffset: 0n });
          return { name: t.name, errorCode: 0, errorMessage: null };
        });
        return { throttleTimeMs: 0, results };
      }
      default:
        return this.coordinator?.answer(request, this.port) ?? null;
    }
  }

  private metadata(names: string[] | null): ApiResponses[typeof ApiKey.Metadata] {
    const wanted = names ?? [...this.topics.keys()];
    return {
      ...defaultMetadataResponse(),
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: this.port, rack: null }],
      clusterId: 'fake',
      controllerId: 1,
      topics: wanted.map((name) => {
        const partitions = this.topics.get(name);
        return {
          ...defaultMetadataResponseMetadataResponseTopic(),
          name,
          errorCode: partitions === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : 0,
          partitions: (partitions ?? []).map((_, partitionIndex) => ({
            ...defaultMetadataResponseMetadataResponsePartition(),
            partitionIndex,
            leaderId: 1,
            replicaNodes: [1],
            isrNodes: [1],
          })),
        };
      }),
    };
  }
}
