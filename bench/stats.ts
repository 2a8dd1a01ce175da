// Pure statistics for the benchmark: medians, percentiles and summaries of a list of samples.
// Percentiles interpolate linearly between closest ranks (numpy's default), so percentile(x, 50)
// is exactly median(x). Empty input gives NaN rather than throwing: a scenario that produced no
// sample is reported as such, never as a number.

/** The samples in ascending numeric order (a copy; the input is untouched). */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The p-th percentile (0 ≤ p ≤ 100) with linear interpolation between closest ranks; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0…100, got ${p}`);
  if (values.length === 0) return Number.NaN;
  const s = sorted(values);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

/** The middle value (the mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

export function min(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => Math.min(a, b));
}

export function max(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => Math.max(a, b));
}

export interface Summary {
  readonly count: number;
  readonly median: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

export function summarize(values: readonly number[]): Summary {
  return { count: values.length, median: median(values), p99: percentile(values, 99), min: min(values), max: max(values), mean: mean(values) };
}

/**
 * How much faster than linear a cost grows between consecutive sizes: for points sorted by size,
 * the largest (cost_j / size_j) / (cost_i / size_i) over i < j, i.e. the worst increase of the
 * cost per unit of size. At most 1 means growth is at most linear; NaN with fewer than 2 points.
 */
export function worstPerUnitGrowth(points: readonly { readonly size: number; readonly cost: number }[]): number {
  const usable = points.filter((p) => p.size > 0 && Number.isFinite(p.cost)).sort((a, b) => a.size - b.size);
  if (usable.length < 2) return Number.NaN;
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < usable.length; i++) {
    for (let j = i + 1; j < usable.length; j++) {
      if (usable[j]!.size === usable[i]!.size) continue;
      const growth = usable[j]!.cost / usable[j]!.size / (usable[i]!.cost / usable[i]!.size);
      worst = Math.max(worst, growth);
    }
  }
  return worst === Number.NEGATIVE_INFINITY ? Number.NaN : worst;
}
