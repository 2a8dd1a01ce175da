// Fault injection on the sending side of a socket: loss, duplication, reordering and delay of
// every datagram, from one seeded random source, so that a lossy run repeats exactly. The kernel
// here has no netem, so stormdht injects its own faults (STORMDHT_FAULTS or --faults).
import { mulberry32 } from '../data/seeded-random.js';
import { realClock, type Clock } from './clock.js';
import type { Address, DatagramSocket } from './udp-socket.js';

export interface FaultConfig {
  /** Probability that a datagram is dropped. */
  readonly loss: number;
  /** Probability that a datagram is sent twice. */
  readonly dup: number;
  /** Probability that a datagram is held back so that later ones overtake it. */
  readonly reorder: number;
  /** Every datagram is delayed by a uniform draw from [min, max] milliseconds. */
  readonly delayMs: readonly [number, number];
  /** Seed of the random source; the same seed gives the same faults for the same traffic. */
  readonly seed: number;
}

export const NO_FAULTS: FaultConfig = { loss: 0, dup: 0, reorder: 0, delayMs: [0, 0], seed: 1 };

/** How much longer than its delay a reordered datagram is held, in milliseconds (uniform). */
export const REORDER_HOLD_MS: readonly [number, number] = [1, 30];

export function hasFaults(c: FaultConfig): boolean {
  return c.loss > 0 || c.dup > 0 || c.reorder > 0 || c.delayMs[1] > 0;
}

/**
 * Parses `loss=0.3,dup=0.1,reorder=0.2,delay=0-20,seed=7` (delay in ms; every key optional).
 * Throws an Error that says which part is wrong.
 */
export function parseFaults(spec: string): FaultConfig {
  const config = { ...NO_FAULTS, delayMs: [0, 0] as [number, number] };
  for (const part of spec.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [key, value, extra] = part.split('=');
    if (value === undefined || extra !== undefined) throw new Error(`fault "${part}" is not key=value`);
    switch (key) {
      case 'loss':
      case 'dup':
      case 'reorder': {
        const p = Number(value);
        if (value.trim() === '' || !(p >= 0 && p <= 1)) throw new Error(`${key}=${value}: use a probability from 0 to 1`);
        config[key] = p;
        break;
      }
      case 'delay': {
        const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(value);
        const lo = m ? Number(m[1]) : Number.NaN;
        const hi = m ? Number(m[2] ?? m[1]) : Number.NaN;
        if (!(lo <= hi && hi <= 60_000)) throw new Error(`delay=${value}: use milliseconds MIN-MAX, e.g. 0-20`);
        config.delayMs = [lo, hi];
        break;
      }
      case 'seed': {
        if (!/^[0-9]{1,10}$/.test(value)) throw new Error(`seed=${value}: use a non-negative integer`);
        config.seed = Number(value);
        break;
      }
      default:
        throw new Error(`unknown fault "${key}": use loss, dup, reorder, delay or seed`);
    }
  }
  return config;
}

export function formatFaults(c: FaultConfig): string {
  return `loss=${c.loss},dup=${c.dup},reorder=${c.reorder},delay=${c.delayMs[0]}-${c.delayMs[1]},seed=${c.seed}`;
}

export interface FaultStats {
  sent: number;
  dropped: number;
  duplicated: number;
  reordered: number;
}

/** Wraps a socket so that every datagram it sends goes through the faults. Receiving is untouched. */
export class FaultySocket implements DatagramSocket {
  readonly stats: FaultStats = { sent: 0, dropped: 0, duplicated: 0, reordered: 0 };
  private readonly random: () => number;

  /**
   * @param background says which datagrams belong to a chore that never ends (heartbeats): their
   *   delays are background timers of the clock, not work in flight (see Clock.setTimer).
   */
  constructor(
    private readonly inner: DatagramSocket,
    private readonly config: FaultConfig,
    private readonly clock: Clock = realClock,
    random?: () => number,
    private readonly background: (buf: Uint8Array) => boolean = () => false,
  ) {
    // Each socket draws from its own stream, derived from the seed and its port, so that the
    // faults of one socket do not depend on the traffic of another.
    this.random = random ?? mulberry32((config.seed * 65_537 + inner.local.port) >>> 0);
  }

  get local(): Address {
    return this.inner.local;
  }

  send(buf: Uint8Array, to: Address): void {
    this.stats.sent++;
    if (this.random() < this.config.loss) {
      this.stats.dropped++;
      return;
    }
    const copies = this.random() < this.config.dup ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    // The bytes are copied: the caller may reuse its buffer before a delayed send happens.
    const bytes = Buffer.from(buf);
    for (let i = 0; i < copies; i++) {
      let delay = this.between(this.config.delayMs);
      if (this.random() < this.config.reorder) {
        this.stats.reordered++;
        delay += this.between(REORDER_HOLD_MS);
      }
      if (delay <= 0) this.inner.send(bytes, to);
      else this.clock.setTimer(delay, () => this.inner.send(bytes, to), this.background(bytes));
    }
  }

  onDatagram(handler: (buf: Buffer, from: Address) => void): void {
    this.inner.onDatagram(handler);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private between([lo, hi]: readonly [number, number]): number {
    return lo + this.random() * (hi - lo);
  }
}

/** A bind function that wraps every socket it binds in the faults (or binds plainly without faults). */
export function faultyBind(
  bind: (ip: string, port: number) => Promise<DatagramSocket>,
  config: FaultConfig,
  clock?: Clock,
): (ip: string, port: number) => Promise<DatagramSocket> {
  if (!hasFaults(config)) return bind;
  return async (ip, port) => new FaultySocket(await bind(ip, port), config, clock);
}
