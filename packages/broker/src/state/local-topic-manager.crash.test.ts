/**
 * Power loss at every file-system call of a run of admin operations (CrashPointFileSystem over
 * MemoryFileSystem): after the crash, reopening must show the state after the last operation
 * that succeeded, or after the one that was under way, never a mix (half a topic, a partition
 * count without its partitions, a deletion undone).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashPointFileSystem, MemoryFileSystem, seededRandom, type FileSystem } from '@tributary/common';
import type { LocalTopicManager } from './local-topic-manager.js';
import { createRequest, openManager, oneRecordBatch } from './testing/topic-test-support.js';

type Snapshot = string;

/** Files (not directories: MemoryFileSystem cannot remove those) under `dir`, two levels deep. */
async function filesUnder(fs: MemoryFileSystem, dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await fs.readdir(dir)) {
    const path = `${dir}/${entry}`;
    const isDirectory = await fs.readdir(path).then(
      () => true,
      () => false,
    );
    if (isDirectory) files.push(...(await fs.readdir(path)).map((name) => `${path}/${name}`));
    else files.push(path);
  }
  return files;
}

function snapshot(manager: LocalTopicManager): Snapshot {
  return JSON.stringify(
    manager.topics().map((topic) => ({
      name: topic.name,
      overrides: topic.config.overrides,
      partitions: topic.partitions.map((p) => manager.partition(topic.name, p.index)!).map((p) => ({ end: p.log.logEndOffset, offline: p.log.offlineError !== null })),
    })),
  );
}

/** The scenario: each step returns whether it succeeded; the snapshot after each success is recorded. */
async function runScenario(fs: FileSystem, onCommitted: (state: Snapshot) => void): Promise<void> {
  let manager: LocalTopicManager;
  try {
    manager = await openManager(fs);
  } catch {
    return;
  }
  onCommitted(snapshot(manager));
  const steps: Array<() => Promise<boolean>> = [
    async () => (await manager.createTopic(createRequest('a.topic', { numPartitions: 2, configs: { 'retention.ms': '60000' } }))).ok,
    async () => (await manager.partition('a.topic', 1)!.log.appendAsLeader(await oneRecordBatch('v'), { leaderEpoch: 0 })).ok,
    async () => (await manager.createTopic(createRequest('other'))).ok,
    async () => (await manager.alterConfigs('a.topic', { mode: 'replace', configs: { 'segment.bytes': '4096' } }, false)).ok,
    async () => (await manager.createPartitions('a.topic', 4, false)).ok,
    async () => (await manager.deleteTopic('a.topic')).ok,
    async () => (await manager.deleteTopic('other')).ok,
  ];
  for (const step of steps) {
    if (!(await step())) return;
    onCommitted(snapshot(manager));
  }
  await manager.close();
}

test('a crash at any point of create, alter, grow and delete leaves a before-or-after state', async () => {
  const clean = new CrashPointFileSystem(new MemoryFileSystem(), Number.POSITIVE_INFINITY);
  const committed: Snapshot[] = [];
  await runScenario(clean, (state) => committed.push(state));
  assert.equal(committed.length, 8, 'the clean run completes every step');
  const callCount = clean.operations;
  assert.ok(callCount > 50, `only ${callCount} file-system calls`);

  const random = seededRandom(42);
  for (let crashAt = 0; crashAt <= callCount; crashAt++) {
    const memory = new MemoryFileSystem();
    const crashing = new CrashPointFileSystem(memory, crashAt, random);
    let done = 0;
    await runScenario(crashing, () => done++);
    if (!crashing.crashed) memory.crash(random);

    const reopened = await openManager(memory);
    const after = snapshot(reopened);
    // `done` states were committed (the first is the empty broker); the step under way may have landed.
    const allowed = [committed[Math.max(0, done - 1)], committed[done]].filter((s) => s !== undefined);
    assert.ok(allowed.includes(after), `crash at call ${crashAt} (after ${done} commits): ${after}\nallowed: ${allowed.join('\n  or ')}`);
    for (const entry of await memory.readdir('/data/topics')) {
      if (entry.startsWith('~')) assert.deepEqual(await filesUnder(memory, `/data/topics/${entry}`), [], `leftover files in ${entry}`);
    }
    await reopened.close();
  }
});
