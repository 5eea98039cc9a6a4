// fast-check arbitraries for metadata records: free-form ones for codec tests, and pool-drawn
// ones (few ids, names and brokers) so random sequences often reference what exists.
import fc from 'fast-check';
import { NO_LEADER, type BrokerEndpoint, type ConfigResourceType, type MetadataRecord } from '../records.js';

// Plain prototypes, so decoded records compare deep-equal to generated ones.
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;

const int32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
const text = fc.string({ unit: 'grapheme', maxLength: 20 });
export const uuidArb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));

const endpointArb: fc.Arbitrary<BrokerEndpoint> = rec({ name: text, host: text, port: int32, securityProtocol: int32 });
const resourceTypeArb = fc.constantFrom<ConfigResourceType>('topic', 'broker');

/** Every record type with unconstrained field values. */
export const anyRecordArb: fc.Arbitrary<MetadataRecord> = fc.oneof(
  rec({
    type: fc.constant('register-broker' as const),
    brokerId: int32,
    brokerEpoch: int32,
    incarnationId: uuidArb,
    endpoints: fc.array(endpointArb, { maxLength: 3 }),
    rack: fc.option(text, { nil: null }),
    fenced: fc.boolean(),
  }),
  rec({ type: fc.constant('fence-broker' as const), brokerId: int32, brokerEpoch: int32 }),
  rec({ type: fc.constant('unfence-broker' as const), brokerId: int32, brokerEpoch: int32 }),
  rec({ type: fc.constant('topic' as const), name: text, topicId: uuidArb }),
  rec({
    type: fc.constant('partition' as const),
    topicId: uuidArb,
    partition: int32,
    replicas: fc.array(int32, { maxLength: 5 }),
    isr: fc.array(int32, { maxLength: 5 }),
    leader: int32,
    leaderEpoch: int32,
    partitionEpoch: int32,
  }),
  rec({
    type: fc.constant('partition-change' as const),
    topicId: uuidArb,
    partition: int32,
    isr: fc.option(fc.array(int32, { maxLength: 5 }), { nil: null }),
    leader: fc.option(int32, { nil: null }),
  }),
  rec({
    type: fc.constant('config' as const),
    resourceType: resourceTypeArb,
    resourceName: text,
    key: text,
    value: fc.option(text, { nil: null }),
  }),
  rec({ type: fc.constant('remove-topic' as const), topicId: uuidArb }),
);

const brokerIds = [0, 1, 2, 3];
const topicIds = ['00000000000000000000000000000001', '00000000000000000000000000000002', '00000000000000000000000000000003'];
const topicNames = ['orders', 'payments', 'audit'];
const brokerIdArb = fc.constantFrom(...brokerIds);
const epochArb = fc.integer({ min: 0, max: 4 });

/** An ISR drawn from the replicas, and a leader drawn from the ISR or NO_LEADER. */
const assignmentArb = fc.subarray(brokerIds, { minLength: 1 }).chain((replicas) =>
  fc.subarray(replicas).chain((isr) => rec({ replicas: fc.constant(replicas), isr: fc.constant(isr), leader: fc.constantFrom(NO_LEADER, ...isr) })),
);

/** Records over small pools, so a random sequence is often valid against the image it builds. */
export const pooledRecordArb: fc.Arbitrary<MetadataRecord> = fc.oneof(
  rec({
    type: fc.constant('register-broker' as const),
    brokerId: brokerIdArb,
    brokerEpoch: epochArb,
    incarnationId: uuidArb,
    endpoints: fc.array(endpointArb, { maxLength: 2 }),
    rack: fc.option(fc.constantFrom('a', 'b'), { nil: null }),
    fenced: fc.boolean(),
  }),
  rec({ type: fc.constantFrom('fence-broker' as const, 'unfence-broker' as const), brokerId: brokerIdArb, brokerEpoch: epochArb }),
  rec({ type: fc.constant('topic' as const), name: fc.constantFrom(...topicNames), topicId: fc.constantFrom(...topicIds) }),
  fc
    .record({
      topicId: fc.constantFrom(...topicIds),
      partition: fc.integer({ min: 0, max: 2 }),
      assignment: assignmentArb,
      leaderEpoch: epochArb,
      partitionEpoch: epochArb,
    })
    .map(({ assignment, ...rest }): MetadataRecord => ({ type: 'partition', ...rest, ...assignment })),
  // The new leader is drawn from the new ISR, as a controller would choose it.
  fc.subarray(brokerIds).chain((isr) =>
    rec({
      type: fc.constant('partition-change' as const),
      topicId: fc.constantFrom(...topicIds),
      partition: fc.integer({ min: 0, max: 2 }),
      isr: fc.option(fc.constant(isr), { nil: null }),
      leader: fc.option(fc.constantFrom(NO_LEADER, ...isr), { nil: null }),
    }),
  ),
  rec({
    type: fc.constant('config' as const),
    resourceType: resourceTypeArb,
    resourceName: fc.constantFrom('', '0', '1', ...topicNames),
    key: fc.constantFrom('retention.ms', 'cleanup.policy'),
    value: fc.option(fc.constantFrom('1000', 'compact'), { nil: null }),
  }),
  rec({ type: fc.constant('remove-topic' as const), topicId: fc.constantFrom(...topicIds) }),
);

/** A cluster to start from: every pooled broker, topic and partition, fully replicated. */
export function pooledClusterRecords(): MetadataRecord[] {
  const records: MetadataRecord[] = brokerIds.map((brokerId) => ({
    type: 'register-broker',
    brokerId,
    brokerEpoch: 0,
    incarnationId: '0'.repeat(32),
    endpoints: [],
    rack: null,
    fenced: false,
  }));
  topicIds.forEach((topicId, i) => {
    records.push({ type: 'topic', name: topicNames[i], topicId });
    for (let partition = 0; partition < 3; partition++) {
      records.push({ type: 'partition', topicId, partition, replicas: brokerIds, isr: brokerIds, leader: 0, leaderEpoch: 0, partitionEpoch: 0 });
    }
  });
  return records;
}

/** Random pooled records, half the time after the pooled cluster so changes find partitions. */
export const pooledSequenceArb: fc.Arbitrary<MetadataRecord[]> = fc
  .tuple(fc.boolean(), fc.array(pooledRecordArb, { minLength: 20, maxLength: 80 }))
  .map(([fromCluster, records]) => (fromCluster ? [...pooledClusterRecords(), ...records] : records));
