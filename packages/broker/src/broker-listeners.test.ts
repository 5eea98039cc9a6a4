/**
 * Two Kafka listeners on one broker (as in a compose network: one for peers inside it, one
 * published to the host): Metadata, DescribeCluster and FindCoordinator answer with the address
 * of the listener the request came in on, on a single broker and in cluster mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKey, defaultDescribeClusterRequest, defaultFindCoordinatorRequest, defaultMetadataRequest } from '@tributary/protocol';
import { startBroker, type RunningBroker } from './broker.js';
import { defaultClusterSettings, type BrokerConfig, type KafkaListenerConfig } from './config/broker-config.js';
import { testBrokerConfig } from './config/load-config.js';
import { silentLogger } from './logging.js';
import { RawKafkaClient, requestFrame } from './server/testing/raw-kafka-client.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-listeners-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const loopback = (port: number) => ({ host: '127.0.0.1', port });

/** INTERNAL advertised at the port it binds (given as 0), EXTERNAL at a fixed address elsewhere, as behind a published port. */
function twoListeners(internalHost: string): KafkaListenerConfig[] {
  return [
    { name: 'INTERNAL', listen: loopback(0), advertise: { host: internalHost, port: 0 } },
    { name: 'EXTERNAL', listen: loopback(0), advertise: { host: 'localhost', port: 19093 } },
  ];
}

/** Each request on a fresh connection to the listener's port; the brokers as each API lists them. */
async function brokersSeenOn(port: number): Promise<{ metadata: string[]; describeCluster: string[]; coordinator: string }> {
  const client = await RawKafkaClient.connect(port);
  try {
    client.write(requestFrame(ApiKey.Metadata, 12, 1, { ...defaultMetadataRequest(), topics: [] }));
    const metadata = (await client.response(ApiKey.Metadata, 12)).body.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`);
    client.write(requestFrame(ApiKey.DescribeCluster, 0, 2, defaultDescribeClusterRequest()));
    const describeCluster = (await client.response(ApiKey.DescribeCluster, 0)).body.brokers.map((b) => `${b.brokerId}@${b.host}:${b.port}`);
    client.write(requestFrame(ApiKey.FindCoordinator, 3, 3, { ...defaultFindCoordinatorRequest(), key: 'a-group', keyType: 0 }));
    const found = (await client.response(ApiKey.FindCoordinator, 3)).body;
    return { metadata, describeCluster, coordinator: found.errorCode === 0 ? `${found.nodeId}@${found.host}:${found.port}` : `error ${found.errorCode}` };
  } finally {
    client.destroy();
  }
}

/** A port free a moment ago: the voter list needs the gRPC port before the broker binds it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** /ready: in cluster mode, once this broker is registered, caught up and unfenced. */
async function untilReady(broker: RunningBroker, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await fetch(`http://127.0.0.1:${broker.httpPort}/ready`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function assertEachListenerAnswersWithItsOwnAddress(broker: RunningBroker, internalHost: string): Promise<void> {
  const internalPort = broker.listenerPorts.get('INTERNAL')!;
  const externalPort = broker.listenerPorts.get('EXTERNAL')!;
  assert.notEqual(internalPort, externalPort);
  assert.equal(broker.kafkaPort, internalPort, 'the first listener is the primary');
  const internal = `1@${internalHost}:${internalPort}`;
  assert.deepEqual(await brokersSeenOn(internalPort), { metadata: [internal], describeCluster: [internal], coordinator: internal });
  assert.deepEqual(await brokersSeenOn(externalPort), { metadata: ['1@localhost:19093'], describeCluster: ['1@localhost:19093'], coordinator: '1@localhost:19093' });
}

test('a single broker with two listeners: each answers Metadata, DescribeCluster and FindCoordinator with its own advertised address', async (t) => {
  const dir = await tempDir(t);
  const broker = await startBroker(testBrokerConfig(dir, { listeners: twoListeners('broker-1.internal') }), { logger: silentLogger() });
  t.after(() => broker.close());
  await assertEachListenerAnswersWithItsOwnAddress(broker, 'broker-1.internal');
  const advertised = broker.context.config.listeners.map((l) => `${l.name}://${l.advertise.host}:${l.advertise.port}`);
  assert.deepEqual(advertised, [`INTERNAL://broker-1.internal:${broker.listenerPorts.get('INTERNAL')}`, 'EXTERNAL://localhost:19093'], 'the context has the bound ports');
});

test('cluster mode (one voter): every listener is registered with the controller under its name and answered per listener', async (t) => {
  const dir = await tempDir(t);
  const rpcPort = await freePort();
  const config: BrokerConfig = testBrokerConfig(dir, {
    listeners: twoListeners('127.0.0.1'),
    rpcListen: loopback(rpcPort),
    voters: [{ nodeId: 1, host: '127.0.0.1', port: rpcPort }],
    cluster: { ...defaultClusterSettings, clusterId: 'listeners-test' },
  });
  const broker = await startBroker(config, { logger: silentLogger(), groups: { offsetsTopicPartitions: 1 } });
  t.after(() => broker.close());
  await untilReady(broker, 15_000);
  assert.deepEqual(broker.context.brokers('NO_SUCH_LISTENER'), [], 'a broker without the listener is left out');
  await assertEachListenerAnswersWithItsOwnAddress(broker, '127.0.0.1');
});
