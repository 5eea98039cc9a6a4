/**
 * Encode and decode throughput of a 1 MiB Produce request (v7) of 1 KiB records, uncompressed
 * and with lz4. "Encode" builds the record batch from records and frames the request; "decode"
 * parses the frame and the batch back into records, decompressing as needed. MB/s counts the
 * 1 MiB of record values (1 MB = 10^6 bytes), whatever the compressed size on the wire.
 */
import { decodeRequest, encodeRequest } from '../framing/messages.js';
import { ApiKey } from '../generated/api.js';
import { CompressionCodec } from '../records/compression.js';
import { decodeRecordBatch, encodeRecordBatch } from '../records/record-batch.js';
import type { Record } from '../records/record.js';

const RECORD_BYTES = 1024;
const RECORD_COUNT = 1024;
const PAYLOAD_BYTES = RECORD_BYTES * RECORD_COUNT;
const quick = process.env.BENCH_QUICK === '1';
const secondsPerCase = quick ? 0.3 : 2;

/** Log-like values: text with repetition, so lz4 has something to find, as in real traffic. */
function makeRecords(): Record[] {
  const words = ['order', 'user', 'amount', 'currency', 'EUR', 'status', 'shipped', 'region', 'eu-west', 'ts'];
  let seed = 7;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  return Array.from({ length: RECORD_COUNT }, (_, i) => {
    let text = '';
    while (text.length < RECORD_BYTES) text += `${words[next() % words.length]}=${next() % 100000};`;
    return {
      attributes: 0,
      timestampDelta: i,
      offsetDelta: i,
      key: Buffer.from(`key-${i % 64}`),
      value: Buffer.from(text.slice(0, RECORD_BYTES)),
      headers: [],
    };
  });
}

async function encodeProduce(records: Record[], compression: CompressionCodec): Promise<Buffer> {
  const batch = await encodeRecordBatch({ baseTimestamp: 1_700_000_000_000n, records }, { compression });
  const frame = encodeRequest(ApiKey.Produce, 7, 1, 'bench', {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30_000,
    topicData: [{ name: 'bench', partitionData: [{ index: 0, records: batch }] }],
  }, batch.length + 128);
  if (!frame.ok) throw frame.error;
  return frame.value;
}

async function decodeProduce(frame: Buffer): Promise<number> {
  const request = decodeRequest(frame.subarray(4));
  if (!request.ok || request.value.apiKey !== ApiKey.Produce) throw new Error('decode failed');
  let count = 0;
  for (const topic of request.value.body.topicData) {
    for (const partition of topic.partitionData) {
      const batch = await decodeRecordBatch(partition.records!);
      if (!batch.ok) throw batch.error;
      count += batch.value.records.length;
    }
  }
  return count;
}

async function measure(run: () => Promise<unknown>): Promise<{ mbPerSec: number; iterations: number }> {
  for (let i = 0; i < 3; i++) await run(); // warm up
  const start = process.hrtime.bigint();
  let iterations = 0;
  let elapsedNs = 0n;
  const budgetNs = BigInt(Math.round(secondsPerCase * 1e9));
  while (elapsedNs < budgetNs) {
    await run();
    iterations++;
    elapsedNs = process.hrtime.bigint() - start;
  }
  const seconds = Number(elapsedNs) / 1e9;
  return { mbPerSec: (PAYLOAD_BYTES * iterations) / seconds / 1e6, iterations };
}

async function main(): Promise<void> {
  const records = makeRecords();
  console.log(`Produce v7 request: ${RECORD_COUNT} records × ${RECORD_BYTES} B values (node ${process.version})`);
  console.log('codec   wire bytes   encode MB/s   decode MB/s');
  for (const [name, codec] of [['none', CompressionCodec.None], ['lz4', CompressionCodec.Lz4]] as const) {
    const frame = await encodeProduce(records, codec);
    const decoded = await decodeProduce(frame);
    if (decoded !== RECORD_COUNT) throw new Error(`decoded ${decoded} records, expected ${RECORD_COUNT}`);
    const encode = await measure(() => encodeProduce(records, codec));
    const decode = await measure(() => decodeProduce(frame));
    console.log(
      `${name.padEnd(6)}  ${String(frame.length).padStart(10)}   ${encode.mbPerSec.toFixed(0).padStart(11)}   ${decode.mbPerSec.toFixed(0).padStart(11)}`,
    );
  }
}

await main();
