// SIGSTOP and SIGCONT for one simulated process. A stopped process runs no code: its timers come
// due and wait, and the datagrams sent to it wait in its sockets' kernel receive buffers (up to
// their size; the rest is dropped, as the kernel drops them). On SIGCONT the event loop wakes with
// everything at once: first every timer that came due, in due order, each reading the time of the
// wake-up (libuv's timers phase comes before its poll phase), then the buffered datagrams in
// arrival order. Nothing is sent while stopped, because nothing runs.
//
// The process gets `clock` instead of the shared virtual clock, and each of its sockets goes
// through `socket()` before anything else wraps it (fault injection sits above, on the sending
// side, so a datagram that left before the stop is not held back by it).
import type { Clock, Timer } from '../transport/clock.js';
import { SOCKET_BUFFER_BYTES } from '../transport/timing.js';
import type { Address, DatagramSocket } from '../transport/udp-socket.js';
import type { VirtualClock } from '../transport/virtual-clock.js';

interface HeldTimer {
  readonly fn: () => void;
  readonly background: boolean;
  /** Cancelled (while held, only a crash or a close can do that: the process does not run). */
  cancelled: boolean;
}

export interface PauseStats {
  /** Datagrams that arrived while stopped and waited in a receive buffer. */
  held: number;
  /** Datagrams that arrived to a full receive buffer while stopped. */
  overflowed: number;
}

export class ProcessPause {
  readonly clock: Clock;
  readonly stats: PauseStats = { held: 0, overflowed: 0 };
  private stopped = false;
  /** Virtual time of the last SIGCONT; null before the first. */
  resumedAt: number | null = null;
  /** Timers that came due while stopped, in due order. */
  private timers: HeldTimer[] = [];
  /** Deliveries that wait for the wake-up, in arrival order. */
  private datagrams: Array<() => void> = [];

  constructor(private readonly base: VirtualClock) {
    this.clock = {
      now: () => base.now(),
      setTimer: (ms, fn, background = false) => this.setTimer(ms, fn, background),
    };
  }

  get paused(): boolean {
    return this.stopped;
  }

  /** SIGSTOP. */
  pause(): void {
    this.stopped = true;
  }

  /**
   * SIGCONT: the held timers, then the held datagrams, each as its own turn of the shared clock at
   * this instant, so that the promise continuations of one run before the next (as in Node).
   */
  resume(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.resumedAt = this.base.now();
    const timers = this.timers;
    const datagrams = this.datagrams;
    this.timers = [];
    this.datagrams = [];
    // A stop again before these turns come holds them again, in the same order.
    for (const t of timers) this.base.setTimer(0, () => this.fire(t), t.background);
    for (const deliver of datagrams) this.base.setTimer(0, () => (this.stopped ? this.datagrams.push(deliver) : deliver()));
  }

  /** Wraps one of the process's sockets: what arrives while stopped waits in its receive buffer. */
  socket(inner: DatagramSocket): DatagramSocket {
    let buffered = 0;
    let closed = false;
    return {
      get local() {
        return inner.local;
      },
      send: (buf, to) => inner.send(buf, to),
      close: () => {
        closed = true;
        return inner.close();
      },
      onDatagram: (handler) =>
        inner.onDatagram((buf: Buffer, from: Address) => {
          if (!this.stopped) return handler(buf, from);
          if (buffered + buf.length > SOCKET_BUFFER_BYTES) {
            this.stats.overflowed++;
            return;
          }
          buffered += buf.length;
          this.stats.held++;
          this.datagrams.push(() => {
            buffered -= buf.length;
            // A socket closed meanwhile (the process was killed while stopped) reads nothing.
            if (!closed) handler(buf, from);
          });
        }),
    };
  }

  private setTimer(ms: number, fn: () => void, background: boolean): Timer {
    const held: HeldTimer = { fn, background, cancelled: false };
    const timer = this.base.setTimer(ms, () => this.fire(held), background);
    return {
      cancel: () => {
        timer.cancel();
        held.cancelled = true;
      },
    };
  }

  /** A timer came due: it runs now, or waits for the wake-up. */
  private fire(t: HeldTimer): void {
    if (t.cancelled) return;
    if (this.stopped) this.timers.push(t);
    else t.fn();
  }
}
