/**
 * `tributary consume TOPIC --group G`: consumes as a member of a consumer group. Starts each
 * assigned partition at the group's committed offset (or the earliest/latest offset when none,
 * per --from-beginning), commits every commit interval and on exit, rejoins when the group
 * rebalances, and leaves the group on exit (max messages, timeout, SIGINT/SIGTERM).
 */
import { ErrorCode } from '@tributary/protocol';
import type { TopicMetadata } from '../client/cluster-metadata.js';
import { fetchPartitions } from '../client/fetcher.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../client/list-offsets.js';
import { unwrap } from '../cli-args.js';
import { CliFailure, fromClientError } from '../cli-error.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { formatRecord, type RecordFormat } from '../record-format.js';
import { topicWithLeaders } from '../topic-leaders.js';
import { GroupMember, defaultMemberOptions, type MemberOptions } from './group-member.js';

export interface GroupConsumeSettings {
  readonly topic: string;
  readonly groupId: string;
  /** Where a partition without a committed offset starts. */
  readonly fromBeginning: boolean;
  readonly maxMessages: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly format: RecordFormat;
  readonly keySeparator: string;
  readonly commitIntervalMs: number;
  readonly sessionTimeoutMs: number;
}

/** The longest a single Fetch may wait at the broker. */
const FETCH_WAIT_MS_MAX = 500;
/** How long to idle between checks when this member has no partitions. */
const IDLE_WAIT_MS = 200;

function memberOptions(sessionTimeoutMs: number): MemberOptions {
  return { ...defaultMemberOptions, sessionTimeoutMs, heartbeatIntervalMs: Math.max(100, Math.min(3_000, Math.floor(sessionTimeoutMs / 3))) };
}

export async function consumeAsGroupMember(client: KafkaClient, settings: GroupConsumeSettings, io: CliIo): Promise<number> {
  let topic = await topicWithLeaders(client, settings.topic, false);
  const member = new GroupMember(client, settings.groupId, [settings.topic], memberOptions(settings.sessionTimeoutMs));
  const positions = new Map<number, bigint>();
  let committed = new Map<number, bigint>();
  let stopping = false;
  const stop = (): void => {
    stopping = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const progress = { count: 0 };
  const commit = async (): Promise<void> => {
    const changed = new Map([...positions].filter(([p, offset]) => committed.get(p) !== offset));
    if (changed.size === 0 || member.generationId < 0) return;
    const result = await member.commit(new Map([[settings.topic, changed]]));
    if (result.ok) committed = new Map([...committed, ...changed]);
    else if (result.error.kind === 'kafka' && result.error.code === ErrorCode.REBALANCE_IN_PROGRESS) return;
    else await writeOut(io.stderr, `tributary consume: commit failed: ${result.error.message}\n`);
  };
  try {
    let lastRecordAt = Date.now();
    let lastCommitAt = Date.now();
    while (!stopping) {
      if (member.needsRejoin) {
        await commit();
        const assignment = unwrap(await member.join());
        topic = await topicWithLeaders(client, settings.topic, false);
        await startPositions(client, member, topic, assignment.get(settings.topic) ?? [], settings.fromBeginning, positions);
        committed = new Map(positions);
        lastRecordAt = Date.now();
      }
      const idleMs = Date.now() - lastRecordAt;
      if (settings.timeoutMs !== undefined && idleMs >= settings.timeoutMs) break;
      const waitMs = settings.timeoutMs === undefined ? FETCH_WAIT_MS_MAX : Math.max(0, Math.min(FETCH_WAIT_MS_MAX, settings.timeoutMs - idleMs));
      if (positions.size === 0) await new Promise((resolve) => setTimeout(resolve, Math.min(IDLE_WAIT_MS, waitMs)));
      else if (await fetchOnce(client, topic, positions, settings, waitMs, io, progress)) lastRecordAt = Date.now();
      if (settings.maxMessages !== undefined && progress.count >= settings.maxMessages) break;
      if (Date.now() - lastCommitAt >= settings.commitIntervalMs) {
        await commit();
        lastCommitAt = Date.now();
      }
    }
    await commit();
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await member.leave();
  }
  return progress.count;
}

async function startPositions(
  client: KafkaClient,
  member: GroupMember,
  topic: TopicMetadata,
  partitions: readonly number[],
  fromBeginning: boolean,
  positions: Map<number, bigint>,
): Promise<void> {
  positions.clear();
  if (partitions.length === 0) return;
  const committed = unwrap(await member.committed(topic.name, partitions));
  const missing = partitions.filter((p) => (committed.get(p) ?? -1n) < 0n);
  for (const p of partitions) if (!missing.includes(p)) positions.set(p, committed.get(p) as bigint);
  for (const [leader, group] of byLeader(topic, missing)) {
    const connection = unwrap(await client.nodeConnection(leader));
    const found = unwrap(await listOffsets(client, connection, topic.name, group, fromBeginning ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP));
    for (const p of group) positions.set(p, found.get(p) as bigint);
  }
}

function byLeader(topic: TopicMetadata, partitions: Iterable<number>): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const partition of partitions) {
    const leader = topic.partitions[partition]?.leader ?? -1;
    groups.set(leader, [...(groups.get(leader) ?? []), partition]);
  }
  return groups;
}

/** One fetch round over the assigned partitions; true when records arrived. Stops at max messages. */
async function fetchOnce(
  client: KafkaClient,
  topic: TopicMetadata,
  positions: Map<number, bigint>,
  settings: GroupConsumeSettings,
  waitMs: number,
  io: CliIo,
  progress: { count: number },
): Promise<boolean> {
  let got = false;
  for (const [leader, group] of byLeader(topic, positions.keys())) {
    const connection = await client.nodeConnection(leader);
    if (!connection.ok) throw fromClientError(connection.error);
    const wanted = new Map(group.map((p) => [p, positions.get(p) as bigint]));
    const options = { maxWaitMs: waitMs, maxBytes: 50 << 20, partitionMaxBytes: 1 << 20, isolationLevel: 0 };
    const results = unwrap(await fetchPartitions(client, connection.value, settings.topic, wanted, options));
    for (const [partition, result] of results) {
      if (result.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || result.errorCode === ErrorCode.LEADER_NOT_AVAILABLE) continue;
      if (result.errorCode !== ErrorCode.NONE) {
        throw new CliFailure(`fetch from ${settings.topic}-${partition} failed with error code ${result.errorCode}`, ExitCode.failure);
      }
      for (const record of result.records) {
        await writeOut(io.stdout, formatRecord(settings.topic, record, settings.format, settings.keySeparator));
        positions.set(partition, record.offset + 1n);
        got = true;
        progress.count++;
        if (settings.maxMessages !== undefined && progress.count >= settings.maxMessages) return got;
      }
      positions.set(partition, result.nextOffset);
    }
  }
  return got;
}
