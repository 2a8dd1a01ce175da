// An in-memory datagram network: DatagramSockets that talk to each other without the kernel, for
// deterministic tests and seeded simulations. It behaves like UDP where it matters to the
// transport: delivery is always asynchronous (never re-entrant into the sender), the receiver gets
// its own copy of the bytes, a datagram to an address nobody is bound on vanishes, and loss,
// duplication and delay (hence reordering) are injected from the random source it is given.
import type { VirtualClock } from './virtual-clock.js';
import { formatAddress, type Address, type DatagramSocket } from './udp-socket.js';

export interface MemoryNetworkOptions {
  /** Deliveries become timers of this clock; without one they go through setImmediate/setTimeout. */
  readonly clock?: VirtualClock;
  /** Uniform draws in [0, 1) for every fault decision; pass a seeded one to repeat a run exactly. */
  readonly random?: () => number;
  /** Probability (0–1) that one copy of a datagram is lost. */
  readonly loss?: number;
  /** Probability (0–1) that a datagram is sent twice (each copy then lost or delayed on its own). */
  readonly duplicate?: number;
  /** Delivery delay of each copy, uniform in [lo, hi] ms; default [0, 0]. Unequal delays reorder. */
  readonly delayMs?: readonly [number, number];
}

export interface MemoryNetworkStats {
  /** send() calls on open sockets. */
  sent: number;
  /** Copies handed to a receiver. */
  delivered: number;
  /** Copies dropped by the injected loss. */
  lost: number;
  /** Datagrams that were sent twice. */
  duplicated: number;
  /** Copies that arrived where no socket is bound (or it closed meanwhile): UDP drops them silently. */
  unreachable: number;
  /** Datagrams above MAX_UDP_PAYLOAD_BYTES, dropped as the kernel would refuse them. */
  oversize: number;
}

/** The largest UDP payload over IPv4: 65,535 − 20 (IP header) − 8 (UDP header) bytes. */
export const MAX_UDP_PAYLOAD_BYTES = 65_507;

/** Where port 0 picks from: the IANA dynamic range, as the kernel would. */
const EPHEMERAL_LO = 49_152;
const EPHEMERAL_HI = 65_535;

export class MemoryNetwork {
  readonly stats: MemoryNetworkStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, unreachable: 0, oversize: 0 };
  private readonly clock: VirtualClock | undefined;
  private readonly random: () => number;
  private readonly loss: number;
  private readonly duplicate: number;
  private readonly delay: readonly [number, number];
  /** Open sockets by "ip:port". */
  private readonly bound = new Map<string, MemorySocket>();
  /** Next port tried for a bind to port 0; walks the ephemeral range so ports are not reused at once. */
  private nextEphemeral = EPHEMERAL_LO;

  constructor(options: MemoryNetworkOptions = {}) {
    this.clock = options.clock;
    this.random = options.random ?? Math.random;
    this.loss = probability(options.loss ?? 0, 'loss');
    this.duplicate = probability(options.duplicate ?? 0, 'duplicate');
    const [lo, hi] = options.delayMs ?? [0, 0];
    if (!(lo >= 0 && hi >= lo && Number.isFinite(hi))) throw new RangeError(`delayMs must be [lo, hi] with 0 <= lo <= hi ms, got [${lo}, ${hi}]`);
    this.delay = [lo, hi];
  }

  /** A socket on ip:port (port 0: a free one). Rejects with code EADDRINUSE when the address is taken. */
  bind(ip: string, port: number): Promise<DatagramSocket> {
    if (typeof ip !== 'string' || ip.length === 0) return Promise.reject(new TypeError(`bind needs an IP address, got ${String(ip)}`));
    if (!Number.isInteger(port) || port < 0 || port > 65_535) return Promise.reject(new RangeError(`port must be an integer 0-65535, got ${port}`));
    const chosen = port === 0 ? this.freePort(ip) : port;
    if (chosen === null || this.bound.has(formatAddress({ ip, port: chosen }))) {
      const err = new Error(`bind EADDRINUSE ${ip}:${port}`) as NodeJS.ErrnoException;
      err.code = 'EADDRINUSE';
      err.syscall = 'bind';
      return Promise.reject(err);
    }
    const socket = new MemorySocket(this, { ip, port: chosen });
    this.bound.set(formatAddress(socket.local), socket);
    return Promise.resolve(socket);
  }

  /** Called by a socket's send(): decides each copy's fate and schedules its delivery. */
  transmit(buf: Uint8Array, from: Address, to: Address): void {
    this.stats.sent++;
    if (buf.length > MAX_UDP_PAYLOAD_BYTES) {
      this.stats.oversize++;
      return;
    }
    // Copy now: the sender may reuse its buffer, and each receiver must own what it is given.
    const bytes = Buffer.from(buf);
    // The draws happen in a fixed order (duplicate?, then loss and delay per copy; none for a fault
    // that is switched off) so that a seed always gives the same run.
    const copies = this.duplicate > 0 && this.random() < this.duplicate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let c = 0; c < copies; c++) {
      if (this.loss > 0 && this.random() < this.loss) {
        this.stats.lost++;
        continue;
      }
      this.schedule(this.drawDelay(), () => this.arrive(Buffer.from(bytes), from, to));
    }
  }

  /** Called by a socket's close(): frees its address for the next bind. */
  release(socket: MemorySocket): void {
    const key = formatAddress(socket.local);
    if (this.bound.get(key) === socket) this.bound.delete(key);
  }

  private arrive(bytes: Buffer, from: Address, to: Address): void {
    const socket = this.bound.get(formatAddress(to));
    if (socket === undefined) {
      this.stats.unreachable++;
      return;
    }
    this.stats.delivered++;
    socket.receive(bytes, from);
  }

  private drawDelay(): number {
    const [lo, hi] = this.delay;
    return lo === hi ? lo : lo + this.random() * (hi - lo);
  }

  /**
   * Later, never now: even a 0 ms delivery runs after the sender's send() has returned. Real timers
   * stay ref'd: a datagram in flight keeps the process alive, as an open UDP socket would.
   */
  private schedule(ms: number, fn: () => void): void {
    if (this.clock) this.clock.setTimer(ms, fn);
    else if (ms === 0) setImmediate(fn);
    else setTimeout(fn, ms);
  }

  private freePort(ip: string): number | null {
    const span = EPHEMERAL_HI - EPHEMERAL_LO + 1;
    for (let tried = 0; tried < span; tried++) {
      const port = this.nextEphemeral;
      this.nextEphemeral = port === EPHEMERAL_HI ? EPHEMERAL_LO : port + 1;
      if (!this.bound.has(formatAddress({ ip, port }))) return port;
    }
    return null;
  }
}

class MemorySocket implements DatagramSocket {
  private state: 'open' | 'closed' = 'open';
  private handler: (buf: Buffer, from: Address) => void = () => {};

  constructor(
    private readonly network: MemoryNetwork,
    readonly local: Address,
  ) {}

  send(buf: Uint8Array, to: Address): void {
    if (this.state === 'closed') return;
    this.network.transmit(buf, this.local, to);
  }

  onDatagram(handler: (buf: Buffer, from: Address) => void): void {
    this.handler = handler;
  }

  receive(buf: Buffer, from: Address): void {
    if (this.state === 'open') this.handler(buf, from);
  }

  close(): Promise<void> {
    if (this.state === 'open') {
      this.state = 'closed';
      this.network.release(this);
    }
    return Promise.resolve();
  }
}

function probability(p: number, name: string): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be a probability between 0 and 1, got ${p}`);
  return p;
}
