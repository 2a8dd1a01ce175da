// Round-trip time estimation (RFC 6298): a smoothed RTT and its variation give the retransmit
// timeout of bulk requests, so that on a fast path a lost datagram is resent after milliseconds,
// not after the fixed 500 ms that ordinary requests wait.
import { INITIAL_RETRY_TIMEOUT_MS, MAX_RETRY_TIMEOUT_MS, MIN_ADAPTIVE_TIMEOUT_MS } from './timing.js';

/** RFC 6298's gains: 1/8 for the smoothed RTT, 1/4 for its variation. */
const ALPHA = 1 / 8;
const BETA = 1 / 4;

export class RttEstimator {
  private srtt: number | null = null;
  private rttvar = 0;

  /** A round trip measured on a request that was sent once (Karn: never on a retransmitted one). */
  sample(ms: number): void {
    if (!(ms >= 0)) return;
    if (this.srtt === null) {
      this.srtt = ms;
      this.rttvar = ms / 2;
      return;
    }
    this.rttvar = (1 - BETA) * this.rttvar + BETA * Math.abs(this.srtt - ms);
    this.srtt = (1 - ALPHA) * this.srtt + ALPHA * ms;
  }

  /** The smoothed RTT in ms, or null before the first sample. */
  get smoothed(): number | null {
    return this.srtt;
  }

  /** The retransmit timeout in ms: SRTT + 4·RTTVAR, within [MIN_ADAPTIVE, MAX]; the initial one before any sample. */
  timeout(): number {
    if (this.srtt === null) return INITIAL_RETRY_TIMEOUT_MS;
    return Math.min(MAX_RETRY_TIMEOUT_MS, Math.max(MIN_ADAPTIVE_TIMEOUT_MS, this.srtt + 4 * this.rttvar));
  }
}
