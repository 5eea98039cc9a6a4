/**
 * The process crash.test.ts kills: opens a real log (nodeFileSystem, every-append durability)
 * and appends random batches forever with several in flight, printing one line per append once it
 * is reported durable: `<baseOffset> <lastOffset> <sha1 of the stored batch bytes>`. It prints
 * `ready <logEndOffset>` once the log is open (recovery done). stdout to a pipe is synchronous on
 * Linux, so a printed line survives the SIGKILL that ends this process.
 *
 * Usage: node crash-child.js <dir> <seed> <segmentBytes> <concurrency>
 */
import { createHash } from 'node:crypto';
import { nodeFileSystem, seededRandom, systemClock } from '@tributary/common';
import { PartitionLog } from '../partition-log.js';
import { producerBatch } from './batches.js';

const [dir, seedText, segmentBytesText, concurrencyText] = process.argv.slice(2);
const random = seededRandom(Number(seedText));
const opened = await PartitionLog.open({
  dir: dir!,
  fs: nodeFileSystem,
  clock: systemClock,
  config: { segmentBytes: Number(segmentBytesText), indexIntervalBytes: 1024, flush: { kind: 'every-append' } },
});
if (!opened.ok) {
  process.stderr.write(`open failed: ${opened.error.message}\n`);
  process.exit(2);
}
const log = opened.value;
process.stdout.write(`ready ${log.logEndOffset}\n`);

async function appendForever(worker: number): Promise<void> {
  // Ends only with the process (the parent's SIGKILL); each round is one bounded append.
  for (let round = 0; ; round++) {
    const batch = await producerBatch({ records: 1 + random.int(5), valueBytes: random.int(3000), seed: worker * 7919 + round, timestamp: systemClock.nowMs() });
    const result = await log.appendAsLeader(batch, { leaderEpoch: 0 });
    if (!result.ok) {
      process.stderr.write(`append failed: ${result.error.message}\n`);
      process.exit(3);
    }
    const sha1 = createHash('sha1').update(batch).digest('hex');
    process.stdout.write(`${result.value.baseOffset} ${result.value.lastOffset} ${sha1}\n`);
  }
}

await Promise.all(Array.from({ length: Number(concurrencyText) }, (_, worker) => appendForever(worker)));
