/**
 * Test support: one kafkajs group consumer in its own process, so a test can kill it hard
 * (SIGKILL: no LeaveGroup, sockets just vanish). Reads BOOTSTRAP, GROUP and TOPIC from the
 * environment and prints a line on every group join.
 */
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const kafka = new Kafka({ clientId: 'victim', brokers: [process.env.BOOTSTRAP!], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: process.env.GROUP!, sessionTimeout: 3_000, heartbeatInterval: 300, rebalanceTimeout: 6_000, maxWaitTimeInMs: 500 });
consumer.on(consumer.events.GROUP_JOIN, (e) => process.stdout.write(`joined ${JSON.stringify(e.payload.memberAssignment)}\n`));
await consumer.connect();
await consumer.subscribe({ topic: process.env.TOPIC!, fromBeginning: true });
await consumer.run({ eachMessage: async () => {} });
