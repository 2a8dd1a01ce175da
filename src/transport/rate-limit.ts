// Per-source rate limits (issue 5): a token bucket per ip:port, and a socket decorator (like
// FaultySocket) that drops what a source sends beyond its bucket before anything decodes it. A
// flood from one socket then costs the receiver a map look-up per datagram, and the other sources
// are served as before.
import type { Clock } from './clock.js';
import { RATE_LIMIT_MAX_SOURCES } from './timing.js';
import { formatAddress, type Address, type DatagramSocket } from './udp-socket.js';

export interface BucketConfig {
  /** Tokens added per second: the sustained rate allowed. */
  readonly perSecond: number;
  /** Tokens a bucket holds at most (and starts with): the burst allowed. */
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  /** Clock time of the last refill, in ms. */
  at: number;
}

/** One token bucket per key, refilled lazily on use: no timer. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly config: BucketConfig,
    private readonly maxKeys: number = RATE_LIMIT_MAX_SOURCES,
  ) {}

  /** Takes one token from key's bucket; false when it is empty (the datagram is over the limit). */
  take(key: string): boolean {
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      // Forget the oldest source first: a flood from spoofed addresses cannot grow the map.
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      b = { tokens: this.config.burst, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.config.burst, b.tokens + ((now - b.at) * this.config.perSecond) / 1000);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }
}

export interface RateLimitOptions {
  /** Sources never limited (a peer's ring members and its manager). */
  readonly exempt?: (from: Address) => boolean;
  /** Told of every datagram dropped. */
  readonly onDrop?: (from: Address) => void;
}

export interface RateLimitStats {
  passed: number;
  dropped: number;
}

/** Wraps a socket so that each source's datagrams beyond its bucket are dropped on arrival. */
export class RateLimitedSocket implements DatagramSocket {
  readonly stats: RateLimitStats = { passed: 0, dropped: 0 };
  private readonly buckets: TokenBuckets;

  constructor(
    private readonly inner: DatagramSocket,
    clock: Clock,
    config: BucketConfig,
    private readonly options: RateLimitOptions = {},
  ) {
    this.buckets = new TokenBuckets(clock, config);
  }

  get local(): Address {
    return this.inner.local;
  }

  send(buf: Uint8Array, to: Address): void {
    this.inner.send(buf, to);
  }

  onDatagram(handler: (buf: Buffer, from: Address) => void): void {
    this.inner.onDatagram((buf, from) => {
      if (this.options.exempt?.(from) || this.buckets.take(formatAddress(from))) {
        this.stats.passed++;
        handler(buf, from);
        return;
      }
      this.stats.dropped++;
      this.options.onDrop?.(from);
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
