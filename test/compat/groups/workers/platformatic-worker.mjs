// An @platformatic/kafka group member (run under Node 24) for the group scenarios.
// Env: BOOTSTRAP, TOPIC, GROUP, SESSION_TIMEOUT_MS, HEARTBEAT_MS, COMMIT_MS. Prints
// `R <partition> <offset> <value>` per record; SIGTERM closes (commits, leaves) and exits 0.
import { Consumer, stringDeserializers } from '@platformatic/kafka';

const env = process.env;
const consumer = new Consumer({
  clientId: 'compat-platformatic-group',
  bootstrapBrokers: [env.BOOTSTRAP],
  groupId: env.GROUP,
  sessionTimeout: Number(env.SESSION_TIMEOUT_MS),
  heartbeatInterval: Number(env.HEARTBEAT_MS),
  rebalanceTimeout: 15_000,
  deserializers: stringDeserializers,
  maxWaitTime: 200,
  retries: 10,
});
const stream = await consumer.consume({ topics: [env.TOPIC], mode: 'committed', fallbackMode: 'earliest', autocommit: Number(env.COMMIT_MS) });
stream.on('data', (m) => process.stdout.write(`R ${m.partition} ${m.offset} ${m.value}\n`));
stream.on('error', (e) => console.error(`stream error: ${e.message}`));
consumer.on('error', (e) => console.error(`consumer error: ${e.message}`));
process.once('SIGTERM', async () => {
  await stream.close().catch(() => {});
  await consumer.close(true).catch(() => {});
  process.exit(0);
});
