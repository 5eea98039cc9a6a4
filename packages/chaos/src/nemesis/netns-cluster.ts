/**
 * Three Tributary brokers, each in its own network namespace (see netns.ts) with its data on its
 * own 512 MiB tmpfs, started with `ip netns exec tchaos-nN node <cli> broker ...` and logging to
 * `node-N.log` in the output directory. Kill, pause, restart, fill the disk; `destroySync` kills
 * every broker it started (SIGKILL by pid), unmounts, and deletes the network.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil, withTimeout, type Deadline } from '../timeouts.js';
import { createNetwork, deleteNetworkSync, must, namespaceOf, namespacePidsSync, nodeIp, runSync } from './netns.js';

const TMP_PREFIX = 'tributary-chaos-';
export const KAFKA_PORT = 9092;
const RPC_PORT = 9093;
const HTTP_PORT = 9644;
/** Each node's log file stops growing here (a broker in trouble can log thousands of lines a second). */
const LOG_CAP_BYTES = 100 * 1024 * 1024;

export interface NetnsClusterOptions {
  readonly cliMain: string;
  readonly outDir: string;
  readonly nodes: number;
  /** Problems: a broker exiting when nothing allowed it, a broker that cannot start. */
  readonly problem: (text: string) => void;
  /** Worth a line in the report, not a problem. */
  readonly note: (text: string) => void;
}

interface BrokerNode {
  readonly id: number;
  readonly mount: string;
  readonly dataDir: string;
  readonly fillPath: string;
  child: ChildProcess | null;
  log: number | null;
  logBytes: number;
  /** Set before the suite stops it, so its exit is not reported as a crash. */
  expectedExit: boolean;
  /** Set while a fault may make it stop by itself (a full disk). */
  mayExit: boolean;
}

/** One chaos cluster per machine at a time: the namespaces and addresses are fixed. */
const LOCK_PATH = join(tmpdir(), 'tributary-chaos.lock');

function takeLock(): void {
  try {
    const holder = Number(readFileSync(LOCK_PATH, 'utf8').trim());
    if (Number.isSafeInteger(holder) && holder !== process.pid && alive(holder)) {
      throw new Error(`another chaos run (pid ${holder}) holds ${LOCK_PATH}; one run at a time per machine`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeFileSync(LOCK_PATH, `${process.pid}\n`);
}

function releaseLock(): void {
  try {
    if (Number(readFileSync(LOCK_PATH, 'utf8').trim()) === process.pid) rmSync(LOCK_PATH, { force: true });
  } catch {
    // no lock
  }
}

/** Every cluster not yet destroyed, for the watchdog and the signal handlers. */
const live = new Set<NetnsCluster>();

export function destroyAllClustersSync(): string[] {
  return [...live].flatMap((cluster) => cluster.destroySync());
}

/** Leftovers of an earlier run that crashed: brokers in the namespaces, the network, tmpfs mounts. */
export function cleanLeftoversSync(note: (text: string) => void): void {
  for (const pid of namespacePidsSync()) {
    note(`killing pid ${pid}, left in a chaos namespace by an earlier run`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const problem of deleteNetworkSync()) note(`cleanup of an earlier run: ${problem}`);
  const prefix = join(tmpdir(), TMP_PREFIX);
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((line) => line.split(' ')[1] ?? '').filter((path) => path.startsWith(prefix));
  for (const mount of mounts.reverse()) {
    note(`unmounting ${mount}, left by an earlier run`);
    runSync('umount', ['-l', mount]);
  }
}

export class NetnsCluster {
  readonly #nodes: BrokerNode[];
  #destroyed = false;

  private constructor(readonly options: NetnsClusterOptions, readonly root: string) {
    this.#nodes = Array.from({ length: options.nodes }, (_, i) => {
      const mount = join(root, `n${i + 1}`);
      return { id: i + 1, mount, dataDir: join(mount, 'data'), fillPath: join(mount, 'fill'), child: null, expectedExit: false, mayExit: false, log: null, logBytes: 0 };
    });
  }

  static async create(options: NetnsClusterOptions): Promise<NetnsCluster> {
    takeLock();
    cleanLeftoversSync(options.problem);
    const cluster = new NetnsCluster(options, mkdtempSync(join(tmpdir(), TMP_PREFIX)));
    live.add(cluster);
    await createNetwork(options.nodes);
    for (const node of cluster.#nodes) {
      mkdirSync(node.mount, { recursive: true });
      await must('mount', ['-t', 'tmpfs', '-o', 'size=512m', 'tmpfs', node.mount]);
      mkdirSync(node.dataDir);
    }
    return cluster;
  }

  get nodeIds(): number[] {
    return this.#nodes.map((n) => n.id);
  }

  get bootstrap(): string[] {
    return this.#nodes.map((n) => `${nodeIp(n.id)}:${KAFKA_PORT}`);
  }

  #node(id: number): BrokerNode {
    const node = this.#nodes[id - 1];
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  #brokerArgs(node: BrokerNode): string[] {
    const ip = nodeIp(node.id);
    const voters = this.#nodes.map((n) => `${n.id}@${nodeIp(n.id)}:${RPC_PORT}`).join(',');
    return [
      ...['broker', '--node-id', String(node.id), '--data-dir', node.dataDir],
      ...['--kafka-listen', `${ip}:${KAFKA_PORT}`, '--advertise', `${ip}:${KAFKA_PORT}`, '--rpc-listen', `${ip}:${RPC_PORT}`, '--http-listen', `${ip}:${HTTP_PORT}`],
      ...['--voters', voters, '--default-replication-factor', '3', '--min-insync-replicas', '2', '--offsets-topic-num-partitions', '10'],
    ];
  }

  isRunning(id: number): boolean {
    return this.#node(id).child !== null;
  }

  start(id: number): void {
    const node = this.#node(id);
    if (node.child !== null || this.#destroyed) return;
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TRIBUTARY_')));
    node.log ??= openSync(join(this.options.outDir, `node-${id}.log`), 'a');
    this.#writeLog(node, `--- chaos: starting n${id} at ${new Date().toISOString()}\n`);
    const child = spawn('ip', ['netns', 'exec', namespaceOf(id), process.execPath, this.options.cliMain, ...this.#brokerArgs(node)], { stdio: ['ignore', 'pipe', 'pipe'], env });
    node.child = child;
    node.expectedExit = false;
    child.stdout?.on('data', (chunk: Buffer) => this.#writeLog(node, chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.#writeLog(node, chunk));
    child.on('error', (error) => this.options.problem(`n${id}: could not start: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (node.child === child) node.child = null;
      if (node.expectedExit || this.#destroyed) return;
      const text = `n${id} exited by itself (code ${code}, signal ${signal}); see node-${id}.log`;
      if (node.mayExit) this.options.note(`${text}; its fault allows that`);
      else this.options.problem(text);
    });
  }

  #writeLog(node: BrokerNode, chunk: Buffer | string): void {
    if (node.log === null || node.logBytes > LOG_CAP_BYTES) return;
    node.logBytes += chunk.length;
    const capped = Buffer.from(node.logBytes > LOG_CAP_BYTES ? `${String(chunk)}\n--- chaos: log capped at ${LOG_CAP_BYTES} bytes\n` : chunk);
    try {
      writeSync(node.log, capped);
    } catch {
      // a full disk: the log loses lines, the run goes on
    }
  }

  /** SIGKILL, and wait (bounded) for the exit. */
  async kill(id: number): Promise<void> {
    const node = this.#node(id);
    const child = node.child;
    if (child === null || child.pid === undefined) return;
    node.expectedExit = true;
    child.kill('SIGKILL');
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await withTimeout(exited, 5000, `n${id} exit`).catch(() => undefined);
    if (node.child === child) throw new Error(`n${id} (pid ${child.pid}) did not exit within 5 s of SIGKILL`);
  }

  /** While set, the node stopping by itself is noted, not reported as a problem. */
  allowExit(id: number, allowed: boolean): void {
    this.#node(id).mayExit = allowed;
  }

  pause(id: number): void {
    const node = this.#node(id);
    if (node.child === null) throw new Error(`n${id} is not running`);
    node.child.kill('SIGSTOP');
  }

  /** SIGCONT (harmless when it runs: healing sends it to every node). */
  resume(id: number): void {
    const node = this.#node(id);
    if (node.child !== null) node.child.kill('SIGCONT');
  }

  async ready(id: number): Promise<boolean> {
    try {
      const response = await fetch(`http://${nodeIp(id)}:${HTTP_PORT}/ready`, { signal: AbortSignal.timeout(1000) });
      await response.text();
      return response.ok;
    } catch {
      return false;
    }
  }

  async waitReady(ids: readonly number[], deadline: Deadline): Promise<boolean> {
    return waitUntil(async () => (await Promise.all(ids.map((id) => this.ready(id)))).every(Boolean), deadline, 250);
  }

  /** Fills the node's tmpfs with one file, written in 1 MiB chunks until ENOSPC; returns the bytes written. */
  async fillDisk(id: number): Promise<number> {
    const node = this.#node(id);
    const limit = Number(statfsSync(node.mount).blocks) * Number(statfsSync(node.mount).bsize);
    const chunk = Buffer.alloc(1024 * 1024);
    const file = await open(node.fillPath, 'w');
    let written = 0;
    try {
      while (written <= limit) {
        const { bytesWritten } = await file.write(chunk);
        written += bytesWritten;
        if (bytesWritten < chunk.length) break;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      await file.close().catch(() => undefined);
    }
    return written;
  }

  freeDisk(id: number): void {
    rmSync(this.#node(id).fillPath, { force: true });
  }

  pids(): number[] {
    return this.#nodes.flatMap((n) => (n.child?.pid === undefined ? [] : [n.child.pid]));
  }

  /** Stops every broker (SIGKILL by pid), unmounts the tmpfs, deletes the network; returns the problems. */
  destroySync(): string[] {
    if (this.#destroyed) return [];
    this.#destroyed = true;
    live.delete(this);
    const problems: string[] = [];
    for (const node of this.#nodes) {
      const pid = node.child?.pid;
      if (pid === undefined) continue;
      node.expectedExit = true;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const waitUntilGone = Date.now() + 5000;
    while (this.#nodes.some((n) => n.child?.pid !== undefined && alive(n.child.pid)) && Date.now() < waitUntilGone) runSync('sleep', ['0.05']);
    for (const node of this.#nodes) {
      if (node.log !== null) closeSync(node.log);
      node.log = null;
      const result = runSync('umount', ['-l', node.mount]);
      if (!result.ok && !result.stderr.includes('not mounted')) problems.push(`umount ${node.mount}: ${result.stderr.trim()}`);
    }
    try {
      rmSync(this.root, { recursive: true, force: true });
    } catch (error) {
      problems.push(`rm ${this.root}: ${String(error)}`);
    }
    problems.push(...deleteNetworkSync());
    releaseLock();
    return problems;
  }
}

/** Whether the process exists and is not a zombie (its exit not reaped yet, as in a synchronous wait). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
