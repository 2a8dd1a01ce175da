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
      stream.write(CLEAR_LINE + renderProgress(options.label, done, total, options.unit, stream.columns));
    },
    done() {
      if (finished) return;
      finished = true;
      if (drawn) stream.write(CLEAR_LINE);
    },
  };
}

/** One frame: "label [#######-------]  45%  1.2 MB / 2.7 MB", cut to the terminal's width. */
export function renderProgress(label: string, done: number, total: number | null, unit: string | undefined, columns = 80): string {
  const amount = total === null ? formatAmount(done, unit) : `${formatAmount(done, unit)} / ${formatAmount(total, unit)}`;
  let line: string;
  if (total === null || total <= 0) {
    line = `${label}  ${amount}`;
  } else {
    const fraction = Math.min(Math.max(done / total, 0), 1);
    const room = Math.max(columns - label.length - amount.length - 12, 0);
    const width = Math.min(BAR_WIDTH, room);
    const filled = Math.floor(fraction * width);
    const bar = width >= 5 ? ` [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]` : '';
    line = `${label}${bar} ${String(Math.floor(fraction * 100)).padStart(3)}%  ${amount}`;
  }
  // Never wrap: a wrapped line cannot be erased with \r.
  return line.length < columns ? line : line.slice(0, Math.max(columns - 1, 0));
}

function formatAmount(n: number, unit: string | undefined): string {
  if (unit !== 'bytes') return unit === undefined ? String(n) : `${n} ${unit}`;
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}
