// An in-memory datagram network: DatagramSockets that talk to each other without the kernel, for
// deterministic tests and seeded simulations. It behaves like UDP where it matters to the
// transport: delivery is always asynchronous (never re-entrant into the sender), the receiver gets
// its own copy of the bytes, and a datagram to an address nobody is bound on vanishes. It delivers
// every datagram, after a fixed latency: loss, duplication, reordering and jitter are injected by
// wrapping its sockets in a FaultySocket (faults.ts), the one implementation of fault injection,
// which the real processes use too.
import type { VirtualClock } from './virtual-clock.js';
import { formatAddress, type Address, type DatagramSocket } from './udp-socket.js';

export interface MemoryNetworkOptions {
  /** Deliveries become timers of this clock; without one they go through setImmediate/setTimeout. */
  readonly clock?: VirtualClock;
  /** Latency of every delivery in ms; default 0. Equal for all, so the network never reorders. */
  readonly delayMs?: number;
  /**
   * Datagrams of a chore that never ends (heartbeats): their deliveries are background timers of
   * the clock, not work in flight, so that a simulation can tell when the system has settled.
   */
  readonly background?: (buf: Uint8Array) => boolean;
}

export interface MemoryNetworkStats {
  /** send() calls on open sockets. */
  sent: number;
  /** Datagrams handed to a receiver. */
  delivered: number;
  /** Datagrams that arrived where no socket is bound (or it closed meanwhile): UDP drops them silently. */
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
  readonly stats: MemoryNetworkStats = { sent: 0, delivered: 0, unreachable: 0, oversize: 0 };
  private readonly clock: VirtualClock | undefined;
  private readonly delay: number;
  private readonly background: (buf: Uint8Array) => boolean;
  /** Open sockets by "ip:port". */
  private readonly bound = new Map<string, MemorySocket>();
  /** Next port tried for a bind to port 0; walks the ephemeral range so ports are not reused at once. */
  private nextEphemeral = EPHEMERAL_LO;

  constructor(options: MemoryNetworkOptions = {}) {
    this.clock = options.clock;
    const delay = options.delayMs ?? 0;
    if (!(delay >= 0 && Number.isFinite(delay))) throw new RangeError(`delayMs must be a finite number of ms >= 0, got ${delay}`);
    this.delay = delay;
    this.background = options.background ?? (() => false);
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

  /** Called by a socket's send(): schedules the delivery of one datagram. */
  transmit(buf: Uint8Array, from: Address, to: Address): void {
    this.stats.sent++;
    if (buf.length > MAX_UDP_PAYLOAD_BYTES) {
      this.stats.oversize++;
      return;
    }
    // Copy now: the sender may reuse its buffer, and the receiver must own what it is given.
    const bytes = Buffer.from(buf);
    this.schedule(this.delay, () => this.arrive(bytes, from, to), this.background(bytes));
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

  /**
   * Later, never now: even a 0 ms delivery runs after the sender's send() has returned. Real timers
   * stay ref'd: a datagram in flight keeps the process alive, as an open UDP socket would.
   */
  private schedule(ms: number, fn: () => void, background: boolean): void {
    if (this.clock) this.clock.setTimer(ms, fn, background);
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
