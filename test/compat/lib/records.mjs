// The records every compat client produces, and the check of what it read back. Shared by the
// JavaScript client scripts (the Python ones have the same rules in clients/compat_common.py).

export const RECORD_COUNT = Number(process.env.COMPAT_RECORDS ?? 10_000);
export const PARTITIONS = 3;
/** Keys repeat, so each key's records share a partition and must come back in send order. */
export const KEY_COUNT = 37;
/** Values are long enough and repetitive enough that every codec really compresses them. */
const FILLER = 'abcdefghij'.repeat(8);

export function makeRecords(prefix, count = RECORD_COUNT) {
  const records = [];
  for (let i = 0; i < count; i++) records.push({ key: `key-${i % KEY_COUNT}`, value: `${prefix}-${String(i).padStart(6, '0')}-${FILLER}` });
  return records;
}

function sequenceOf(value) {
  const match = /-(\d{6})-/.exec(value);
  return match === null ? -1 : Number(match[1]);
}

/**
 * `consumed`: [{ partition, offset, key, value }] (strings; offsets numbers or bigints).
 * Throws with a precise message on the first problem: a missing, extra, duplicated or altered
 * record, offsets not consecutive from 0 within a partition, or a key's records out of order.
 */
export function verifyConsumed(sent, consumed) {
  const expected = new Map(sent.map((r) => [r.value, r.key]));
  const seen = new Set();
  const byPartition = new Map();
  for (const r of consumed) {
    if (!expected.has(r.value)) throw new Error(`unexpected record ${JSON.stringify(r).slice(0, 200)}`);
    if (expected.get(r.value) !== r.key) throw new Error(`record ${r.value.slice(0, 30)} has key ${r.key}, sent with ${expected.get(r.value)}`);
    if (seen.has(r.value)) throw new Error(`record ${r.value.slice(0, 30)} read twice`);
    seen.add(r.value);
    const list = byPartition.get(r.partition) ?? [];
    list.push(r);
    byPartition.set(r.partition, list);
  }
  if (seen.size !== sent.length) throw new Error(`read ${seen.size} of ${sent.length} records`);
  const keyPartition = new Map();
  for (const [partition, list] of byPartition) {
    const lastByKey = new Map();
    list.forEach((r, i) => {
      if (Number(r.offset) !== i) throw new Error(`partition ${partition}: record ${i} has offset ${r.offset}`);
      const seq = sequenceOf(r.value);
      if ((lastByKey.get(r.key) ?? -1) >= seq) throw new Error(`partition ${partition}: ${r.key} out of order at offset ${r.offset}`);
      lastByKey.set(r.key, seq);
      const home = keyPartition.get(r.key);
      if (home !== undefined && home !== partition) throw new Error(`${r.key} found in partitions ${home} and ${partition}`);
      keyPartition.set(r.key, partition);
    });
  }
  return byPartition;
}

/** Latest offsets per partition must equal the records read from it; earliest must be 0. */
export function verifyOffsets(byPartition, earliest, latest) {
  for (const [partition, offset] of earliest) if (Number(offset) !== 0) throw new Error(`partition ${partition}: earliest offset ${offset}, expected 0`);
  let total = 0;
  for (const [partition, offset] of latest) {
    const count = byPartition.get(partition)?.length ?? 0;
    if (Number(offset) !== count) throw new Error(`partition ${partition}: latest offset ${offset}, but ${count} records read`);
    total += Number(offset);
  }
  if (total !== RECORD_COUNT && byPartition.size > 0) throw new Error(`latest offsets add up to ${total}, expected ${RECORD_COUNT}`);
}

/** The messages nested in an error (AggregateError chains, platformatic's per-field errors). */
function innerErrors(e, depth = 0) {
  if (e === null || typeof e !== 'object' || depth > 4) return [];
  const out = [];
  if (Array.isArray(e.errors)) {
    for (const x of e.errors) {
      out.push(`${x?.name}: ${x?.message}`);
      out.push(...innerErrors(x, depth + 1));
    }
  } else if (e.errors && typeof e.errors === 'object') {
    out.push(JSON.stringify(e.errors, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)).slice(0, 300));
  }
  if (e.response && depth > 0) out.push(`response: ${JSON.stringify(e.response, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)).slice(0, 300)}`);
  return out;
}

/**
 * Runs named scenarios in order, printing one PASS/FAIL/SKIP line each (the runner reads
 * them). A failed scenario marks the ones that depend on it as skipped.
 */
export class Scenarios {
  constructor(client) {
    this.client = client;
    this.failed = 0;
  }

  async run(name, fn, { timeoutMs = 120_000 } = {}) {
    const started = Date.now();
    let timer;
    try {
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([fn(), timeout]);
      console.log(`PASS ${name} (${Date.now() - started} ms)`);
      return true;
    } catch (e) {
      this.failed++;
      const inner = [...new Set(innerErrors(e))];
      const details = [e?.apiName, e?.type, e?.cause?.message, ...inner].filter(Boolean).join('; ');
      const message = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)) + (details ? ` (${details})` : '');
      console.log(`FAIL ${name}: ${message.replace(/\s+/g, ' ').slice(0, 600)}`);
      if (process.env.COMPAT_VERBOSE && e instanceof Error) console.error(e.stack);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  skip(name, reason) {
    console.log(`SKIP ${name}: ${reason}`);
  }
}

/** Topic names are unique per run, so a broker kept across runs never mixes old records in. */
const RUN_ID = process.env.COMPAT_RUN_ID ?? Date.now().toString(36);
export function topicName(client, scenario) {
  return `compat-${client}-${scenario}-${RUN_ID}`;
}
