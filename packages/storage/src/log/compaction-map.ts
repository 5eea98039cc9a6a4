/**
 * Compaction's key → latest offset map (Kafka's SkimpyOffsetMap), bounded in bytes: each entry
 * counts as its key's length plus COMPACTION_MAP_ENTRY_OVERHEAD_BYTES (a rough cost of a V8 Map
 * entry with a one-byte string key and a number). Kafka keys its map by an MD5 of the key and
 * accepts the collision risk; this map keys by the bytes themselves (a latin1 string, one char per
 * byte), so it is exact and bounds memory by the keys' real size.
 *
 * When a new key does not fit, `put` refuses it and the caller stops scanning there: the records
 * before that point all have their key in the map, which is what cleaning relies on (see
 * compaction-filter.ts). The first key always fits, so every scan makes progress.
 */
import { invariant } from '@tributary/common';

/** What one entry is taken to cost beyond its key's bytes. */
export const COMPACTION_MAP_ENTRY_OVERHEAD_BYTES = 64;

export class CompactionMap {
  private readonly latest = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly bytesMax: number) {
    invariant(Number.isSafeInteger(bytesMax) && bytesMax > 0, () => `compaction map bound must be positive, got ${bytesMax}`);
  }

  get size(): number {
    return this.latest.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  /** Records `offset` as the latest for `key` (offsets arrive in increasing order); false when the key is new and does not fit. */
  put(key: Buffer, offset: number): boolean {
    const text = key.toString('latin1');
    const known = this.latest.get(text);
    if (known !== undefined) {
      invariant(offset > known, () => `offset ${offset} does not follow ${known} for one key`);
      this.latest.set(text, offset);
      return true;
    }
    const cost = key.length + COMPACTION_MAP_ENTRY_OVERHEAD_BYTES;
    if (this.latest.size > 0 && this.bytes + cost > this.bytesMax) return false;
    this.latest.set(text, offset);
    this.bytes += cost;
    return true;
  }

  /** The latest offset recorded for `key`; undefined when the key was not seen. */
  get(key: Buffer): number | undefined {
    return this.latest.get(key.toString('latin1'));
  }
}
