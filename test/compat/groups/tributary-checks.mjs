// The group checks that need tributary itself: the `tributary groups` operator commands
// against the real coordinator, and commits from fenced generations and unknown members made
// with our own client's group member (packages/cli/dist).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KafkaClient, commitOffsets, findCoordinator, firstCommitError, waitFor } from './group-lib.mjs';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const { GroupMember, defaultMemberOptions } = await import(join(root, 'packages/cli/dist/groups/group-member.js'));
const { ErrorCode } = await import(join(root, 'packages/protocol/dist/index.js'));

function run(nodeBin, cli, args, bootstrap) {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBin, [cli, ...args, '--bootstrap', bootstrap], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function connect(bootstrap) {
  const [host, port] = bootstrap.split(':');
  const client = await KafkaClient.connect({ host, port: Number(port) });
  if (!client.ok) throw client.error;
  return client.value;
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** After the group scenarios: the group is Empty, its commits at the end of every partition. */
export async function operatorScenario({ cli, nodeBin, bootstrap, group, topic, probe, partitions }) {
  const tributary = (...args) => run(nodeBin, cli, args, bootstrap);
  const list = await tributary('groups', 'list', '--json');
  expect(list.code === 0, `groups list exited ${list.code}: ${list.stderr}`);
  const listed = JSON.parse(list.stdout).groups.find((g) => g.group === group);
  expect(listed?.state === 'Empty' && listed?.protocolType === 'consumer', `groups list shows ${JSON.stringify(listed)} for ${group}`);
  const ends = await probe.endOffsets(partitions);
  const described = await tributary('groups', 'describe', group, '--json');
  expect(described.code === 0, `groups describe exited ${described.code}: ${described.stderr}`);
  const report = JSON.parse(described.stdout);
  expect(report.state === 'Empty' && report.members.length === 0, `describe: state ${report.state}, ${report.members.length} members`);
  for (const p of partitions) {
    const row = report.offsets.find((o) => o.topic === topic && o.partition === p);
    expect(row?.committedOffset === ends.get(p) && row?.lag === 0, `describe: partition ${p} is ${JSON.stringify(row)}, end ${ends.get(p)}`);
  }
  const dry = await tributary('groups', 'reset-offsets', group, '--topic', topic, '--to-earliest');
  expect(dry.code === 0 && /Dry run/.test(dry.stdout), `reset-offsets dry run exited ${dry.code}: ${dry.stderr}${dry.stdout}`);
  expect([...(await probe.committed(partitions))].every(([p, o]) => o === ends.get(p)), 'the dry run changed the committed offsets');
  const done = await tributary('groups', 'reset-offsets', group, '--topic', topic, '--to-earliest', '--execute');
  expect(done.code === 0, `reset-offsets --execute exited ${done.code}: ${done.stderr}`);
  const reset = await probe.committed(partitions);
  expect([...reset.values()].every((o) => o === 0), `after --to-earliest --execute the committed offsets are ${JSON.stringify([...reset])}`);
  const lagging = JSON.parse((await tributary('groups', 'describe', group, '--json')).stdout);
  const totalLag = lagging.offsets.reduce((sum, o) => sum + o.lag, 0);
  expect(totalLag === [...ends.values()].reduce((a, b) => a + b, 0), `lag after the reset is ${totalLag}`);
  const unknown = await tributary('groups', 'describe', `${group}-nope`);
  expect(unknown.code === 3 && /does not exist/.test(unknown.stderr), `describe of an unknown group exited ${unknown.code}: ${unknown.stderr}`);
  // With a member in the group, reset-offsets refuses.
  const client = await connect(bootstrap);
  const member = new GroupMember(client, group, [topic], { ...defaultMemberOptions, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 });
  try {
    const joined = await member.join();
    if (!joined.ok) throw joined.error;
    const refused = await tributary('groups', 'reset-offsets', group, '--topic', topic, '--to-latest', '--execute');
    expect(refused.code === 1 && /active member/.test(refused.stderr), `reset-offsets with a member exited ${refused.code}: ${refused.stderr}`);
  } finally {
    await member.leave();
    client.close();
  }
}

/** A member fenced by a rebalance commits with its old generation; a stranger commits too. */
export async function fencedCommitScenario({ bootstrap, topic }) {
  const group = `${topic}-fenced`;
  const options = { ...defaultMemberOptions, sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10_000, heartbeatIntervalMs: 300 };
  const clientA = await connect(bootstrap);
  const clientB = await connect(bootstrap);
  const a = new GroupMember(clientA, group, [topic], options);
  const b = new GroupMember(clientB, group, [topic], options);
  try {
    const first = await a.join();
    if (!first.ok) throw first.error;
    const oldGeneration = a.generationId;
    const bJoined = b.join();
    // B's join starts a rebalance; A hears of it in a heartbeat and rejoins.
    await waitFor(() => a.needsRejoin, { timeoutMs: 15_000, pollMs: 50, what: 'member A to be told of the rebalance' });
    const again = await a.join();
    if (!again.ok) throw again.error;
    const bResult = await bJoined;
    if (!bResult.ok) throw bResult.error;
    expect(a.generationId > oldGeneration, `generation went from ${oldGeneration} to ${a.generationId}`);
    const found = await findCoordinator(clientA, group);
    if (!found.ok) throw found.error;
    const coordinator = await clientA.connectionTo(found.value.address);
    if (!coordinator.ok) throw coordinator.error;
    const offsets = new Map([[topic, new Map([[0, 1n]])]]);
    const commit = async (generationId, memberId) => {
      const result = await commitOffsets(clientA, coordinator.value, group, { generationId, memberId }, offsets);
      if (!result.ok) throw result.error;
      return firstCommitError(result.value);
    };
    const stale = await commit(oldGeneration, a.memberId);
    expect(stale === ErrorCode.ILLEGAL_GENERATION, `a commit with the fenced generation ${oldGeneration} answered ${stale}, expected ILLEGAL_GENERATION (22)`);
    const stranger = await commit(a.generationId, 'no-such-member');
    expect(stranger === ErrorCode.UNKNOWN_MEMBER_ID, `a commit from an unknown member answered ${stranger}, expected UNKNOWN_MEMBER_ID (25)`);
    const current = await commit(a.generationId, a.memberId);
    expect(current === ErrorCode.NONE, `a commit with the current generation answered ${current}`);
  } finally {
    await a.leave();
    await b.leave();
    clientA.close();
    clientB.close();
  }
}
