/**
 * One simulated broker: the real node core (openNodeCore) on the simulated network, disk and
 * clock. A crash kills the incarnation at once (timers, network, disk calls), then power loss
 * drops what was not synced; `start` boots a new incarnation from what the disks kept, and a
 * crash may strike again while it is still recovering.
 */
import { MemoryFileSystem, type Clock, type Random } from '@tributary/common';
import { createRootLogger, loadConfig, openNodeCore, type BrokerConfig, type ClusterNode, type NodeCore, type NodeCoreParts } from '@tributary/broker';
import type { DispatchOutcome } from '@tributary/broker';
import { emptyRaftDisk, incarnationFileSystem, MemoryRaftStore, type Incarnation, type RaftDisk } from './sim-disk.js';
import type { SimNetwork } from './sim-network.js';
import type { VirtualTime } from './virtual-time.js';

/** The last log lines of each node, for a failing seed's report. */
const LOG_LINES_KEPT = Number(process.env["SIM_LOG_LINES"] ?? 400);
/** How soon a supervisor restarts a node that stopped on its own. */
const SUPERVISOR_RESTART_MS = 1_000;

export interface SimNodeSettings {
  readonly nodeId: number;
  readonly nodeIds: readonly number[];
  readonly time: VirtualTime;
  readonly network: SimNetwork;
  readonly random: Random;
  readonly logLevel: string;
  /** Sees the node's state one last time before a crash (a crash inside a step hides that step's state). */
  readonly beforeCrash?: (node: SimNode) => void;
}

export const kafkaAddress = (nodeId: number): string => `10.0.0.${nodeId}:9092`;
export const rpcAddress = (nodeId: number): string => `10.0.0.${nodeId}:9093`;

export function simBrokerConfig(nodeId: number, nodeIds: readonly number[], logLevel: string): BrokerConfig {
  const argv = [
    `--node-id=${nodeId}`,
    `--data-dir=/node-${nodeId}`,
    `--kafka-listen=${kafkaAddress(nodeId)}`,
    `--advertise=${kafkaAddress(nodeId)}`,
    `--rpc-listen=${rpcAddress(nodeId)}`,
    `--http-listen=10.0.0.${nodeId}:9644`,
    `--voters=${nodeIds.map((id) => `${id}@${rpcAddress(id)}`).join(',')}`,
    '--offsets-topic-num-partitions=3',
    '--default-replication-factor=3',
    '--min-insync-replicas=2',
    '--auto-create-topics-enable=false',
    `--log-level=${logLevel}`,
  ];
  const loaded = loadConfig({ argv, env: {}, readFile: () => '' });
  if (!loaded.ok) throw new Error(`sim config: ${loaded.error.message}`);
  return loaded.value.config;
}

const noMetrics = { recordRequest: () => undefined, recordProduced: () => undefined, recordFetched: () => undefined };

export class SimNode {
  readonly fs = new MemoryFileSystem();
  readonly raftDisk: RaftDisk = emptyRaftDisk();
  readonly logLines: string[] = [];
  /** Offset of this node's wall clock from virtual time (clock-jump faults move it). */
  wallClockOffsetMs = 0;
  incarnation: string | undefined;
  core: NodeCore | undefined;
  private dispatch: ((frame: Buffer) => Promise<DispatchOutcome>) | undefined;
  private generation = 0;
  private readonly config: BrokerConfig;
  readonly starts = { began: 0, finished: 0, crashedWhileStarting: 0 };

  constructor(private readonly settings: SimNodeSettings) {
    this.config = simBrokerConfig(settings.nodeId, settings.nodeIds, settings.logLevel);
  }

  get nodeId(): number {
    return this.settings.nodeId;
  }

  get up(): boolean {
    return this.incarnation !== undefined;
  }

  /** Serving: started, and the core is there to take Kafka requests. */
  get serving(): boolean {
    return this.dispatch !== undefined;
  }

  get cluster(): ClusterNode | undefined {
    return this.core?.cluster;
  }

  clock(): Clock {
    const time = this.settings.time;
    return { nowMs: () => 1_700_000_000_000 + time.now + this.wallClockOffsetMs, monotonicMs: () => time.now };
  }

  /** Boots a new incarnation (in the background: it takes simulated time). */
  start(): void {
    if (this.incarnation !== undefined) return;
    const id = `node-${this.nodeId}#${++this.generation}`;
    this.incarnation = id;
    this.starts.began++;
    void this.boot(id).catch((error: unknown) => {
      if (this.incarnation === id) this.log(`start failed: ${(error as Error).stack ?? String(error)}`);
    });
  }

  /**
   * kill -9, and with `powerLoss` the machine too: unsynced data is gone, the seed decides what a
   * torn write left. A process that exits on its own keeps its unsynced data (the page cache).
   */
  crash(powerLoss = true): void {
    const id = this.incarnation;
    if (id === undefined) return;
    if (this.dispatch === undefined) this.starts.crashedWhileStarting++;
    else this.settings.beforeCrash?.(this);
    this.incarnation = undefined;
    this.core = undefined;
    this.dispatch = undefined;
    this.settings.time.kill(id);
    this.settings.network.detach(id);
    if (powerLoss) this.fs.crash(this.settings.random);
    this.log(powerLoss ? `crashed ${id}` : `exited ${id}`);
  }

  /** A Kafka request frame (without its size prefix) to this node's dispatcher. */
  request(frame: Buffer): Promise<DispatchOutcome> | undefined {
    return this.dispatch?.(frame);
  }

  pause(): void {
    if (this.incarnation !== undefined) this.settings.time.pause(this.incarnation);
  }

  resume(): void {
    if (this.incarnation !== undefined) this.settings.time.resume(this.incarnation);
  }

  private async boot(id: string): Promise<void> {
    const { time, network, random } = this.settings;
    const incarnation: Incarnation = {
      id,
      alive: () => this.incarnation === id,
      // An fsync takes 1-4 ms; while it lasts the caller waits, and a crash meanwhile loses it.
      fsyncDelay: () => new Promise<void>((resolve) => time.schedule(id, 1 + random.int(4), resolve)),
    };
    // The data directory exists, durably, before the first start (as a provisioned volume).
    if (!(await this.fs.exists(this.config.dataDir))) {
      await this.fs.mkdir(this.config.dataDir);
      await this.fs.syncDirectory('/');
    }
    const root = createRootLogger(this.config.logLevel, { write: (line: string) => this.keepLine(line) });
    const parts: NodeCoreParts = {};
    const core = await openNodeCore(
      this.config,
      {
        fs: incarnationFileSystem(this.fs, incarnation),
        clock: this.clock(),
        scheduler: time.scheduler(id),
        random,
        network: network.networkFor(this.nodeId, id),
        openRaftStorage: async () => ({ ok: true, value: new MemoryRaftStore(this.raftDisk, incarnation) }),
        removeDirectory: (path) => this.removeDirectory(path),
        onFatal: (error) => {
          this.log(`fatal: ${error.message}`);
          if (this.incarnation !== id) return;
          // The process exits; its supervisor (systemd, compose, Kubernetes) starts it again.
          this.crash(false);
          time.schedule('supervisor', SUPERVISOR_RESTART_MS, () => this.start());
        },
      },
      {},
      parts,
      root,
    );
    if (this.incarnation !== id) return;
    const { dispatcher } = core.serve(this.config, noMetrics);
    const cluster = core.cluster!;
    network.attach(this.nodeId, id, cluster.rpcServices());
    const [host, port] = rpcAddress(this.nodeId).split(':');
    cluster.begin(this.config.listeners, { host: host!, port: Number(port) });
    const controller = new AbortController();
    let connectionId = 0;
    this.core = core;
    this.dispatch = (frame) =>
      dispatcher.dispatch(frame, { connectionId: ++connectionId, clientAddress: 'sim-client', listenerName: this.config.listeners[0]!.name, signal: controller.signal });
    this.starts.finished++;
  }

  private async removeDirectory(path: string): Promise<void> {
    const entries = await this.fs.readdir(path).catch(() => [] as string[]);
    for (const name of entries) await this.fs.unlink(`${path}/${name}`).catch(() => undefined);
  }

  private keepLine(line: string): void {
    // Simulated time first: the logger's own timestamps are the host's.
    this.logLines.push(`${this.settings.time.now} ${line.trimEnd()}`);
    if (this.logLines.length > LOG_LINES_KEPT) this.logLines.splice(0, this.logLines.length - LOG_LINES_KEPT);
  }

  log(message: string): void {
    this.keepLine(JSON.stringify({ sim: true, nodeId: this.nodeId, msg: message }));
  }
}
