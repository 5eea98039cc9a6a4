// Binary encoding of metadata records, as carried by the metadata Raft log. Layout:
//   [type code: u8][record version: u8][fields...]
// Ints are zigzag varints, lengths unsigned varints, uuids 16 raw bytes, strings UTF-8 with a
// varint length (length + 1 when nullable, 0 = null). A decoder rejects unknown types, versions
// it does not know, truncation, out-of-range values and trailing bytes, as values.
import { TributaryError, err, ok, unreachable, type Result } from '@tributary/common';
import { ByteReader, ByteWriter, ReadFailure, type DecodeFailureKind, type ReaderLimits } from './byte-io.js';
import type { BrokerEndpoint, ConfigResourceType, MetadataRecord, MetadataRecordType } from './records.js';

export type MetadataDecodeErrorKind = DecodeFailureKind | 'unknown-type' | 'unsupported-version' | 'trailing-bytes';

export class MetadataDecodeError extends TributaryError {
  override readonly name = 'MetadataDecodeError';
  constructor(
    readonly kind: MetadataDecodeErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface MetadataCodecLimits extends ReaderLimits {
  /** Largest encoded record accepted by decodeRecord. */
  readonly maxRecordBytes: number;
}

export const defaultMetadataCodecLimits: MetadataCodecLimits = {
  maxRecordBytes: 1024 * 1024,
  maxStringBytes: 32 * 1024,
  maxArrayLength: 10_000,
};

/** Type codes follow Kafka's metadata record api keys where one exists. */
const typeCodes: { readonly [T in MetadataRecordType]: number } = {
  'register-broker': 0,
  topic: 2,
  partition: 3,
  config: 4,
  'partition-change': 5,
  'fence-broker': 7,
  'unfence-broker': 8,
  'remove-topic': 9,
};
const typesByCode = new Map<number, MetadataRecordType>(
  Object.entries(typeCodes).map(([type, code]) => [code, type as MetadataRecordType]),
);

/** The only version of each record written today; a decoder refuses newer ones. */
export const METADATA_RECORD_VERSION = 0;

/** Kafka's ConfigResource type codes. */
const resourceTypeCodes: { readonly [T in ConfigResourceType]: number } = { topic: 2, broker: 4 };

export function encodeRecord(record: MetadataRecord): Uint8Array {
  const w = new ByteWriter();
  w.uint8(typeCodes[record.type]);
  w.uint8(METADATA_RECORD_VERSION);
  switch (record.type) {
    case 'register-broker':
      w.int32(record.brokerId);
      w.int32(record.brokerEpoch);
      w.uuid(record.incarnationId);
      w.uvarint(record.endpoints.length);
      for (const e of record.endpoints) writeEndpoint(w, e);
      w.nullableString(record.rack);
      w.uint8(record.fenced ? 1 : 0);
      break;
    case 'fence-broker':
    case 'unfence-broker':
      w.int32(record.brokerId);
      w.int32(record.brokerEpoch);
      break;
    case 'topic':
      w.string(record.name);
      w.uuid(record.topicId);
      break;
    case 'partition':
      w.uuid(record.topicId);
      w.int32(record.partition);
      w.int32Array(record.replicas);
      w.int32Array(record.isr);
      w.int32(record.leader);
      w.int32(record.leaderEpoch);
      w.int32(record.partitionEpoch);
      break;
    case 'partition-change':
      w.uuid(record.topicId);
      w.int32(record.partition);
      w.uint8(record.isr === null ? 0 : 1);
      if (record.isr !== null) w.int32Array(record.isr);
      w.uint8(record.leader === null ? 0 : 1);
      if (record.leader !== null) w.int32(record.leader);
      break;
    case 'config':
      w.uint8(resourceTypeCodes[record.resourceType]);
      w.string(record.resourceName);
      w.string(record.key);
      w.nullableString(record.value);
      break;
    case 'remove-topic':
      w.uuid(record.topicId);
      break;
    default:
      unreachable(record);
  }
  return w.toBytes();
}

function writeEndpoint(w: ByteWriter, e: BrokerEndpoint): void {
  w.string(e.name);
  w.string(e.host);
  w.int32(e.port);
  w.int32(e.securityProtocol);
}

export function decodeRecord(
  bytes: Uint8Array,
  limits: MetadataCodecLimits = defaultMetadataCodecLimits,
): Result<MetadataRecord, MetadataDecodeError> {
  if (bytes.length > limits.maxRecordBytes) {
    return err(new MetadataDecodeError('too-large', `record of ${bytes.length} bytes exceeds ${limits.maxRecordBytes}`));
  }
  const r = new ByteReader(bytes, limits);
  try {
    const code = r.uint8();
    const type = typesByCode.get(code);
    if (type === undefined) return err(new MetadataDecodeError('unknown-type', `unknown metadata record type ${code}`));
    const version = r.uint8();
    if (version !== METADATA_RECORD_VERSION) {
      return err(new MetadataDecodeError('unsupported-version', `${type} record version ${version} is not supported`));
    }
    const record = readBody(r, type);
    if (r.remaining > 0) {
      return err(new MetadataDecodeError('trailing-bytes', `${r.remaining} bytes after a ${type} record`));
    }
    return ok(record);
  } catch (e) {
    if (e instanceof ReadFailure) return err(new MetadataDecodeError(e.kind, e.message));
    throw e;
  }
}

function readBody(r: ByteReader, type: MetadataRecordType): MetadataRecord {
  switch (type) {
    case 'register-broker': {
      const brokerId = r.int32();
      const brokerEpoch = r.int32();
      const incarnationId = r.uuid();
      const count = r.arrayLength();
      const endpoints: BrokerEndpoint[] = [];
      for (let i = 0; i < count; i++) endpoints.push(readEndpoint(r));
      const rack = r.nullableString();
      const fenced = r.boolean();
      return { type, brokerId, brokerEpoch, incarnationId, endpoints, rack, fenced };
    }
    case 'fence-broker':
    case 'unfence-broker':
      return { type, brokerId: r.int32(), brokerEpoch: r.int32() };
    case 'topic':
      return { type, name: r.string(), topicId: r.uuid() };
    case 'partition':
      return {
        type,
        topicId: r.uuid(),
        partition: r.int32(),
        replicas: r.int32Array(),
        isr: r.int32Array(),
        leader: r.int32(),
        leaderEpoch: r.int32(),
        partitionEpoch: r.int32(),
      };
    case 'partition-change': {
      const topicId = r.uuid();
      const partition = r.int32();
      const isr = r.boolean() ? r.int32Array() : null;
      const leader = r.boolean() ? r.int32() : null;
      return { type, topicId, partition, isr, leader };
    }
    case 'config':
      return { type, resourceType: readResourceType(r), resourceName: r.string(), key: r.string(), value: r.nullableString() };
    case 'remove-topic':
      return { type, topicId: r.uuid() };
    default:
      return unreachable(type);
  }
}

function readEndpoint(r: ByteReader): BrokerEndpoint {
  return { name: r.string(), host: r.string(), port: r.int32(), securityProtocol: r.int32() };
}

function readResourceType(r: ByteReader): ConfigResourceType {
  const code = r.uint8();
  if (code === resourceTypeCodes.topic) return 'topic';
  if (code === resourceTypeCodes.broker) return 'broker';
  throw new ReadFailure('invalid', `unknown config resource type ${code}`);
}
