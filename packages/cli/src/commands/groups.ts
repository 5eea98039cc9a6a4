/**
 * `tributary groups list|describe|reset-offsets`, in the manner of kafka-consumer-groups.sh.
 * list and describe take --json for scripts. reset-offsets prints its plan and changes
 * nothing without --execute; it refuses while the group has members, as Kafka does.
 */
import { ErrorCode } from '@tributary/protocol';
import { commitOffsets, describeGroup, fetchCommittedOffsets, firstCommitError, listGroups, type ListedGroup } from '../client/group-admin.js';
import { findCoordinator } from '../client/group-coordinator.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { ClientError } from '../client/client-error.js';
import { bootstrapOption, connectClient, intOption, parseCommand, resolveBootstrap, unwrap } from '../cli-args.js';
import { CliFailure, fromClientError, usageError } from '../cli-error.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { formatTable } from '../table.js';
import { topicWithLeaders } from '../topic-leaders.js';
import { describeExisting, groupCoordinator, groupReport, type GroupReport } from '../groups/group-report.js';
import { resetPlan, type ResetRow, type ResetTarget } from '../groups/reset-plan.js';
import { parseTimestamp } from './consume.js';

export const groupsUsage = `Usage: tributary groups <action> [options]

Actions:
  list [--json]                       every group on every broker: id, state, protocol type
  describe GROUP [--json]             state, members and their partitions, committed offsets and lag
  reset-offsets GROUP --topic T (--to-earliest | --to-latest | --to-offset N |
                --to-datetime ISO | --to-timestamp MS) [--execute]
                                      move the group's committed offsets; prints the plan
                                      and changes nothing without --execute; the group must
                                      have no active members

Options:
  --bootstrap HOST:PORT   broker to contact (default localhost:9092, env TRIBUTARY_BOOTSTRAP)
`;

const options = {
  ...bootstrapOption,
  json: { type: 'boolean' },
  topic: { type: 'string' },
  'to-earliest': { type: 'boolean' },
  'to-latest': { type: 'boolean' },
  'to-offset': { type: 'string' },
  'to-datetime': { type: 'string' },
  'to-timestamp': { type: 'string' },
  execute: { type: 'boolean' },
} as const;

type Parsed = ReturnType<typeof parseCommand<typeof options>>;

export async function runGroups(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(argv, options);
  const [action, ...names] = parsed.positionals;
  if (parsed.values.help || action === undefined) {
    await writeOut(parsed.values.help ? io.stdout : io.stderr, groupsUsage);
    return parsed.values.help ? ExitCode.ok : ExitCode.usage;
  }
  const actions: Record<string, (client: KafkaClient, names: string[], p: Parsed, io: CliIo) => Promise<void>> = {
    list: listAction,
    describe: describeAction,
    'reset-offsets': resetAction,
  };
  const run = actions[action];
  if (run === undefined) throw usageError(`unknown groups action "${action}"; expected list, describe or reset-offsets`);
  if (action === 'list' && names.length > 0) throw usageError('groups list takes no arguments');
  if (action !== 'list' && names.length !== 1) throw usageError(`groups ${action} needs exactly one group id`);
  // Bad flag values are usage errors (exit 2) whether or not a broker is reachable.
  if (action === 'reset-offsets') resetTarget(parsed);
  const client = await connectClient(resolveBootstrap(parsed.values.bootstrap, io.env));
  try {
    await run(client, names, parsed, io);
  } finally {
    client.close();
  }
  return ExitCode.ok;
}

async function listAction(client: KafkaClient, _names: string[], p: Parsed, io: CliIo): Promise<void> {
  const groups = await withStates(client, unwrap(await listGroups(client)));
  if (p.values.json) {
    await writeOut(io.stdout, JSON.stringify({ groups: groups.map((g) => ({ group: g.groupId, state: g.state, protocolType: g.protocolType, coordinator: g.brokerId })) }) + '\n');
    return;
  }
  if (groups.length === 0) return;
  const rows = groups.map((g) => [g.groupId, g.state, g.protocolType === '' ? '-' : g.protocolType]);
  await writeOut(io.stdout, formatTable(['GROUP', 'STATE', 'PROTOCOL-TYPE'], rows));
}

/** Brokers older than ListGroups v4 give no state: ask each group's coordinator. */
async function withStates(client: KafkaClient, groups: ListedGroup[]): Promise<ListedGroup[]> {
  const out: ListedGroup[] = [];
  for (const g of groups) {
    if (g.state !== '') {
      out.push(g);
      continue;
    }
    let state = 'Unknown';
    const coordinator = await findCoordinator(client, g.groupId);
    const connection = coordinator.ok ? await client.connectionTo(coordinator.value.address) : null;
    if (connection !== null && connection.ok) {
      const described = await describeGroup(client, connection.value, g.groupId);
      if (described.ok && described.value.errorCode === ErrorCode.NONE) state = described.value.state;
    }
    out.push({ ...g, state });
  }
  return out;
}

async function describeAction(client: KafkaClient, [groupId]: string[], p: Parsed, io: CliIo): Promise<void> {
  const report = await groupReport(client, groupId);
  if (p.values.json) await writeOut(io.stdout, JSON.stringify(reportJson(report)) + '\n');
  else await writeOut(io.stdout, reportText(report));
}

const text = (v: bigint | string | null): string => (v === null ? '-' : String(v));

function reportText(r: GroupReport): string {
  const protocol = r.protocol === '' ? '-' : r.protocol;
  const head = `Group: ${r.groupId}\tState: ${r.state}\tProtocol: ${protocol} (${r.protocolType === '' ? '-' : r.protocolType})\tMembers: ${r.members.length}\tCoordinator: ${r.coordinator}\n\n`;
  const partitions =
    r.partitions.length === 0
      ? 'No committed offsets or assigned partitions.\n'
      : formatTable(
          ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
          r.partitions.map((x) => [x.topic, String(x.partition), text(x.committedOffset), text(x.logEndOffset), text(x.lag), text(x.memberId), text(x.host), text(x.clientId)]),
        );
  const members =
    r.members.length === 0
      ? ''
      : '\n' +
        formatTable(
          ['CONSUMER-ID', 'HOST', 'CLIENT-ID', 'ASSIGNMENT'],
          r.members.map((m) => [m.memberId, m.host, m.clientId, [...m.assignment].map(([t, ps]) => `${t}(${ps.join(',')})`).join(' ') || '-']),
        );
  return head + partitions + members;
}

function reportJson(r: GroupReport): unknown {
  const n = (v: bigint | null): number | null => (v === null ? null : Number(v));
  return {
    group: r.groupId,
    state: r.state,
    protocolType: r.protocolType,
    protocol: r.protocol,
    coordinator: r.coordinator,
    members: r.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      host: m.host,
      assignment: [...m.assignment].map(([topic, partitions]) => ({ topic, partitions })),
    })),
    offsets: r.partitions.map((x) => ({
      topic: x.topic,
      partition: x.partition,
      committedOffset: n(x.committedOffset),
      logEndOffset: n(x.logEndOffset),
      lag: n(x.lag),
      memberId: x.memberId,
      clientId: x.clientId,
      host: x.host,
    })),
  };
}

function resetTarget(p: Parsed): ResetTarget {
  const v = p.values;
  const chosen = [v['to-earliest'], v['to-latest'], v['to-offset'], v['to-datetime'], v['to-timestamp']].filter((x) => x !== undefined && x !== false);
  if (chosen.length !== 1) throw usageError('reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime and --to-timestamp');
  if (v.topic === undefined || v.topic === '') throw usageError('reset-offsets needs --topic');
  if (v['to-earliest']) return { kind: 'earliest' };
  if (v['to-latest']) return { kind: 'latest' };
  if (v['to-offset'] !== undefined) return { kind: 'offset', offset: BigInt(intOption(v['to-offset'], '--to-offset', 0) ?? 0) };
  if (v['to-timestamp'] !== undefined) return { kind: 'timestamp', timestamp: BigInt(intOption(v['to-timestamp'], '--to-timestamp', 0) ?? 0) };
  const iso = v['to-datetime'] as string;
  if (Number.isNaN(Date.parse(iso))) throw usageError(`--to-datetime needs an ISO date, got "${iso}"`);
  return { kind: 'timestamp', timestamp: parseTimestamp(iso) };
}

async function resetAction(client: KafkaClient, [groupId]: string[], p: Parsed, io: CliIo): Promise<void> {
  const target = resetTarget(p);
  const topicName = p.values.topic as string;
  const coordinator = await groupCoordinator(client, groupId);
  // A group that does not exist yet may have offsets set (Kafka creates it); describe to see members.
  const described = unwrap(await describeGroup(client, coordinator.connection, groupId));
  const known = described.errorCode === ErrorCode.NONE && described.state !== 'Dead';
  if (known) await describeExisting(client, coordinator.connection, groupId);
  if (known && described.members.length > 0) {
    throw new CliFailure(
      `cannot reset offsets of group ${groupId}: it has ${described.members.length} active member${described.members.length === 1 ? '' : 's'} (state ${described.state}); stop its consumers first`,
      ExitCode.failure,
    );
  }
  const topic = await topicWithLeaders(client, topicName, false);
  const partitions = topic.partitions.map((x) => x.partition);
  const committed = unwrap(await fetchCommittedOffsets(client, coordinator.connection, groupId, new Map([[topicName, partitions]])));
  const plan = await resetPlan(client, topic, committed.get(topicName) ?? new Map(), target);
  await writeOut(io.stdout, planText(groupId, topicName, plan));
  if (!p.values.execute) {
    await writeOut(io.stdout, 'Dry run: nothing changed. Run again with --execute to commit these offsets.\n');
    return;
  }
  const offsets = new Map([[topicName, new Map(plan.map((row) => [row.partition, row.target]))]]);
  const codes = unwrap(await commitOffsets(client, coordinator.connection, groupId, { generationId: -1, memberId: '' }, offsets));
  const code = firstCommitError(codes);
  if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.REBALANCE_IN_PROGRESS || code === ErrorCode.ILLEGAL_GENERATION) {
    throw new CliFailure(`cannot reset offsets of group ${groupId}: a member joined meanwhile (${ClientError.fromCode(code, 'commit').message})`, ExitCode.failure);
  }
  if (code !== ErrorCode.NONE) throw fromClientError(ClientError.fromCode(code, `commit offsets of group ${groupId}`));
  await writeOut(io.stdout, `Committed new offsets for ${plan.length} partition${plan.length === 1 ? '' : 's'} of ${topicName}.\n`);
}

function planText(groupId: string, topic: string, plan: readonly ResetRow[]): string {
  const rows = plan.map((r) => [groupId, topic, String(r.partition), text(r.current), String(r.target)]);
  return formatTable(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'], rows);
}
