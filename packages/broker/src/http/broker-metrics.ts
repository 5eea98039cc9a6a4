/**
 * The metrics handlers report. The implementation (http/prometheus-metrics.ts, prom-client)
 * renders them as Prometheus text at /metrics.
 */
export interface BrokerMetrics {
  /** One request served: its API name, latency, and whether it failed. */
  recordRequest(apiName: string, durationMs: number, failed: boolean): void;
  /** Records appended to a topic by Produce. */
  recordProduced(topic: string, bytes: number, records: number): void;
  /** Records returned from a topic by Fetch. */
  recordFetched(topic: string, bytes: number, records: number): void;
}
