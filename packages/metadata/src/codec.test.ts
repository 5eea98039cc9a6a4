import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRecord, encodeRecord, defaultMetadataCodecLimits, MetadataDecodeError } from './codec.js';
import type { MetadataRecord, MetadataRecordType } from './records.js';
import { anyRecordArb } from './testing/arbitraries.js';

const recordTypes: MetadataRecordType[] = [
  'register-broker',
  'fence-broker',
  'unfence-broker',
  'topic',
  'partition',
  'partition-change',
  'config',
  'remove-topic',
];

for (const type of recordTypes) {
  test(`codec: ${type} records round-trip`, () => {
    fc.assert(
      fc.property(anyRecordArb.filter((r) => r.type === type), (record) => {
        const decoded = decodeRecord(encodeRecord(record));
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
        assert.deepEqual(decoded.value, record);
      }),
      { numRuns: 200 },
    );
  });
}

test('codec: every strict prefix of an encoding is a truncated error', () => {
  fc.assert(
    fc.property(anyRecordArb, (record) => {
      const bytes = encodeRecord(record);
      for (let length = 0; length < bytes.length; length++) {
        const decoded = decodeRecord(bytes.subarray(0, length));
        assert.ok(!decoded.ok);
        assert.ok(decoded.error instanceof MetadataDecodeError);
        assert.equal(decoded.error.kind, 'truncated');
      }
    }),
    { numRuns: 200 },
  );
});

test('codec: garbage never throws, and anything it accepts re-encodes to a decodable record', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const decoded = decodeRecord(bytes);
      if (!decoded.ok) {
        assert.ok(decoded.error instanceof MetadataDecodeError);
        return;
      }
      const again = decodeRecord(encodeRecord(decoded.value));
      assert.ok(again.ok);
      assert.deepEqual(again.value, decoded.value);
    }),
    { numRuns: 2000 },
  );
});

const removeTopic: MetadataRecord = { type: 'remove-topic', topicId: '0123456789abcdef0123456789abcdef' };

function errorKind(bytes: Uint8Array, limits = defaultMetadataCodecLimits): string {
  const decoded = decodeRecord(bytes, limits);
  assert.ok(!decoded.ok, 'expected a decode error');
  return decoded.error.kind;
}

test('codec: unknown types, newer versions and trailing bytes are typed errors', () => {
  const bytes = encodeRecord(removeTopic);
  assert.equal(errorKind(Uint8Array.from([200, 0])), 'unknown-type');
  assert.equal(errorKind(Uint8Array.from([bytes[0], 1, ...bytes.subarray(2)])), 'unsupported-version');
  assert.equal(errorKind(Uint8Array.from([...bytes, 0])), 'trailing-bytes');
});

test('codec: invalid field values are typed errors', () => {
  const config: MetadataRecord = { type: 'config', resourceType: 'topic', resourceName: 't', key: 'k', value: null };
  const bytes = encodeRecord(config);
  // Byte 2 is the resource type code.
  assert.equal(errorKind(Uint8Array.from([bytes[0], bytes[1], 9, ...bytes.subarray(3)])), 'invalid');
  // A topic name that is not UTF-8: type, version, length 1, then a lone continuation byte.
  const topic = encodeRecord({ type: 'topic', name: 'x', topicId: removeTopic.topicId });
  assert.equal(errorKind(Uint8Array.from([topic[0], topic[1], 1, 0x80, ...topic.subarray(4)])), 'invalid');
  // A broker id varint longer than five bytes.
  const fence = encodeRecord({ type: 'fence-broker', brokerId: 1, brokerEpoch: 1 });
  assert.equal(errorKind(Uint8Array.from([fence[0], fence[1], 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), 'invalid');
});

test('codec: bounds on record size, strings and arrays are enforced', () => {
  const topic = encodeRecord({ type: 'topic', name: 'abcdef', topicId: removeTopic.topicId });
  assert.equal(errorKind(topic, { ...defaultMetadataCodecLimits, maxStringBytes: 5 }), 'too-large');
  assert.equal(errorKind(topic, { ...defaultMetadataCodecLimits, maxRecordBytes: 4 }), 'too-large');
  const partition = encodeRecord({
    type: 'partition',
    topicId: removeTopic.topicId,
    partition: 0,
    replicas: [1, 2, 3],
    isr: [1],
    leader: 1,
    leaderEpoch: 0,
    partitionEpoch: 0,
  });
  assert.equal(errorKind(partition, { ...defaultMetadataCodecLimits, maxArrayLength: 2 }), 'too-large');
});

test('codec: the encoding is compact', () => {
  assert.equal(encodeRecord({ type: 'fence-broker', brokerId: 1, brokerEpoch: 5 }).length, 4);
  assert.equal(encodeRecord(removeTopic).length, 18);
});
