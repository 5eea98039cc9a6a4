import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, rangeAssign } from './consumer-protocol.js';

const require = createRequire(import.meta.url);
// kafkajs's own consumer-protocol codecs, an independent implementation to check ours against.
const { AssignerProtocol } = require('kafkajs') as {
  AssignerProtocol: {
    MemberMetadata: { encode(v: { version: number; topics: string[]; userData: Buffer }): Buffer; decode(b: Buffer): { topics: string[] } };
    MemberAssignment: { encode(v: { version: number; assignment: Record<string, number[]>; userData: Buffer }): Buffer; decode(b: Buffer): { assignment: Record<string, number[]> } | null };
  };
};

test('subscriptions and assignments round-trip and interoperate with the kafkajs codecs', () => {
  const subscription = encodeSubscription(['orders', 'audit']);
  assert.deepEqual(AssignerProtocol.MemberMetadata.decode(subscription).topics, ['orders', 'audit']);
  const theirs = AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['orders'], userData: Buffer.alloc(0) });
  const decoded = decodeSubscription(theirs);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value.topics, ['orders']);
  const assignment = encodeAssignment(new Map([['orders', [0, 2]], ['audit', [1]]]));
  assert.deepEqual(AssignerProtocol.MemberAssignment.decode(assignment)?.assignment, { orders: [0, 2], audit: [1] });
  const back = decodeAssignment(AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { orders: [3, 1] }, userData: Buffer.alloc(0) }));
  assert.ok(back.ok);
  assert.deepEqual([...back.value], [['orders', [1, 3]]]);
  const empty = decodeAssignment(Buffer.alloc(0));
  assert.ok(empty.ok);
  assert.equal(empty.value.size, 0);
  assert.equal(decodeAssignment(Buffer.from([0, 0, 0])).ok, false);
});

test('a newer member\'s subscription (v3: owned partitions, generation, rack) still decodes', () => {
  // version 3, topics ["t"], userData null, ownedPartitions [], generationId 7, rackId null
  const bytes = Buffer.from([0, 3, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 7, 0xff, 0xff]);
  const decoded = decodeSubscription(bytes);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value.topics, ['t']);
  assert.equal(decoded.value.generationId, 7);
});

test('the range assignor gives contiguous ranges, extras to the first members, and covers every partition once', () => {
  const plan = rangeAssign(
    [
      { memberId: 'c', topics: ['t'] },
      { memberId: 'a', topics: ['t', 'u'] },
      { memberId: 'b', topics: ['t'] },
    ],
    new Map([['t', 7], ['u', 2]]),
  );
  assert.deepEqual(plan.get('a')?.get('t'), [0, 1, 2]);
  assert.deepEqual(plan.get('b')?.get('t'), [3, 4]);
  assert.deepEqual(plan.get('c')?.get('t'), [5, 6]);
  assert.deepEqual(plan.get('a')?.get('u'), [0, 1]);
  assert.equal(plan.get('b')?.has('u'), false);
  const few = rangeAssign(
    [
      { memberId: 'x', topics: ['t'] },
      { memberId: 'y', topics: ['t'] },
    ],
    new Map([['t', 1]]),
  );
  assert.deepEqual(few.get('x')?.get('t'), [0]);
  assert.equal(few.get('y')?.size, 0);
});
