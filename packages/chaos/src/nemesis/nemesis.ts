/**
 * Runs a fault schedule against a NetnsCluster: waits for each fault's time, injects it, holds
 * it, heals it, and records both ends as `fault` operations. A nemesis error (a command that
 * failed, a target that could not be found) is recorded and noted as a problem; the run goes on.
 * `healAll` undoes everything whatever state the run was left in.
 */
import type { FaultOp } from '../history.js';
import type { Recorder } from '../recorder.js';
import { attempt, errorText, sleep, type Deadline } from '../timeouts.js';
import type { ClusterInfo } from './cluster-info.js';
import { describeFault, type ScheduledFault } from './faults.js';
import { clearDrops, dropFrom, isolateFromPeers, setLink } from './netns.js';
import type { NetnsCluster } from './netns-cluster.js';

const STEP_TIMEOUT_MS = 20_000;

export interface NemesisOptions {
  readonly cluster: NetnsCluster;
  readonly info: ClusterInfo;
  readonly recorder: Recorder;
  readonly topic: string;
  readonly problem: (text: string) => void;
}

interface Injected {
  readonly targets: readonly number[];
  readonly detail: string;
  readonly heal: () => Promise<void>;
}

export class Nemesis {
  /** Nodes whose disk was (or may have been) filled and not yet restarted. */
  readonly #diskFilled = new Set<number>();

  constructor(readonly options: NemesisOptions) {}

  /** Runs the schedule; `startMs` is the recorder time the schedule's offsets count from. */
  async run(schedule: readonly ScheduledFault[], startMs: number, signal: AbortSignal): Promise<void> {
    const { recorder } = this.options;
    for (const fault of schedule) {
      await sleep(startMs + fault.atMs - recorder.now(), signal);
      if (signal.aborted) return;
      const injected = await this.#step(fault, 'start', [fault.node], () => this.#inject(fault));
      if (injected === null) continue;
      await sleep(fault.holdMs, signal);
      await this.#step(fault, 'stop', injected.targets, async () => {
        await injected.heal();
        return injected;
      });
    }
  }

  async #step(fault: ScheduledFault, phase: 'start' | 'stop', fallbackTargets: readonly number[], fn: () => Promise<Injected>): Promise<Injected | null> {
    const { recorder } = this.options;
    const invokeMs = recorder.now();
    const done = await attempt(fn, STEP_TIMEOUT_MS, `${fault.kind} ${phase}`);
    const targets = (done.ok ? done.value.targets : fallbackTargets).map((n) => `n${n}`);
    const op: Omit<FaultOp, 'index'> = {
      kind: 'fault',
      process: 'nemesis',
      fault: fault.kind,
      faultId: fault.id,
      phase,
      targets,
      invokeMs,
      completeMs: recorder.now(),
      outcome: done.ok ? 'ok' : 'info',
      detail: done.ok ? done.value.detail : describeFault(fault),
      ...(done.ok ? {} : { error: errorText(done.error) }),
    };
    recorder.record(op);
    if (!done.ok) this.options.problem(`fault ${fault.id} (${describeFault(fault)}) ${phase}: ${errorText(done.error)}`);
    return done.ok ? done.value : null;
  }

  async #target(fault: ScheduledFault): Promise<{ node: number; how: string }> {
    const { info, topic } = this.options;
    if (fault.kind === 'kill-leader') {
      const leader = await info.leaderOf(topic, fault.partition);
      if (leader !== null) return { node: leader, how: `the leader of ${topic}-${fault.partition}` };
      this.options.problem(`fault ${fault.id}: no leader known for partition ${fault.partition}; killing n${fault.node} instead`);
    } else if (fault.kind === 'kill-controller') {
      const controller = await info.controller();
      if (controller !== null) return { node: controller, how: 'the active controller' };
      this.options.problem(`fault ${fault.id}: no active controller known; killing n${fault.node} instead`);
    }
    return { node: fault.node, how: 'chosen by the seed' };
  }

  async #inject(fault: ScheduledFault): Promise<Injected> {
    const { cluster } = this.options;
    const peersOf = (node: number): number[] => cluster.nodeIds.filter((n) => n !== node);
    const { node, peer } = fault;
    switch (fault.kind) {
      case 'kill':
      case 'kill-leader':
      case 'kill-controller': {
        const target = await this.#target(fault);
        await cluster.kill(target.node);
        return { targets: [target.node], detail: `SIGKILL n${target.node} (${target.how}); restarted when healed`, heal: async () => cluster.start(target.node) };
      }
      case 'pause':
        cluster.pause(node);
        return { targets: [node], detail: `SIGSTOP n${node}, SIGCONT when healed`, heal: async () => cluster.resume(node) };
      case 'isolate':
        await isolateFromPeers(node, peersOf(node));
        return { targets: [node], detail: `n${node} drops packets from and to ${peersOf(node).map((n) => `n${n}`).join(', ')}; clients still reach it`, heal: () => clearDrops(node) };
      case 'isolate-with-clients':
        await setLink(node, false);
        return { targets: [node], detail: `n${node}'s link down: peers and clients lose it`, heal: () => setLink(node, true) };
      case 'one-way':
        await dropFrom(node, peer);
        return { targets: [node, peer], detail: `n${node} drops packets from n${peer}`, heal: () => clearDrops(node) };
      case 'kill-isolate':
        await isolateFromPeers(node, peersOf(node));
        await cluster.kill(peer);
        return {
          targets: [node, peer],
          detail: `n${node} isolated from its peers and n${peer} killed: no majority left`,
          heal: async () => {
            cluster.start(peer);
            await clearDrops(node);
          },
        };
      case 'disk-full': {
        // A broker whose replica log fails on I/O stops, as Kafka halts on a failed log
        // directory (before commit 19f3edf it kept the log offline and went on leading it and
        // holding its ISR, and writes stopped for good); the heal restarts it either way.
        this.#diskFilled.add(node);
        cluster.allowExit(node, true);
        const bytes = await cluster.fillDisk(node);
        const heal = async (): Promise<void> => {
          cluster.freeDisk(node);
          await cluster.kill(node);
          cluster.start(node);
          cluster.allowExit(node, false);
          this.#diskFilled.delete(node);
        };
        return { targets: [node], detail: `n${node}'s tmpfs filled (${Math.round(bytes / 1048576)} MiB); healed by deleting the file and restarting n${node}`, heal };
      }
    }
  }

  /** Undoes every fault on every node, restarts dead brokers, and waits (bounded) for all to be ready. */
  async healAll(deadline: Deadline): Promise<boolean> {
    const { cluster, recorder } = this.options;
    const invokeMs = recorder.now();
    const errors: string[] = [];
    for (const node of cluster.nodeIds) {
      const steps: Array<[string, () => Promise<unknown>]> = [
        ['resume', async () => cluster.resume(node)],
        ['clear drops', () => clearDrops(node)],
        ['link up', () => setLink(node, true)],
        ['free disk', async () => cluster.freeDisk(node)],
        ['restart after a full disk', async () => (this.#diskFilled.delete(node) ? cluster.kill(node) : undefined)],
        ['start', async () => cluster.start(node)],
        ['expect no exit', async () => cluster.allowExit(node, false)],
      ];
      for (const [what, fn] of steps) {
        const done = await attempt(fn, deadline.cap(STEP_TIMEOUT_MS), `heal n${node}: ${what}`);
        if (!done.ok) errors.push(`n${node} ${what}: ${errorText(done.error)}`);
      }
    }
    const ready = await cluster.waitReady(cluster.nodeIds, deadline);
    if (!ready) errors.push('not every node was ready before the heal deadline');
    recorder.record({
      kind: 'fault',
      process: 'nemesis',
      fault: 'heal-all',
      faultId: 0,
      phase: 'stop',
      targets: cluster.nodeIds.map((n) => `n${n}`),
      invokeMs,
      completeMs: recorder.now(),
      outcome: errors.length === 0 ? 'ok' : 'info',
      detail: 'every fault undone, every broker running',
      ...(errors.length === 0 ? {} : { error: errors.join('; ') }),
    });
    for (const error of errors) this.options.problem(`heal: ${error}`);
    return errors.length === 0;
  }
}
