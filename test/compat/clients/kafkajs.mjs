// kafkajs 2.2.4 against a running broker (BOOTSTRAP=host:port). Codecs: none, gzip (built in),
// snappy (kafkajs-snappy) and lz4 (kafkajs-lz4); kafkajs has no zstd of its own.
// kafkajs's public consumer always joins a group, so records are read back through kafkajs's
// own cluster and broker objects (its connections, Fetch v11 encoder and record decoders).
import { createRequire } from 'node:module';
import { Scenarios, makeRecords, verifyConsumed, verifyOffsets, RECORD_COUNT, PARTITIONS, topicName } from '../lib/records.mjs';
import { expectCodec } from '../lib/stored-batches.mjs';

const require = createRequire(import.meta.url);
const { Kafka, CompressionTypes, CompressionCodecs, Partitioners, logLevel } = require('kafkajs');
CompressionCodecs[CompressionTypes.Snappy] = require('kafkajs-snappy');
const LZ4Codec = require('kafkajs-lz4');
CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec;

const bootstrap = process.env.BOOTSTRAP ?? '127.0.0.1:9092';
const codecs = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4 };
const SEND_CHUNK = 500;

const kafka = new Kafka({ clientId: 'compat-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 }, connectionTimeout: 5000 });
const sc = new Scenarios('kafkajs');

async function readAll(topic, count) {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const cluster = kafka[symbol]({ allowAutoTopicCreation: false });
  await cluster.connect();
  try {
    await cluster.addTargetTopic(topic);
    const positions = new Map();
    const leaders = new Map();
    for (const { partitionId, leader } of cluster.findTopicPartitionMetadata(topic)) {
      positions.set(partitionId, 0n);
      leaders.set(leader, [...(leaders.get(leader) ?? []), partitionId]);
    }
    const out = [];
    const deadline = Date.now() + 60_000;
    while (out.length < count) {
      if (Date.now() > deadline) throw new Error(`read ${out.length} of ${count} records in 60 s`);
      let progressed = false;
      for (const [leader, partitions] of leaders) {
        const broker = await cluster.findBroker({ nodeId: leader });
        const response = await broker.fetch({
          replicaId: -1,
          isolationLevel: 1,
          maxWaitTime: 200,
          minBytes: 1,
          maxBytes: 10 << 20,
          topics: [{ topic, partitions: partitions.map((p) => ({ partition: p, fetchOffset: positions.get(p).toString(), maxBytes: 1 << 20 })) }],
        });
        for (const t of response.responses) {
          for (const p of t.partitions) {
            if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${p.partition}: error code ${p.errorCode}`);
            for (const m of p.messages) {
              const offset = BigInt(m.offset);
              if (offset < positions.get(p.partition)) continue;
              out.push({ partition: p.partition, offset, key: m.key?.toString() ?? null, value: m.value?.toString() ?? null });
              positions.set(p.partition, offset + 1n);
              progressed = true;
            }
          }
        }
      }
      if (!progressed) await new Promise((r) => setTimeout(r, 50));
    }
    return out;
  } finally {
    await cluster.disconnect();
  }
}

async function codecRound(admin, producer, codecName) {
  const topic = topicName('kafkajs', codecName);
  const sent = makeRecords(`kafkajs-${codecName}`);
  let byPartition = null;
  const created = await sc.run(`create topic [${codecName}]`, async () => {
    const made = await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
    if (!made) throw new Error('createTopics returned false: the topic already existed');
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = meta.topics[0]?.partitions.length;
    if (count !== PARTITIONS) throw new Error(`metadata shows ${count} partitions, expected ${PARTITIONS}`);
  });
  // Without a created topic, produce still runs against an auto-created one (the broker's
  // default partition count) so one missing API does not hide the rest.
  void created;
  const produced = await sc.run(`produce ${RECORD_COUNT} keyed records [${codecName}]`, async () => {
    for (let i = 0; i < sent.length; i += SEND_CHUNK) {
      await producer.send({ topic, acks: -1, compression: codecs[codecName], messages: sent.slice(i, i + SEND_CHUNK) });
    }
  });
  if (produced) {
    await sc.run(`stored batches are ${codecName}`, () => expectCodec(bootstrap, topic, codecName));
    await sc.run(`consume and verify ${RECORD_COUNT} records [${codecName}]`, async () => {
      byPartition = verifyConsumed(sent, await readAll(topic, sent.length));
    });
    await sc.run(`list offsets earliest/latest [${codecName}]`, async () => {
      const offsets = await admin.fetchTopicOffsets(topic);
      const earliest = new Map(offsets.map((o) => [o.partition, o.low]));
      const latest = new Map(offsets.map((o) => [o.partition, o.high]));
      if (byPartition === null) throw new Error('nothing consumed to compare with');
      verifyOffsets(byPartition, earliest, latest);
    });
  }
  await sc.run(`delete topic [${codecName}]`, async () => {
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
    const topics = await admin.listTopics();
    if (topics.includes(topic)) throw new Error('topic still listed after deleteTopics');
  });
}

const admin = kafka.admin();
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
const connected = await sc.run('connect admin and producer', async () => {
  await admin.connect();
  await producer.connect();
});
if (connected) {
  for (const codecName of Object.keys(codecs)) await codecRound(admin, producer, codecName);
}
await producer.disconnect().catch(() => {});
await admin.disconnect().catch(() => {});
process.exit(sc.failed === 0 ? 0 : 1);
