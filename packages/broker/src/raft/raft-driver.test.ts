import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Message, NodeId } from '@tributary/raft';
import type { HostPort } from '../config/broker-config.js';
import { RpcServer } from '../rpc/rpc-server.js';
import { RaftDriver } from './raft-driver.js';
import { RaftStorage } from './raft-storage.js';
import { raftRpcService, RaftTransport } from './raft-transport.js';

const logger = pino({ level: 'silent' });
const identity = { nodeId: 0, clusterId: 'test', nowMs: () => Date.now() };
const ids: NodeId[] = ['a', 'b', 'c'];

interface Member {
  readonly id: NodeId;
  readonly dir: string;
  server: RpcServer;
  storage?: RaftStorage;
  transport?: RaftTransport;
  driver?: RaftDriver;
  committed: string[];
}

async function waitUntil<T>(what: string, probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function startServer(member: Omit<Member, 'server'> & { server?: RpcServer }, port: number): Promise<RpcServer> {
  return RpcServer.start({ host: '127.0.0.1', port }, identity, logger, [raftRpcService((ms: Message[]) => member.driver?.receive(ms))]);
}

async function startDriver(member: Member, addresses: Map<NodeId, HostPort>): Promise<void> {
  const opened = await RaftStorage.open(member.dir);
  assert.ok(opened.ok);
  member.storage = opened.value;
  member.transport = new RaftTransport({ selfId: member.id, peers: addresses, logger, minBackoffMs: 10, maxBackoffMs: 100, callTimeoutMs: 500 });
  member.committed = [];
  member.driver = await RaftDriver.start({
    id: member.id, voters: ids, storage: member.storage, sender: member.transport, logger,
    tickIntervalMs: 10, electionTimeoutTicks: 10, heartbeatTicks: 2,
    onCommit: (e) => { if (e.kind === 'normal') member.committed.push(new TextDecoder().decode(e.data)); },
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
  // Settled: every running member follows it in its term.
  return members.every((m) => m.driver?.node.leaderId === leader.id && m.driver.node.term === leader.driver!.node.term) ? leader : undefined;
}

async function proposeOnLeader(members: Member[], text: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const leader = await waitUntil('a settled leader', () => leaderAmong(members));
    if ((await leader.driver!.propose(new TextEncoder().encode(text))) !== undefined) return;
    assert.ok(Date.now() < deadline, `no leader accepted ${text}`);
  }
}

test('three drivers elect, commit, survive the leader stopping, and a restarted node catches up', { timeout: 20_000 }, async () => {
  const members: Member[] = [];
  for (const id of ids) {
    const member = { id, dir: await mkdtemp(join(tmpdir(), `raft-${id}-`)), committed: [] as string[] } as Member;
    member.server = await startServer(member, 0);
    members.push(member);
  }
  const addressOf = new Map(members.map((m) => [m.id, { host: '127.0.0.1', port: m.server.port }]));
  try {
    for (const m of members) await startDriver(m, addressOf);

    for (const text of ['one', 'two', 'three']) await proposeOnLeader(members, text);
    await waitUntil('all three to apply three entries', () => (members.every((m) => m.committed.length === 3) ? true : undefined));
    for (const m of members) assert.deepEqual(m.committed, ['one', 'two', 'three']);

    const oldLeader = leaderAmong(members)!;
    const oldTerm = oldLeader.driver!.node.term;
    await stop(oldLeader);
    const survivors = members.filter((m) => m !== oldLeader);
    const newLeader = await waitUntil('a new leader', () => leaderAmong(survivors));
    assert.notEqual(newLeader.id, oldLeader.id);
    assert.ok(newLeader.driver!.node.term > oldTerm);
    await proposeOnLeader(survivors, 'four');
    await waitUntil('the survivors to apply four', () => (survivors.every((m) => m.committed.at(-1) === 'four') ? true : undefined));

    // The stopped node comes back on its old address with its LevelDB state, and catches up.
    oldLeader.server = await startServer(oldLeader, addressOf.get(oldLeader.id)!.port);
    await startDriver(oldLeader, addressOf);
    const restored = oldLeader.driver!.node;
    assert.ok(restored.lastIndex >= 4, 'reloaded its log from LevelDB'); // noop + three entries at least
    assert.ok(restored.term >= oldTerm);
    await waitUntil('the restarted node to catch up', () => (oldLeader.committed.length === 4 ? true : undefined));
    assert.deepEqual(oldLeader.committed, ['one', 'two', 'three', 'four']);
    for (const m of survivors) assert.deepEqual(m.committed, ['one', 'two', 'three', 'four']);
  } finally {
    for (const m of members) {
      if (m.driver !== undefined) await stop(m);
      await rm(m.dir, { recursive: true, force: true });
    }
  }
});
