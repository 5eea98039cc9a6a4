import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Message } from '@tributary/raft';
import { RpcServer } from '../rpc/rpc-server.js';
import { raftRpcService, RaftTransport } from './raft-transport.js';

const logger = pino({ level: 'silent' });
const identity = { nodeId: 0, clusterId: 'test', nowMs: () => Date.now() };

function collector(): { received: Message[]; waitFor: (n: number) => Promise<void>; deliver: (m: Message[]) => void } {
  const received: Message[] = [];
  let wake: (() => void) | undefined;
  return {
    received,
    deliver: (ms) => { received.push(...ms); wake?.(); },
    waitFor: async (n) => {
      const deadline = Date.now() + 5_000;
      while (received.length < n) {
        assert.ok(Date.now() < deadline, `timed out waiting for ${n} messages, got ${received.length}`);
        await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 100).unref(); });
      }
    },
  };
}

test('messages of every kind travel between two in-process servers, in order', async () => {
  const atA = collector();
  const atB = collector();
  const serverA = await RpcServer.start({ host: '127.0.0.1', port: 0 }, identity, logger, [raftRpcService(atA.deliver)]);
  const serverB = await RpcServer.start({ host: '127.0.0.1', port: 0 }, identity, logger, [raftRpcService(atB.deliver)]);
  const a = new RaftTransport({ selfId: 'a', peers: new Map([['b', { host: '127.0.0.1', port: serverB.port }]]), logger });
  const b = new RaftTransport({ selfId: 'b', peers: new Map([['a', { host: '127.0.0.1', port: serverA.port }]]), logger });
  try {
    const toB: Message[] = [
      { type: 'preVote', from: 'a', to: 'b', term: 3, lastLogIndex: 7, lastLogTerm: 2, force: false },
      { type: 'vote', from: 'a', to: 'b', term: 3, lastLogIndex: 7, lastLogTerm: 2, force: true },
      { type: 'append', from: 'a', to: 'b', term: 3, prevLogIndex: 7, prevLogTerm: 2, commitIndex: 6, entries: [
        { index: 8, term: 3, kind: 'noop', data: new Uint8Array() },
        { index: 9, term: 3, kind: 'normal', data: new Uint8Array([1, 2, 3]) },
      ] },
      { type: 'timeoutNow', from: 'a', to: 'b', term: 3 },
      { type: 'voteResp', from: 'a', to: 'nobody', term: 3, reject: false },
    ];
    a.send(toB);
    const toA: Message[] = [
      { type: 'preVoteResp', from: 'b', to: 'a', term: 3, reject: true },
      { type: 'voteResp', from: 'b', to: 'a', term: 3, reject: false },
      { type: 'appendResp', from: 'b', to: 'a', term: 3, reject: true, index: 7, rejectHint: 5, hintTerm: 2 },
    ];
    b.send(toA);
    await atB.waitFor(4);
    await atA.waitFor(3);
    assert.deepEqual(atB.received, toB.slice(0, 4));
    assert.deepEqual(atA.received, toA);
  } finally {
    a.close();
    b.close();
    await serverA.close(100);
    await serverB.close(100);
  }
});

test('while a call is in flight, messages beyond the queue bound are dropped, oldest first; the newest go next', async () => {
  const atB = collector();
  let releaseFirst: (() => void) | undefined;
  const firstHeld = new Promise<void>((resolve) => {
    releaseFirst = resolve;
  });
  let calls = 0;
  // The first batch is held at the peer, so later messages queue behind it (one call in flight per peer).
  const slow = raftRpcService((ms) => atB.deliver(ms));
  const held = {
    service: slow.service,
    implementation: {
      send: (call: unknown, callback: unknown) => {
        calls++;
        const forward = () => (slow.implementation.send as (c: unknown, cb: unknown) => void)(call, callback);
        if (calls === 1) void firstHeld.then(forward);
        else forward();
      },
    },
  };
  const serverB = await RpcServer.start({ host: '127.0.0.1', port: 0 }, identity, logger, [held]);
  const a = new RaftTransport({ selfId: 'a', peers: new Map([['b', { host: '127.0.0.1', port: serverB.port }]]), logger, maxQueuedPerPeer: 3 });
  try {
    const heartbeat = (term: number): Message => ({ type: 'timeoutNow', from: 'a', to: 'b', term });
    a.send([heartbeat(1)]);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (calls === 1) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    for (let t = 2; t <= 10; t++) a.send([heartbeat(t)]); // queued: only the newest 3 stay
    releaseFirst?.();
    await atB.waitFor(4);
    assert.deepEqual(atB.received.map((m) => m.term), [1, 8, 9, 10]);
    assert.equal(a.droppedFor('b'), 6);
  } finally {
    a.close();
    await serverB.close(100);
  }
});

test('a peer that is down at first gets messages sent once it is up', async () => {
  // Reserve a port, then free it so the peer is down at first.
  const probe = await RpcServer.start({ host: '127.0.0.1', port: 0 }, identity, logger);
  const port = probe.port;
  await probe.close(0);
  const a = new RaftTransport({ selfId: 'a', peers: new Map([['b', { host: '127.0.0.1', port }]]), logger, minBackoffMs: 10, maxBackoffMs: 50 });
  const atB = collector();
  let serverB: RpcServer | undefined;
  try {
    const heartbeat = (term: number): Message => ({ type: 'timeoutNow', from: 'a', to: 'b', term });
    a.send([heartbeat(1)]); // fails: nobody listens
    serverB = await RpcServer.start({ host: '127.0.0.1', port }, identity, logger, [raftRpcService(atB.deliver)]);
    // Raft resends what matters; here the sender keeps sending until the reconnected channel delivers.
    for (let term = 2; atB.received.length === 0; term++) {
      assert.ok(term < 500, 'nothing arrived after the peer came up');
      a.send([heartbeat(term)]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(atB.received.every((m) => m.type === 'timeoutNow' && m.from === 'a'));
  } finally {
    a.close();
    await serverB?.close(100);
  }
});
