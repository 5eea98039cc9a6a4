/**
 * deploy/docker/Dockerfile and docker-compose.cluster.yml, checked without Docker: every broker's
 * command loads as `tributary broker` would load it, and the addresses it advertises are where
 * clients reach it (service names inside the compose network, published ports from the host);
 * the image copies every workspace the root package.json lists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerConfig } from '@tributary/broker';
import { brokerConfigFrom, readYamlDocuments, repoRoot } from './testing/deploy-files.js';

interface ComposeService {
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] };
  restart?: string;
  ulimits?: Record<string, unknown>;
  stop_grace_period?: string;
}

function composeServices(): Map<string, ComposeService> {
  const [compose] = readYamlDocuments(join(repoRoot, 'docker-compose.cluster.yml'));
  assert.match(String(compose.version), /^(2\.[1-4]|3\.\d+)$/, 'a file format docker-compose 1.29 accepts, with extension fields');
  return new Map(Object.entries(compose.services as Record<string, ComposeService>));
}

/** The host port published for a container port (`"HOST:CONTAINER"` entries). */
function publishedPort(service: ComposeService, containerPort: number): number | undefined {
  for (const entry of service.ports ?? []) {
    const [host, inside] = entry.split(':').slice(-2).map(Number);
    if (inside === containerPort) return host;
  }
  return undefined;
}

function loadService(name: string, service: ComposeService): BrokerConfig {
  const [command, ...args] = service.command ?? [];
  assert.equal(command, 'broker', `${name} runs the broker`);
  return brokerConfigFrom(args, {});
}

test('docker-compose.cluster.yml: three brokers whose commands load, one voter each, a volume each', () => {
  const services = composeServices();
  assert.deepEqual([...services.keys()].sort(), ['broker-1', 'broker-2', 'broker-3']);
  const configs = new Map([...services].map(([name, service]) => [name, loadService(name, service)]));
  assert.deepEqual([...configs.values()].map((c) => c.nodeId).sort(), [1, 2, 3]);
  for (const [name, config] of configs) {
    const service = services.get(name)!;
    assert.ok(config.cluster !== null, `${name}: cluster mode`);
    const self = config.voters.find((v) => v.nodeId === config.nodeId);
    assert.deepEqual(self, { nodeId: config.nodeId, host: name, port: config.rpcListen.port }, `${name}: its voter entry is its service name and gRPC port`);
    assert.deepEqual(config.voters, configs.get('broker-1')!.voters, `${name}: the same voters as broker-1`);
    assert.equal(config.topicDefaults.replicationFactor, 3);
    assert.ok(service.volumes?.some((v) => v.split(':')[1] === config.dataDir), `${name}: the data directory is a volume`);
    assert.ok(service.build?.dockerfile !== undefined && existsSync(join(repoRoot, service.build.context ?? '.', service.build.dockerfile)), `${name}: built from the Dockerfile`);
    assert.match(service.build?.args?.NPM_REGISTRY ?? '', /^\$\{NPM_REGISTRY:-https?:\/\/[^}]+\}$/, `${name}: NPM_REGISTRY build arg from the environment, with a default`);
    assert.equal(service.restart, 'unless-stopped');
    assert.ok(service.ulimits?.nofile !== undefined && service.ulimits.nproc !== undefined, `${name}: nofile and nproc limits`);
    assert.ok(service.stop_grace_period, `${name}: a stop grace period`);
    const healthcheck = (service.healthcheck?.test ?? []).join(' ');
    assert.ok(healthcheck.includes(`:${config.httpListen.port}/ready`), `${name}: the healthcheck asks /ready on the HTTP port`);
    for (const arg of service.healthcheck?.test ?? []) {
      assert.ok(!arg.includes(' '), `${name}: no spaces in a healthcheck argument (podman's Docker-compatible API splits them at spaces): ${arg}`);
    }
  }
});

test('test/containers/compose.internal.yml: the shipped commands with fixed addresses for the service names, on an internal network', () => {
  const base = composeServices();
  const [override] = readYamlDocuments(join(repoRoot, 'test', 'containers', 'compose.internal.yml'));
  const services = override.services as Record<string, ComposeService & { networks?: { default?: { ipv4_address?: string } } }>;
  assert.deepEqual(Object.keys(services).sort(), [...base.keys()].sort());
  const addresses = new Map(Object.entries(services).map(([name, service]) => [name, service.networks?.default?.ipv4_address]));
  for (const [name, service] of Object.entries(services)) {
    assert.match(addresses.get(name) ?? '', /^10\.213\.7\.\d+$/, `${name}: a fixed address in the test subnet`);
    const expected = base.get(name)!.command!.map((arg) => arg.replace(/broker-\d+/g, (host) => addresses.get(host) ?? host));
    assert.deepEqual(service.command, expected, `${name}: the shipped command with addresses for service names (update both files together)`);
    assert.equal(service.restart, 'no', `${name}: the test restarts brokers itself`);
    assert.ok(service.ulimits?.nofile !== undefined && service.ulimits.nproc !== undefined, `${name}: nofile and nproc limits`);
  }
  const network = (override.networks as { default?: { internal?: boolean; ipam?: { config?: Array<{ subnet?: string }> } } }).default;
  assert.equal(network?.internal, true, 'the network is internal');
  assert.equal(network?.ipam?.config?.[0]?.subnet, '10.213.7.0/24');
});

test('docker-compose.cluster.yml: INTERNAL is advertised at the service name, EXTERNAL at localhost on the published port', () => {
  const published = new Set<number>();
  for (const [name, service] of composeServices()) {
    const config = loadService(name, service);
    const byName = new Map(config.listeners.map((l) => [l.name, l]));
    assert.deepEqual([...byName.keys()].sort(), ['EXTERNAL', 'INTERNAL'], name);
    const internal = byName.get('INTERNAL')!;
    assert.deepEqual(internal.advertise, { host: name, port: internal.listen.port }, `${name}: INTERNAL for clients in the compose network`);
    const external = byName.get('EXTERNAL')!;
    const hostPort = publishedPort(service, external.listen.port);
    assert.ok(hostPort !== undefined, `${name}: EXTERNAL's port is published`);
    assert.deepEqual(external.advertise, { host: 'localhost', port: hostPort }, `${name}: EXTERNAL advertised where the host reaches it`);
    published.add(hostPort);
  }
  assert.deepEqual([...published].sort(), [9092, 9093, 9094]);
});

test('the Dockerfile copies every workspace, builds on node:24-bookworm-slim, runs `tributary broker` as a non-root user', () => {
  const dockerfile = readFileSync(join(repoRoot, 'deploy', 'docker', 'Dockerfile'), 'utf8');
  const { workspaces } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  for (const workspace of workspaces) {
    const copies = dockerfile.split('\n').filter((line) => line.trim() === `COPY ${workspace}/package.json ${workspace}/`);
    assert.equal(copies.length, 2, `${workspace}/package.json is copied before npm ci in both stages`);
  }
  assert.match(dockerfile, /^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
  assert.match(dockerfile, /npm ci --registry="\$\{NPM_REGISTRY\}" --ignore-scripts/, 'the build stage runs no install scripts (dev-only native addons would need a compiler)');
  assert.match(dockerfile, /npm ci --omit=dev --registry="\$\{NPM_REGISTRY\}"/);
  assert.match(dockerfile, /^COPY proto proto$/m, 'proto/ beside packages/, where the broker looks for it');
  assert.match(dockerfile, /^USER 10001:10001$/m);
  assert.match(dockerfile, /^ENTRYPOINT \["node", "packages\/cli\/dist\/main\.js"\]$/m);
  assert.match(dockerfile, /^CMD \["broker"\]$/m);
  const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
  for (const pattern of ['**/node_modules', '**/dist', '.git']) assert.ok(ignored.includes(pattern), `.dockerignore has ${pattern}`);
});
