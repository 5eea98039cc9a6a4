/**
 * BrokerMetrics on prom-client, in a registry of its own per broker (so several brokers in one
 * process, as in tests, do not collide). Gauges that describe state (partitions, connections,
 * the controller) are read when /metrics is scraped, from the sources given at construction.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BrokerMetrics } from './broker-metrics.js';

/** Live state the gauges read at scrape time. */
export interface MetricsSources {
  readonly partitionCount: () => number;
  readonly underReplicatedPartitions: () => number;
  readonly isActiveController: () => boolean;
  readonly openConnections: () => number;
  /** Per group and partition: the high watermark minus the committed offset. */
  readonly consumerGroupLag: () => ReadonlyArray<{ readonly group: string; readonly topic: string; readonly partition: number; readonly lag: number }>;
}

/** Latency buckets from 0.5 ms to 30 s (long-poll fetches sit at the top). */
const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Resolution of the event-loop delay histogram prom-client keeps. */
const EVENT_LOOP_MONITORING_PRECISION_MS = 10;

export class PrometheusMetrics implements BrokerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'api'>;
  private readonly requestErrors: Counter<'api'>;
  private readonly requestDuration: Histogram<'api'>;
  private readonly bytesIn: Counter<'topic'>;
  private readonly recordsIn: Counter<'topic'>;
  private readonly bytesOut: Counter<'topic'>;
  private readonly recordsOut: Counter<'topic'>;

  constructor(sources: MetricsSources, labels: { readonly nodeId: number }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node_id: String(labels.nodeId) });
    // process_* (memory, CPU, fds) and nodejs_* (heap, event-loop lag and its percentiles, GC).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_MONITORING_PRECISION_MS });
    this.requests = new Counter({ name: 'tributary_requests_total', help: 'Kafka requests served, by API', labelNames: ['api'], registers });
    this.requestErrors = new Counter({ name: 'tributary_request_errors_total', help: 'Kafka requests that failed unexpectedly, by API', labelNames: ['api'], registers });
    this.requestDuration = new Histogram({
      name: 'tributary_request_duration_seconds',
      help: 'Time from a request being dequeued to its response being ready, by API',
      labelNames: ['api'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.bytesIn = new Counter({ name: 'tributary_topic_bytes_in_total', help: 'Record-batch bytes appended by Produce, by topic', labelNames: ['topic'], registers });
    this.recordsIn = new Counter({ name: 'tributary_topic_records_in_total', help: 'Records appended by Produce, by topic', labelNames: ['topic'], registers });
    this.bytesOut = new Counter({ name: 'tributary_topic_bytes_out_total', help: 'Record-batch bytes returned by Fetch, by topic', labelNames: ['topic'], registers });
    this.recordsOut = new Counter({ name: 'tributary_topic_records_out_total', help: 'Records returned by Fetch, by topic', labelNames: ['topic'], registers });
    this.stateGauges(sources);
  }

  private stateGauges(sources: MetricsSources): void {
    const registers = [this.registry];
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    };
    gauge('tributary_partitions', 'Partitions hosted by this broker', sources.partitionCount);
    gauge('tributary_under_replicated_partitions', 'Partitions whose ISR is smaller than their replica set', sources.underReplicatedPartitions);
    gauge('tributary_active_controller', '1 when this node is the active controller, else 0', () => (sources.isActiveController() ? 1 : 0));
    gauge('tributary_open_connections', 'Open Kafka client connections', sources.openConnections);
    new Gauge({
      name: 'tributary_consumer_group_lag',
      help: 'Records between a group’s committed offset and the partition’s high watermark',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      collect() {
        // Reset first so groups and partitions that are gone stop being reported.
        this.reset();
        for (const { group, topic, partition, lag } of sources.consumerGroupLag()) this.set({ group, topic, partition: String(partition) }, lag);
      },
    });
  }

  recordRequest(apiName: string, durationMs: number, failed: boolean): void {
    this.requests.inc({ api: apiName });
    if (failed) this.requestErrors.inc({ api: apiName });
    this.requestDuration.observe({ api: apiName }, durationMs / 1000);
  }

  recordProduced(topic: string, bytes: number, records: number): void {
    this.bytesIn.inc({ topic }, bytes);
    this.recordsIn.inc({ topic }, records);
  }

  recordFetched(topic: string, bytes: number, records: number): void {
    this.bytesOut.inc({ topic }, bytes);
    this.recordsOut.inc({ topic }, records);
  }

  /** Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
