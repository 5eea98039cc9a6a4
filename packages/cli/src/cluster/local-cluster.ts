/**
 * A cluster of `tributary broker` processes on this machine, each a voter and a broker (combined
 * mode), for `tributary cluster up` and for the multi-process test suites. Node i (1-based) gets
 * Kafka port kafkaBasePort + i - 1, and RPC and HTTP ports at fixed offsets above; with
 * kafkaBasePort 0 every port is picked free at start. Each node's data lives in
 * `<dataDir>/node-<i>` and its log (JSON lines) in `<dataDir>/node-<i>.log`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LocalClusterOptions {
  readonly brokers: number;
  readonly dataDir: string;
  readonly host?: string;
  /** Kafka port of node 1 (others follow); 0 picks free ports. RPC is +100 and HTTP +200 above each. */
  readonly kafkaBasePort?: number;
  /** More `tributary broker` flags for every node (e.g. ['--log-level', 'debug']). */
  readonly brokerArgs?: readonly string[];
  /** Extra environment for the broker processes. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface LocalNode {
  readonly nodeId: number;
  readonly kafkaPort: number;
  readonly rpcPort: number;
  readonly httpPort: number;
  readonly dataDir: string;
  readonly logFile: string;
  process: ChildProcess | undefined;
}

const CLI_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const RPC_OFFSET = 100;
const HTTP_OFFSET = 200;

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export class LocalCluster {
  private readonly logs = new Map<number, WriteStream>();

  private constructor(
    readonly options: LocalClusterOptions,
    readonly host: string,
    readonly nodes: readonly LocalNode[],
  ) {}

  /** Assigns ports and directories; `start()` spawns the processes. */
  static async create(options: LocalClusterOptions): Promise<LocalCluster> {
    const host = options.host ?? '127.0.0.1';
    const base = options.kafkaBasePort ?? 9092;
    const nodes: LocalNode[] = [];
    for (let i = 1; i <= options.brokers; i++) {
      const port = async (offset: number) => (base === 0 ? freePort(host) : base + i - 1 + offset);
      nodes.push({
        nodeId: i,
        kafkaPort: await port(0),
        rpcPort: await port(RPC_OFFSET),
        httpPort: await port(HTTP_OFFSET),
        dataDir: join(options.dataDir, `node-${i}`),
        logFile: join(options.dataDir, `node-${i}.log`),
        process: undefined,
      });
    }
    mkdirSync(options.dataDir, { recursive: true });
    return new LocalCluster(options, host, nodes);
  }

  get bootstrap(): string {
    return this.nodes.map((n) => `${this.host}:${n.kafkaPort}`).join(',');
  }

  get voters(): string {
    return this.nodes.map((n) => `${n.nodeId}@${this.host}:${n.rpcPort}`).join(',');
  }

  node(nodeId: number): LocalNode {
    const node = this.nodes.find((n) => n.nodeId === nodeId);
    if (node === undefined) throw new Error(`no node ${nodeId}`);
    return node;
  }

  /** Spawns every node and waits until each answers /ready (bounded by timeoutMs). */
  async start(timeoutMs = 30_000): Promise<void> {
    for (const node of this.nodes) this.spawnNode(node);
    await Promise.all(this.nodes.map((n) => this.waitReady(n.nodeId, timeoutMs)));
  }

  /** (Re)starts one node's process. */
  spawnNode(node: LocalNode): void {
    if (node.process !== undefined && node.process.exitCode === null && node.process.signalCode === null) throw new Error(`node ${node.nodeId} is running`);
    const args = [
      CLI_MAIN, 'broker',
      '--node-id', String(node.nodeId),
      '--data-dir', node.dataDir,
      '--kafka-listen', `${this.host}:${node.kafkaPort}`,
      '--rpc-listen', `${this.host}:${node.rpcPort}`,
      '--http-listen', `${this.host}:${node.httpPort}`,
      '--voters', this.voters,
      ...(this.options.brokerArgs ?? []),
    ];
    let log = this.logs.get(node.nodeId);
    if (log === undefined) {
      log = createWriteStream(node.logFile, { flags: 'a' });
      this.logs.set(node.nodeId, log);
    }
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.options.env } });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    node.process = child;
  }

  /** Resolves once the node answers /ready with 200; rejects after timeoutMs or if it exits. */
  async waitReady(nodeId: number, timeoutMs = 30_000): Promise<void> {
    const node = this.node(nodeId);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const child = node.process;
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) throw new Error(`node ${nodeId} is not running (see ${node.logFile})`);
      const ok = await fetch(`http://${this.host}:${node.httpPort}/ready`, { signal: AbortSignal.timeout(1_000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`node ${nodeId} not ready within ${timeoutMs} ms (see ${node.logFile})`);
  }

  /** Sends `signal` to a node and waits for its process to exit. */
  async kill(nodeId: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.node(nodeId).process;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  async restart(nodeId: number, timeoutMs = 30_000): Promise<void> {
    this.spawnNode(this.node(nodeId));
    await this.waitReady(nodeId, timeoutMs);
  }

  /** SIGTERM to every node (a clean shutdown), SIGKILL after graceMs; closes the log files. */
  async stop(graceMs = 15_000): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const child = node.process;
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const log of this.logs.values()) log.end();
    this.logs.clear();
  }
}
