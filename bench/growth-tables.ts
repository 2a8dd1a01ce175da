// The growth tables: setup time against the number of records and against n, with records/s and
// ratios to a baseline, so that (sub/super-)linearity can be read off. Pure: rows in, table out.
import { formatNumber, type SideTable } from './report.js';

export interface SizePoint {
  readonly label: string;
  /** Records in the year's file (l). */
  readonly records: number;
  readonly n: number;
  /** Median setup time (s). */
  readonly seconds: number;
  readonly how: string;
}

const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${formatNumber(a / b)}×` : '—');

/** Setup time against records (fixed n), ratios relative to `baseLabel` (1996 when present, else the first point). */
export function recordsGrowthTable(points: readonly SizePoint[], baseLabel: string): SideTable {
  const base = points.find((p) => p.label === baseLabel) ?? points[0];
  const rows = [...points]
    .sort((a, b) => a.records - b.records)
    .map((p) => [
      p.label,
      String(p.records),
      formatNumber(p.seconds),
      formatNumber(p.records / p.seconds),
      ratio(p.records, base?.records ?? Number.NaN),
      ratio(p.seconds, base?.seconds ?? Number.NaN),
      base ? (p.seconds / base.seconds / (p.records / base.records)).toFixed(2) : '—',
    ]);
  return {
    title: `Setup time against records (n = 5, peer processes; ratios to ${base?.label ?? '—'})`,
    headers: ['year', 'records', 'setup (s)', 'records/s', 'records ratio', 'time ratio', 'time ratio ÷ records ratio'],
    rows,
    footnote: 'At most linear growth: records/s does not fall as records grow (the last column stays ≤ 1 above the baseline).',
  };
}

/** Setup time of one year against n, ratios relative to the smallest n. */
export function ringGrowthTable(points: readonly SizePoint[]): SideTable {
  const sorted = [...points].sort((a, b) => a.n - b.n || a.how.localeCompare(b.how));
  const base = sorted[0];
  return {
    title: `Setup time of 1996 against n (ratios to n = ${base?.n ?? '—'})`,
    headers: ['n', 'peers run as', 'setup (s)', 'records/s', 'n ratio', 'time ratio'],
    rows: sorted.map((p) => [String(p.n), p.how, formatNumber(p.seconds), formatNumber(p.records / p.seconds), ratio(p.n, base?.n ?? Number.NaN), ratio(p.seconds, base?.seconds ?? Number.NaN)]),
    footnote: 'With ring placement (the protocol\'s) a store travels to its owner through the nodes before it, about n/2 hops on average, so setup time grows with n.',
  };
}
