import { test } from 'node:test';
import assert from 'node:assert/strict';
import { overrides, SwimView, type MemberRecord } from './swim-view.js';

const rec = (nodeId: number, incarnation: number, state: MemberRecord['state']): MemberRecord => ({ nodeId, incarnation, state });

test('precedence: higher incarnations win; at equal ones suspect beats alive and dead beats both; dead yields only to a restart', () => {
  assert.ok(overrides(rec(2, 5, 'alive'), rec(2, 4, 'suspect')));
  assert.ok(!overrides(rec(2, 4, 'alive'), rec(2, 4, 'suspect')));
  assert.ok(overrides(rec(2, 4, 'suspect'), rec(2, 4, 'alive')));
  assert.ok(!overrides(rec(2, 3, 'suspect'), rec(2, 4, 'alive')));
  assert.ok(overrides(rec(2, 4, 'dead'), rec(2, 4, 'suspect')));
  assert.ok(!overrides(rec(2, 9, 'dead'), rec(2, 4, 'dead')));
  assert.ok(!overrides(rec(2, 4, 'alive'), rec(2, 4, 'dead')));
  assert.ok(overrides(rec(2, 5, 'alive'), rec(2, 4, 'dead')));
});

test('a suspect that does not refute becomes dead after the suspicion timeout', () => {
  const view = new SwimView(1, [1, 2, 3], 100, 0, 500);
  assert.ok(view.suspect(2, 10));
  assert.equal(view.stateOf(2), 'suspect');
  assert.deepEqual(view.tick(509), []);
  assert.deepEqual(view.tick(510), [2]);
  assert.equal(view.stateOf(2), 'dead');
  assert.equal(view.stateOf(3), 'alive');
});

test('a member told it is suspected refutes with a higher incarnation, which clears the suspicion elsewhere', () => {
  const a = new SwimView(1, [1, 2], 100, 0, 500);
  const b = new SwimView(2, [1, 2], 200, 0, 500);
  b.merge(a.digest(), 0);
  a.merge(b.digest(), 0);
  a.suspect(2, 10);
  // a's next probe carries its view; b refutes, and its ack carries the refutation back.
  b.merge(a.digest(), 20);
  const changed = a.merge(b.digest(), 21);
  assert.deepEqual(changed.map((m) => [m.nodeId, m.state]), [[2, 'alive']]);
  assert.equal(a.stateOf(2), 'alive');
  assert.ok(b.digest().find((m) => m.nodeId === 2)!.incarnation > 200);
});

test('a restarted member (higher incarnation) comes back from dead; stale gossip does not revive or kill it', () => {
  const view = new SwimView(1, [1, 2], 100, 0, 100);
  view.merge([rec(2, 50, 'alive')], 0);
  view.suspect(2, 0);
  view.tick(100);
  assert.equal(view.stateOf(2), 'dead');
  view.merge([rec(2, 50, 'alive')], 150);
  assert.equal(view.stateOf(2), 'dead', 'the old incarnation stays dead');
  view.merge([rec(2, 60, 'alive')], 200);
  assert.equal(view.stateOf(2), 'alive');
  view.merge([rec(2, 50, 'dead')], 250);
  assert.equal(view.stateOf(2), 'alive', 'gossip about the old incarnation is ignored');
});
