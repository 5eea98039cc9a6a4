import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createPartitionWaiters } from './partition-waiters-impl.js';

const p = (partition: number, topic = 't') => ({ topic, partition });

/** Timers that fire only when told (`fireAll`). */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  return {
    setTimeout: (fn: () => void) => {
      pending.set(++next, fn);
      return next;
    },
    clearTimeout: (handle: unknown) => void pending.delete(handle as number),
    fireAll: () => {
      const due = [...pending.values()];
      pending.clear();
      for (const fn of due) fn();
    },
    get count() {
      return pending.size;
    },
  };
}

test('a notify after watch and before wait is not lost', async () => {
  const waiters = createPartitionWaiters();
  const watch = waiters.watch([p(0), p(1)])!;
  waiters.notify('t', 1);
  assert.equal(await watch.wait(60_000, new AbortController().signal), 'notified');
  assert.equal(waiters.watchCount, 0);
  assert.equal(waiters.watchedPartitionCount, 0);
});

test('a notify wakes only the watches on that partition', async () => {
  const timers = manualTimers();
  const waiters = createPartitionWaiters({ setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
  const signal = new AbortController().signal;
  const on0 = waiters.watch([p(0)])!.wait(1000, signal);
  const on1 = waiters.watch([p(1)])!.wait(1000, signal);
  const onOther = waiters.watch([p(0, 'u')])!.wait(1000, signal);
  waiters.notify('t', 0);
  assert.equal(await on0, 'notified');
  assert.equal(waiters.watchCount, 2);
  timers.fireAll();
  assert.deepEqual(await Promise.all([on1, onOther]), ['timeout', 'timeout']);
  assert.equal(waiters.watchCount, 0);
  assert.equal(timers.count, 0);
});

test('a wait ends on timeout and on abort, leaving nothing registered', async () => {
  const waiters = createPartitionWaiters();
  assert.equal(await waiters.watch([p(0)])!.wait(5, new AbortController().signal), 'timeout');
  const controller = new AbortController();
  const waiting = waiters.watch([p(0)])!.wait(60_000, controller.signal);
  controller.abort();
  assert.equal(await waiting, 'aborted');
  const alreadyAborted = waiters.watch([p(0)])!.wait(60_000, controller.signal);
  assert.equal(await alreadyAborted, 'aborted');
  assert.equal(waiters.watchCount, 0);
  assert.equal(waiters.watchedPartitionCount, 0);
});

test('the broker-wide cap refuses watches beyond it until one ends', () => {
  const waiters = createPartitionWaiters({ watchesMax: 2 });
  const a = waiters.watch([p(0)])!;
  waiters.watch([p(1)]);
  assert.equal(waiters.watch([p(2)]), null);
  a.cancel();
  a.cancel();
  assert.equal(waiters.watchCount, 1);
  assert.ok(waiters.watch([p(2)]));
});

test('property: whatever mix of waits, notifies, cancels, aborts and timeouts, nothing leaks', async () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('watch' as const), partitions: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('notify' as const), partition: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ kind: fc.constant('cancel' as const), which: fc.nat() }),
    fc.record({ kind: fc.constant('abort' as const), which: fc.nat() }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
      const timers = manualTimers();
      const waiters = createPartitionWaiters({ watchesMax: 8, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
      const live: Array<{ cancel: () => void; controller: AbortController; done: Promise<string> }> = [];
      for (const o of ops) {
        if (o.kind === 'watch') {
          const watch = waiters.watch(o.partitions.map((n) => p(n)));
          if (watch === null) {
            assert.equal(waiters.watchCount, 8);
            continue;
          }
          const controller = new AbortController();
          live.push({ cancel: () => watch.cancel(), controller, done: watch.wait(1000, controller.signal) });
        } else if (o.kind === 'notify') {
          waiters.notify('t', o.partition);
        } else if (live.length > 0) {
          const target = live[o.which % live.length];
          if (o.kind === 'cancel') target.cancel();
          else target.controller.abort();
        }
      }
      timers.fireAll();
      const outcomes = await Promise.all(live.map((l) => l.done));
      assert.ok(outcomes.every((o) => ['notified', 'timeout', 'aborted'].includes(o)));
      assert.equal(waiters.watchCount, 0);
      assert.equal(waiters.watchedPartitionCount, 0);
      assert.equal(timers.count, 0);
    }),
  );
});
