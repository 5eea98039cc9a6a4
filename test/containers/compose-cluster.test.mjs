// Issue 8, point 4: the real compose cluster (docker-compose.cluster.yml, image tributary:local)
// under podman's Docker-compatible API, driven by testcontainers through docker-compose 1.29.
// test/containers/compose.internal.yml makes the compose network internal (no route out) and
// pins the brokers' addresses. A client container on that network creates a topic (replication
// factor 3, min.insync.replicas 2) and produces with kafkajs's idempotent producer, acks=all;
// after 1000 acknowledgements the partition leader's container is killed with SIGKILL and the
// producer keeps going. The time produce was unavailable is printed. Then every acknowledged
// record must be read back exactly once, at its acknowledged offset, in order; the killed broker
// is started again and must rejoin the ISR, leaving no partition under-replicated.
//
// Run by `npm run test:containers`, which first installs podman and docker-compose, builds the
// offline base image and the tributary:local image (scripts/*container*.sh).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.env.DOCKER_HOST === undefined && existsSync('/run/podman/podman.sock')) {
  process.env.DOCKER_HOST = 'unix:///run/podman/podman.sock';
}
// Ryuk, testcontainers' reaper, is an image from a registry; `after` cleans up instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
const { DockerComposeEnvironment, Wait, getContainerRuntimeClient } = await import('testcontainers');

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const PROJECT = 'tributary-containers-test';
const NETWORK = `${PROJECT}_default`;
const BROKER_ADDRESS = { 1: '10.213.7.11', 2: '10.213.7.12', 3: '10.213.7.13' };
const CLIENT_ADDRESS = '10.213.7.100';
const CLIENT_NAME = `${PROJECT}-client`;
const BOOTSTRAP = Object.values(BROKER_ADDRESS).map((ip) => `${ip}:19092`).join(',');
const TOPIC = 'containers-failover';
const ACKS_BEFORE_KILL = 1000;
const ACKS_AFTER_KILL = 1000;
const MIN_PRODUCE_AFTER_KILL_MS = 3000;
const READY = `node -e "fetch('http://127.0.0.1:9644/ready').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"`;
const composeFiles = ['docker-compose.cluster.yml', 'test/containers/compose.internal.yml'];
const composeExecutable = { standalone: true, executablePath: process.env.DOCKER_COMPOSE ?? 'docker-compose' };

/** The hard nofile limit of this process (containers may not get more here), at most 65536. */
function nofileLimit() {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const hard = line?.trim().split(/\s+/)[4];
  return hard === undefined || hard === 'unlimited' ? 65536 : Math.min(65536, Number(hard));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or an error once `ms` have passed: no call to the container API waits unbounded. */
function bounded(what, promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined; fails after
 * `timeoutMs`, or at once when `check` throws an error marked `fatal`.
 */
async function eventually(what, timeoutMs, check, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await bounded(what, Promise.resolve().then(check), Math.max(1000, deadline - Date.now()));
      if (value !== undefined) return value;
    } catch (error) {
      if (error.fatal) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${lastError ? ` (last error: ${lastError.message})` : ''}`);
    await sleep(intervalMs);
  }
}

/** Runs docker-compose itself (for the clean-up of a run that never got an environment). */
function compose(args, timeoutMs) {
  return execFileSync(composeExecutable.executablePath, ['-p', PROJECT, ...composeFiles.flatMap((f) => ['-f', f]), ...args], {
    cwd: repoRoot,
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
}

let environment;
const resultsDir = mkdtempSync(join(tmpdir(), 'tributary-containers-'));
chmodSync(resultsDir, 0o777); // the client runs as the image's user, 10001

/** Removes the client container, if any, with its anonymous volumes. */
async function removeClient() {
  const runtime = await getContainerRuntimeClient();
  await bounded('removing the client container', runtime.container.dockerode.getContainer(CLIENT_NAME).remove({ force: true, v: true }), 60_000).catch(() => {});
}

/** Removes everything this test started: the client container, then the compose project with its volumes. */
async function tearDown() {
  await removeClient();
  if (environment) {
    await bounded('compose down', environment.down({ removeVolumes: true, timeout: 10_000 }), 120_000).catch((error) => console.log(`# compose down failed: ${error.message}`));
  }
  try {
    compose(['down', '-v', '-t', '5'], 60_000);
  } catch {}
  rmSync(resultsDir, { recursive: true, force: true });
}
after(tearDown, { timeout: 300_000 });

// A watchdog: whatever hangs (the container API, docker-compose), this file ends within 15 minutes.
setTimeout(() => {
  console.log('# the container test did not finish within 15 minutes; removing its containers');
  try {
    execFileSync('podman', ['rm', '-f', CLIENT_NAME], { timeout: 30_000, stdio: 'ignore' });
  } catch {}
  try {
    compose(['down', '-v', '-t', '1'], 60_000);
  } catch {}
  process.exit(1);
}, 15 * 60_000).unref();

function brokerContainer(nodeId) {
  return environment.getContainer(`${PROJECT}_broker-${nodeId}_1`);
}

async function execIn(container, command) {
  const result = await bounded(`${command.join(' ')}`, container.exec(command), 60_000);
  if (result.exitCode !== 0) throw new Error(`${command.join(' ')} exited ${result.exitCode}: ${result.output.slice(-1000)}`);
  return result.stdout ?? result.output;
}

/** `tributary cluster status --json`, asked in broker `viaNodeId`'s container of the broker there. */
async function clusterStatus(viaNodeId) {
  const out = await execIn(brokerContainer(viaNodeId), ['node', 'packages/cli/dist/main.js', 'cluster', 'status', '--json', '--bootstrap', `${BROKER_ADDRESS[viaNodeId]}:19092`]);
  return JSON.parse(out);
}

function readAcks() {
  const path = join(resultsDir, 'acks.jsonl');
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

function clientFailure() {
  const path = join(resultsDir, 'failed.txt');
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

async function clientLogs() {
  try {
    const runtime = await getContainerRuntimeClient();
    const logs = await bounded('client logs', runtime.container.dockerode.getContainer(CLIENT_NAME).logs({ stdout: true, stderr: true, follow: false }), 30_000);
    // Docker's multiplexed stream: frames of an 8-byte header (stream, 0, 0, 0, length) and data.
    const chunks = [];
    for (let at = 0; at + 8 <= logs.length; at += 8 + logs.readUInt32BE(at + 4)) chunks.push(logs.subarray(at + 8, at + 8 + logs.readUInt32BE(at + 4)));
    return `client container's output:\n${Buffer.concat(chunks).toString('utf8')}`;
  } catch (error) {
    return `# (no client logs: ${error.message})`;
  }
}

/** The client: the tributary image itself (it has kafkajs), client.mjs mounted beside /app/node_modules, at a fixed address. */
async function startClient(runtime) {
  const limit = nofileLimit();
  await removeClient();
  const container = await bounded('creating the client container', runtime.container.create({
    name: CLIENT_NAME,
    Image: 'tributary:local',
    Entrypoint: ['node', '/app/test/containers/clients/client.mjs'],
    Env: [`BOOTSTRAP=${BOOTSTRAP}`, `TOPIC=${TOPIC}`, 'RESULTS=/results', 'KAFKAJS_NO_PARTITIONER_WARNING=1'],
    HostConfig: {
      NetworkMode: NETWORK,
      Binds: [`${join(here, 'clients')}:/app/test/containers/clients:ro`, `${resultsDir}:/results:rw`],
      // The image's data volume is not needed here.
      Tmpfs: { '/var/lib/tributary': 'rw' },
      Ulimits: [
        { Name: 'nofile', Soft: limit, Hard: limit },
        { Name: 'nproc', Soft: 8192, Hard: 8192 },
      ],
    },
    NetworkingConfig: { EndpointsConfig: { [NETWORK]: { IPAMConfig: { IPv4Address: CLIENT_ADDRESS } } } },
  }), 60_000);
  await bounded('starting the client container', runtime.container.start(container), 60_000);
  const inspected = await bounded('inspecting the client container', runtime.container.inspect(container), 60_000);
  const address = Object.values(inspected.NetworkSettings.Networks ?? {})[0]?.IPAddress;
  assert.equal(address, CLIENT_ADDRESS, 'the client container is at its fixed address');
  return container;
}

test('compose cluster under podman: kill -9 the leader container under an idempotent acks=all producer; nothing acknowledged is lost; the broker rejoins', { timeout: 600_000 }, async () => {
  const runtime = await bounded('the container runtime', getContainerRuntimeClient(), 60_000);
  console.log(`# container runtime at ${process.env.DOCKER_HOST ?? 'the default socket'}: ${runtime.info.containerRuntime.serverVersion ?? ''} ${runtime.info.containerRuntime.operatingSystem ?? ''}`);
  try {
    compose(['down', '-v', '-t', '1'], 60_000); // a previous run's leftovers
  } catch {}

  let started = Date.now();
  environment = await bounded('compose up', new DockerComposeEnvironment(repoRoot, composeFiles)
    .withProjectName(PROJECT)
    .withClientOptions({ executable: composeExecutable })
    .withEnvironment({ TRIBUTARY_TEST_NOFILE: String(nofileLimit()) })
    // Podman without systemd runs no healthchecks: poll /ready (the healthcheck's own script) here.
    .withDefaultWaitStrategy(Wait.forSuccessfulCommand(READY))
    .withStartupTimeout(120_000)
    .up(), 300_000);
  console.log(`# compose cluster up and every broker ready in ${Date.now() - started} ms`);

  // The compose network is internal: no broker has a default route.
  for (const nodeId of [1, 2, 3]) {
    const routes = (await execIn(brokerContainer(nodeId), ['cat', '/proc/net/route'])).split('\n').slice(1).filter(Boolean);
    assert.ok(routes.length > 0, `broker-${nodeId} has a route table`);
    assert.ok(!routes.some((r) => r.split(/\s+/)[1] === '00000000'), `broker-${nodeId} has no default route: ${routes.join(' | ')}`);
  }
  const status = await clusterStatus(1);
  assert.deepEqual(status.brokers.map((b) => b.nodeId), [1, 2, 3], 'three live brokers');

  const client = await startClient(runtime);
  /** Fails the wait it is called in at once when the client has given up. */
  const checkClient = async () => {
    const failure = clientFailure();
    if (failure) throw Object.assign(new Error(`client failed: ${failure}`), { fatal: true });
    const { State } = await runtime.container.inspect(client);
    if (!State.Running && !existsSync(join(resultsDir, 'summary.json'))) throw Object.assign(new Error(`client exited ${State.ExitCode} early`), { fatal: true });
  };
  const withClientLogs = (promise) =>
    promise.catch(async (error) => {
      console.log(await clientLogs());
      throw error;
    });

  await withClientLogs(
    eventually(`${ACKS_BEFORE_KILL} acknowledgements`, 120_000, async () => {
      await checkClient();
      return readAcks().length >= ACKS_BEFORE_KILL ? true : undefined;
    }, 100),
  );

  const before = await clusterStatus(1);
  const partition = before.partitions.find((p) => p.topic === TOPIC && p.partition === 0);
  assert.ok(partition, `${TOPIC}-0 in cluster status`);
  assert.equal(partition.replicas.length, 3);
  assert.equal(partition.isr.length, 3, `${TOPIC}-0 has every replica in its ISR before the kill`);
  const victim = partition.leader;
  const controllerKilled = before.controllerId === victim;
  const victimContainer = runtime.container.getById(brokerContainer(victim).getId());
  const killedAt = Date.now();
  await bounded(`killing broker-${victim}`, victimContainer.kill({ signal: 'SIGKILL' }), 60_000);
  const ackedBeforeKill = readAcks().length;
  console.log(`# killed broker-${victim} (leader of ${TOPIC}-0${controllerKilled ? ', and the active controller' : ''}) with SIGKILL after ${ackedBeforeKill} acks`);

  await withClientLogs(
    eventually(`${ACKS_AFTER_KILL} acknowledgements after the kill`, 180_000, async () => {
      await checkClient();
      const acked = readAcks().filter((a) => a.s > killedAt).length;
      return acked >= ACKS_AFTER_KILL && Date.now() - killedAt >= MIN_PRODUCE_AFTER_KILL_MS ? true : undefined;
    }, 100),
  );
  writeFileSync(join(resultsDir, 'stop'), '');

  const summary = await withClientLogs(
    eventually('the client to stop producing and read everything back', 180_000, async () => {
      const path = join(resultsDir, 'summary.json');
      if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
      await checkClient();
      return undefined;
    }),
  );
  console.log(`# client: ${JSON.stringify(summary)}`);

  // Produce unavailability: the longest pause between two acknowledgements after the kill (next
  // to the longest one before it, for scale).
  const acks = readAcks();
  assert.ok(acks.some((a) => a.s > killedAt + 1000), 'records sent after the kill were acknowledged');
  let pauseAfter = 0;
  let pauseBefore = 0;
  for (let i = 1; i < acks.length; i += 1) {
    const pause = acks[i].t - acks[i - 1].t;
    if (acks[i].t >= killedAt) pauseAfter = Math.max(pauseAfter, pause);
    else pauseBefore = Math.max(pauseBefore, pause);
  }
  const errorsPath = join(resultsDir, 'errors.jsonl');
  const failedSends = existsSync(errorsPath) ? readFileSync(errorsPath, 'utf8').split('\n').filter(Boolean).length : 0;
  console.log(
    `# produce unavailable for ${pauseAfter} ms after the kill (the longest pause between two acknowledgements; before the kill at most ${pauseBefore} ms); ` +
      `${acks.length} records acknowledged (${acks.length - ackedBeforeKill} after the kill), ${failedSends} sends failed`,
  );

  // Every acknowledged record exactly once, at its acknowledged offset, in order.
  const read = JSON.parse(readFileSync(join(resultsDir, 'read.json'), 'utf8'));
  const byOffset = new Map();
  for (const [offset, value] of read) {
    if (byOffset.has(offset)) assert.equal(byOffset.get(offset), value, `offset ${offset} read twice with different values`);
    byOffset.set(offset, value);
  }
  const offsets = [...byOffset.keys()].sort((a, b) => a - b);
  assert.equal(offsets.length, summary.highWatermark, `every offset below the high watermark ${summary.highWatermark} was read`);
  const occurrences = new Map();
  for (const value of byOffset.values()) occurrences.set(value, (occurrences.get(value) ?? 0) + 1);
  let previous = -1;
  for (const ack of acks) {
    assert.equal(occurrences.get(ack.v), 1, `acknowledged record ${ack.v} is in the log exactly once (found ${occurrences.get(ack.v) ?? 0})`);
    assert.equal(byOffset.get(ack.o), ack.v, `acknowledged record ${ack.v} is at its acknowledged offset ${ack.o}`);
    assert.ok(ack.o > previous, `acknowledged offsets increase (${ack.o} after ${previous})`);
    previous = ack.o;
  }
  console.log(`# read back ${offsets.length} records: all ${acks.length} acknowledged ones once each, at their offsets, in order`);

  // Start the killed broker again: it must rejoin the ISR, leaving nothing under-replicated.
  started = Date.now();
  await bounded(`starting broker-${victim}`, victimContainer.start(), 60_000);
  await eventually(`broker-${victim} ready again`, 120_000, async () => ((await brokerContainer(victim).exec(['sh', '-c', READY])).exitCode === 0 ? true : undefined), 500);
  const rejoined = await eventually(`broker-${victim} back in the ISR, no under-replicated partitions`, 120_000, async () => {
    const now = await clusterStatus(victim);
    const p = now.partitions.find((q) => q.topic === TOPIC && q.partition === 0);
    return now.brokers.length === 3 && p?.isr.includes(victim) && now.underReplicatedPartitions === 0 && now.offlinePartitions === 0 ? now : undefined;
  }, 500);
  console.log(`# broker-${victim} restarted and back in the ISR of all ${rejoined.partitions.length} partitions in ${Date.now() - started} ms`);
});
