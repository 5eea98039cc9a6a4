// Helpers for the multi-process cluster suites: talk to one broker of a LocalCluster at a time
// (Metadata, CreateTopics at that very broker), and poll for a condition with a bound.
import { KafkaClient, apiRanges } from '../../../packages/cli/dist/client/index.js';
import { ApiKey } from '../../../packages/protocol/dist/index.js';

export async function withClient(cluster, nodeId, use) {
  const node = cluster.node(nodeId);
  const client = await KafkaClient.connect({ host: cluster.host, port: node.kafkaPort }, { requestTimeoutMs: 40_000 });
  if (!client.ok) throw client.error;
  try {
    return await use(client.value);
  } finally {
    client.value.close();
  }
}

/** Metadata as this one broker answers it. */
export function metadataAt(cluster, nodeId) {
  return withClient(cluster, nodeId, async (client) => {
    const metadata = await client.metadata(null);
    if (!metadata.ok) throw metadata.error;
    return metadata.value;
  });
}

/** CreateTopics sent to this broker itself (not to the controller Metadata names); the topic's result. */
export function createTopicAt(cluster, nodeId, name, partitions = 3, replicationFactor = 3, configs = []) {
  return withClient(cluster, nodeId, async (client) => {
    const response = await client.call(ApiKey.CreateTopics, apiRanges.createTopics, () => ({
      topics: [{ name, numPartitions: partitions, replicationFactor, assignments: [], configs }],
      timeoutMs: 30_000,
      validateOnly: false,
    }));
    if (!response.ok) throw response.error;
    return response.value.body.topics[0];
  });
}

/** Polls `check` until it returns something other than undefined/false; throws after timeoutMs. */
export async function eventually(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${last.message}` : ''}`);
}
