// Round-trip time estimation (RFC 6298): a smoothed RTT and its variation give the retransmit
// timeout, so that on a fast path a lost datagram is resent after milliseconds, not after the
// fixed 500 ms SPEC recommends. Karn's rules keep it honest: no sample from a retransmitted
// request, and a path that starts from another path's estimate backs off on timeouts until it has
// a sample of its own (see backoff).
import { INITIAL_RETRY_TIMEOUT_MS, MAX_RETRY_TIMEOUT_MS, MIN_ADAPTIVE_TIMEOUT_MS } from './timing.js';

/** RFC 6298's gains: 1/8 for the smoothed RTT, 1/4 for its variation. */
const ALPHA = 1 / 8;
const BETA = 1 / 4;
/** The backed-off timeout is at most this many times the measured one (and never above the max). */
const MAX_BACKOFF = 64;

export interface RttOptions {
  /**
   * Back off on timeouts until the path is measured. For pipelined paths (a distributor's
   * stores), where too short a timeout would multiply the copies in flight.
   */
  readonly backoff?: boolean;
  /**
   * Where to start from until this estimate has a sample of its own: a new path (stores to one
   * owner) takes the process's general estimate rather than SPEC's 500 ms, which on a lossy
   * path would leave its first requests only a handful of attempts within their budget.
   */
  readonly startFrom?: RttEstimator;
  /**
   * Hops the request crosses before its answer comes back directly (a store to the owner k hops
   * round the ring: k). Until its own sample, the estimate it starts from — a one-hop round trip,
   * two legs — is scaled by (hops + 1) / 2, the legs of this path, so that the first stores to a
   * far owner are not all resent before they can have arrived.
   */
  readonly hops?: number;
}

export class RttEstimator {
  private readonly backsOff: boolean;
  private readonly startFrom: RttEstimator | null;
  private readonly legs: number;
  private srtt: number | null = null;
  private rttvar = 0;
  private backoffFactor = 1;
  /** When the timeout was last backed off: at most once per timeout period, however many requests time out together. */
  private lastBackoffAt = Number.NEGATIVE_INFINITY;

  constructor(options: RttOptions = {}) {
    this.backsOff = options.backoff === true;
    this.startFrom = options.startFrom ?? null;
    this.legs = Math.max(1, ((options.hops ?? 1) + 1) / 2);
  }

  /** A round trip of `ms`, measured at `now` on a request sent once (Karn: never on a retransmitted one). */
  sample(ms: number): void {
    if (!(ms >= 0)) return;
    this.backoffFactor = 1;
    if (this.srtt === null) {
      this.srtt = ms;
      this.rttvar = ms / 2;
      return;
    }
    this.rttvar = (1 - BETA) * this.rttvar + BETA * Math.abs(this.srtt - ms);
    this.srtt = (1 - ALPHA) * this.srtt + ALPHA * ms;
  }

  /**
   * A request timed out at `now`. While this path has no sample of its own, the estimate it
   * started from may be far too short for it (stores to an owner a hundred hops away), and with
   * every request resent before its answer Karn's rule would never let a sample in: so double
   * the timeout, once per timeout period, until the first sample. A measured path follows its
   * measurement and does not back off: on a lossy path that would only starve the budget.
   */
  backoff(now: number): void {
    if (!this.backsOff || this.srtt !== null || this.smoothed === null) return;
    if (now - this.lastBackoffAt < this.timeout()) return;
    this.lastBackoffAt = now;
    this.backoffFactor = Math.min(this.backoffFactor * 2, MAX_BACKOFF);
  }

  /** The smoothed RTT in ms (or the one it starts from), or null before any sample. */
  get smoothed(): number | null {
    return this.srtt ?? this.startFrom?.smoothed ?? null;
  }

  /**
   * The retransmit timeout in ms: (SRTT + 4·RTTVAR) × backoff, within [MIN_ADAPTIVE, MAX]; the
   * initial one before any sample.
   */
  timeout(): number {
    const base = this.baseTimeout();
    return base === null ? INITIAL_RETRY_TIMEOUT_MS : Math.min(MAX_RETRY_TIMEOUT_MS, base * this.backoffFactor);
  }

  /** SRTT + 4·RTTVAR (at least MIN_ADAPTIVE), from this estimate or the one it starts from; null before any sample. */
  private baseTimeout(): number | null {
    if (this.srtt === null) {
      const borrowed = this.startFrom?.baseTimeout() ?? null;
      return borrowed === null ? null : borrowed * this.legs;
    }
    return Math.max(MIN_ADAPTIVE_TIMEOUT_MS, this.srtt + 4 * this.rttvar);
  }
}
