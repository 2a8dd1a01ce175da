// Notes about dropped input, rate-limited (issue 5): each malformed, unauthenticated, forged or
// over-the-limit datagram used to make one note, so 100,000 of them made 100,000 lines. Now the
// first DROP_NOTE_BURST notes of a window are written as they come; the rest are counted by kind
// and summarised in one line by the first note after the window (or by flush(), at close). No
// timer: a simulation's virtual time, and a process's exit, are not held up by one.
import type { Clock } from './clock.js';
import { DROP_NOTE_BURST, DROP_NOTE_WINDOW_MS } from './timing.js';

export class NoteLimiter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private written = 0;
  private readonly suppressed = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly write: (text: string) => void,
    private readonly burst: number = DROP_NOTE_BURST,
    private readonly windowMs: number = DROP_NOTE_WINDOW_MS,
  ) {}

  /** Writes `text`, or counts it under `kind` (e.g. "malformed datagrams") when over the budget. */
  note(kind: string, text: string): void {
    const now = this.clock.now();
    if (now - this.windowStart >= this.windowMs) {
      this.flush();
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.burst) {
      this.written++;
      this.write(text);
      return;
    }
    this.suppressed.set(kind, (this.suppressed.get(kind) ?? 0) + 1);
  }

  /** Writes the summary of what was suppressed, if anything was. */
  flush(): void {
    if (this.suppressed.size === 0) return;
    const counts = [...this.suppressed].map(([kind, n]) => `${n} ${kind}`).join(', ');
    this.suppressed.clear();
    const seconds = Math.round((this.clock.now() - this.windowStart) / 1000);
    this.write(`dropped ${counts} more in ${seconds} s (notes about them suppressed)`);
  }
}
