// Seeded randomness for anything that must repeat exactly: synthetic data files here, and any
// test or simulation that injects its own random source. Same seed → same sequence on every
// machine, because only 32-bit integer arithmetic and one exact division touch the state.
// Callers inject an `Rng` where production code would use Math.random.

/** A source of uniform draws in [0, 1). */
export type Rng = () => number;

/** mulberry32: a tiny 32-bit PRNG, uniform in [0, 1), fully determined by the seed. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One element of a non-empty list, each equally likely. */
export function pickUniform<T>(rng: Rng, list: readonly T[]): T {
  if (list.length === 0) throw new RangeError('cannot pick from an empty list');
  return list[Math.floor(rng() * list.length)]!;
}

/**
 * A chooser that returns each value with probability weight / total. The cumulative sums are
 * built once, so a chooser made at module load costs one draw and a short scan per call.
 */
export function weightedPicker<T>(entries: readonly (readonly [value: T, weight: number])[]): (rng: Rng) => T {
  const cumulative: number[] = [];
  let total = 0;
  for (const [, w] of entries) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`a weight must be a finite number ≥ 0, got ${w}`);
    cumulative.push((total += w));
  }
  if (!(total > 0)) throw new RangeError('weights must not all be zero');
  return (rng) => {
    const x = rng() * total;
    let i = 0;
    while (i < cumulative.length - 1 && x >= cumulative[i]!) i++;
    return entries[i]![0];
  };
}
