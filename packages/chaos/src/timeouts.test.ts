import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deadline, TimeoutError, attempt, sleep, waitUntil, withTimeout } from './timeouts.js';

test('withTimeout: the value in time, a TimeoutError otherwise, and no timer left behind', async () => {
  assert.equal(await withTimeout(Promise.resolve(3), 1000, 'quick'), 3);
  const never = new Promise<never>(() => undefined);
  await assert.rejects(withTimeout(never, 20, 'never'), TimeoutError);
  const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('late')), 30));
  await assert.rejects(withTimeout(late, 5, 'late'), /timed out/);
  await sleep(50); // the late rejection is swallowed, not unhandled
  const failed = await attempt(() => Promise.reject(new Error('boom')), 1000, 'boom');
  assert.equal(failed.ok, false);
});

test('sleep ends early on abort; waitUntil gives up at its deadline', async () => {
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 20);
  await sleep(5000, controller.signal);
  assert.ok(Date.now() - started < 1000);
  assert.equal(await waitUntil(() => false, new Deadline(50), 10), false);
  let n = 0;
  assert.equal(await waitUntil(() => ++n > 2, new Deadline(1000), 5), true);
});
