// Lines of several processes in the order they happened, not the order they arrived (issue 15).
// Each process writes its lines through a pipe of its own, and a busy machine may hold one pipe
// back while another flows, so the cluster reads a hop's lines after the next hop's, and the
// demo printed a step's late lines under the next step's header. Every --json event line of a
// peer or the manager carries `at`, when it was printed (lineTime()); this buffer holds each line
// `holdMs` after that moment, then writes the lines in time order. A line without `at` (a result
// line, the cluster's own lines) counts as happening when it arrives.
//
// A process's own lines never change their order: each one's time is at least that of the line
// before it from the same process. Lines of the same millisecond keep the order they came in.
// A line held back longer than holdMs comes out late, as it would have without the buffer.
// Pure: the clock and the timer are injected; holdMs 0 writes every line as it comes.
import type { Clock, Timer } from '../transport/clock.js';

/**
 * Now, as the processes stamp their lines: ms since the epoch, to the microsecond. A millisecond
 * is too coarse: a query's hops, its result and the next command all fit in one. The monotonic
 * clock from the moment the process started (performance.timeOrigin, taken from the wall clock)
 * agrees between the processes of a machine to a few tens of µs.
 */
export function lineTime(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000;
}

interface Held {
  readonly at: number;
  readonly write: () => void;
}

export class TimeOrder {
  /** Held lines by time; those of the same time in the order they came. */
  private readonly held: Held[] = [];
  /** The time of the latest line of each process. */
  private readonly latest = new Map<string, number>();
  private timer: Timer | null = null;
  /** When the timer fires (ms since the epoch). */
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(
    /** The clock: now() as lineTime(), comparable with the processes' `at`. */
    private readonly clock: Clock,
    private readonly holdMs: number,
  ) {}

  /** How many lines wait. */
  get waiting(): number {
    return this.held.length;
  }

  /**
   * Takes one line (or a group that stays together) of `source`, printed at `at` (undefined: now),
   * and writes it once every line that happened before it has had holdMs to arrive.
   */
  add(source: string, at: number | undefined, write: () => void): void {
    if (this.holdMs <= 0) return write();
    const time = Math.max(typeof at === 'number' && Number.isFinite(at) ? at : this.clock.now(), this.latest.get(source) ?? Number.NEGATIVE_INFINITY);
    this.latest.set(source, time);
    const line: Held = { at: time, write };
    // Lines mostly come in time order: look for the place from the end, after those of its time.
    let i = this.held.length;
    while (i > 0 && this.held[i - 1]!.at > time) i--;
    this.held.splice(i, 0, line);
    this.release();
  }

  /** Writes every held line now, in time order (before the program exits). */
  flush(): void {
    this.stopTimer();
    for (const line of this.held.splice(0)) line.write();
  }

  /** Writes the lines whose hold is over, and sets the timer for the next one. */
  private release(): void {
    const due = this.clock.now() - this.holdMs;
    let n = 0;
    while (n < this.held.length && this.held[n]!.at <= due) n++;
    for (const line of this.held.splice(0, n)) line.write();
    const next = this.held[0];
    if (next === undefined) return this.stopTimer();
    const at = next.at + this.holdMs;
    if (this.timer !== null && this.timerAt <= at) return; // it fires in time for this one
    this.stopTimer();
    this.timerAt = at;
    this.timer = this.clock.setTimer(Math.max(at - this.clock.now(), 1), () => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.release();
    });
  }

  private stopTimer(): void {
    this.timer?.cancel();
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}
