// A Clock whose time moves only when a test or a simulation says so. Timers fire in the order of
// their due time (ties in the order they were set), so a run over a VirtualClock repeats exactly:
// no wall-clock time is read and no real timer is started.
import type { Clock, Timer } from './clock.js';

interface Scheduled {
  /** Virtual time (ms) at which the timer is due. */
  readonly at: number;
  /** Creation order: breaks ties between timers due at the same instant (first set, first fired). */
  readonly seq: number;
  readonly fn: () => void;
  /** Cancelled or fired: left in the heap and skipped when it reaches the top (lazy deletion). */
  done: boolean;
  /** A periodic timer of a component that runs for ever (a heartbeat): not counted as pending work. */
  readonly background: boolean;
}

export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  /** A binary min-heap on (at, seq): a simulation may hold thousands of timers (retries, deliveries). */
  private heap: Scheduled[] = [];
  /** Timers in the heap that are neither cancelled nor fired. */
  private live = 0;
  /** Of those, the ones that are not background timers: work in flight. */
  private foreground = 0;

  /** @param startMs the virtual time (ms) the clock starts at. */
  constructor(startMs = 0) {
    if (!Number.isFinite(startMs)) throw new RangeError(`the start time must be a finite number of ms, got ${startMs}`);
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  /** Calls fn once, ms virtual milliseconds from now, unless cancelled. ms = 0 means "at the next advance", never synchronously. */
  setTimer(ms: number, fn: () => void, background = false): Timer {
    checkMs(ms, 'a timer delay');
    const timer: Scheduled = { at: this.time + ms, seq: this.seq++, fn, done: false, background };
    this.push(timer);
    this.live++;
    if (!background) this.foreground++;
    return {
      cancel: () => {
        if (timer.done) return;
        timer.done = true;
        this.live--;
        if (!background) this.foreground--;
        this.compact();
      },
    };
  }

  /** Timers set and neither fired nor cancelled yet, background timers (heartbeats) not counted. */
  get pendingTimers(): number {
    return this.foreground;
  }

  /**
   * Moves time forward by ms, firing every timer due on the way in time order; the clock reads each
   * timer's due time while it runs. Timers set while advancing fire too when they fall inside the
   * window (a retransmission scheduled by a fired timer, say). Returns how many timers fired.
   */
  advance(ms: number): number {
    checkMs(ms, 'an advance');
    const target = this.time + ms;
    let fired = 0;
    while (this.fireNextDue(target)) fired++;
    this.time = target;
    return fired;
  }

  /**
   * Like advance, but after each timer lets the promise continuations it caused run (one turn of
   * the event loop), so async code reacts at the virtual instant its timer fired: what a
   * simulation of awaiting peers needs. Time still moves only through the timers.
   */
  async advanceSettled(ms: number): Promise<number> {
    checkMs(ms, 'an advance');
    const target = this.time + ms;
    let fired = 0;
    await settle();
    while (this.fireNextDue(target)) {
      fired++;
      await settle();
    }
    this.time = target;
    return fired;
  }

  /**
   * Fires timers in time order until none is left, but never runs past limitMs from now (a guard
   * against timers that re-arm forever). The clock stops at the last timer fired, or at the limit
   * when timers remain beyond it. Returns how many timers fired; check pendingTimers for leftovers.
   */
  runUntilIdle(limitMs: number): number {
    checkMs(limitMs, 'the limit');
    const limit = this.time + limitMs;
    let fired = 0;
    while (this.foreground > 0 && this.fireNextDue(limit)) fired++;
    if (this.foreground > 0) this.time = limit;
    return fired;
  }

  /** Fires the earliest live timer if it is due by `until` (virtual ms); false when none is. */
  private fireNextDue(until: number): boolean {
    const next = this.earliest();
    if (next === null || next.at > until) return false;
    this.pop();
    next.done = true;
    this.live--;
    if (!next.background) this.foreground--;
    this.time = next.at;
    next.fn();
    return true;
  }

  /** The live timer due first, or null; drops cancelled timers from the top on the way. */
  private earliest(): Scheduled | null {
    while (this.heap.length > 0 && this.heap[0]!.done) this.pop();
    return this.heap[0] ?? null;
  }

  /**
   * Drops cancelled timers once they are most of the heap, so that long waits cancelled early (a
   * 300 s budget answered at once) do not pile up. A sorted array is a valid heap.
   */
  private compact(): void {
    if (this.heap.length < 64 || this.live * 2 > this.heap.length) return;
    this.heap = this.heap.filter((t) => !t.done).sort((a, b) => (before(a, b) ? -1 : 1));
  }

  private push(t: Scheduled): void {
    const h = this.heap;
    h.push(t);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/** Heap order: earlier due time first, then the timer set first. */
function before(a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Misuse throws at once: a negative, NaN or infinite duration is a caller's bug, not a timer. */
function checkMs(ms: number, what: string): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`${what} must be a finite number of ms >= 0, got ${ms}`);
}

/** One macrotask turn: every pending promise continuation (microtask) has run when it resolves. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
