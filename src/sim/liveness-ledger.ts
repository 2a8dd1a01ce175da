// "No live peer is ever evicted", measured from outside the protocol code. The ledger knows when
// each peer process crashed and when it was stopped (SIGSTOP) and continued, and it hears every
// eviction the manager's failure detector makes. An eviction at time T says that the manager heard
// nothing from the peer for the detector's dead time: it is justified when the peer crashed before
// T, or when it was stopped for all but a margin of [T − dead time, T]. A peer that was running for
// longer than the margin in that window sent heartbeats all along, and the detector should have
// heard one of them.
//
// The other half: a peer stopped well beyond the dead time while the manager had it registered
// must be evicted, and learn it when it wakes.
//
// The manager's own process may crash and start again (issue 13, manager-crash.ts). While it is
// down nobody is watched, and a restarted manager counts no one's silence for RESTART_GRACE_MS:
// a stop must then last a long stop beyond that grace to have to end in an eviction. The first
// half does not change: a restarted manager must not evict a live peer for its own absence.
import type { DetectorSettings } from '../membership/failure-detector.js';
import type { ManagerState, PeerEntry } from '../manager/state.js';
import type { Clock } from '../transport/clock.js';
import { REQUEST_BUDGET_MS, RESTART_GRACE_MS } from '../transport/timing.js';
import type { SimPeer } from './cluster.js';

/**
 * Heartbeat periods of a dead-time window that a peer may have been running, and yet not heard
 * from, without it counting as a false eviction: its heartbeats just before and just after a stop
 * were all lost. At the simulation's worst loss, 0.3, 15 lost in a row happen with a chance of
 * about 16 · 0.3^15 ≈ 2e-7 per stop; a run has a few stops.
 */
export const MARGIN_BEATS = 15;
/**
 * A stop this much longer than the dead time must end in an eviction: the last heartbeat before it
 * may arrive up to 50 ms late (delay and reordering), and the detector looks once per tick.
 */
export const LONG_STOP_SLACK_MS = 400;

/** A stretch of time a peer was not running: [from, to), to null while it lasts (a crash, for ever). */
interface Downtime {
  readonly kind: 'crash' | 'pause';
  readonly from: number;
  to: number | null;
  /** A pause: the manager had the peer registered (name and address) when it began. */
  readonly registered: PeerEntry | null;
  /** A pause: when the manager registered it (its detector gives a new peer the register's budget). */
  readonly registeredAt: number;
  /** A pause: an eviction of the peer was seen during or after it. */
  evicted: boolean;
  /** A pause: the check that a long one ended in an eviction has been made. */
  judged: boolean;
}

/** An eviction the manager made: when, whom, and the peer process that held the registration. */
export interface Eviction {
  readonly at: number;
  readonly name: string;
  /** The m-port it was registered with. */
  readonly mPort: number;
  readonly peer: SimPeer | null;
}

/** A stretch of time the manager's process was down: [from, to), to null while it lasts. */
interface Outage {
  readonly from: number;
  to: number | null;
}

export class LivenessLedger {
  private readonly downtimes = new Map<SimPeer, Downtime[]>();
  /** The manager's crashes, each until its restart. */
  private readonly outages: Outage[] = [];
  /** When each registration the manager holds appeared, by "name ip:m-port". */
  private readonly registeredAt = new Map<string, number>();
  private violations: string[] = [];
  private evictions: Eviction[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly settings: DetectorSettings,
    private readonly heartbeatMs: number,
  ) {}

  /** Below this, a stop must change nothing; the manager must not evict for it. */
  get shortStopMs(): number {
    return this.settings.deadAfterMs - MARGIN_BEATS * this.heartbeatMs;
  }

  /** From this on, a stop of a registered peer must end in its eviction. */
  get longStopMs(): number {
    return this.settings.deadAfterMs + this.settings.tickMs + LONG_STOP_SLACK_MS;
  }

  crashed(peer: SimPeer): void {
    this.list(peer).push({ kind: 'crash', from: this.clock.now(), to: null, registered: null, registeredAt: 0, evicted: false, judged: true });
  }

  /** The peer's process is stopped; `registered` is its entry at the manager then, if any. */
  paused(peer: SimPeer, registered: PeerEntry | null): void {
    const registeredAt = registered === null ? 0 : (this.registeredAt.get(keyOf(registered)) ?? 0);
    this.list(peer).push({ kind: 'pause', from: this.clock.now(), to: null, registered, registeredAt, evicted: false, judged: false });
  }

  /** When the manager registered this entry (0 when it was before the ledger looked). */
  registeredSince(entry: PeerEntry): number {
    return this.registeredAt.get(keyOf(entry)) ?? 0;
  }

  /** Follows the manager's registry, to know how new a registration is when its peer stops. */
  sawState(state: ManagerState): void {
    const now = this.clock.now();
    const keys = new Set([...state.peers.values()].map(keyOf));
    for (const k of keys) if (!this.registeredAt.has(k)) this.registeredAt.set(k, now);
    for (const k of [...this.registeredAt.keys()]) if (!keys.has(k)) this.registeredAt.delete(k);
  }

  /** The manager's process was killed: it watches nobody until it starts again. */
  managerCrashed(): void {
    if (this.managerDown) return;
    this.outages.push({ from: this.clock.now(), to: null });
  }

  /** The manager's process started again from its state, with a grace for every peer. */
  managerRestarted(): void {
    const last = this.outages.at(-1);
    if (last !== undefined && last.to === null) last.to = this.clock.now();
  }

  get managerDown(): boolean {
    return this.outages.at(-1)?.to === null;
  }

  /** Virtual time of the manager's latest restart; null when it never restarted. */
  get lastRestart(): number | null {
    for (let i = this.outages.length - 1; i >= 0; i--) {
      const to = this.outages[i]!.to;
      if (to !== null) return to;
    }
    return null;
  }

  /**
   * From when the manager's detector has been counting silence without a break, as of `at`: the
   * end of the grace after its latest restart before `at` (−∞ when none); null when it was down at `at`.
   */
  watchingSince(at: number): number | null {
    let since = Number.NEGATIVE_INFINITY;
    for (const o of this.outages) {
      if (o.from > at) break;
      if (o.to === null || o.to > at) return null;
      since = o.to + RESTART_GRACE_MS;
    }
    return since;
  }

  /** The manager was down at some moment of [from, to]. */
  managerDownWithin(from: number, to: number): boolean {
    return this.outages.some((o) => o.from <= to && (o.to === null || o.to >= from));
  }

  resumed(peer: SimPeer): void {
    const last = this.list(peer).at(-1);
    if (last?.kind === 'pause' && last.to === null) last.to = this.clock.now();
  }

  /**
   * The manager evicted `entry` (its note came after the registry dropped it). Finds the process
   * that held the registration — a live peer registered under that name at that address, or one
   * that crashed so — and judges the eviction. A registration no process holds (a register whose
   * answer never came back) is a ghost, rightly evicted.
   */
  evicted(entry: PeerEntry, peers: readonly SimPeer[]): void {
    const now = this.clock.now();
    const holder =
      peers.find((p) => !p.dead && p.ip === entry.ip && p.node.name === entry.name && p.node.mPort === entry.mPort) ??
      peers.find((p) => p.dead && p.ip === entry.ip && p.nameAtDeath === entry.name && p.mPortAtDeath === entry.mPort) ??
      null;
    this.evictions.push({ at: now, name: entry.name, mPort: entry.mPort, peer: holder });
    if (holder === null || holder.dead) return;
    const window = this.settings.deadAfterMs;
    const down = this.downWithin(holder, now - window, now);
    for (const d of this.list(holder)) if (d.kind === 'pause' && (d.to === null || d.to >= now - window)) d.evicted = true;
    if (down < this.shortStopMs) {
      this.violations.push(
        `the manager evicted ${entry.name} at ${seconds(now)}, a live peer: it was stopped for only ${seconds(down)} of the ${seconds(window)} before`,
      );
    }
  }

  /** The evictions since the last call, and forgets them. */
  takeEvictions(): Eviction[] {
    const out = this.evictions;
    this.evictions = [];
    return out;
  }

  /** The violations found since the last call (false evictions, missed ones), and forgets them. */
  drain(): string[] {
    const now = this.clock.now();
    for (const [peer, list] of this.downtimes) {
      for (const d of list) {
        // Judged once, when the stop is over; a stop of a peer the manager did not have registered
        // has nothing to evict.
        if (d.judged || d.to === null) continue;
        d.judged = true;
        // A registration younger than the register's retry budget is not watched until then, or
        // until its first heartbeat (the detector's grace, which this cannot see ended); nor is
        // anyone while the manager is down, or in the grace after its restart.
        const watching = this.watchingSince(d.to);
        const from = Math.max(d.from, d.registeredAt + REQUEST_BUDGET_MS, watching ?? Number.POSITIVE_INFINITY);
        if (d.registered !== null && d.to - from >= this.longStopMs && !d.evicted) {
          this.violations.push(`${d.registered.name} (${peer.label}) was stopped for ${seconds(d.to - d.from)} from ${seconds(d.from)}, and the manager did not evict it`);
        }
      }
      // A stop that ended more than a dead time ago can justify no eviction any more.
      this.downtimes.set(peer, list.filter((d) => d.to === null || d.to >= now - this.settings.deadAfterMs));
    }
    const out = this.violations;
    this.violations = [];
    return out;
  }

  /** How long (ms) the peer was stopped or dead within [from, to]. */
  private downWithin(peer: SimPeer, from: number, to: number): number {
    let total = 0;
    for (const d of this.list(peer)) {
      const a = Math.max(from, d.from);
      const b = Math.min(to, d.to ?? to);
      if (b > a) total += b - a;
    }
    return total;
  }

  private list(peer: SimPeer): Downtime[] {
    let list = this.downtimes.get(peer);
    if (list === undefined) this.downtimes.set(peer, (list = []));
    return list;
  }
}

function keyOf(e: PeerEntry): string {
  return `${e.name} ${e.ip}:${e.mPort}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}
