/**
 * Bounds how many sealed segments keep their indexes in memory (a 1 GiB segment's can reach a few
 * MiB): when one more loads, the one loaded longest ago lets go of its own, to be loaded again
 * from disk when next needed. The active segment's indexes are always loaded and not counted.
 */
import { invariant } from '@tributary/common';

export interface IndexHolder {
  dropIndexes(): void;
}

export class LoadedIndexCache<T extends IndexHolder> {
  /** Insertion order is load order. */
  private readonly loaded = new Set<T>();

  constructor(private readonly max: number) {
    invariant(Number.isSafeInteger(max) && max >= 1, () => `loaded index bound must be >= 1, got ${max}`);
  }

  loadedBy(holder: T): void {
    this.loaded.delete(holder);
    this.loaded.add(holder);
    while (this.loaded.size > this.max) {
      const oldest = this.loaded.values().next().value as T;
      this.loaded.delete(oldest);
      oldest.dropIndexes();
    }
  }

  forget(holder: T): void {
    this.loaded.delete(holder);
  }
}
