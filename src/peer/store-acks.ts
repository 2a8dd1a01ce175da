// An owner acknowledges the stores it keeps in one turn of its event loop together: one store-ack
// per origin names them all (StoreAck.also), instead of one datagram each. Under load an owner
// takes several stores per turn, and its origin, the distributor, then takes one datagram (one
// wake-up, one MAC check) for several stores.
import type { Clock, Timer } from '../transport/clock.js';
import { formatAddress } from '../transport/udp-socket.js';
import { MAX_ACKED_TOGETHER, type StoreAck, type Tuple } from '../wire/messages.js';

export class StoreAcks {
  private readonly waiting = new Map<string, { readonly to: Tuple; readonly rids: string[] }>();
  private timer: Timer | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly send: (to: Tuple, ack: StoreAck) => void,
  ) {}

  /** Acknowledges the store `rid` to its origin at the end of this turn (at once when the ack is full). */
  ack(to: Tuple, rid: string): void {
    const key = formatAddress(to);
    let entry = this.waiting.get(key);
    if (entry === undefined) this.waiting.set(key, (entry = { to, rids: [] }));
    entry.rids.push(rid);
    if (entry.rids.length >= MAX_ACKED_TOGETHER) {
      this.waiting.delete(key);
      this.send(to, ackOf(entry.rids));
    }
    this.timer ??= this.clock.setTimer(0, () => this.flush());
  }

  /** Sends every waiting acknowledgement now. */
  flush(): void {
    this.timer?.cancel();
    this.timer = null;
    for (const { to, rids } of this.waiting.values()) this.send(to, ackOf(rids));
    this.waiting.clear();
  }
}

function ackOf(rids: readonly string[]): StoreAck {
  return rids.length === 1 ? { type: 'store-ack', rid: rids[0]! } : { type: 'store-ack', rid: rids[0]!, also: rids.slice(1) };
}
