import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from './run-cli.js';
import { FakeBroker } from './client/testing/fake-broker.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const errs: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => errs.push(c));
  const code = await runCli(args, { stdin: Readable.from([options.stdin ?? '']), stdout, stderr, env: options.env ?? {} });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(errs).toString() };
}

test('usage errors exit 2', async () => {
  assert.equal((await cli([])).code, 2);
  const unknown = await cli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const badFlag = await cli(['topics', 'list', '--nope']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /Unknown option '--nope'/);
  assert.equal((await cli(['produce'])).code, 2);
  assert.equal((await cli(['topics', 'create', 'x', '--partitions', 'many', '--bootstrap', '127.0.0.1:1'])).code, 2);
  assert.equal((await cli(['consume', 't', '--from-beginning', '--offset', '3'])).code, 2);
  assert.equal((await cli(['produce', 't', '--acks', '2'])).code, 2);
  const help = await cli(['topics', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: tributary topics/);
});

test('an unreachable broker exits 4 and says where and why', async () => {
  const broker = await FakeBroker.start();
  const port = broker.port;
  await broker.stop();
  const run = await cli(['topics', 'list'], { env: { TRIBUTARY_BOOTSTRAP: `127.0.0.1:${port}` } });
  assert.equal(run.code, 4);
  assert.equal(run.stderr, `tributary topics: cannot reach broker at 127.0.0.1:${port}: ECONNREFUSED\n`);
});

test('topics: create, list, describe, alter and delete; unknown topics exit 3', async () => {
  const broker = await FakeBroker.start();
  const b = ['--bootstrap', broker.bootstrap];
  assert.equal((await cli(['topics', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=1000', ...b])).code, 0);
  assert.equal((await cli(['topics', 'create', 'audit', ...b])).code, 0);
  const dup = await cli(['topics', 'create', 'orders', ...b]);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /TOPIC_ALREADY_EXISTS/);
  assert.deepEqual(JSON.parse((await cli(['topics', 'list', '--json', ...b])).stdout), { topics: ['audit', 'orders'] });
  assert.equal((await cli(['topics', 'list', ...b])).stdout, 'audit\norders\n');
  const text = await cli(['topics', 'describe', 'orders', ...b]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^Topic: orders\tPartitions: 3\tReplicationFactor: 1\tConfigs: retention.ms=1000\n/);
  assert.match(text.stdout, /PARTITION {2}LEADER {2}REPLICAS {2}ISR/);
  assert.equal((await cli(['topics', 'alter', 'orders', '--partitions', '5', '--config', 'segment.ms=10', '--delete-config', 'retention.ms', ...b])).code, 0);
  const described = JSON.parse((await cli(['topics', 'describe', 'orders', '--json', ...b])).stdout);
  assert.equal(described.topics[0].partitions.length, 5);
  assert.deepEqual(described.topics[0].partitions[4], { partition: 4, leader: 1, leaderEpoch: -1, replicas: [1], isr: [1], offlineReplicas: [], errorCode: 0 });
  assert.equal(described.topics[0].configs['segment.ms'].value, '10');
  assert.equal(described.topics[0].configs['retention.ms'].default, true);
  assert.equal((await cli(['topics', 'alter', 'orders', '--partitions', '2', ...b])).code, 2);
  assert.equal((await cli(['topics', 'delete', 'orders', ...b])).code, 0);
  for (const args of [['topics', 'delete', 'orders'], ['topics', 'describe', 'orders'], ['topics', 'alter', 'orders', '--config', 'a=b'], ['consume', 'orders']]) {
    const run = await cli([...args, ...b]);
    assert.equal(run.code, 3, args.join(' '));
    assert.match(run.stderr, /topic orders does not exist/);
  }
  await broker.stop();
});

test('produce reads lines with keys and headers; consume prints them back in each format', async () => {
  const broker = await FakeBroker.start();
  broker.addTopic('t', 2);
  const b = ['--bootstrap', broker.bootstrap];
  const lines = Array.from({ length: 20 }, (_, i) => `k${i % 4}:value ${i}`).join('\n') + '\n';
  const produced = await cli(['produce', 't', '--key-separator', ':', '--header', 'source=test', '--compression', 'gzip', ...b], { stdin: lines });
  assert.equal(produced.code, 0, produced.stderr);
  assert.equal(produced.stderr, 'produced 20 records to t\n');
  const json = await cli(['consume', 't', '--from-beginning', '--max-messages', '20', '--format', 'json', ...b]);
  assert.equal(json.code, 0, json.stderr);
  const records = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(records.length, 20);
  assert.deepEqual(records.map((r) => r.value).sort(), Array.from({ length: 20 }, (_, i) => `value ${i}`).sort());
  for (const r of records) {
    assert.equal(r.headers.source, 'test');
    // Keyed records land where Kafka's partitioner puts them, and keep their order there.
    assert.equal(r.key, `k${Number(r.value.split(' ')[1]) % 4}`);
  }
  const keyPartitions = new Map(records.map((r) => [r.key, r.partition]));
  for (const r of records) assert.equal(r.partition, keyPartitions.get(r.key));
  const kv = await cli(['consume', 't', '--partition', String(records[0].partition), '--offset', '1', '--max-messages', '1', '--format', 'kv', ...b]);
  assert.equal(kv.code, 0);
  const second = records.filter((r) => r.partition === records[0].partition)[1];
  assert.equal(kv.stdout, `${second.key}\t${second.value}\n`);
  const idle = await cli(['consume', 't', '--timeout-ms', '300', ...b]);
  assert.equal(idle.code, 0);
  assert.equal(idle.stdout, '');
  assert.equal(idle.stderr, 'Processed a total of 0 messages\n');
  const group = await cli(['consume', 't', '--group', 'g', ...b]);
  assert.equal(group.code, 1);
  assert.match(group.stderr, /does not support consumer groups/);
  const badLine = await cli(['produce', 't', '--key-separator', ':', ...b], { stdin: 'no separator here\n' });
  assert.equal(badLine.code, 2);
  assert.match(badLine.stderr, /line 1 has no key separator/);
  await broker.stop();
});

test('produce with acks=0 and every codec; a fixed partition', async () => {
  const broker = await FakeBroker.start();
  broker.addTopic('c', 3);
  const b = ['--bootstrap', broker.bootstrap];
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    const run = await cli(['produce', 'c', '--partition', '2', '--acks', codec === 'none' ? '0' : '1', '--compression', codec, ...b], { stdin: `${codec}-a\n${codec}-b\n` });
    assert.equal(run.code, 0, run.stderr);
  }
  const run = await cli(['consume', 'c', '--partition', '2', '--from-beginning', '--max-messages', '10', ...b]);
  assert.equal(run.stdout, ['none', 'gzip', 'snappy', 'lz4', 'zstd'].flatMap((c) => [`${c}-a`, `${c}-b`]).join('\n') + '\n');
  assert.equal((await cli(['produce', 'c', '--partition', '3', ...b], { stdin: 'x\n' })).code, 2);
  await broker.stop();
});
