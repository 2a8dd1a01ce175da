// The clock the transport runs on, injected so that a simulation can run it virtually.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences matter. */
  now(): number;
  /**
   * Calls fn once after ms milliseconds unless cancelled. A `background` timer belongs to a
   * component that runs for ever (a heartbeat, the failure detector's tick): a simulation does not
   * count it as work in flight when it waits for the system to settle.
   */
  setTimer(ms: number, fn: () => void, background?: boolean): Timer;
}

/**
 * Wall-clock time. Timers are unref'd: a pending retry never keeps a finished process alive. A
 * timer of 0 ms runs after the I/O of this turn of the event loop (setImmediate), not a
 * millisecond later as setTimeout(fn, 0) would.
 */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    if (ms <= 0) {
      const immediate = setImmediate(fn);
      immediate.unref();
      return { cancel: () => clearImmediate(immediate) };
    }
    const handle = setTimeout(fn, ms);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};
