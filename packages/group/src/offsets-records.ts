/**
 * The record format of `__consumer_offsets` (ours, not Kafka's; Kafka's exact bytes are not
 * needed since only this coordinator reads them). Every key and value starts with an int16
 * version/type so the format can grow. Strings and bytes use Kafka's compact encodings
 * (unsigned varint length + 1; 0 = null), so no length limit applies.
 *
 * Keys:
 *   offset commit:  int16 1 | string groupId | string topic | int32 partition
 *   group metadata: int16 2 | string groupId
 * Values (a null value is a tombstone: the key is deleted):
 *   offset commit v0:  int16 0 | int64 offset | int32 leaderEpoch | nullable string metadata
 *                      | int64 commitTimestampMs
 *   group metadata v0: int16 0 | nullable string protocolType | int32 generationId
 *                      | nullable string protocolName | nullable string leaderId
 *                      | int64 stateTimestampMs | uvarint memberCount, then per member:
 *                      string memberId | nullable string groupInstanceId | string clientId
 *                      | string clientHost | int32 rebalanceTimeoutMs | int32 sessionTimeoutMs
 *                      | bytes subscription (metadata of the selected protocol) | bytes assignment
 * Compaction keeps the latest value per key; replay applies records in offset order, so the last
 * one per key wins either way.
 */
import { err, ok, TributaryError, type Result } from '@tributary/common';
import { Reader, Writer } from '@tributary/protocol';

const OFFSET_KEY = 1;
const GROUP_KEY = 2;
const VALUE_V0 = 0;

export class OffsetsRecordError extends TributaryError {
  override readonly name = 'OffsetsRecordError';
}

export type OffsetsKey =
  | { readonly kind: 'offset'; readonly groupId: string; readonly topic: string; readonly partition: number }
  | { readonly kind: 'group'; readonly groupId: string };

export interface OffsetValue {
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly commitTimestampMs: bigint;
}

export interface StoredMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly subscription: Buffer;
  readonly assignment: Buffer;
}

export interface GroupValue {
  readonly protocolType: string | null;
  readonly generationId: number;
  readonly protocolName: string | null;
  readonly leaderId: string | null;
  readonly stateTimestampMs: number;
  readonly members: readonly StoredMember[];
}

export function encodeOffsetKey(groupId: string, topic: string, partition: number): Buffer {
  const w = new Writer(64);
  w.int16(OFFSET_KEY);
  w.string(groupId, true);
  w.string(topic, true);
  w.int32(partition);
  return Buffer.from(w.finish());
}

export function encodeGroupKey(groupId: string): Buffer {
  const w = new Writer(32);
  w.int16(GROUP_KEY);
  w.string(groupId, true);
  return Buffer.from(w.finish());
}

export function encodeOffsetValue(v: OffsetValue): Buffer {
  const w = new Writer(64);
  w.int16(VALUE_V0);
  w.int64(v.offset);
  w.int32(v.leaderEpoch);
  w.string(v.metadata, true);
  w.int64(v.commitTimestampMs);
  return Buffer.from(w.finish());
}

export function encodeGroupValue(v: GroupValue): Buffer {
  const w = new Writer(256);
  w.int16(VALUE_V0);
  w.string(v.protocolType, true);
  w.int32(v.generationId);
  w.string(v.protocolName, true);
  w.string(v.leaderId, true);
  w.int64(BigInt(v.stateTimestampMs));
  w.uvarint(v.members.length);
  for (const m of v.members) {
    w.string(m.memberId, true);
    w.string(m.groupInstanceId, true);
    w.string(m.clientId, true);
    w.string(m.clientHost, true);
    w.int32(m.rebalanceTimeoutMs);
    w.int32(m.sessionTimeoutMs);
    w.bytes(m.subscription, true);
    w.bytes(m.assignment, true);
  }
  return Buffer.from(w.finish());
}

function decoding<T>(what: string, buf: Buffer, read: (r: Reader) => T): Result<T, OffsetsRecordError> {
  try {
    const r = new Reader(buf);
    const value = read(r);
    if (r.remaining !== 0) return err(new OffsetsRecordError(`${what}: ${r.remaining} trailing bytes`));
    return ok(value);
  } catch (e) {
    return err(new OffsetsRecordError(`${what}: ${(e as Error).message}`));
  }
}

export function decodeOffsetsKey(buf: Buffer): Result<OffsetsKey, OffsetsRecordError> {
  return decoding('offsets key', buf, (r) => {
    const type = r.int16();
    const groupId = r.string(true);
    if (type === GROUP_KEY) return { kind: 'group', groupId };
    if (type !== OFFSET_KEY) r.fail(`unknown key type ${type}`);
    return { kind: 'offset', groupId, topic: r.string(true), partition: r.int32() };
  });
}

export function decodeOffsetValue(buf: Buffer): Result<OffsetValue, OffsetsRecordError> {
  return decoding('offset value', buf, (r) => {
    const version = r.int16();
    if (version !== VALUE_V0) r.fail(`unknown offset value version ${version}`);
    return { offset: r.int64(), leaderEpoch: r.int32(), metadata: r.nullableString(true), commitTimestampMs: r.int64() };
  });
}

export function decodeGroupValue(buf: Buffer): Result<GroupValue, OffsetsRecordError> {
  return decoding('group value', buf, (r) => {
    const version = r.int16();
    if (version !== VALUE_V0) r.fail(`unknown group value version ${version}`);
    const protocolType = r.nullableString(true);
    const generationId = r.int32();
    const protocolName = r.nullableString(true);
    const leaderId = r.nullableString(true);
    const stateTimestampMs = Number(r.int64());
    const count = r.uvarint();
    // Each member takes at least 14 bytes, so a hostile count fails before any allocation.
    if (count * 14 > r.remaining) r.fail(`member count ${count} exceeds the bytes left`);
    const members: StoredMember[] = [];
    for (let i = 0; i < count; i++) {
      members.push({
        memberId: r.string(true),
        groupInstanceId: r.nullableString(true),
        clientId: r.string(true),
        clientHost: r.string(true),
        rebalanceTimeoutMs: r.int32(),
        sessionTimeoutMs: r.int32(),
        subscription: Buffer.from(r.bytes(true)),
        assignment: Buffer.from(r.bytes(true)),
      });
    }
    return { protocolType, generationId, protocolName, leaderId, stateTimestampMs, members };
  });
}
