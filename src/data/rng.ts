/** A seeded generator of floats in [0, 1) whose position can be saved and restored (checkpoints). */
export interface Rng {
  (): number;
  state: number;
}

/**
 * mulberry32: a tiny, fast 32-bit seeded PRNG. Good enough for shuffling and augmentation
 * seeds; not cryptographic. Its whole state is one 32-bit number.
 */
export function mulberry32(seed: number): Rng {
  const next = (() => {
    next.state = (next.state + 0x6d2b79f5) >>> 0;
    let t = next.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Rng;
  next.state = seed >>> 0;
  return next;
}

/** Fisher-Yates shuffle in place, driven by `rng` (e.g. `mulberry32(seed)`). Returns `items`. */
export function shuffleInPlace<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
