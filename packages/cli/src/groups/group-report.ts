/**
 * What `tributary groups describe` shows: a group's state and members, each member's
 * assigned partitions (decoded from the consumer protocol), and per partition the committed
 * offset, the log end offset and the lag, as kafka-consumer-groups.sh --describe does.
 */
import { ErrorCode } from '@tributary/protocol';
import { decodeAssignment, CONSUMER_PROTOCOL_TYPE } from '../client/consumer-protocol.js';
import { describeGroup, fetchCommittedOffsets, type GroupDescription } from '../client/group-admin.js';
import { findCoordinator } from '../client/group-coordinator.js';
import type { KafkaClient, NegotiatedConnection } from '../client/kafka-client.js';
import { LATEST_TIMESTAMP, listOffsets } from '../client/list-offsets.js';
import { unwrap } from '../cli-args.js';
import { CliFailure, fromClientError } from '../cli-error.js';
import { ClientError } from '../client/client-error.js';
import { ExitCode } from '../exit-codes.js';

export interface PartitionReport {
  readonly topic: string;
  readonly partition: number;
  /** null when the group has committed nothing for the partition. */
  readonly committedOffset: bigint | null;
  /** null when the topic is gone or its leader did not answer. */
  readonly logEndOffset: bigint | null;
  readonly lag: bigint | null;
  readonly memberId: string | null;
  readonly clientId: string | null;
  readonly host: string | null;
}

export interface MemberReport {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly host: string;
  /** topic → partitions; empty for a non-consumer protocol type. */
  readonly assignment: Map<string, number[]>;
}

export interface GroupReport {
  readonly groupId: string;
  readonly state: string;
  readonly protocolType: string;
  readonly protocol: string;
  readonly coordinator: number;
  readonly members: MemberReport[];
  readonly partitions: PartitionReport[];
}

/** Exit 3 for a group the coordinator does not know, as for an unknown topic. */
export function unknownGroup(groupId: string): CliFailure {
  return new CliFailure(`group ${groupId} does not exist`, ExitCode.unknownTopic);
}

export async function groupCoordinator(client: KafkaClient, groupId: string): Promise<{ nodeId: number; connection: NegotiatedConnection }> {
  const found = unwrap(await findCoordinator(client, groupId));
  return { nodeId: found.nodeId, connection: unwrap(await client.connectionTo(found.address)) };
}

/** DescribeGroups, failing with exit 3 when the group does not exist. */
export async function describeExisting(client: KafkaClient, coordinator: NegotiatedConnection, groupId: string): Promise<GroupDescription> {
  const described = unwrap(await describeGroup(client, coordinator, groupId));
  if (described.errorCode === ErrorCode.GROUP_ID_NOT_FOUND || (described.errorCode === ErrorCode.NONE && described.state === 'Dead')) throw unknownGroup(groupId);
  if (described.errorCode !== ErrorCode.NONE) throw fromClientError(ClientError.fromCode(described.errorCode, `describe group ${groupId}`));
  return described;
}

function membersOf(description: GroupDescription): MemberReport[] {
  return description.members.map((m) => {
    const decoded = description.protocolType === CONSUMER_PROTOCOL_TYPE ? decodeAssignment(m.assignment) : null;
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: decoded !== null && decoded.ok ? decoded.value : new Map(),
    };
  });
}

export async function groupReport(client: KafkaClient, groupId: string): Promise<GroupReport> {
  const coordinator = await groupCoordinator(client, groupId);
  const description = await describeExisting(client, coordinator.connection, groupId);
  const members = membersOf(description);
  const committed = unwrap(await fetchCommittedOffsets(client, coordinator.connection, groupId, null));
  // Every partition that is assigned or has a commit, by topic.
  const owners = new Map<string, MemberReport>();
  const partitions = new Map<string, Set<number>>();
  const add = (topic: string, partition: number): void => {
    partitions.set(topic, (partitions.get(topic) ?? new Set()).add(partition));
  };
  for (const m of members) for (const [topic, list] of m.assignment) for (const p of list) (add(topic, p), owners.set(`${topic}\u0000${p}`, m));
  for (const [topic, offsets] of committed) for (const [p, offset] of offsets) if (offset >= 0n) add(topic, p);
  const ends = await logEndOffsets(client, partitions);
  const rows: PartitionReport[] = [];
  for (const topic of [...partitions.keys()].sort()) {
    for (const partition of [...(partitions.get(topic) ?? [])].sort((a, b) => a - b)) {
      const offset = committed.get(topic)?.get(partition) ?? -1n;
      const end = ends.get(topic)?.get(partition) ?? null;
      const owner = owners.get(`${topic}\u0000${partition}`);
      rows.push({
        topic,
        partition,
        committedOffset: offset >= 0n ? offset : null,
        logEndOffset: end,
        lag: end !== null && offset >= 0n ? (end > offset ? end - offset : 0n) : null,
        memberId: owner?.memberId ?? null,
        clientId: owner?.clientId ?? null,
        host: owner?.host ?? null,
      });
    }
  }
  return {
    groupId,
    state: description.state,
    protocolType: description.protocolType,
    protocol: description.protocol,
    coordinator: coordinator.nodeId,
    members,
    partitions: rows,
  };
}

/** Latest offsets by topic and partition, asked of each partition's leader; missing topics are skipped. */
async function logEndOffsets(client: KafkaClient, wanted: Map<string, Set<number>>): Promise<Map<string, Map<number, bigint>>> {
  const out = new Map<string, Map<number, bigint>>();
  if (wanted.size === 0) return out;
  const cluster = unwrap(await client.metadata([...wanted.keys()], false));
  for (const topic of cluster.topics) {
    if (topic.errorCode !== ErrorCode.NONE) continue;
    const byLeader = new Map<number, number[]>();
    for (const p of wanted.get(topic.name) ?? []) {
      const leader = topic.partitions[p]?.leader ?? -1;
      if (leader >= 0) byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const ends = new Map<number, bigint>();
    for (const [leader, partitions] of byLeader) {
      const connection = await client.nodeConnection(leader);
      if (!connection.ok) continue;
      const found = await listOffsets(client, connection.value, topic.name, partitions, LATEST_TIMESTAMP);
      if (found.ok) for (const [p, offset] of found.value) ends.set(p, offset);
    }
    out.set(topic.name, ends);
  }
  return out;
}
