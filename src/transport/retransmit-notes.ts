// Notes about retransmitted requests, summarised (issue 15). One note per copy made 255 lines in
// 10 s for a single request to a manager that had gone, since a measured path resends every 40 ms.
// Now a request gets a line for its first copy resent, then at most one per
// RETRANSMIT_NOTE_INTERVAL_MS, and a last line when it ends: on its timeout always, on its answer
// when copies went unmentioned since the line before. No timer: the lines come with the events.
import type { Clock } from './clock.js';

/** A retransmitting request gets at most one line per this many ms between its first and its last. */
export const RETRANSMIT_NOTE_INTERVAL_MS = 5_000;

/**
 * A request not resent for this long is forgotten without a last line: it was cancelled, or its
 * endpoint closed, and neither says so. A live one resends at least every MAX_RETRY_TIMEOUT_MS (2 s).
 */
export const RETRANSMIT_FORGET_MS = 60_000;

export type NoteLevel = 'info' | 'warn';

interface Resending {
  readonly type: string;
  readonly to: string;
  /** When its first copy was resent: the times reported are counted from there. */
  readonly since: number;
  /** Copies sent, the first one included. */
  copies: number;
  /** When its latest line was written, and the copies resent since then. */
  shownAt: number;
  unshown: number;
  /** When its latest copy was resent. */
  lastAt: number;
}

export class RetransmitNotes {
  private readonly resending = new Map<string, Resending>();
  private sweptAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly write: (text: string, level: NoteLevel) => void,
    private readonly intervalMs: number = RETRANSMIT_NOTE_INTERVAL_MS,
  ) {
    this.sweptAt = clock.now();
  }

  /** Requests being resent now. */
  get size(): number {
    return this.resending.size;
  }

  /** Copy number `copy` (2 for the first one resent) of request `rid`, a `type` to `to`, is on its way. */
  resent(rid: string, type: string, to: string, copy: number): void {
    const now = this.clock.now();
    this.forgetQuiet(now);
    const r = this.resending.get(rid);
    if (r === undefined) {
      this.resending.set(rid, { type, to, since: now, copies: copy, shownAt: now, unshown: 0, lastAt: now });
      this.write(resendingLine(type, to, copy), 'info');
      return;
    }
    r.copies = copy;
    r.lastAt = now;
    if (now - r.shownAt < this.intervalMs) {
      r.unshown++;
      return;
    }
    r.shownAt = now;
    r.unshown = 0;
    this.write(resendingLine(type, to, copy), 'info');
  }

  /** An answer to `rid` came (any message with its rid: a reply, or a ring message come home). */
  answered(rid: string): void {
    const r = this.resending.get(rid);
    if (r === undefined) return;
    this.resending.delete(rid);
    if (r.unshown > 0) this.write(`${r.to} answered ${r.type} after ${r.copies} copies in ${seconds(this.clock.now() - r.since)} s`, 'info');
  }

  /** Request `rid` ran out of time: the last line, a warning, with the copies it cost when it was resent. */
  timedOut(rid: string, type: string, to: string): void {
    const r = this.resending.get(rid);
    this.resending.delete(rid);
    const cost = r === undefined ? '' : `: sent ${r.copies} times in ${seconds(this.clock.now() - r.since)} s`;
    this.write(`no response from ${to} to ${type}${cost}`, 'warn');
  }

  /** Drops requests not resent for RETRANSMIT_FORGET_MS; looks at most once per that period. */
  private forgetQuiet(now: number): void {
    if (now - this.sweptAt < RETRANSMIT_FORGET_MS) return;
    this.sweptAt = now;
    for (const [rid, r] of this.resending) if (now - r.lastAt >= RETRANSMIT_FORGET_MS) this.resending.delete(rid);
  }
}

/** The line of a copy resent, as the peer has always written it (scripts and the bench match it). */
function resendingLine(type: string, to: string, copy: number): string {
  return `retransmitting ${type} to ${to} (attempt ${copy})`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
