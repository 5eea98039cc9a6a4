/** `tributary broker` as a child process: ready, answers, SIGTERM exits 0; bad settings exit 2. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./broker.js', import.meta.url));
const script = `import { runBroker } from ${JSON.stringify(entry)}; process.exitCode = await runBroker(process.argv.slice(1));`;

function runChild(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--input-type=module', '-e', script, '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function collect(stream: NodeJS.ReadableStream | null): { text: () => string } {
  let text = '';
  stream?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { text: () => text };
}

/** Resolves with the first JSON log line whose msg matches. */
function logLine(child: ChildProcess, msg: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.msg === msg) resolve(parsed);
      } catch {
        // not a log line
      }
    });
    child.once('exit', () => reject(new Error(`exited before logging '${msg}'`)));
  });
}

/** ApiVersions v0 over a raw socket: the broker answers Kafka clients. */
async function apiVersionsRoundTrip(port: number): Promise<number> {
  const socket = connect({ port, host: '127.0.0.1' });
  const request = Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 42, 0xff, 0xff]);
  socket.write(request);
  const response = await new Promise<Buffer>((resolve, reject) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) resolve(received);
    });
    socket.once('error', reject);
  });
  socket.destroy();
  return response.readInt32BE(4);
}

test('tributary broker: serves, then exits 0 on SIGTERM after a graceful shutdown', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-cli-broker-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const child = runChild(['--data-dir', dir, '--kafka-listen', '127.0.0.1:0', '--rpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0'], { TRIBUTARY_LOG_LEVEL: 'info' });
  const done = exited(child);
  const stderr = collect(child.stderr);
  const ready = await logLine(child, 'broker ready');
  const stopped = logLine(child, 'broker stopped');
  assert.equal(ready.nodeId, 1);
  const httpPort = ready.httpPort as number;
  assert.equal((await fetch(`http://127.0.0.1:${httpPort}/ready`)).status, 200);
  assert.equal(await apiVersionsRoundTrip(ready.kafkaPort as number), 42, 'correlation id echoed');
  child.kill('SIGTERM');
  await stopped;
  assert.deepEqual(await done, { code: 0, signal: null }, stderr.text());
});

test('tributary broker: a bad setting exits 2 naming it; --help exits 0', async () => {
  const bad = runChild(['--data-dir', '/tmp/x', '--node-id', 'seven']);
  const stderr = collect(bad.stderr);
  assert.equal((await exited(bad)).code, 2);
  assert.match(stderr.text(), /invalid node\.id \(from --node-id\): expected an integer, got 'seven'/);

  const fromEnv = runChild([], { TRIBUTARY_DATA_DIR: '/tmp/x', TRIBUTARY_KAFKA_LISTEN: 'nohostport' });
  const envErr = collect(fromEnv.stderr);
  assert.equal((await exited(fromEnv)).code, 2);
  assert.match(envErr.text(), /invalid kafka\.listen \(from TRIBUTARY_KAFKA_LISTEN\)/);

  const help = runChild(['--help']);
  const out = collect(help.stdout);
  assert.equal((await exited(help)).code, 0);
  assert.match(out.text(), /--kafka-listen/);
});
