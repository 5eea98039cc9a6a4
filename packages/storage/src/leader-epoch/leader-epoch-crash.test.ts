/**
 * Power loss at every point of a checkpoint write (and of the load before it), with and without
 * torn writes: after the restart the checkpoint loads, and holds the old entries or the new ones,
 * never a mix, never an error; and the new ones whenever the flush had returned ok.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashPointFileSystem, MemoryFileSystem, leaderEpoch, seededRandom } from '@tributary/common';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import type { EpochEntry } from './leader-epoch-checkpoint.js';

const PATH = '/data/t-0/leader-epoch-checkpoint';
type Pairs = Array<[number, number]>;

interface Scenario {
  readonly name: string;
  /** Durable before the crash run; null: no checkpoint file at all. */
  readonly before: Pairs | null;
  readonly change: (cache: LeaderEpochCache) => void;
  readonly after: Pairs;
}

const scenarios: Scenario[] = [
  { name: 'first checkpoint', before: null, change: (c) => void c.assign(leaderEpoch(0), 0), after: [[0, 0]] },
  {
    name: 'a new epoch (the file grows)',
    before: [[0, 0], [2, 150]],
    change: (c) => void c.assign(leaderEpoch(3), 1_000_000),
    after: [[0, 0], [2, 150], [3, 1_000_000]],
  },
  {
    name: 'a truncation (the file shrinks)',
    before: [[0, 0], [2, 150], [3, 900], [7, 12_345]],
    change: (c) => void c.truncateFromEnd(900),
    after: [[0, 0], [2, 150]],
  },
  {
    name: 'same length, different digits',
    before: [[1, 10], [2, 20]],
    change: (c) => void c.truncateFromStart(15),
    after: [[1, 15], [2, 20]],
  },
];

const pairsOf = (entries: readonly EpochEntry[]): Pairs => entries.map((x) => [x.epoch, x.startOffset]);

async function prepare(before: Pairs | null): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/data');
  await fs.mkdir('/data/t-0');
  await fs.syncDirectory('/');
  await fs.syncDirectory('/data');
  if (before !== null) {
    const loaded = await LeaderEpochCache.load(fs, PATH);
    assert.ok(loaded.ok);
    for (const [epoch, start] of before) assert.ok(loaded.value.assign(leaderEpoch(epoch), start).ok);
    assert.ok((await loaded.value.flush()).ok);
  }
  return fs;
}

/** Load, change, flush through `fs`; whether the flush returned ok (false if any step failed). */
async function loadChangeFlush(fs: CrashPointFileSystem, scenario: Scenario): Promise<boolean> {
  const loaded = await LeaderEpochCache.load(fs, PATH);
  if (!loaded.ok) return false;
  scenario.change(loaded.value);
  return (await loaded.value.flush()).ok;
}

test('a crash at any point of a checkpoint write leaves the old or the new checkpoint', async () => {
  for (const scenario of scenarios) {
    const counting = new CrashPointFileSystem(await prepare(scenario.before), Number.POSITIVE_INFINITY);
    assert.ok(await loadChangeFlush(counting, scenario), scenario.name);
    const calls = counting.operations;
    const seen = { old: 0, new: 0 };
    for (let crashAt = 0; crashAt <= calls; crashAt++) {
      for (let seed = 0; seed < 12; seed++) {
        const memory = await prepare(scenario.before);
        // Seed 0: a clean crash; the others tear unsynced writes at random.
        const fs = new CrashPointFileSystem(memory, crashAt, seed === 0 ? undefined : seededRandom(seed * 7919 + crashAt));
        const flushed = await loadChangeFlush(fs, scenario);
        if (!fs.crashed) memory.crash(seededRandom(seed)); // crash after the flush returned
        assert.equal(fs.crashed, crashAt < calls, 'the crash point lies inside the run');

        const reloaded = await LeaderEpochCache.load(memory, PATH);
        const where = `${scenario.name}, crash before call ${crashAt} of ${calls}, seed ${seed}`;
        assert.ok(reloaded.ok, `${where}: ${reloaded.ok ? '' : reloaded.error.message}`);
        const state = pairsOf(reloaded.value.epochEntries());
        const isNew = JSON.stringify(state) === JSON.stringify(scenario.after);
        const isOld = JSON.stringify(state) === JSON.stringify(scenario.before ?? []);
        assert.ok(isOld || isNew, `${where}: mixed state ${JSON.stringify(state)}`);
        if (flushed) assert.ok(isNew, `${where}: flush returned ok but the change was lost`);
        assert.deepEqual(await memory.readdir('/data/t-0'), scenario.before === null && isOld ? [] : ['leader-epoch-checkpoint'], where);
        seen[isNew ? 'new' : 'old']++;
      }
    }
    assert.ok(seen.old > 0 && seen.new > 0, `${scenario.name}: both outcomes occur (${JSON.stringify(seen)})`);
  }
});
