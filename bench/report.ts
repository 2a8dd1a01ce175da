// What the benchmark prints: `name value unit` lines as it goes (per-run detail as `# …` comment
// lines), and at the end one markdown table of every scenario (median, spread, unit, target, met?)
// followed by the side-by-side tables (growth, protocol modes). Formatting is pure and tested.
import { max, median, min } from './stats.js';

export interface Target {
  readonly op: '<=' | '>=';
  readonly value: number;
}

export type RowStatus = 'ok' | 'failed' | 'skipped';

export interface Row {
  /** One token, no spaces: the `name` of the `name value unit` lines. */
  readonly name: string;
  readonly unit: string;
  /** The median over the runs (NaN when there is none). */
  readonly value: number;
  /** The second column: `min–max` over the runs, or `p99 …` for latency rows. */
  readonly spread: string;
  readonly runs: number;
  readonly target?: Target;
  readonly status: RowStatus;
  /** Why a row failed or was skipped, or a remark. */
  readonly note?: string;
  /** A count: printed as a whole number. */
  readonly integer?: boolean;
}

/** A row's value as printed: whole numbers for counts, else formatNumber. */
export function formatValue(row: Pick<Row, 'value' | 'integer'>): string {
  return row.integer && Number.isFinite(row.value) ? String(Math.round(row.value)) : formatNumber(row.value);
}

export interface SideTable {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly footnote?: string;
}

/** A number with as many decimals as its size deserves: 0.412, 12.35, 312.4, 48561. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const a = Math.abs(value);
  if (a >= 1000) return value.toFixed(0);
  if (a >= 100) return value.toFixed(1);
  if (a >= 10) return value.toFixed(2);
  return value.toFixed(3);
}

export function formatTarget(target: Target | undefined, unit: string): string {
  return target ? `${target.op === '<=' ? '≤' : '≥'} ${String(target.value)} ${unit}` : '';
}

/** yes / no against the target; blank without a target; n/a when there is no value. */
export function targetMet(row: Pick<Row, 'value' | 'target' | 'status'>): string {
  if (!row.target) return '';
  if (row.status !== 'ok' || !Number.isFinite(row.value)) return 'n/a';
  const ok = row.target.op === '<=' ? row.value <= row.target.value : row.value >= row.target.value;
  return ok ? 'yes' : 'no';
}

/** `min–max` of the runs, or the single value's run count. */
export function formatSpread(values: readonly number[]): string {
  if (values.length === 0) return '';
  if (values.length === 1) return '(1 run)';
  return `${formatNumber(min(values))}–${formatNumber(max(values))}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The main table's cells for one row. */
export function rowCells(row: Row): string[] {
  const runs = row.runs > 0 ? ` (${row.runs} run${row.runs === 1 ? '' : 's'})` : '';
  if (row.status === 'failed') return [row.name, 'FAILED', row.note ?? '', row.unit, formatTarget(row.target, row.unit), targetMet(row)];
  if (row.status === 'skipped') return [row.name, 'skipped', row.note ?? '', row.unit, formatTarget(row.target, row.unit), targetMet(row)];
  const spread = `${row.spread}${row.spread.startsWith('(') ? '' : runs}${row.note ? `; ${row.note}` : ''}`;
  return [row.name, formatValue(row), spread, row.unit, formatTarget(row.target, row.unit), targetMet(row)];
}

export const MAIN_HEADERS = ['scenario', 'median', 'p99/min–max', 'unit', 'target', 'met?'] as const;

export class Reporter {
  readonly rows: Row[] = [];
  readonly sideTables: SideTable[] = [];

  constructor(private readonly write: (line: string) => void = (l) => console.log(l)) {}

  /** A `# …` detail line (one run's figure, progress, a skip notice). */
  detail(text: string): void {
    this.write(`# ${text}`);
  }

  /** One run's figure, as a comment line: `# name run k/N: value unit`. */
  runLine(name: string, run: number, of: number, value: number, unit: string, extra = ''): void {
    this.write(`# ${name} run ${run}/${of}: ${formatNumber(value)} ${unit}${extra ? ` (${extra})` : ''}`);
  }

  private emit(row: Row): Row {
    this.rows.push(row);
    if (row.status === 'ok') this.write(`${row.name} ${formatValue(row)} ${row.unit}`);
    else this.write(`# ${row.name} ${row.status.toUpperCase()}: ${row.note ?? ''}`);
    return row;
  }

  /** A figure measured once per run: median and min–max over the runs. */
  runs(name: string, unit: string, values: readonly number[], target?: Target, note?: string): Row {
    return this.emit({
      name,
      unit,
      value: median(values),
      spread: formatSpread(values),
      runs: values.length,
      status: values.length > 0 ? 'ok' : 'failed',
      ...(target ? { target } : {}),
      ...(values.length > 0 ? (note ? { note } : {}) : { note: note ?? 'no run completed' }),
    });
  }

  /** A latency: the median over runs of each run's p50, with the median of the runs' p99 beside it. */
  latency(name: string, unit: string, p50s: readonly number[], p99s: readonly number[], target?: Target, note?: string): Row {
    return this.emit({
      name,
      unit,
      value: median(p50s),
      spread: `p99 ${formatNumber(median(p99s))}`,
      runs: p50s.length,
      status: p50s.length > 0 ? 'ok' : 'failed',
      ...(target ? { target } : {}),
      ...(note ? { note } : {}),
    });
  }

  /** A figure computed from other rows' medians (no runs of its own). */
  derived(name: string, unit: string, value: number, target?: Target, note?: string): Row {
    return this.emit({
      name,
      unit,
      value,
      spread: '(from the medians above)',
      runs: 0,
      status: Number.isFinite(value) ? 'ok' : 'failed',
      ...(target ? { target } : {}),
      ...(note ? { note } : {}),
    });
  }

  /**
   * A count or total over all runs (e.g. wrong answers): the value itself (a whole number unless
   * `integer` is false), and what it was counted over in the second column.
   */
  count(name: string, unit: string, value: number, over: string, target?: Target, note?: string, integer = true): Row {
    return this.emit({
      name,
      unit,
      value,
      spread: over,
      runs: 0,
      integer,
      status: Number.isFinite(value) ? 'ok' : 'failed',
      ...(target ? { target } : {}),
      ...(note ? { note } : {}),
    });
  }

  failed(name: string, unit: string, error: string, target?: Target): Row {
    return this.emit({ name, unit, value: Number.NaN, spread: '', runs: 0, status: 'failed', note: error, ...(target ? { target } : {}) });
  }

  skipped(name: string, unit: string, reason: string, target?: Target): Row {
    return this.emit({ name, unit, value: Number.NaN, spread: '', runs: 0, status: 'skipped', note: reason, ...(target ? { target } : {}) });
  }

  row(name: string): Row | undefined {
    return this.rows.find((r) => r.name === name);
  }

  side(table: SideTable): void {
    this.sideTables.push(table);
  }

  /** The final report: the main table, then each side table. */
  render(): string {
    const parts = [markdownTable(MAIN_HEADERS, this.rows.map(rowCells))];
    for (const t of this.sideTables) {
      parts.push(`**${t.title}**`, markdownTable(t.headers, t.rows));
      if (t.footnote) parts.push(t.footnote);
    }
    return parts.join('\n\n');
  }
}
