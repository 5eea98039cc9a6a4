// The client side of compose-cluster.test.mjs, run in a container on the compose cluster's
// internal network (the tributary image, with this directory mounted at
// /app/test/containers/clients so that `kafkajs` resolves to the image's own /app/node_modules).
//
// 1. Creates TOPIC: one partition, replication factor 3, min.insync.replicas 2; has the read-back
//    consumer group's coordinator found (which creates __consumer_offsets).
// 2. Produces with kafkajs's idempotent producer, acks=all, one record per send, each send with a
//    value never used before ("1", "2", ...), appending each acknowledgement to
//    RESULTS/acks.jsonl as {"v": value, "o": offset, "s": sent at, "t": acknowledged at} (ms since
//    the epoch) and each failed send to RESULTS/errors.jsonl, until the file RESULTS/stop appears
//    (the test kills the partition's leader meanwhile).
// 3. Reads the whole partition back with a kafkajs consumer, up to its high watermark, into
//    RESULTS/read.json as [[offset, value], ...], and writes RESULTS/summary.json last.
// Every wait is bounded; on any failure it writes RESULTS/failed.txt and exits 1.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.env.BOOTSTRAP ?? '').split(',').filter(Boolean);
const topic = process.env.TOPIC ?? 'containers';
const results = process.env.RESULTS ?? '/results';
const PRODUCE_MAX_MS = Number(process.env.PRODUCE_MAX_MS ?? 240_000);
const READ_MAX_MS = 90_000;
const groupId = `${topic}-read-back`;

const log = (message) => console.log(`client ${new Date().toISOString()} ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function withDeadline(what, ms, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const kafka = new Kafka({
  clientId: 'tributary-containers-test',
  brokers,
  logLevel: logLevel.ERROR,
  connectionTimeout: 1000,
  requestTimeout: 5000,
  retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 1000 },
});

async function createTopic() {
  const admin = kafka.admin();
  await withDeadline('admin connect', 30_000, admin.connect());
  try {
    const created = await withDeadline(
      'create topic',
      30_000,
      admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
      }),
    );
    const [metadata] = (await withDeadline('topic metadata', 30_000, admin.fetchTopicMetadata({ topics: [topic] }))).topics;
    const [partition] = metadata.partitions;
    log(`topic ${topic} ${created ? 'created' : 'existed'}: leader ${partition.leader}, replicas ${partition.replicas}, isr ${partition.isr}`);
    // Find the read-back group's coordinator now, while every broker is up: that creates
    // __consumer_offsets, which needs as many live brokers as its replication factor (3), as in
    // Kafka. (In a real cluster it exists long before a broker dies.)
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await withDeadline('group coordinator', 10_000, admin.fetchOffsets({ groupId, topics: [topic] }));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(250); // COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR while __consumer_offsets is created
      }
    }
    log(`group ${groupId} has a coordinator`);
  } finally {
    await admin.disconnect();
  }
}

async function produce() {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 1000 } });
  await withDeadline('producer connect', 30_000, producer.connect());
  const started = Date.now();
  let value = 0;
  let acked = 0;
  let failed = 0;
  while (!existsSync(join(results, 'stop'))) {
    if (Date.now() - started > PRODUCE_MAX_MS) throw new Error(`no stop file within ${PRODUCE_MAX_MS} ms`);
    value += 1;
    const sent = Date.now();
    try {
      const [report] = await withDeadline('send', 60_000, producer.send({ topic, acks: -1, messages: [{ partition: 0, value: String(value) }] }));
      appendFileSync(join(results, 'acks.jsonl'), `${JSON.stringify({ v: value, o: Number(report.baseOffset), s: sent, t: Date.now() })}\n`);
      acked += 1;
    } catch (error) {
      // Not acknowledged, so it may or may not be in the log; its value is never sent again.
      appendFileSync(join(results, 'errors.jsonl'), `${JSON.stringify({ v: value, s: sent, t: Date.now(), error: String(error?.message ?? error) })}\n`);
      failed += 1;
      await sleep(100);
    }
  }
  await producer.disconnect();
  log(`produced: ${acked} acknowledged, ${failed} failed sends`);
  return { acked, failed };
}

async function readBack() {
  const admin = kafka.admin();
  await withDeadline('admin connect', 30_000, admin.connect());
  const [{ high }] = await withDeadline('fetch offsets', 30_000, admin.fetchTopicOffsets(topic));
  await admin.disconnect();
  const highWatermark = Number(high);
  const records = [];
  if (highWatermark > 0) {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await withDeadline('consumer connect', 30_000, consumer.connect());
    await consumer.subscribe({ topic, fromBeginning: true });
    let done;
    const finished = new Promise((resolve) => {
      done = resolve;
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < highWatermark) records.push([offset, Number(message.value.toString())]);
          if (offset >= highWatermark - 1) done();
        }
      },
    });
    try {
      await withDeadline(`reading ${highWatermark} records`, READ_MAX_MS, finished);
    } finally {
      await consumer.disconnect();
    }
  }
  writeFileSync(join(results, 'read.json'), JSON.stringify(records));
  log(`read back ${records.length} records below the high watermark ${highWatermark}`);
  return { highWatermark, read: records.length };
}

try {
  log(`bootstrap ${brokers.join(',')}`);
  await createTopic();
  writeFileSync(join(results, 'producing'), '');
  const produced = await produce();
  const read = await readBack();
  writeFileSync(join(results, 'summary.json'), JSON.stringify({ ...produced, ...read }));
  process.exit(0);
} catch (error) {
  log(`failed: ${error?.stack ?? error}`);
  writeFileSync(join(results, 'failed.txt'), String(error?.stack ?? error));
  process.exit(1);
}
