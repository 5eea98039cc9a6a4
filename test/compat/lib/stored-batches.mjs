// What the broker stored for a topic, read with tributary's own client: the codec and producer
// id of every record batch. It shows that a client really compressed with the codec asked for
// (librdkafka sends a batch uncompressed when compression would not shrink it) and that an
// idempotent producer's batches carry a producer id. Usable as a module or as a command:
//   node test/compat/lib/stored-batches.mjs HOST:PORT TOPIC   → prints JSON
import { fileURLToPath } from 'node:url';

const root = new URL('../../../', import.meta.url);
const client = await import(new URL('packages/cli/dist/client/index.js', root).href);
const protocol = await import(new URL('packages/protocol/dist/index.js', root).href);

const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export async function storedBatches(bootstrap, topic) {
  const address = client.parseHostPort(bootstrap);
  if (!address.ok) throw address.error;
  const connected = await client.KafkaClient.connect(address.value);
  if (!connected.ok) throw connected.error;
  const kafka = connected.value;
  try {
    const metadata = await kafka.metadata([topic], false);
    if (!metadata.ok) throw metadata.error;
    const t = metadata.value.topics.find((x) => x.name === topic);
    if (t === undefined || t.errorCode !== 0) throw new Error(`no metadata for ${topic} (error ${t?.errorCode})`);
    const summary = { batches: 0, codecs: {}, producerIds: [] };
    const producerIds = new Set();
    for (const p of t.partitions) {
      const leader = await kafka.nodeConnection(p.leader);
      if (!leader.ok) throw leader.error;
      let offset = 0n;
      for (let round = 0; round < 10_000; round++) {
        const fetched = await fetchRaw(kafka, leader.value, topic, p.partition, offset);
        if (fetched.length === 0) break;
        for (const header of fetched) {
          summary.batches++;
          const name = CODEC_NAMES[header.compression] ?? `codec-${header.compression}`;
          summary.codecs[name] = (summary.codecs[name] ?? 0) + 1;
          producerIds.add(header.producerId.toString());
          offset = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
        }
      }
    }
    summary.producerIds = [...producerIds];
    return summary;
  } finally {
    kafka.close();
  }
}

async function fetchRaw(kafka, leader, topic, partition, offset) {
  const request = {
    ...protocol.defaultFetchRequest(),
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 8 << 20,
    topics: [{ topic, topicId: protocol.ZERO_UUID, partitions: [{ ...protocol.defaultFetchRequestFetchPartition(), partition, fetchOffset: offset, partitionMaxBytes: 4 << 20 }] }],
  };
  const response = await kafka.call(protocol.ApiKey.Fetch, client.apiRanges.fetch, () => request, leader);
  if (!response.ok) throw response.error;
  const data = response.value.body.responses[0]?.partitions[0];
  if (data === undefined) return [];
  if (data.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}: error ${data.errorCode}`);
  if (data.records === null) return [];
  const split = protocol.splitBatches(data.records);
  if (!split.ok) throw split.error;
  return split.value.batches.map((b) => b.header);
}

/** Throws unless every stored batch of `topic` uses `codec`. */
export async function expectCodec(bootstrap, topic, codec) {
  const summary = await storedBatches(bootstrap, topic);
  const names = Object.keys(summary.codecs);
  if (names.length !== 1 || names[0] !== codec) throw new Error(`stored batches use ${JSON.stringify(summary.codecs)}, expected only ${codec}`);
  return summary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [bootstrap, topic] = process.argv.slice(2);
  try {
    console.log(JSON.stringify(await storedBatches(bootstrap, topic)));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
