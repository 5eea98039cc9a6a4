// kcat 1.7.1 (librdkafka 2.0.2) against a running broker (BOOTSTRAP=host:port), driven as a
// child process. kcat has no topic admin: topics are created and deleted with
// `tributary topics` (TRIBUTARY_CLI). Codecs: none, gzip, snappy, lz4, zstd.
import { spawn } from 'node:child_process';
import { Scenarios, makeRecords, verifyConsumed, verifyOffsets, RECORD_COUNT, PARTITIONS, topicName } from '../lib/records.mjs';
import { expectCodec } from '../lib/stored-batches.mjs';

const bootstrap = process.env.BOOTSTRAP ?? '127.0.0.1:9092';
const cli = process.env.TRIBUTARY_CLI;
const nodeBin = process.env.TRIBUTARY_NODE ?? process.execPath;
const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const sc = new Scenarios('kcat');

/** Runs a command to completion; rejects with its stderr on a non-zero exit or a timeout. */
function run(command, args, { input, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    let stderr = '';
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ').slice(0, 120)} timed out after ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`));
    }, timeoutMs);
    child.on('error', (e) => reject(e));
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString();
      if (code !== 0) reject(new Error(`${command} exited ${code}: ${stderr.trim().slice(-600)}`));
      else resolve({ stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

const kcat = (args, options) => run('kcat', ['-b', bootstrap, ...args], options);
const tributary = (args) => run(nodeBin, [cli, ...args, '--bootstrap', bootstrap]);

async function queryOffsets(topic, partitions, timestamp) {
  const args = ['-Q'];
  for (let p = 0; p < partitions; p++) args.push('-t', `${topic}:${p}:${timestamp}`);
  const { stdout } = await kcat(args);
  const offsets = new Map();
  for (const match of stdout.matchAll(/\[(\d+)\]\s+offset\s+(-?\d+)/g)) offsets.set(Number(match[1]), Number(match[2]));
  if (offsets.size !== partitions) throw new Error(`kcat -Q printed ${offsets.size} offsets for ${partitions} partitions: ${stdout.trim().slice(0, 300)}`);
  return offsets;
}

async function codecRound(codec) {
  const topic = topicName('kcat', codec);
  const sent = makeRecords(`kcat-${codec}`);
  let partitions = PARTITIONS;
  let byPartition = null;
  await sc.run(`create topic with tributary topics create [${codec}]`, () => tributary(['topics', 'create', topic, '--partitions', String(PARTITIONS)]));
  const produced = await sc.run(`produce ${RECORD_COUNT} keyed records [${codec}]`, async () => {
    const lines = sent.map((r) => `${r.key}:${r.value}`).join('\n') + '\n';
    await kcat(['-P', '-t', topic, '-K', ':', '-z', codec, '-X', 'acks=all', '-X', 'linger.ms=5'], { input: lines });
  });
  await sc.run(`metadata (-L -J) [${codec}]`, async () => {
    const { stdout } = await kcat(['-L', '-J', '-t', topic]);
    const meta = JSON.parse(stdout);
    const t = meta.topics.find((x) => x.topic === topic);
    if (t === undefined) throw new Error(`topic missing from kcat -L: ${stdout.slice(0, 300)}`);
    if (t.error) throw new Error(`topic error in metadata: ${JSON.stringify(t.error)}`);
    partitions = t.partitions.length;
    if (partitions !== PARTITIONS) throw new Error(`kcat -L shows ${partitions} partitions, expected ${PARTITIONS}`);
  });
  if (produced) {
    await sc.run(`stored batches are ${codec}`, () => expectCodec(bootstrap, topic, codec));
    await sc.run(`consume and verify ${RECORD_COUNT} records [${codec}]`, async () => {
      const { stdout } = await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p\\t%o\\t%k\\t%s\\n']);
      const consumed = stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [partition, offset, key, value] = l.split('\t');
          return { partition: Number(partition), offset: Number(offset), key, value };
        });
      byPartition = verifyConsumed(sent, consumed);
    });
    await sc.run(`list offsets earliest/latest (-Q) [${codec}]`, async () => {
      const earliest = await queryOffsets(topic, partitions, -2);
      const latest = await queryOffsets(topic, partitions, -1);
      if (byPartition === null) throw new Error('nothing consumed to compare with');
      verifyOffsets(byPartition, earliest, latest);
    });
  }
  await sc.run(`delete topic with tributary topics delete [${codec}]`, () => tributary(['topics', 'delete', topic]));
}

await sc.run('broker metadata (-L)', async () => {
  const { stdout } = await kcat(['-L', '-J']);
  const meta = JSON.parse(stdout);
  if (!Array.isArray(meta.brokers) || meta.brokers.length === 0) throw new Error(`no brokers in kcat -L: ${stdout.slice(0, 300)}`);
});
for (const codec of codecs) await codecRound(codec);
process.exit(sc.failed === 0 ? 0 : 1);
