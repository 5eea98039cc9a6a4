import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadWriteLock } from './read-write-lock.js';
import { SerialQueue } from './serial-queue.js';
import { isLeftoverFileName, parseSegmentFileName, segmentFileName } from './segment-files.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('segment file names: 20 digits, parsed back; leftovers recognised', () => {
  assert.equal(segmentFileName(0, 'log'), '00000000000000000000.log');
  assert.equal(segmentFileName(1234567, 'timeindex'), '00000000000001234567.timeindex');
  assert.deepEqual(parseSegmentFileName('00000000000001234567.index'), { baseOffset: 1234567, kind: 'index' });
  assert.equal(parseSegmentFileName('00000000000001234567.log.deleted'), null);
  assert.equal(parseSegmentFileName('1234567.log'), null);
  assert.equal(parseSegmentFileName('99999999999999999999.log'), null, 'beyond 2^53');
  assert.equal(parseSegmentFileName('leader-epoch-checkpoint'), null);
  assert.ok(isLeftoverFileName('00000000000000000000.log.deleted'));
  assert.ok(isLeftoverFileName('log-start-offset.tmp'));
  assert.ok(!isLeftoverFileName('00000000000000000000.log'));
  assert.ok(!isLeftoverFileName('leader-epoch-checkpoint.tmp'), "another component's file");
  assert.ok(!isLeftoverFileName('notes.deleted'));
});

test('serial queue: one task at a time, in order, and a bound on how many wait', async () => {
  const queue = new SerialQueue(3);
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const first = queue.run(async () => {
    order.push('a start');
    await gate;
    order.push('a end');
  });
  const second = queue.run(async () => void order.push('b'));
  const failing = queue.run(async () => {
    throw new Error('c fails');
  });
  assert.equal(queue.run(async () => undefined), null, 'the fourth is refused');
  release();
  await first;
  await second;
  await assert.rejects(failing!, /c fails/);
  assert.deepEqual(order, ['a start', 'a end', 'b']);
  assert.notEqual(queue.run(async () => undefined), null, 'room again once they settled');
});

test('read-write lock: readers share, a writer waits for them and holds back new readers', async () => {
  const lock = new ReadWriteLock(2);
  const r1 = await lock.acquireShared()!;
  const r2 = await lock.acquireShared()!;
  let writing = false;
  const writer = lock.acquireExclusive().then((release) => {
    writing = true;
    return release;
  });
  await tick();
  assert.ok(!writing, 'the writer waits for the readers');
  let lateReader = false;
  const late = lock.acquireShared()!.then((release) => {
    lateReader = true;
    return release;
  });
  r1();
  r2();
  const releaseWriter = await writer;
  assert.ok(writing && !lateReader, 'the writer went before the reader that came after it');
  releaseWriter();
  (await late)();
  assert.ok(lateReader);
});

test('read-write lock: readers waiting behind a writer are bounded', async () => {
  const lock = new ReadWriteLock(1);
  const release = await lock.acquireExclusive();
  const waiting = lock.acquireShared();
  assert.ok(waiting);
  assert.equal(lock.acquireShared(), null);
  release();
  (await waiting)();
});
