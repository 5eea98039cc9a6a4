/**
 * A small Kafka client over @tributary/protocol: a bootstrap connection, version negotiation,
 * Metadata, and one negotiated connection per broker it needs to reach (leaders, controller).
 * It is what the `tributary` operator commands are built on; it keeps no background work, so
 * a command that closes it exits promptly.
 */
import { err, ok, type Result } from '@tributary/common';
import { ApiKey, ZERO_UUID, apis, type ApiRequests, type ApiResponses } from '@tributary/protocol';
import { apiRanges } from './api-ranges.js';
import { negotiateApiVersions, type ApiVersionTable, type VersionRange } from './api-version-table.js';
import { BrokerConnection, defaultConnectionOptions, type ConnectionOptions } from './broker-connection.js';
import { ClientError } from './client-error.js';
import { toClusterMetadata, type ClusterMetadata } from './cluster-metadata.js';
import { formatHostPort, type BrokerAddress } from './host-port.js';

export interface NegotiatedConnection {
  readonly connection: BrokerConnection;
  readonly versions: ApiVersionTable;
}

export interface CallResult<K extends ApiKey> {
  readonly version: number;
  readonly body: ApiResponses[K];
}

export class KafkaClient {
  /** By `host:port`; the bootstrap connection is among them. */
  private readonly connections = new Map<string, NegotiatedConnection>();
  private cluster: ClusterMetadata | null = null;
  private readonly dedicated = new Set<BrokerConnection>();

  private constructor(
    readonly bootstrap: BrokerAddress,
    private readonly bootstrapConnection: NegotiatedConnection,
    private readonly options: ConnectionOptions,
  ) {
    this.connections.set(formatHostPort(bootstrap), bootstrapConnection);
  }

  static async connect(bootstrap: BrokerAddress, options: Partial<ConnectionOptions> = {}): Promise<Result<KafkaClient, ClientError>> {
    const full = { ...defaultConnectionOptions, ...options };
    const negotiated = await openNegotiated(bootstrap, full);
    if (!negotiated.ok) return negotiated;
    return ok(new KafkaClient(bootstrap, negotiated.value, full));
  }

  /** What the bootstrap broker serves. */
  get versions(): ApiVersionTable {
    return this.bootstrapConnection.versions;
  }

  /** Sends one request at the best common version; `build` makes the body for that version. */
  async call<K extends ApiKey>(
    apiKey: K,
    ours: VersionRange,
    build: (version: number) => ApiRequests[K],
    target: NegotiatedConnection = this.bootstrapConnection,
    extraTimeoutMs = 0,
  ): Promise<Result<CallResult<K>, ClientError>> {
    const version = target.versions.pick(apiKey, ours);
    if (!version.ok) return version;
    const response = await target.connection.request(apiKey, version.value, build(version.value), extraTimeoutMs);
    if (!response.ok) return response;
    return ok({ version: version.value, body: response.value });
  }

  /** Metadata for some topics, or every topic when `topics` is null. */
  async metadata(topics: readonly string[] | null, allowAutoTopicCreation = false): Promise<Result<ClusterMetadata, ClientError>> {
    const response = await this.call(ApiKey.Metadata, apiRanges.metadata, (version) => ({
      topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
      // Before v4 the field does not exist and brokers auto-create as configured.
      allowAutoTopicCreation: version >= 4 ? allowAutoTopicCreation : true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }));
    if (!response.ok) return response;
    this.cluster = toClusterMetadata(response.value.body);
    return ok(this.cluster);
  }

  /** A negotiated connection to a broker by node id, from the latest Metadata. */
  async nodeConnection(nodeId: number): Promise<Result<NegotiatedConnection, ClientError>> {
    if (this.cluster === null) {
      const fetched = await this.metadata([]);
      if (!fetched.ok) return fetched;
    }
    const address = this.cluster?.brokers.get(nodeId);
    if (address === undefined) return err(new ClientError('kafka', `broker ${nodeId} is not in the cluster metadata`, 8));
    return this.connectionTo(address);
  }

  /** The active controller's connection (create and delete go there, as in Kafka's admin client). */
  async controllerConnection(): Promise<Result<NegotiatedConnection, ClientError>> {
    const cluster = await this.metadata([]);
    if (!cluster.ok) return cluster;
    if (cluster.value.controllerId < 0 || !cluster.value.brokers.has(cluster.value.controllerId)) return ok(this.bootstrapConnection);
    return this.nodeConnection(cluster.value.controllerId);
  }

  async connectionTo(address: BrokerAddress): Promise<Result<NegotiatedConnection, ClientError>> {
    const key = formatHostPort(address);
    const existing = this.connections.get(key);
    if (existing !== undefined && !existing.connection.closed) return ok(existing);
    const opened = await openNegotiated(address, this.options);
    if (opened.ok) this.connections.set(key, opened.value);
    return opened;
  }

  /**
   * A connection of its own, not shared with other calls: a group member's coordinator
   * connection, so a long JoinGroup or heartbeat never queues behind a Fetch. Closed by close().
   */
  async dedicatedConnection(address: BrokerAddress): Promise<Result<NegotiatedConnection, ClientError>> {
    const opened = await openNegotiated(address, this.options);
    if (opened.ok) this.dedicated.add(opened.value.connection);
    return opened;
  }

  close(): void {
    for (const { connection } of this.connections.values()) connection.close();
    this.connections.clear();
    for (const connection of this.dedicated) connection.close();
    this.dedicated.clear();
  }
}

async function openNegotiated(address: BrokerAddress, options: ConnectionOptions): Promise<Result<NegotiatedConnection, ClientError>> {
  const connection = await BrokerConnection.connect(address, options);
  if (!connection.ok) return connection;
  const versions = await negotiateApiVersions(connection.value);
  if (!versions.ok) {
    connection.value.close();
    const reason = versions.error.message;
    return err(new ClientError(versions.error.kind === 'kafka' ? 'kafka' : 'unreachable', `cannot reach broker at ${formatHostPort(address)}: ${apis[ApiKey.ApiVersions].name} failed: ${reason}`));
  }
  return ok({ connection: connection.value, versions: versions.value });
}
