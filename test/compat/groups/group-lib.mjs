// Shared by the group scenarios: worker processes that print what they consume, and a probe
// that watches the group from outside through tributary's own client (packages/cli/dist):
// DescribeGroups (members and their decoded assignments), OffsetFetch (committed offsets)
// and ListOffsets. Every wait is bounded and wakes on an event (a worker's line or exit);
// only the group's state, which the broker cannot push, is polled.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const client = await import(join(root, 'packages/cli/dist/client/index.js'));
export const { KafkaClient, findCoordinator, describeGroup, fetchCommittedOffsets, decodeAssignment, listOffsets, LATEST_TIMESTAMP, commitOffsets, firstCommitError } = client;

/** How often the probe asks the broker while waiting on the group's state. */
const PROBE_INTERVAL_MS = 200;

/** Wakes waiters whenever any worker prints or exits. */
export const activity = new EventEmitter();
activity.setMaxListeners(100);

/**
 * Waits until `check()` returns a truthy value (re-checked on every worker line or exit, and
 * every `pollMs` when given), or fails after `timeoutMs` with `what()` in the message.
 */
export function waitFor(check, { timeoutMs, what, pollMs }) {
  return new Promise((resolve, reject) => {
    let done = false;
    let poller = null;
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (poller) clearInterval(poller);
      activity.off('event', onEvent);
      fn(value);
    };
    const onEvent = async () => {
      try {
        const value = await check();
        if (value) finish(resolve, value);
      } catch (e) {
        finish(reject, e);
      }
    };
    const timer = setTimeout(() => finish(reject, new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`)), timeoutMs);
    activity.on('event', onEvent);
    if (pollMs) poller = setInterval(onEvent, pollMs);
    void onEvent();
  });
}

/** One consumer process. `parse(line)` returns { partition, offset, value } for a record line. */
export class Worker {
  constructor(name, command, args, env, parse) {
    this.name = name;
    this.records = [];
    this.stderr = '';
    this.exit = null;
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    this.child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      const now = Date.now();
      for (const line of lines) {
        const r = parse(line);
        if (r !== null) this.records.push({ ...r, at: now });
      }
      activity.emit('event');
    });
    this.child.stderr.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-3000);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        activity.emit('event');
        resolve(this.exit);
      });
    });
  }

  get alive() {
    return this.exit === null;
  }

  kill9() {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM (the client closes: commits and leaves); SIGKILL after `timeoutMs`, which fails. */
  async stop(timeoutMs = 20_000) {
    if (!this.alive) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    if (exit.signal === 'SIGKILL') throw new Error(`${this.name} did not exit within ${timeoutMs} ms of SIGTERM`);
    return exit;
  }

  describe() {
    return `${this.name}: ${this.records.length} records${this.exit ? `, exited ${JSON.stringify(this.exit)}` : ''}${this.stderr ? `, stderr: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
  }
}

/** `R <partition> <offset> <value>`, as every worker prints a record. */
export function parseRecordLine(line) {
  const m = /^R (\d+) (\d+) (.*)$/.exec(line);
  return m === null ? null : { partition: Number(m[1]), offset: Number(m[2]), value: m[3] };
}

/** Watches one group through our own client. */
export class GroupProbe {
  static async open(bootstrap, groupId, topic) {
    const [host, port] = bootstrap.split(':');
    const connected = await KafkaClient.connect({ host, port: Number(port) });
    if (!connected.ok) throw connected.error;
    return new GroupProbe(connected.value, groupId, topic);
  }

  constructor(kafka, groupId, topic) {
    this.kafka = kafka;
    this.groupId = groupId;
    this.topic = topic;
    this.coordinator = null;
  }

  async connection() {
    if (this.coordinator !== null && !this.coordinator.connection.closed) return this.coordinator;
    const found = await findCoordinator(this.kafka, this.groupId);
    if (!found.ok) throw found.error;
    const connection = await this.kafka.connectionTo(found.value.address);
    if (!connection.ok) throw connection.error;
    this.coordinator = connection.value;
    return this.coordinator;
  }

  /** { state, members: [{ memberId, clientId, partitions: number[] }] } */
  async describe() {
    const described = await describeGroup(this.kafka, await this.connection(), this.groupId);
    if (!described.ok) throw described.error;
    const members = described.value.members.map((m) => {
      const decoded = decodeAssignment(m.assignment);
      return { memberId: m.memberId, clientId: m.clientId, partitions: decoded.ok ? (decoded.value.get(this.topic) ?? []) : [] };
    });
    return { state: described.value.state, errorCode: described.value.errorCode, members };
  }

  /** partition → committed offset (-1 when none). */
  async committed(partitions) {
    const fetched = await fetchCommittedOffsets(this.kafka, await this.connection(), this.groupId, new Map([[this.topic, partitions]]));
    if (!fetched.ok) throw fetched.error;
    const found = fetched.value.get(this.topic) ?? new Map();
    return new Map(partitions.map((p) => [p, Number(found.get(p) ?? -1n)]));
  }

  async endOffsets(partitions) {
    const cluster = await this.kafka.metadata([this.topic]);
    if (!cluster.ok) throw cluster.error;
    // Each partition's end offset from its own leader (one broker, or several in a cluster).
    const byLeader = new Map();
    for (const p of partitions) {
      const leaderId = cluster.value.topics[0]?.partitions.find((x) => x.partition === p)?.leader ?? -1;
      byLeader.set(leaderId, [...(byLeader.get(leaderId) ?? []), p]);
    }
    const ends = new Map();
    for (const [leaderId, led] of byLeader) {
      const leader = await this.kafka.nodeConnection(leaderId);
      if (!leader.ok) throw leader.error;
      const found = await listOffsets(this.kafka, leader.value, this.topic, led, LATEST_TIMESTAMP);
      if (!found.ok) throw found.error;
      for (const [p, o] of found.value) ends.set(p, Number(o));
    }
    return ends;
  }

  close() {
    this.kafka.close();
  }
}

/**
 * A stable group of `count` members whose assignments are disjoint, each non-empty, and
 * together cover `partitions`; null otherwise.
 */
export function stableSplit(description, count, partitions) {
  if (description.state !== 'Stable' || description.members.length !== count) return null;
  const seen = new Set();
  for (const m of description.members) {
    if (m.partitions.length === 0) return null;
    for (const p of m.partitions) {
      if (seen.has(p)) return null;
      seen.add(p);
    }
  }
  return seen.size === partitions ? description : null;
}

export const PROBE_POLL_MS = PROBE_INTERVAL_MS;
