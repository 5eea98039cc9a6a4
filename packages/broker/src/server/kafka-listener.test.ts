import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, apis, defaultApiVersionsRequest, defaultHeartbeatRequest, defaultHeartbeatResponse, defaultMetadataRequest, type HeartbeatRequest, type HeartbeatResponse } from '@tributary/protocol';
import { defaultLimits, type BrokerLimits } from '../config/broker-config.js';
import { NO_RESPONSE, type AnyHandlerSpec, type HandlerSpec, type RequestContext } from '../handlers/handler.js';
import { withApiVersions } from '../handlers/index.js';
import { metadataHandler } from '../handlers/metadata.js';
import { createRootLogger } from '../logging.js';
import { ConnectionCount, KafkaListener } from './kafka-listener.js';
import { RequestDispatcher } from './request-dispatcher.js';
import { RawKafkaClient, requestFrame } from './testing/raw-kafka-client.js';
import { testBrokerContext } from './testing/test-broker-context.js';

type LogLine = { msg: string; reason?: string; [key: string]: unknown };
type HeartbeatHandler = (request: HeartbeatRequest, ctx: RequestContext) => Promise<HeartbeatResponse | typeof NO_RESPONSE>;

async function startListener(specs: readonly AnyHandlerSpec[] = [], limits: Partial<BrokerLimits> = {}) {
  const logs: LogLine[] = [];
  const logger = createRootLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const ctx = testBrokerContext(logger);
  const listener = await KafkaListener.bind({ host: '127.0.0.1', port: 0 }, { ...defaultLimits, ...limits }, logger);
  const dispatcher = new RequestDispatcher(withApiVersions([metadataHandler, ...specs]), ctx, logger);
  listener.serve((frame, origin) => dispatcher.dispatch(frame, origin));
  const connect = () => RawKafkaClient.connect(listener.port);
  return { listener, logs, ctx, connect };
}

/** A test API on the Heartbeat key: its generationId carries whatever the test needs. */
function heartbeatSpec(handle: HeartbeatHandler, options: { errorResponse?: boolean; maxVersion?: number } = {}): HandlerSpec<typeof ApiKey.Heartbeat> {
  return {
    apiKey: ApiKey.Heartbeat,
    minVersion: 0,
    maxVersion: options.maxVersion ?? 3,
    handle,
    ...(options.errorResponse === false ? {} : { errorResponse: (_request: HeartbeatRequest, errorCode: number) => ({ ...defaultHeartbeatResponse(), errorCode }) }),
  };
}

const heartbeat = (correlationId: number, generationId: number, version = 0): Buffer =>
  requestFrame(ApiKey.Heartbeat, version, correlationId, { ...defaultHeartbeatRequest(), groupId: 'g', generationId, memberId: 'm' });

const answer = (errorCode = 0): HeartbeatResponse => ({ ...defaultHeartbeatResponse(), errorCode });

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls a condition between event-loop turns (for state that has no event of its own). */
async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('frames split across arbitrary chunks are reassembled; requests pipelined in one write too', async () => {
  const { listener, connect } = await startListener();
  const client = await connect();
  const stream = Buffer.concat([
    requestFrame(ApiKey.ApiVersions, 0, 1, defaultApiVersionsRequest()),
    requestFrame(ApiKey.Metadata, 1, 2, { ...defaultMetadataRequest(), topics: null }),
    requestFrame(ApiKey.ApiVersions, 3, 3, { ...defaultApiVersionsRequest(), clientSoftwareName: 'x', clientSoftwareVersion: '1' }),
  ]);
  // One byte at a time for the first frame, then uneven chunks that straddle frame boundaries.
  for (let at = 0; at < stream.length; ) {
    const n = at < 30 ? 1 : 7;
    client.write(stream.subarray(at, at + n));
    at += n;
  }
  const first = await client.response(ApiKey.ApiVersions, 0);
  assert.equal(first.correlationId, 1);
  assert.equal(first.body.errorCode, 0);
  const second = await client.response(ApiKey.Metadata, 1);
  assert.equal(second.correlationId, 2);
  assert.deepEqual(second.body.brokers.map((b) => b.nodeId), [1]);
  const third = await client.response(ApiKey.ApiVersions, 3);
  assert.equal(third.correlationId, 3);
  assert.ok(third.body.apiKeys.some((k) => k.apiKey === ApiKey.Metadata && k.minVersion === 0 && k.maxVersion === 12));
  client.destroy();
  await listener.close(1000);
});

test('pipelined requests are answered in order, one at a time, even when later ones are faster', async () => {
  let running = 0;
  let maxRunning = 0;
  const spec = heartbeatSpec(async (request) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((resolve) => setTimeout(resolve, request.generationId));
    running--;
    return answer();
  });
  const { listener, connect } = await startListener([spec]);
  const client = await connect();
  const delays = [40, 30, 20, 10, 0, 5];
  client.write(Buffer.concat(delays.map((delay, i) => heartbeat(100 + i, delay))));
  for (let i = 0; i < delays.length; i++) assert.equal((await client.response(ApiKey.Heartbeat, 0)).correlationId, 100 + i);
  assert.equal(maxRunning, 1, 'one request at a time per connection');
  client.destroy();
  await listener.close(1000);
});

test('beyond the in-flight bound the socket is paused (backpressure), and nothing is dropped', async () => {
  const gate = deferred();
  const started = deferred();
  const inFlightMax = 4;
  const spec = heartbeatSpec(async (request) => {
    started.resolve();
    await gate.promise;
    return answer(request.generationId % 2);
  });
  const { listener, connect } = await startListener([spec], { inFlightRequestsPerConnectionMax: inFlightMax });
  const client = await connect();
  // 300 requests of ~60 KB each: far more than the kernel's socket buffers hold.
  const padding = 'x'.repeat(30_000);
  const count = 300;
  const frames = Array.from({ length: count }, (_, i) => requestFrame(ApiKey.Heartbeat, 0, i, { ...defaultHeartbeatRequest(), groupId: padding, generationId: i, memberId: padding }));
  const total = frames.reduce((n, f) => n + f.length, 0);
  for (const frame of frames) client.write(frame);
  await started.promise;
  await until(() => listener.connectionStats()[0]?.pendingRequests >= inFlightMax, 'the in-flight bound to be reached');
  // Give a broker that did not pause every chance to read on.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const [stats] = listener.connectionStats();
  // One socket read (64 KiB) may complete a frame or two past the bound before the pause.
  assert.ok(stats.pendingRequests <= inFlightMax + 2, `pending ${stats.pendingRequests}`);
  assert.ok(stats.bytesRead < total / 2, `the broker stopped reading (read ${stats.bytesRead} of ${total})`);
  assert.ok(client.socket.writableLength > 0, 'the client is held back by TCP');
  gate.resolve();
  for (let i = 0; i < count; i++) {
    const { correlationId, body } = await client.response(ApiKey.Heartbeat, 0);
    assert.equal(correlationId, i);
    assert.equal(body.errorCode, i % 2);
  }
  client.destroy();
  await listener.close(1000);
});

test('over the connection limit a connection is accepted, closed at once and the reason logged', async () => {
  const { listener, logs, connect } = await startListener([], { connectionsMax: 2 });
  const a = await connect();
  const b = await connect();
  a.write(requestFrame(ApiKey.ApiVersions, 0, 1, defaultApiVersionsRequest()));
  b.write(requestFrame(ApiKey.ApiVersions, 0, 1, defaultApiVersionsRequest()));
  await a.response(ApiKey.ApiVersions, 0);
  await b.response(ApiKey.ApiVersions, 0);
  const c = await connect();
  c.write(requestFrame(ApiKey.ApiVersions, 0, 1, defaultApiVersionsRequest()));
  assert.equal(await c.nextFrame(), null, 'closed without an answer');
  assert.ok(logs.some((l) => l.msg === 'refusing connection: connection limit reached' && l.connectionsMax === 2));
  a.destroy();
  await until(() => listener.openConnections === 1, 'the closed connection to be released');
  const d = await connect();
  d.write(requestFrame(ApiKey.ApiVersions, 0, 5, defaultApiVersionsRequest()));
  assert.equal((await d.response(ApiKey.ApiVersions, 0)).correlationId, 5, 'a slot freed is usable again');
  b.destroy();
  d.destroy();
  await listener.close(1000);
});

test('listeners sharing a connection count share max.connections; each tells requests its name', async () => {
  const logs: LogLine[] = [];
  const logger = createRootLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const connectionCount = new ConnectionCount();
  const limits = { ...defaultLimits, connectionsMax: 1 };
  const seen: string[] = [];
  const recordListener = heartbeatSpec(async (_request, ctx) => {
    seen.push(ctx.listenerName);
    return { ...defaultHeartbeatResponse(), errorCode: 0 };
  });
  const dispatcher = new RequestDispatcher(withApiVersions([recordListener]), testBrokerContext(logger), logger);
  const inside = await KafkaListener.bind({ host: '127.0.0.1', port: 0 }, limits, logger, { name: 'INSIDE', connectionCount });
  const outside = await KafkaListener.bind({ host: '127.0.0.1', port: 0 }, limits, logger, { name: 'OUTSIDE', connectionCount });
  for (const listener of [inside, outside]) listener.serve((frame, origin) => dispatcher.dispatch(frame, origin));
  const first = await RawKafkaClient.connect(inside.port);
  first.write(heartbeat(1, 0));
  await first.response(ApiKey.Heartbeat, 0);
  const refused = await RawKafkaClient.connect(outside.port);
  refused.write(heartbeat(2, 0));
  assert.equal(await refused.nextFrame(), null, 'the limit counts the other listener\'s connection');
  first.destroy();
  await until(() => connectionCount.open === 0, 'the closed connection to be released');
  const second = await RawKafkaClient.connect(outside.port);
  second.write(heartbeat(3, 0));
  await second.response(ApiKey.Heartbeat, 0);
  assert.deepEqual(seen, ['INSIDE', 'OUTSIDE']);
  second.destroy();
  await Promise.all([inside.close(1000), outside.close(1000)]);
});

test('malformed input closes the connection with a logged reason', async () => {
  const { listener, logs, connect } = await startListener([], { frameBytesMax: 1024 * 1024 });
  const cases: Array<[string, Buffer, RegExp]> = [
    ['negative size', Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2]), /bad frame: negative frame size/],
    ['oversized frame', Buffer.from([0x10, 0, 0, 0]), /bad frame: .*exceeds the limit of 1048576/],
    ['short header', Buffer.from([0, 0, 0, 3, 0, 3, 0]), /unreadable request header|malformed request/],
  ];
  // A valid Metadata v1 header, then a topic count far beyond the bytes that follow.
  const garbage = requestFrame(ApiKey.Metadata, 1, 9, { ...defaultMetadataRequest(), topics: [] });
  garbage.writeInt32BE(0x7fff0000, garbage.length - 4);
  cases.push(['garbage body', garbage, /malformed Metadata v1 request \(correlation id 9\)/]);
  for (const [name, bytes, reason] of cases) {
    const client = await connect();
    client.write(bytes);
    assert.equal(await client.nextFrame(), null, `${name}: closed`);
    await until(() => logs.some((l) => l.msg === 'closing connection' && reason.test(l.reason ?? '')), `${name}: reason logged`);
  }
  await listener.close(1000);
});

test('an API or version we do not serve gets UNSUPPORTED_VERSION where a response can be built; otherwise close', async () => {
  const { listener, connect } = await startListener([heartbeatSpec(async () => answer(), { maxVersion: 1 })]);
  const client = await connect();
  // Heartbeat v3 decodes, but the handler serves only v0-1: its error response, code 35.
  client.write(heartbeat(1, 0, 3));
  const tooNew = await client.response(ApiKey.Heartbeat, 3);
  assert.deepEqual([tooNew.correlationId, tooNew.body.errorCode], [1, 35]);
  // SyncGroup has no handler here; its response has a top-level error code.
  client.write(requestFrame(ApiKey.SyncGroup, 0, 2, apis[ApiKey.SyncGroup].defaultRequest()));
  const unserved = await client.response(ApiKey.SyncGroup, 0);
  assert.deepEqual([unserved.correlationId, unserved.body.errorCode], [2, 35]);
  // The connection is still good.
  client.write(heartbeat(3, 0, 1));
  assert.equal((await client.response(ApiKey.Heartbeat, 1)).body.errorCode, 0);
  // An API key nobody knows: no response can be built, so the connection closes.
  const unknown = Buffer.alloc(4 + 10);
  unknown.writeInt32BE(10, 0);
  unknown.writeInt16BE(9999, 4);
  unknown.writeInt32BE(4, 8);
  unknown.writeInt16BE(-1, 12);
  client.write(unknown);
  assert.equal(await client.nextFrame(), null);
  await listener.close(1000);
});

test('ApiVersions at a version above ours: v0 body, error 35, our ApiVersions range; the connection stays open', async () => {
  const { listener, connect } = await startListener();
  const client = await connect();
  const v99 = requestFrame(ApiKey.ApiVersions, 3, 7, { ...defaultApiVersionsRequest(), clientSoftwareName: 'x', clientSoftwareVersion: '1' });
  v99.writeInt16BE(99, 6);
  client.write(v99);
  const error = await client.response(ApiKey.ApiVersions, 0);
  assert.equal(error.correlationId, 7);
  assert.equal(error.body.errorCode, 35);
  assert.deepEqual(error.body.apiKeys, [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 }]);
  // librdkafka then retries at v0 (or the highest we named); the same connection answers.
  client.write(requestFrame(ApiKey.ApiVersions, 3, 8, { ...defaultApiVersionsRequest(), clientSoftwareName: 'x', clientSoftwareVersion: '1' }));
  const ok = await client.response(ApiKey.ApiVersions, 3);
  assert.equal(ok.body.errorCode, 0);
  assert.ok(ok.body.apiKeys.every((k) => k.minVersion === 0));
  client.destroy();
  await listener.close(1000);
});

test('a handler that throws gets its error response (or the connection closed); the broker serves on', async () => {
  const throwing = heartbeatSpec(async (request) => {
    if (request.generationId === 1) throw new Error('boom');
    if (request.generationId === 2) return Promise.reject(new TypeError('rejected'));
    return answer();
  });
  const { listener, logs, ctx, connect } = await startListener([throwing]);
  const client = await connect();
  client.write(Buffer.concat([heartbeat(1, 1), heartbeat(2, 2), heartbeat(3, 0)]));
  assert.equal((await client.response(ApiKey.Heartbeat, 0)).body.errorCode, -1);
  assert.equal((await client.response(ApiKey.Heartbeat, 0)).body.errorCode, -1);
  assert.equal((await client.response(ApiKey.Heartbeat, 0)).body.errorCode, 0);
  assert.equal(logs.filter((l) => l.msg === 'handler failed').length, 2);
  assert.deepEqual(ctx.metrics.requests.filter((r) => r.api === 'Heartbeat').map((r) => r.failed), [true, true, false]);
  client.destroy();
  await listener.close(1000);

  // Without an error response, the connection is closed instead.
  const bare = heartbeatSpec(() => {
    throw new Error('sync boom');
  }, { errorResponse: false });
  const second = await startListener([bare]);
  const c2 = await second.connect();
  c2.write(heartbeat(1, 0));
  assert.equal(await c2.nextFrame(), null);
  const c3 = await second.connect();
  c3.write(requestFrame(ApiKey.ApiVersions, 0, 2, defaultApiVersionsRequest()));
  assert.equal((await c3.response(ApiKey.ApiVersions, 0)).correlationId, 2, 'other connections are unaffected');
  c3.destroy();
  await second.listener.close(1000);
});

test('NO_RESPONSE sends nothing and keeps the order of the others', async () => {
  const spec = heartbeatSpec(async (request) => (request.generationId === 0 ? NO_RESPONSE : answer(request.generationId)));
  const { listener, connect } = await startListener([spec]);
  const client = await connect();
  client.write(Buffer.concat([heartbeat(1, 7), heartbeat(2, 0), heartbeat(3, 0), heartbeat(4, 8)]));
  const first = await client.response(ApiKey.Heartbeat, 0);
  const second = await client.response(ApiKey.Heartbeat, 0);
  assert.deepEqual([first.correlationId, first.body.errorCode, second.correlationId, second.body.errorCode], [1, 7, 4, 8]);
  client.destroy();
  await listener.close(1000);
});

test('the request signal aborts when the connection closes', async () => {
  const aborted = deferred<string>();
  const started = deferred();
  const spec = heartbeatSpec(async (_request, ctx) => {
    started.resolve();
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    aborted.resolve(String(ctx.signal.reason));
    return answer();
  });
  const { listener, connect } = await startListener([spec]);
  const client = await connect();
  client.write(heartbeat(1, 0));
  await started.promise;
  client.destroy();
  assert.match(await aborted.promise, /connection closed/);
  await listener.close(1000);
});

test('close: stops accepting, aborts long polls, answers what was read, then closes', async () => {
  const started = deferred();
  const spec = heartbeatSpec(async (request, ctx) => {
    if (request.generationId === 1) {
      started.resolve();
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      return answer(99);
    }
    return answer(request.generationId);
  });
  const { listener, connect } = await startListener([spec]);
  const client = await connect();
  client.write(Buffer.concat([heartbeat(1, 1), heartbeat(2, 5)]));
  await started.promise;
  const closing = listener.close(5000);
  assert.equal((await client.response(ApiKey.Heartbeat, 0)).body.errorCode, 99, 'the long poll ended early and was answered');
  assert.equal((await client.response(ApiKey.Heartbeat, 0)).body.errorCode, 5, 'the queued request was answered');
  assert.equal(await client.nextFrame(), null, 'then the connection closed');
  await closing;
  await assert.rejects(connect(), 'no longer accepting');
});

test('close: a request that outlives the grace period is cut', async () => {
  const started = deferred();
  const spec = heartbeatSpec(async () => {
    started.resolve();
    return new Promise<never>(() => {});
  });
  const { listener, logs, connect } = await startListener([spec]);
  const client = await connect();
  client.write(heartbeat(1, 0));
  await started.promise;
  const before = Date.now();
  await listener.close(100);
  assert.ok(Date.now() - before < 2000);
  assert.equal(await client.nextFrame(), null);
  assert.ok(logs.some((l) => l.msg === 'shutdown grace exceeded: cutting connections'));
});
