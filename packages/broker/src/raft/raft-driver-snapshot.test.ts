import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Message, NodeId, Snapshot } from '@tributary/raft';
import type { HostPort } from '../config/broker-config.js';
import { RpcServer } from '../rpc/rpc-server.js';
import { RaftDriver } from './raft-driver.js';
import { RaftStorage } from './raft-storage.js';
import { raftRpcService, RaftTransport } from './raft-transport.js';

const logger = pino({ level: 'silent' });
const identity = { nodeId: 0, clusterId: 'test', nowMs: () => Date.now() };
const ids: NodeId[] = ['a', 'b', 'c'];
/** Small, so appends queued for the stopped node before compaction are dropped, not delivered late. */
const QUEUE_BOUND = 4;
const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const decode = <T>(data: Uint8Array): T => JSON.parse(new TextDecoder().decode(data)) as T;

/** A member whose state machine is the list of committed texts; its snapshot is that list as JSON. */
interface Member {
  readonly id: NodeId;
  readonly dir: string;
  server: RpcServer;
  storage?: RaftStorage;
  transport?: RaftTransport;
  driver?: RaftDriver;
  committed: string[];
  lastApplied: number;
  snapshotsInstalled: Snapshot[];
}

async function waitUntil<T>(what: string, probe: () => T | undefined, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function startServer(member: { driver?: RaftDriver }, port: number): Promise<RpcServer> {
  return RpcServer.start({ host: '127.0.0.1', port }, identity, logger, [raftRpcService((ms: Message[]) => member.driver?.receive(ms))]);
}

async function startDriver(member: Member, addresses: Map<NodeId, HostPort>): Promise<void> {
  const opened = await RaftStorage.open(member.dir);
  assert.ok(opened.ok);
  member.storage = opened.value;
  member.transport = new RaftTransport({ selfId: member.id, peers: addresses, logger, minBackoffMs: 10, maxBackoffMs: 100, callTimeoutMs: 500, maxQueuedPerPeer: QUEUE_BOUND });
  member.committed = [];
  member.lastApplied = 0;
  member.driver = await RaftDriver.start({
    id: member.id, voters: ids, storage: member.storage, sender: member.transport, logger,
    tickIntervalMs: 10, electionTimeoutTicks: 10, heartbeatTicks: 2,
    onSnapshot: (s) => {
      member.snapshotsInstalled.push(s);
      member.committed = decode<string[]>(s.data);
      member.lastApplied = s.index;
    },
    onCommit: (e) => {
      assert.equal(e.index, member.lastApplied + 1, 'entries apply in order, right after the snapshot');
      member.lastApplied = e.index;
      if (e.kind === 'normal') member.committed.push(new TextDecoder().decode(e.data));
    },
  });
}

async function stop(member: Member): Promise<void> {
  await member.driver?.close();
  member.driver = undefined;
  member.transport?.close();
  await member.server.close(0);
  await member.storage?.close();
}

function leaderAmong(members: Member[]): Member | undefined {
  const leaders = members.filter((m) => m.driver?.node.role === 'leader');
  if (leaders.length !== 1) return undefined;
  const leader = leaders[0];
  return members.every((m) => m.driver?.node.leaderId === leader.id && m.driver.node.term === leader.driver!.node.term) ? leader : undefined;
}

async function proposeOnLeader(members: Member[], text: string): Promise<void> {
  const deadline = Date.now() + 8_000;
  for (;;) {
    const leader = await waitUntil('a settled leader', () => leaderAmong(members));
    if ((await leader.driver!.propose(new TextEncoder().encode(text))) !== undefined) return;
    assert.ok(Date.now() < deadline, `no leader accepted ${text}`);
  }
}

const allHave = (members: Member[], texts: string[]): true | undefined =>
  (members.every((m) => JSON.stringify(m.committed) === JSON.stringify(texts)) ? true : undefined);

test('a node stopped while the others compact catches up through InstallSnapshot over gRPC', { timeout: 30_000 }, async () => {
  const members: Member[] = [];
  for (const id of ids) {
    const member = { id, dir: await mkdtemp(join(tmpdir(), `raft-snap-${id}-`)), committed: [], lastApplied: 0, snapshotsInstalled: [] } as unknown as Member;
    member.server = await startServer(member, 0);
    members.push(member);
  }
  const addressOf = new Map(members.map((m) => [m.id, { host: '127.0.0.1', port: m.server.port }]));
  try {
    for (const m of members) await startDriver(m, addressOf);
    for (const text of ['one', 'two']) await proposeOnLeader(members, text);
    await waitUntil('all three to apply two entries', () => allHave(members, ['one', 'two']));

    const leader = leaderAmong(members)!;
    const lagging = members.find((m) => m !== leader)!;
    await stop(lagging);
    const survivors = members.filter((m) => m !== lagging);
    const expected = ['one', 'two', 'three', 'four', 'five'];
    for (const text of expected.slice(2)) await proposeOnLeader(survivors, text);
    await waitUntil('the survivors to apply five entries', () => allHave(survivors, expected));

    for (const m of survivors) {
      const compacted = await m.driver!.compact(m.lastApplied, encode(m.committed));
      assert.ok(compacted.ok);
      assert.ok(m.driver!.node.appliedIndex >= m.lastApplied);
    }
    const snapshotIndex = leader.lastApplied;
    // Let the leader's queue for the stopped node turn over, so it holds only post-compaction
    // messages; otherwise appends queued earlier could catch it up without a snapshot.
    const droppedBefore = leader.transport!.droppedFor(lagging.id);
    await waitUntil('the queue for the stopped node to turn over', () => (leader.transport!.droppedFor(lagging.id) > droppedBefore + 3 * QUEUE_BOUND ? true : undefined));

    lagging.server = await startServer(lagging, addressOf.get(lagging.id)!.port);
    await startDriver(lagging, addressOf);
    assert.ok(lagging.driver!.node.lastIndex < snapshotIndex, 'its own log ends before the leader\'s snapshot');
    await waitUntil('the restarted node to install the snapshot', () => (lagging.snapshotsInstalled.length > 0 ? true : undefined));
    await waitUntil('the restarted node to catch up', () => allHave(members, expected));
    assert.ok(lagging.snapshotsInstalled[0].index >= snapshotIndex);

    // Replication continues normally after the snapshot.
    await proposeOnLeader(members, 'six');
    await waitUntil('all three to apply six', () => allHave(members, [...expected, 'six']));

    // Its snapshot was persisted: after another restart it starts from it.
    await stop(lagging);
    lagging.server = await startServer(lagging, addressOf.get(lagging.id)!.port);
    lagging.snapshotsInstalled = [];
    await startDriver(lagging, addressOf);
    assert.ok(lagging.snapshotsInstalled.length >= 1, 'onSnapshot gets the persisted snapshot at start');
    await waitUntil('the twice-restarted node to catch up', () => allHave(members, [...expected, 'six']));
  } finally {
    for (const m of members) {
      if (m.driver !== undefined) await stop(m);
      await rm(m.dir, { recursive: true, force: true });
    }
  }
});
