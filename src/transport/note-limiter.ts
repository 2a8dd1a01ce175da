// Notes about dropped input, rate-limited (issue 5): each malformed, unauthenticated, forged or
// over-the-limit datagram used to make one note, so 100,000 of them made 100,000 lines. Now the
// first DROP_NOTE_BURST notes of a window are written as they come; the rest are counted by kind
// and summarised in one line when the window ends.
import type { Clock, Timer } from './clock.js';
import { DROP_NOTE_BURST, DROP_NOTE_WINDOW_MS } from './timing.js';

export class NoteLimiter {
  private windowEnd = Number.NEGATIVE_INFINITY;
  private written = 0;
  private readonly suppressed = new Map<string, number>();
  /** Armed only while notes are suppressed: it writes their summary at the window's end. */
  private timer: Timer | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly write: (text: string) => void,
    private readonly burst: number = DROP_NOTE_BURST,
    private readonly windowMs: number = DROP_NOTE_WINDOW_MS,
  ) {}

  /** Writes `text`, or counts it under `kind` (e.g. "malformed datagrams") when over the budget. */
  note(kind: string, text: string): void {
    const now = this.clock.now();
    if (now >= this.windowEnd && this.timer === null) {
      this.windowEnd = now + this.windowMs;
      this.written = 0;
    }
    if (this.written < this.burst) {
      this.written++;
      this.write(text);
      return;
    }
    this.suppressed.set(kind, (this.suppressed.get(kind) ?? 0) + 1);
    this.timer ??= this.clock.setTimer(Math.max(0, this.windowEnd - now), () => this.summarise());
  }

  /** Writes the pending summary now, and stops the timer (on close). */
  flush(): void {
    this.timer?.cancel();
    if (this.timer !== null) this.summarise();
  }

  private summarise(): void {
    this.timer = null;
    if (this.suppressed.size === 0) return;
    const counts = [...this.suppressed].map(([kind, n]) => `${n} ${kind}`).join(', ');
    this.suppressed.clear();
    this.write(`dropped ${counts} more in the last ${Math.round(this.windowMs / 1000)} s (notes about them suppressed)`);
  }
}
