import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpServer } from './http-server.js';
import { PrometheusMetrics } from './prometheus-metrics.js';
import { silentLogger } from '../logging.js';

test('/ready follows readiness; /health is always 200; /metrics renders; other paths and methods refused', async (t) => {
  let ready = false;
  const metrics = new PrometheusMetrics({ partitionCount: () => 4, underReplicatedPartitions: () => 0, isActiveController: () => true, openConnections: () => 2, consumerGroupLag: () => [{ group: 'g', topic: 't', partition: 1, lag: 7 }] }, { nodeId: 3 });
  const server = await HttpServer.start(
    { host: '127.0.0.1', port: 0 },
    { isReady: () => ready, metrics: async () => ({ contentType: metrics.contentType, text: await metrics.render() }) },
    silentLogger(),
  );
  t.after(() => server.close());
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
  assert.equal((await fetch(url('/ready'))).status, 503);
  assert.equal((await fetch(url('/health'))).status, 200);
  ready = true;
  assert.equal((await fetch(url('/ready'))).status, 200);
  ready = false;
  assert.equal((await fetch(url('/ready?x=1'))).status, 503);
  assert.equal((await fetch(url('/other'))).status, 404);
  assert.equal((await fetch(url('/health'), { method: 'POST' })).status, 405);

  metrics.recordRequest('Fetch', 12, false);
  metrics.recordRequest('Fetch', 3, true);
  metrics.recordFetched('t', 100, 5);
  const text = await (await fetch(url('/metrics'))).text();
  assert.match(text, /^tributary_requests_total\{[^}]*api="Fetch"[^}]*\} 2$/m);
  assert.match(text, /^tributary_request_errors_total\{[^}]*api="Fetch"[^}]*\} 1$/m);
  assert.match(text, /^tributary_request_duration_seconds_count\{[^}]*api="Fetch"[^}]*\} 2$/m);
  assert.match(text, /^tributary_topic_bytes_out_total\{[^}]*topic="t"[^}]*\} 100$/m);
  assert.match(text, /^tributary_topic_records_out_total\{[^}]*topic="t"[^}]*\} 5$/m);
  assert.match(text, /^tributary_partitions\{node_id="3"\} 4$/m);
  assert.match(text, /^tributary_open_connections\{node_id="3"\} 2$/m);
  assert.match(text, /^tributary_consumer_group_lag\{[^}]*group="g"[^}]*partition="1"[^}]*\} 7$/m);
  assert.match(text, /^nodejs_eventloop_lag_seconds\{node_id="3"\}/m);
});
