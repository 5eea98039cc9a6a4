// A kafkajs 2.2.4 group member for the group scenarios (driver: ../group-scenarios.mjs).
// Env: BOOTSTRAP, TOPIC, GROUP, SESSION_TIMEOUT_MS, HEARTBEAT_MS, COMMIT_MS. Prints
// `R <partition> <offset> <value>` per record; SIGTERM disconnects (commits, leaves) and exits 0.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');
const env = process.env;
const kafka = new Kafka({ clientId: 'compat-kafkajs-group', brokers: [env.BOOTSTRAP], logLevel: logLevel.NOTHING, retry: { retries: 10 } });
const consumer = kafka.consumer({
  groupId: env.GROUP,
  sessionTimeout: Number(env.SESSION_TIMEOUT_MS),
  heartbeatInterval: Number(env.HEARTBEAT_MS),
  rebalanceTimeout: 15_000,
  maxWaitTimeInMs: 200,
});
process.once('SIGTERM', async () => {
  await consumer.disconnect().catch(() => {});
  process.exit(0);
});
consumer.on(consumer.events.CRASH, (e) => console.error(`crash: ${e.payload.error?.message}`));
await consumer.connect();
await consumer.subscribe({ topics: [env.TOPIC], fromBeginning: true });
await consumer.run({
  autoCommitInterval: Number(env.COMMIT_MS),
  eachMessage: async ({ partition, message }) => {
    process.stdout.write(`R ${partition} ${message.offset} ${message.value.toString()}\n`);
  },
});
