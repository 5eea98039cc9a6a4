/** Randomness as the cores see it: injected and seedable so a simulation replays exactly. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound). */
  int(bound: number): number;
}

/** A small seeded generator (SplitMix32-style mixing); deterministic for a given seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  return {
    next: () => nextUint32() / 0x1_0000_0000,
    int: (bound) => Math.floor((nextUint32() / 0x1_0000_0000) * bound),
  };
}
