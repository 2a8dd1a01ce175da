// A one-line progress bar for long work (import and fetch today; distribution and rebuilds
// later). It draws only on a terminal: on a pipe, a file or under --json it does nothing at all,
// so scripted output never holds carriage returns or escape codes. It redraws at most every
// RENDER_INTERVAL_MS and erases its line when done, so the caller's next line starts clean.
//
//   const bar = createProgress({ label: 'importing', total: size, unit: 'bytes', stream: process.stderr });
//   bar.update(bytesSoFar); … bar.done();

/** The least a stream must offer; process.stderr and process.stdout qualify. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  /** Terminal width in characters, when known. */
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Shown before the bar, e.g. "downloading StormEvents_…csv.gz". */
  readonly label: string;
  /** The amount that means finished; null or absent when unknown (then only the amount is shown). */
  readonly total?: number | null;
  /** 'bytes' shows kB/MB; any other word is printed after the numbers (e.g. 'records'). */
  readonly unit?: string;
  /** Where to draw; default process.stderr. */
  readonly stream?: ProgressStream;
  /** false turns the bar off (e.g. under --json) even on a terminal. */
  readonly enabled?: boolean;
  /** The clock, in ms; injected by tests. */
  readonly now?: () => number;
}

export interface Progress {
  /** The amount done so far (absolute, not a delta); `total` may be learnt late. */
  update(done: number, total?: number | null): void;
  /** Erases the bar. Safe to call twice; later updates are ignored. */
  done(): void;
}

/** Least time between two redraws, in ms: often enough to look live, rarely enough to cost nothing. */
export const RENDER_INTERVAL_MS = 100;

/** Width of the bar itself, in characters, on a wide terminal. */
const BAR_WIDTH = 30;

/** The narrowest bar worth drawing, and the label room it must leave, in characters. */
const MIN_BAR_WIDTH = 10;
const MIN_LABEL = 12;

/** ANSI: return to column 0 and erase the line. */
const CLEAR_LINE = '\r\x1b[2K';

const NO_PROGRESS: Progress = { update() {}, done() {} };

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.enabled === false || stream.isTTY !== true) return NO_PROGRESS;
  const now = options.now ?? Date.now;
  let total = options.total ?? null;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let finished = false;
  return {
    update(done, newTotal) {
      if (finished) return;
      if (newTotal !== undefined) total = newTotal;
      const t = now();
      if (t - lastDraw < RENDER_INTERVAL_MS) return;
      lastDraw = t;
      drawn = true;
      // A pseudo-terminal may report 0 columns: take the usual 80 then.
      stream.write(CLEAR_LINE + renderProgress(options.label, done, total, options.unit, stream.columns || 80));
    },
    done() {
      if (finished) return;
      finished = true;
      if (drawn) stream.write(CLEAR_LINE);
    },
  };
}

/**
 * One frame: "label [#######-------]  45%  1.2 MB / 2.7 MB", narrower than `columns` (a wrapped
 * line cannot be erased with \r): a long label or a narrow terminal shrinks the bar, then the label,
 * then drops the bar.
 */
export function renderProgress(label: string, done: number, total: number | null, unit: string | undefined, columns = 80): string {
  const known = total !== null && total > 0;
  const amount = total === null ? formatAmount(done, unit) : `${formatAmount(done, unit)} / ${formatAmount(total, unit)}`;
  const fraction = known ? Math.min(Math.max(done / total, 0), 1) : 0;
  const tail = known ? ` ${String(Math.floor(fraction * 100)).padStart(3)}%  ${amount}` : `  ${amount}`;
  const room = columns - 1 - tail.length; // for the label and the bar
  // The label first, then the bar, down to MIN_BAR_WIDTH; no bar when the label would drop below MIN_LABEL.
  let width = known ? Math.min(BAR_WIDTH, Math.max(room - label.length - 3, MIN_BAR_WIDTH)) : 0;
  if (room - width - 3 < MIN_LABEL) width = 0;
  const bar = width > 0 ? ` [${'#'.repeat(Math.floor(fraction * width))}${'-'.repeat(width - Math.floor(fraction * width))}]` : '';
  const labelRoom = room - bar.length;
  const shown = label.length <= labelRoom ? label : `${label.slice(0, Math.max(labelRoom - 1, 0))}…`;
  return `${shown}${bar}${tail}`.slice(0, Math.max(columns - 1, 0));
}

function formatAmount(n: number, unit: string | undefined): string {
  if (unit !== 'bytes') return unit === undefined ? String(n) : `${n} ${unit}`;
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}
