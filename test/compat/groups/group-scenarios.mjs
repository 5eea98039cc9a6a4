#!/usr/bin/env node
// Consumer-group scenarios for one client family, against a running broker (BOOTSTRAP):
//  1. three consumers (separate processes) in one group share a 6-partition topic: each gets
//     some partitions, together all, none twice (seen through DescribeGroups);
//  2. one is killed with SIGKILL while records are still being produced; after the session
//     timeout the others own every partition and the group consumes every record at least
//     once; a partition of the dead member resumes at its last commit (never earlier), so the
//     only duplicates are records after that commit;
//  3. the survivors close; a restarted consumer reads exactly the records produced since,
//     starting at the committed offsets.
// Families: kafkajs platformatic confluent kafka-python kcat tributary (our `consume --group`);
// `tributary` also runs `groups describe/list/reset-offsets` and the fenced-commit checks.
// Usage: node group-scenarios.mjs FAMILY   (env BOOTSTRAP, TRIBUTARY_CLI, TRIBUTARY_NODE, NODE24)
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scenarios, topicName } from '../lib/records.mjs';
import { GroupProbe, PROBE_POLL_MS, Worker, parseRecordLine, stableSplit, waitFor } from './group-lib.mjs';
import { fencedCommitScenario, operatorScenario } from './tributary-checks.mjs';

const require = createRequire(import.meta.url);
const { Kafka, Partitioners, logLevel } = require('kafkajs');

const family = process.argv[2];
const here = fileURLToPath(new URL('.', import.meta.url));
const bootstrap = process.env.BOOTSTRAP ?? '127.0.0.1:9092';
const cli = process.env.TRIBUTARY_CLI;
const nodeBin = process.env.TRIBUTARY_NODE ?? process.execPath;
const node24 = process.env.NODE24;
const python = '/usr/bin/python3';

const PARTITIONS = 6;
const BEFORE = 1500;
const DURING = 1500;
const AFTER = 300;
const SESSION_TIMEOUT_MS = 6000;
const HEARTBEAT_MS = 500;
const COMMIT_MS = 1000;
/** Between chunks of 50 while producing DURING: about 3 s in all, across the kill. */
const DURING_PACE_MS = 100;
/** Bounds on the waits: joining (with the coordinator's initial delay) and taking over. */
const JOIN_TIMEOUT_MS = 45_000;
const TAKEOVER_TIMEOUT_MS = SESSION_TIMEOUT_MS + 30_000;
const CONSUME_TIMEOUT_MS = 45_000;

const workerEnv = (topic, group) => ({
  BOOTSTRAP: bootstrap, TOPIC: topic, GROUP: group,
  SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), HEARTBEAT_MS: String(HEARTBEAT_MS), COMMIT_MS: String(COMMIT_MS),
});

/** How each family's consumer process starts. */
const families = {
  kafkajs: (n, env) => new Worker(n, process.execPath, [join(here, 'workers/kafkajs-worker.mjs')], env, parseRecordLine),
  platformatic: (n, env) => new Worker(n, node24, [join(here, 'workers/platformatic-worker.mjs')], env, parseRecordLine),
  confluent: (n, env) => new Worker(n, python, [join(here, 'workers/confluent_worker.py')], env, parseRecordLine),
  // The same scenarios with KIP-429 incremental rebalancing, which runs on the client over the classic protocol.
  'confluent-cooperative': (n, env) =>
    new Worker(n, python, [join(here, 'workers/confluent_worker.py')], { ...env, ASSIGNMENT_STRATEGY: 'cooperative-sticky' }, parseRecordLine),
  'kafka-python': (n, env) => new Worker(n, python, [join(here, 'workers/kafka_python_worker.py')], env, parseRecordLine),
  kcat: (n, env) =>
    new Worker(
      n,
      'kcat',
      [
        '-b', bootstrap, '-G', env.GROUP, '-q', '-u', '-f', 'R %p %o %s\\n',
        '-X', `session.timeout.ms=${SESSION_TIMEOUT_MS}`, '-X', `heartbeat.interval.ms=${HEARTBEAT_MS}`,
        '-X', `auto.commit.interval.ms=${COMMIT_MS}`, '-X', 'auto.offset.reset=earliest', '-X', 'max.poll.interval.ms=15000',
        '-X', 'fetch.wait.max.ms=200', env.TOPIC,
      ],
      env,
      parseRecordLine,
    ),
  tributary: (n, env) =>
    new Worker(
      n,
      nodeBin,
      [cli, 'consume', env.TOPIC, '--group', env.GROUP, '--from-beginning', '--format', 'json', '--bootstrap', bootstrap,
        '--session-timeout-ms', String(SESSION_TIMEOUT_MS), '--commit-interval-ms', String(COMMIT_MS)],
      env,
      (line) => {
        if (!line.startsWith('{')) return null;
        const r = JSON.parse(line);
        return { partition: r.partition, offset: r.offset, value: r.value };
      },
    ),
};

if (!(family in families)) {
  console.error(`unknown family ${family}; known: ${Object.keys(families).join(', ')}`);
  process.exit(2);
}

const sc = new Scenarios(`groups-${family}`);
const kafka = new Kafka({ clientId: 'compat-groups-driver', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
const admin = kafka.admin();
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
const topic = topicName(`groups-${family}`, 't');
const group = `compat-group-${family}-${topic.split('-').pop()}`;
const partitions = Array.from({ length: PARTITIONS }, (_, i) => i);
const workers = [];
let probe = null;
let produced = 0;
const sent = new Map(); // value → partition unknown until consumed; the set is what matters

/** `paceMs` between chunks spreads a production over time, so consumers read while it goes on. */
async function produce(count, paceMs = 0) {
  const CHUNK = 50;
  for (let i = 0; i < count; i += CHUNK) {
    if (paceMs > 0 && i > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
    const messages = [];
    for (let j = i; j < Math.min(count, i + CHUNK); j++) {
      const seq = produced++;
      const value = `${family}-${String(seq).padStart(6, '0')}`;
      sent.set(value, seq);
      messages.push({ key: `key-${seq % 37}`, value });
    }
    await producer.send({ topic, acks: -1, messages });
  }
}

function startWorker() {
  const w = families[family](`${family}-${workers.length + 1}`, workerEnv(topic, group));
  workers.push(w);
  return w;
}

const state = () => workers.map((w) => w.describe()).join('; ');

/** Every record value consumed by any worker → the workers' consumptions of it. */
function consumedValues() {
  const seen = new Map();
  for (const w of workers) for (const r of w.records) seen.set(r.value, [...(seen.get(r.value) ?? []), { worker: w.name, ...r }]);
  return seen;
}

const ctx = { kafka: null, victim: null, victimPartitions: [], committedAtKill: null, killedAt: 0, stable: null };

async function setup() {
  await admin.connect();
  await producer.connect();
  const made = await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  if (!made) throw new Error(`topic ${topic} already existed`);
  await produce(BEFORE);
  probe = await GroupProbe.open(bootstrap, group, topic);
}

async function share() {
  for (let i = 0; i < 3; i++) startWorker();
  let last = null;
  ctx.stable = await waitFor(
    async () => {
      if (workers.some((w) => !w.alive)) throw new Error(`a consumer exited: ${state()}`);
      last = await probe.describe().catch((e) => ({ error: e.message }));
      return last.members ? stableSplit(last, 3, PARTITIONS) : null;
    },
    { timeoutMs: JOIN_TIMEOUT_MS, pollMs: PROBE_POLL_MS, what: () => `3 stable members splitting ${PARTITIONS} partitions; last DescribeGroups: ${JSON.stringify(last)}; ${state()}` },
  );
  ctx.stableAt = Date.now();
  console.log(`  assignment: ${ctx.stable.members.map((m) => `[${m.partitions.join(',')}]`).join(' ')}`);
}

async function killOne() {
  const during = produce(DURING, DURING_PACE_MS);
  // The victim is the first process; its member is the one owning what it printed since the
  // group became stable. Kill it once it has committed some of those records itself.
  const victim = workers[0];
  let member = null;
  // Each process reads from the partitions of a different member.
  // Records produced after the group became stable can only come from the current assignment.
  const fresh = (r) => sent.get(r.value) >= BEFORE;
  await waitFor(() => workers.every((w) => w.records.some(fresh)), {
    timeoutMs: CONSUME_TIMEOUT_MS,
    what: () => `every consumer to read records produced after the group became stable; ${state()}`,
  });
  const owners = workers.map((w) => {
    const printed = new Set(w.records.filter(fresh).map((r) => r.partition));
    return ctx.stable.members.findIndex((m) => [...printed].every((p) => m.partitions.includes(p)));
  });
  if (owners.includes(-1) || new Set(owners).size !== workers.length) throw new Error(`the consumers did not read disjoint member assignments: ${owners} (${state()})`);
  await waitFor(
    async () => {
      const recent = victim.records.filter(fresh);
      if (recent.length === 0) return false;
      member = ctx.stable.members.find((m) => m.partitions.includes(recent[recent.length - 1].partition)) ?? null;
      if (member === null) throw new Error(`${victim.name} printed partition ${recent[recent.length - 1].partition}, which no member owns`);
      const committed = await probe.committed(partitions);
      // Kill between commits: it has committed some records it read, and read some it has not
      // committed yet, so the survivors must re-read exactly those.
      const someCommitted = recent.some((r) => committed.get(r.partition) > r.offset);
      const someUncommitted = recent.some((r) => r.offset >= committed.get(r.partition));
      return someCommitted && someUncommitted && produced >= BEFORE + DURING / 3;
    },
    { timeoutMs: CONSUME_TIMEOUT_MS, pollMs: PROBE_POLL_MS, what: () => `${victim.name} to commit records it read; ${state()}` },
  );
  ctx.victim = victim;
  ctx.victimPartitions = member.partitions;
  await victim.kill9();
  ctx.killedAt = Date.now();
  ctx.committedAtKill = await probe.committed(partitions);
  await during;
  let last = null;
  await waitFor(
    async () => {
      last = await probe.describe().catch((e) => ({ error: e.message }));
      return last.members ? stableSplit(last, 2, PARTITIONS) : null;
    },
    { timeoutMs: TAKEOVER_TIMEOUT_MS, pollMs: PROBE_POLL_MS, what: () => `2 surviving members owning all ${PARTITIONS} partitions; last DescribeGroups: ${JSON.stringify(last)}; ${state()}` },
  );
  console.log(`  killed ${victim.name} (partitions ${ctx.victimPartitions.join(',')}; committed ${ctx.victimPartitions.map((p) => ctx.committedAtKill.get(p)).join(',')}); survivors own all after ${Date.now() - ctx.killedAt} ms`);
  await waitFor(() => consumedValues().size >= sent.size, { timeoutMs: CONSUME_TIMEOUT_MS, what: () => `every record consumed (${consumedValues().size} of ${sent.size}); ${state()}` });
  await checkNoLossAndResume();
}

async function checkNoLossAndResume() {
  const ends = await probe.endOffsets(partitions);
  const seen = consumedValues();
  const missing = [...sent.keys()].filter((v) => !seen.has(v));
  if (missing.length > 0) throw new Error(`${missing.length} records never consumed, e.g. ${missing.slice(0, 3).join(', ')}`);
  let duplicates = 0;
  for (const p of ctx.victimPartitions) {
    const committed = Math.max(0, ctx.committedAtKill.get(p));
    const dead = ctx.victim.records.filter((r) => r.partition === p);
    const deadEnd = Math.max(committed, ...dead.map((r) => r.offset + 1));
    const after = workers.filter((w) => w !== ctx.victim).flatMap((w) => w.records.filter((r) => r.partition === p && r.at >= ctx.killedAt));
    if (after.length === 0) {
      // Nothing left to read there: the dead member had read and committed all of it.
      if (committed !== ends.get(p)) throw new Error(`no survivor consumed partition ${p} after the kill, though its commit ${committed} is short of the end ${ends.get(p)}`);
      continue;
    }
    const start = Math.min(...after.map((r) => r.offset));
    if (start < committed) throw new Error(`partition ${p}: a survivor restarted at offset ${start}, before the last commit ${committed}`);
    if (start > deadEnd) throw new Error(`partition ${p}: a survivor restarted at offset ${start}, past what the dead member read (${deadEnd}): records skipped`);
    const deadOffsets = new Set(dead.map((r) => r.offset));
    const again = after.filter((r) => deadOffsets.has(r.offset));
    if (again.some((r) => r.offset < committed)) throw new Error(`partition ${p}: re-read a record before the last commit`);
    duplicates += again.length;
  }
  console.log(`  ${sent.size} records consumed; ${duplicates} re-read after the dead member's last commit`);
}

async function restart() {
  const survivors = workers.filter((w) => w.alive);
  // Wait until the survivors have committed everything they read, then close them.
  let committed = null;
  let ends = null;
  await waitFor(
    async () => {
      committed = await probe.committed(partitions);
      ends = await probe.endOffsets(partitions);
      return partitions.every((p) => committed.get(p) === ends.get(p));
    },
    { timeoutMs: 20_000, pollMs: PROBE_POLL_MS, what: () => `commits to reach the end (${JSON.stringify([...(committed ?? [])])} vs ${JSON.stringify([...(ends ?? [])])})` },
  );
  for (const w of survivors) await w.stop();
  const before = await probe.committed(partitions);
  const firstNew = produced;
  await produce(AFTER);
  const fresh = startWorker();
  const wanted = new Set([...sent].filter(([, seq]) => seq >= firstNew).map(([v]) => v));
  await waitFor(() => [...wanted].every((v) => fresh.records.some((r) => r.value === v)), {
    timeoutMs: JOIN_TIMEOUT_MS,
    what: () => `the restarted consumer to read the ${AFTER} new records (${fresh.records.length} read); ${fresh.describe()}`,
  });
  const old = fresh.records.filter((r) => !wanted.has(r.value));
  if (old.length > 0) throw new Error(`the restarted consumer re-read ${old.length} committed records, e.g. partition ${old[0].partition} offset ${old[0].offset} (committed ${before.get(old[0].partition)})`);
  for (const p of partitions) {
    const mine = fresh.records.filter((r) => r.partition === p);
    if (mine.length > 0 && Math.min(...mine.map((r) => r.offset)) !== before.get(p)) {
      throw new Error(`partition ${p}: resumed at ${Math.min(...mine.map((r) => r.offset))}, committed ${before.get(p)}`);
    }
  }
  await fresh.stop();
}

try {
  const ready = await sc.run(`setup: ${PARTITIONS}-partition topic, ${BEFORE} keyed records`, setup, { timeoutMs: 60_000 });
  const shared = ready && (await sc.run('three consumers in one group share the partitions (each some, together all, none twice)', share, { timeoutMs: JOIN_TIMEOUT_MS + CONSUME_TIMEOUT_MS }));
  const tookOver =
    shared &&
    (await sc.run(`SIGKILL one consumer while producing ${DURING} more: the others take over after the ${SESSION_TIMEOUT_MS / 1000} s session timeout, no record lost, resumed at the last commit`, killOne, {
      timeoutMs: CONSUME_TIMEOUT_MS * 2 + TAKEOVER_TIMEOUT_MS,
    }));
  if (tookOver) await sc.run('a restarted consumer resumes from the committed offsets', restart, { timeoutMs: 20_000 + 20_000 * 3 + JOIN_TIMEOUT_MS });
  else sc.skip('a restarted consumer resumes from the committed offsets', 'the takeover scenario failed');
  if (family === 'tributary') {
    if (tookOver) await sc.run('groups describe/list/reset-offsets on the real coordinator', () => operatorScenario({ cli, nodeBin, bootstrap, group, topic, probe, partitions }), { timeoutMs: 60_000 });
    await sc.run('a commit from a fenced generation is ILLEGAL_GENERATION; from an unknown member UNKNOWN_MEMBER_ID', () => fencedCommitScenario({ bootstrap, topic }), { timeoutMs: 60_000 });
  }
} finally {
  for (const w of workers) if (w.alive) w.child.kill('SIGKILL');
  probe?.close();
  await producer.disconnect().catch(() => {});
  await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => {});
  await admin.disconnect().catch(() => {});
}
process.exit(sc.failed === 0 ? 0 : 1);
