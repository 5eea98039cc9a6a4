import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { ErrorCode } from '@tributary/protocol';
import { runCli } from '../run-cli.js';
import { FakeBroker } from '../client/testing/fake-broker.js';
import { KafkaClient } from '../client/kafka-client.js';
import { commitOffsets, firstCommitError } from '../client/group-admin.js';
import { GroupMember } from './group-member.js';

async function cli(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const errs: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => errs.push(c));
  const code = await runCli(args, { stdin: Readable.from([stdin]), stdout, stderr, env: {} });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(errs).toString() };
}

test('a group member joins (MEMBER_ID_REQUIRED first), is assigned every partition, commits and leaves', async () => {
  const broker = await FakeBroker.start({ groups: true });
  broker.addTopic('t', 3);
  const client = await KafkaClient.connect({ host: '127.0.0.1', port: broker.port });
  assert.ok(client.ok);
  const member = new GroupMember(client.value, 'g', ['t']);
  const joined = await member.join();
  assert.ok(joined.ok, joined.ok ? '' : joined.error.message);
  assert.deepEqual([...joined.value], [['t', [0, 1, 2]]]);
  assert.match(member.memberId, /^member-/);
  assert.equal(member.generationId, 1);
  assert.ok((await member.commit(new Map([['t', new Map([[0, 5n], [2, 7n]])]]))).ok);
  const committed = await member.committed('t', [0, 1, 2]);
  assert.ok(committed.ok);
  assert.deepEqual([...committed.value], [[0, 5n], [1, -1n], [2, 7n]]);
  // A commit from a fenced generation, or from a member the group does not know, is refused.
  const coordinator = await client.value.connectionTo({ host: '127.0.0.1', port: broker.port });
  assert.ok(coordinator.ok);
  const offsets = new Map([['t', new Map([[0, 1n]])]]);
  const stale = await commitOffsets(client.value, coordinator.value, 'g', { generationId: 0, memberId: member.memberId }, offsets);
  assert.ok(stale.ok);
  assert.equal(firstCommitError(stale.value), ErrorCode.ILLEGAL_GENERATION);
  const stranger = await commitOffsets(client.value, coordinator.value, 'g', { generationId: 1, memberId: 'nobody' }, offsets);
  assert.ok(stranger.ok);
  assert.equal(firstCommitError(stranger.value), ErrorCode.UNKNOWN_MEMBER_ID);
  await member.leave();
  assert.equal(broker.coordinator?.groups.get('g')?.members.size, 0);
  client.value.close();
  await broker.stop();
});

test('groups list, describe (assignment, offsets, lag) and reset-offsets; unknown groups exit 3', async () => {
  const broker = await FakeBroker.start({ groups: true });
  broker.addTopic('t', 2);
  const b = ['--bootstrap', broker.bootstrap];
  const lines = Array.from({ length: 10 }, (_, i) => `value ${i}`).join('\n') + '\n';
  assert.equal((await cli(['produce', 't', '--partition', '0', ...b], lines)).code, 0);
  // A member that reads 4 records, commits and leaves; a second consume resumes after them.
  const first = await cli(['consume', 't', '--group', 'g', '--from-beginning', '--max-messages', '4', ...b]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, 'value 0\nvalue 1\nvalue 2\nvalue 3\n');
  const rest = await cli(['consume', 't', '--group', 'g', '--from-beginning', '--timeout-ms', '600', ...b]);
  assert.equal(rest.code, 0, rest.stderr);
  assert.equal(rest.stdout, Array.from({ length: 6 }, (_, i) => `value ${i + 4}`).join('\n') + '\n');
  const list = await cli(['groups', 'list', ...b]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^GROUP +STATE +PROTOCOL-TYPE\ng +Empty +consumer\n$/);
  assert.deepEqual(JSON.parse((await cli(['groups', 'list', '--json', ...b])).stdout), { groups: [{ group: 'g', state: 'Empty', protocolType: 'consumer', coordinator: 1 }] });
  const described = JSON.parse((await cli(['groups', 'describe', 'g', '--json', ...b])).stdout);
  assert.equal(described.state, 'Empty');
  assert.deepEqual(described.offsets.map((o: { partition: number; committedOffset: number; logEndOffset: number; lag: number }) => [o.partition, o.committedOffset, o.logEndOffset, o.lag]), [[0, 10, 10, 0]]);
  const dry = await cli(['groups', 'reset-offsets', 'g', '--topic', 't', '--to-offset', '3', ...b]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /g +t +0 +10 +3\ng +t +1 +- +0\nDry run/);
  assert.equal(broker.coordinator?.groups.get('g')?.offsets.get('t')?.get(0), 10n);
  const done = await cli(['groups', 'reset-offsets', 'g', '--topic', 't', '--to-earliest', '--execute', ...b]);
  assert.equal(done.code, 0, done.stderr);
  assert.equal(broker.coordinator?.groups.get('g')?.offsets.get('t')?.get(0), 0n);
  const unknown = await cli(['groups', 'describe', 'nope', ...b]);
  assert.equal(unknown.code, 3);
  assert.match(unknown.stderr, /group nope does not exist/);
  assert.equal((await cli(['groups', 'reset-offsets', 'g', '--topic', 't', ...b])).code, 2);
  assert.equal((await cli(['groups', 'reset-offsets', 'g', '--topic', 'missing', '--to-latest', ...b])).code, 3);
  await broker.stop();
});

test('reset-offsets refuses while the group has members; describe shows them with their partitions', async () => {
  const broker = await FakeBroker.start({ groups: true });
  broker.addTopic('t', 3);
  const b = ['--bootstrap', broker.bootstrap];
  const client = await KafkaClient.connect({ host: '127.0.0.1', port: broker.port });
  assert.ok(client.ok);
  const member = new GroupMember(client.value, 'busy', ['t']);
  assert.ok((await member.join()).ok);
  const refused = await cli(['groups', 'reset-offsets', 'busy', '--topic', 't', '--to-latest', '--execute', ...b]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /cannot reset offsets of group busy: it has 1 active member \(state Stable\)/);
  const text = await cli(['groups', 'describe', 'busy', ...b]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Group: busy\tState: Stable\tProtocol: range \(consumer\)\tMembers: 1/);
  assert.match(text.stdout, new RegExp(`t\\(0,1,2\\)`));
  assert.match(text.stdout, new RegExp(`t +2 +- +0 +- +${member.memberId}`));
  await member.leave();
  client.value.close();
  await broker.stop();
});
