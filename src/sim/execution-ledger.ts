// "No request takes effect twice", measured from outside the protocol code. Every socket of the
// simulation is wrapped so that the ledger knows which datagram is being delivered while the
// endpoint above handles it (delivery is synchronous, one datagram at a time, as in a process).
// The owner's own event stream then says whether that delivery ran the request:
//  * a request answered by a `reply` (SPEC §1.4 item 3) must run at most once per receiving
//    socket for each (source address, rid); a repeat must come from the reply cache;
//  * a forwarded teardown or reset-id (item 4) may be handled many times, but only its first copy
//    at a node may change the node's ring state; copies are known by (type, origin name, rid).
//  * the manager's reply cache lives as long as its socket, but for the replies of the commands
//    that changed its state: those it journals (issue 13), and a restarted manager answers their
//    repeats from them. A request that changed the state must never run again, on any socket of
//    any of the manager's processes; one that changed nothing may run again after a restart
//    (its answer, from the same state, is the same).
import { formatAddress, type Address, type DatagramSocket } from '../transport/udp-socket.js';
import { decode } from '../wire/codec.js';
import { REPLY_ANSWERED_TYPES } from '../wire/messages.js';

/** Whoever owns a socket: the manager or one peer. */
export interface LedgerOwner {
  /** Its name in violations (a peer's registered name, or "manager"). */
  label(): string;
  /** Its ring state, compared by identity before and after a delivery; null for the manager. */
  ring(): unknown;
  /**
   * The state it keeps across a restart of its process (the manager's journaled state), in parts
   * compared by identity before and after a delivery; absent for an owner that never restarts.
   */
  durable?(): readonly unknown[];
}

interface Delivery {
  readonly owner: LedgerOwner;
  /** How many times the owner reported running the request during this delivery. */
  runs: number;
}

export class ExecutionLedger {
  /** Violations found since the last drain. */
  private violations: string[] = [];
  /** The delivery in progress; null between datagrams. */
  private current: Delivery | null = null;
  /** Per owner with a durable state: the requests that changed it, by (source address, rid), for its whole life. */
  private readonly changedDurable = new Map<LedgerOwner, Set<string>>();

  /** Wraps a socket: everything passes through unchanged, and each delivery is watched. */
  watch(socket: DatagramSocket, owner: LedgerOwner): DatagramSocket {
    // Per socket: an endpoint's reply cache lives as long as its socket, so at-most-once is per socket.
    const ran = new Set<string>();
    const changedRing = new Set<string>();
    return {
      get local() {
        return socket.local;
      },
      send: (buf, to) => socket.send(buf, to),
      close: () => socket.close(),
      onDatagram: (handler) =>
        socket.onDatagram((buf, from) => this.deliver(owner, ran, changedRing, buf, from, () => handler(buf, from))),
    };
  }

  /** Called from the owner's events when it starts running a request it received. */
  ran(owner: LedgerOwner): void {
    if (this.current?.owner === owner) this.current.runs++;
  }

  /** The violations found since the last call, and forgets them. */
  drain(): string[] {
    const out = this.violations;
    this.violations = [];
    return out;
  }

  private deliver(
    owner: LedgerOwner,
    ran: Set<string>,
    changedRing: Set<string>,
    buf: Buffer,
    from: Address,
    handle: () => void,
  ): void {
    const decoded = decode(buf);
    if (!decoded.ok) return handle();
    const msg = decoded.msg;
    const ringBefore = owner.ring();
    const durableBefore = owner.durable?.();
    const delivery: Delivery = { owner, runs: 0 };
    this.current = delivery;
    try {
      handle();
    } finally {
      this.current = null;
    }
    if (REPLY_ANSWERED_TYPES.has(msg.type) && delivery.runs > 0) {
      const key = `${formatAddress(from)}|${msg.rid}`;
      const changedBefore = this.changedDurable.get(owner);
      if (ran.has(key) || delivery.runs > 1) this.violations.push(`${owner.label()} ran ${msg.type} ${key} a second time`);
      else if (changedBefore?.has(key) === true) this.violations.push(`${owner.label()} ran ${msg.type} ${key} a second time, after a restart: its first run changed the state`);
      ran.add(key);
      if (durableBefore !== undefined && changed(durableBefore, owner.durable!())) {
        if (changedBefore === undefined) this.changedDurable.set(owner, new Set([key]));
        else changedBefore.add(key);
      }
    }
    if ((msg.type === 'teardown' || msg.type === 'reset-id') && owner.ring() !== ringBefore) {
      const key = `${msg.type}|${msg.origin.name}|${msg.rid}`;
      if (changedRing.has(key)) this.violations.push(`${owner.label()} changed its ring on a second copy of ${key}`);
      changedRing.add(key);
    }
  }
}

/** Some part is another object: the state changed. */
function changed(before: readonly unknown[], after: readonly unknown[]): boolean {
  return before.length !== after.length || before.some((part, i) => part !== after[i]);
}
