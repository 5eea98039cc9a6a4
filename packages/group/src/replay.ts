/**
 * Rebuilding a coordinator's groups from its `__consumer_offsets` partition: records in offset
 * order, the latest value per key wins, tombstones delete. A group with members comes back
 * Stable (as in Kafka) with every member's session starting now; one without, Empty.
 */
import { Group, type Member } from './group-metadata.js';
import type { OffsetsRecord } from './group-types.js';
import { decodeGroupValue, decodeOffsetValue, decodeOffsetsKey, type GroupValue, type OffsetValue } from './offsets-records.js';

export interface ReplayResult {
  readonly groups: Map<string, Group>;
  /** Records whose key or value could not be read (skipped, as Kafka skips unknown record types). */
  readonly skipped: number;
}

export function replayOffsetsRecords(records: Iterable<OffsetsRecord>, nowMs: number): ReplayResult {
  const metadata = new Map<string, GroupValue>();
  const offsets = new Map<string, Map<string, Map<number, OffsetValue>>>();
  let skipped = 0;
  for (const record of records) {
    const key = decodeOffsetsKey(record.key);
    if (!key.ok) {
      skipped++;
      continue;
    }
    const k = key.value;
    if (k.kind === 'group') {
      if (record.value === null) {
        metadata.delete(k.groupId);
        continue;
      }
      const value = decodeGroupValue(record.value);
      if (value.ok) metadata.set(k.groupId, value.value);
      else skipped++;
      continue;
    }
    let byTopic = offsets.get(k.groupId);
    if (record.value === null) {
      byTopic?.get(k.topic)?.delete(k.partition);
      continue;
    }
    const value = decodeOffsetValue(record.value);
    if (!value.ok) {
      skipped++;
      continue;
    }
    if (byTopic === undefined) offsets.set(k.groupId, (byTopic = new Map()));
    let partitions = byTopic.get(k.topic);
    if (partitions === undefined) byTopic.set(k.topic, (partitions = new Map()));
    partitions.set(k.partition, value.value);
  }
  const groups = new Map<string, Group>();
  for (const groupId of new Set([...metadata.keys(), ...offsets.keys()])) {
    const group = restoreGroup(groupId, metadata.get(groupId), nowMs);
    for (const [topic, partitions] of offsets.get(groupId) ?? []) if (partitions.size > 0) group.offsets.set(topic, new Map(partitions));
    if (metadata.has(groupId) || group.offsets.size > 0) groups.set(groupId, group);
  }
  return { groups, skipped };
}

function restoreGroup(groupId: string, value: GroupValue | undefined, nowMs: number): Group {
  const group = new Group(groupId, nowMs);
  if (value === undefined) return group;
  group.protocolType = value.protocolType;
  group.generationId = value.generationId;
  group.protocolName = value.protocolName;
  group.stateTimestampMs = value.stateTimestampMs;
  for (const m of value.members) group.add(restoreMember(m, value.protocolType ?? '', value.protocolName, nowMs));
  group.leaderId = value.leaderId !== null && group.members.has(value.leaderId) ? value.leaderId : (group.members.keys().next().value ?? null);
  group.protocolType = value.protocolType;
  // A group that had members resumes Stable (its members heartbeat or time out as usual).
  if (group.members.size > 0) group.state = 'Stable';
  return group;
}

function restoreMember(m: GroupValue['members'][number], protocolType: string, protocolName: string | null, nowMs: number): Member {
  return {
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    sessionTimeoutMs: m.sessionTimeoutMs,
    protocolType,
    protocols: protocolName === null ? [] : [{ name: protocolName, metadata: m.subscription }],
    assignment: m.assignment,
    awaitingJoin: null,
    awaitingSync: null,
    lastHeartbeatMs: nowMs,
    isNew: false,
  };
}
