// The failures a step may bring, inside the fault model that the failure detector covers (SPEC
// §1.4 item 7, issue 11): a peer process crashes (SIGKILL: its sockets close, nothing more is
// sent) — the peer the manager awaits during its procedure, a ring member or the leader at any
// moment, a Free peer — or is stopped for a while (SIGSTOP, then SIGCONT; process-pause.ts). Stops
// are drawn short (they must change nothing), long (the manager must evict the peer, which learns
// it when it wakes), and in between, where either is right.
//
// A step that brought one is not over until the detector has done its part: no process is still
// stopped, every crashed peer is out of the registry, and every peer evicted while alive knows it.
//
// With R ≥ 2 copies of every record (issue 12) a step takes fewer than R members out of the ring,
// so that no record can lose every copy: a crash of a member (or of the leaver or joiner the
// manager awaits), a stop long enough to be evicted, and a leave each take one, and a disruption
// that would take one more is not made (a crash falls on another peer or on none, a stop on
// another peer).
// During a join, the death of a member takes two: the manager repairs the ring without the joiner
// too, which holds its share of the new build's copies already once the count has begun. The
// step ends with the ring repaired, so the next one starts with all R copies again.
import { awaitedOf } from '../manager/state.js';
import { REQUEST_BUDGET_MS, RESTART_GRACE_MS } from '../transport/timing.js';
import type { Rng } from '../data/seeded-random.js';
import { crash, type Cluster, type SimPeer } from './cluster.js';
import type { Eviction } from './liveness-ledger.js';
import type { StepCommand } from './result-checks.js';
import type { SimSettings } from './run-settings.js';

/** With R ≥ 2: the share of random crashes drawn among ring members (else half). */
const MEMBER_SHARE_REPLICATED = 0.8;
/** A crash of the awaited peer waits for the manager to be awaiting it, polling this often. */
const AWAIT_POLL_MS = 20;
const AWAIT_POLLS = 200;
/** The procedures during which the manager awaits the peer that runs them (SPEC §3). */
const PROCEDURES: ReadonlySet<string> = new Set(['setup-dht', 'leave-dht', 'join-dht', 'teardown-dht']);
/** Shares of the stops drawn short (must change nothing) and in the band between short and long. */
const SHORT_STOP_SHARE = 0.45;
const MIDDLE_STOP_SHARE = 0.15;
/** The longest stop beyond the long threshold (ms): past the 10 s retry budget of its partners. */
const MAX_EXTRA_STOP_MS = 15_000;
/** The shortest stop (ms). */
const MIN_STOP_MS = 20;
/**
 * How long (ms) after an eviction (or after its wake-up, if later) a step waits at most for the
 * evicted peer to learn it from a heartbeat's answer; it sends one every heartbeat period, so this
 * is dozens of chances.
 */
export const LEARN_WAIT_MS = 10_000;

/** A live peer the manager evicted (under name, from mPort, at a time) that must learn it. */
interface Unaware {
  readonly peer: SimPeer;
  readonly name: string;
  readonly mPort: number;
  readonly at: number;
}

/** What a run's failures came to: crashes, stops, and the manager's evictions. */
export interface DisruptionCounts {
  crashes: number;
  stops: number;
  evictions: number;
}

export class Disruptions {
  readonly counts: DisruptionCounts = { crashes: 0, stops: 0, evictions: 0 };
  /** The manager's evictions in this step, in order (see evictions). */
  private readonly evicted: Eviction[] = [];
  /** Live peers evicted in this step: the step waits until each of them knows. */
  private unaware: Unaware[] = [];
  /**
   * With R ≥ 2: the members this step may still take out of the ring (R − 1 at the start of a
   * step); the peers it has taken, so that a peer stopped and then crashed counts once.
   */
  private removals = 0;
  private readonly removed = new Set<SimPeer>();
  /** With R ≥ 2: the peer that runs a join in this step; a member's death takes it out too. */
  private joiner: SimPeer | null = null;
  /** The peers stopped in this step: a request to one may run out of its budget. */
  readonly stoppedThisStep = new Set<SimPeer>();
  /** Called when a ring member crashes, or is stopped for long enough to be evicted. */
  onMemberDown: (() => void) | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly settings: SimSettings,
    private readonly rng: Rng,
    /** A peer never crashed or stopped (R ≥ 2: the prober that queries while members are down). */
    private readonly spared: SimPeer | null = null,
  ) {}

  /** Draws this step's crashes and stops; `events` gets a line for each as it happens. */
  schedule(first: StepCommand, commands: readonly StepCommand[], events: string[]): void {
    this.unaware = [];
    this.evicted.length = 0;
    this.removals = this.settings.replicas - 1;
    this.stoppedThisStep.clear();
    this.removed.clear();
    this.joiner = null;
    // A leave takes its leaver's copies with it (it keeps none once the ring is rebuilt without it).
    // Of two leaves, the second runs after the first (the manager is busy until it is over) or not.
    for (const c of commands) if (c.planned.tokens[0] === 'leave-dht' && this.isMember(c.planned.peer) && this.mayTakeOut(c.planned.peer)) this.takeOut(c.planned.peer);
    for (const c of commands) if (c.planned.tokens[0] === 'join-dht' && !this.isMember(c.planned.peer)) this.joiner = c.planned.peer;
    this.scheduleCrashes(first, commands, events);
    this.scheduleStop(commands, events);
  }

  /**
   * The failure detector still has work to do: a process is stopped, a registration is held by no
   * live process, or a peer evicted alive has not learnt it yet.
   */
  pending(): boolean {
    this.collect();
    return this.cluster.peers.some((p) => p.process.paused) || this.staleRegistration() || this.unawareEvicted();
  }

  /**
   * A registration that no live process holds — its peer crashed, or gave up on its register (the
   * answer came too late) — and that the detector should still evict: it does so within its dead
   * time of the crash, or of the end of the grace a new registration gets (the register's budget).
   * A detector that does not is caught by the checks after this wait.
   */
  private staleRegistration(): boolean {
    const { peers, manager, clock, liveness, detector } = this.cluster;
    // While the manager is down, nothing is evicted: the wait goes on until it is up again.
    if (liveness.managerDown) return true;
    return [...manager.state.peers.values()].some((e) => {
      const holds = (p: SimPeer, name: string | null, mPort: number | null) => p.ip === e.ip && name === e.name && mPort === e.mPort;
      if (peers.some((p) => !p.dead && holds(p, p.node.name, p.node.mPort))) return false;
      const crashed = peers.find((p) => p.dead && holds(p, p.nameAtDeath, p.mPortAtDeath));
      // A restarted manager (manager-crash.ts) counts nobody's silence before its grace is over.
      const restarted = liveness.lastRestart === null ? 0 : liveness.lastRestart + RESTART_GRACE_MS;
      const silentFrom = Math.max(liveness.registeredSince(e) + REQUEST_BUDGET_MS, crashed?.crashedAt ?? 0, restarted);
      return clock.now() < silentFrom + detector.deadAfterMs + LEARN_WAIT_MS;
    });
  }

  /** A live peer evicted in this step still believes it is registered; it learns once it runs. */
  private unawareEvicted(): boolean {
    const now = this.cluster.clock.now();
    // The wait counts from its eviction, its wake-up or the manager's restart, the latest: a
    // heartbeat's answer is what tells it.
    const restart = this.cluster.liveness.lastRestart ?? 0;
    const since = (u: Unaware) => Math.max(u.at, u.peer.process.resumedAt ?? u.at, restart);
    this.unaware = this.unaware.filter((u) => !u.peer.dead && u.peer.node.name === u.name && u.peer.node.mPort === u.mPort && now - since(u) < LEARN_WAIT_MS);
    return this.unaware.length > 0;
  }

  /** The manager's evictions in this step so far, in order. */
  get evictions(): readonly Eviction[] {
    this.collect();
    return this.evicted;
  }

  /** Takes the ledger's new evictions; a live peer evicted must then learn it. */
  private collect(): void {
    for (const e of this.cluster.liveness.takeEvictions()) {
      this.evicted.push(e);
      this.counts.evictions++;
      if (e.peer !== null && !e.peer.dead) this.unaware.push({ peer: e.peer, name: e.name, mPort: e.mPort, at: e.at });
    }
  }

  /** True when R ≥ 2 and this step may take `peer` out of the ring without risking a record. */
  private mayTakeOut(peer: SimPeer): boolean {
    return this.settings.replicas === 1 || !this.isMember(peer) || this.removed.has(peer) || this.removals >= this.cost(peer);
  }

  /** Counts `peer` as taken out of the ring in this step (and the joiner with it), when it is a member and R ≥ 2. */
  private takeOut(peer: SimPeer): void {
    if (this.settings.replicas === 1 || !this.isMember(peer) || this.removed.has(peer)) return;
    this.removals -= this.cost(peer);
    this.removed.add(peer);
    if (this.joiner !== null) this.removed.add(this.joiner);
  }

  /** The members that `peer` going down takes out: itself, and a joiner not taken out yet. */
  private cost(peer: SimPeer): number {
    return this.joiner !== null && peer !== this.joiner && !this.removed.has(this.joiner) ? 2 : 1;
  }

  /**
   * A ring member, as the manager has it now; or the leaver or joiner it awaits (a joiner may hold
   * records of the build being made, and a leaver has given its own up).
   */
  private isMember(peer: SimPeer): boolean {
    const name = peer.node.name;
    if (name === null) return false;
    const state = this.cluster.manager.state;
    if (state.dht?.members.includes(name) === true) return true;
    return state.mode.kind === 'AwaitDhtRebuilt' && state.mode.peer === name;
  }

  private scheduleCrashes(first: StepCommand, commands: readonly StepCommand[], events: string[]): void {
    const { clock } = this.cluster;
    const chance = this.settings.crashChance;
    if (chance === 0) return;
    const afterCrash = (victim: SimPeer, why: string) => {
      const member = this.isMember(victim);
      this.takeOut(victim);
      this.counts.crashes++;
      crash(this.cluster, victim);
      for (const c of commands) if (c.planned.peer === victim && c.outcome === null) c.crashed = true;
      events.push(`crash ${victim.label} at ${time(clock.now())} (${why})`);
      if (member) this.onMemberDown?.();
    };
    if (PROCEDURES.has(first.planned.tokens[0]!) && this.rng() < chance) {
      let polls = 0;
      const tryAwaited = () => {
        const peer = first.planned.peer;
        if (first.outcome !== null || peer.dead || peer.process.paused || this.counts.crashes >= this.settings.maxCrashes) return;
        if (awaitedOf(this.cluster.manager.state.mode)?.peer === peer.node.name && this.mayTakeOut(peer)) afterCrash(peer, 'awaited by the manager');
        else if (polls++ < AWAIT_POLLS) clock.setTimer(AWAIT_POLL_MS, tryAwaited);
      };
      clock.setTimer(stopDelay(this.rng), tryAwaited);
    }
    if (this.rng() < chance / 2) {
      const pick = this.rng();
      // With R ≥ 2 mostly a member: a repair from the ring's copies is what a replicated run is for.
      const member = this.rng() < (this.settings.replicas >= 2 ? MEMBER_SHARE_REPLICATED : 0.5);
      clock.setTimer(stopDelay(this.rng), () => {
        if (this.counts.crashes >= this.settings.maxCrashes) return;
        // A registered peer, as the manager has it: a ring member (the leader among them) or a
        // Free one; the other kind when there is none of the drawn one (R = 1).
        const state = this.cluster.manager.state;
        const candidates = this.cluster.peers.filter((p) => {
          const entry = p.node.name === null ? undefined : state.peers.get(p.node.name);
          return !p.dead && !p.process.paused && p !== this.spared && entry !== undefined && entry.ip === p.ip && entry.mPort === p.node.mPort && this.mayTakeOut(p);
        });
        const isMember = (p: SimPeer) => state.dht?.members.includes(p.node.name!) === true;
        const drawn = candidates.filter((p) => isMember(p) === member);
        // With R ≥ 2 a member drawn when there is none is no crash: the run's few are kept for rings.
        const pool = drawn.length > 0 ? drawn : this.settings.replicas >= 2 && member ? [] : candidates;
        if (pool.length === 0) return;
        const victim = pool[Math.floor(pick * pool.length)]!;
        const role = state.dht?.members[0] === victim.node.name ? 'the leader' : isMember(victim) ? 'a ring member' : 'Free';
        afterCrash(victim, role);
      });
    }
  }

  /** Maybe stops one live process for a while, whatever it is doing. */
  private scheduleStop(commands: readonly StepCommand[], events: string[]): void {
    const { clock, liveness } = this.cluster;
    if (!(this.rng() < this.settings.pauseChance)) return;
    const pick = this.rng();
    const band = this.rng();
    const within = this.rng();
    const short = liveness.shortStopMs;
    const long = liveness.longStopMs;
    const length =
      band < SHORT_STOP_SHARE
        ? MIN_STOP_MS + within * (short - MIN_STOP_MS)
        : band < SHORT_STOP_SHARE + MIDDLE_STOP_SHARE
          ? short + within * (long - short)
          : long + within * within * MAX_EXTRA_STOP_MS;
    clock.setTimer(stopDelay(this.rng), () => {
      // Not a peer whose running command every state must accept (a comeback's register): a stop
      // long enough may defeat it, as the network may not.
      const mustSucceed = (p: SimPeer) => commands.some((c) => c.planned.peer === p && c.planned.expect === 'ok' && c.outcome === null);
      // With R ≥ 2 a stop that may end in an eviction takes its member out of the ring.
      const mayStop = (p: SimPeer) => length < short || this.mayTakeOut(p);
      const candidates = this.cluster.peers.filter((p) => !p.dead && !p.process.paused && p !== this.spared && !mustSucceed(p) && mayStop(p));
      if (candidates.length === 0) return;
      const victim = candidates[Math.floor(pick * candidates.length)]!;
      const member = this.isMember(victim);
      if (length >= short) this.takeOut(victim);
      this.stoppedThisStep.add(victim);
      const name = victim.node.name;
      const entry = name === null ? undefined : this.cluster.manager.state.peers.get(name);
      // A deregister in flight may take the peer out of the registry while it is stopped: then
      // there is no eviction to expect.
      const registered = entry !== undefined && entry.ip === victim.ip && entry.mPort === victim.node.mPort && !victim.node.deregistering ? entry : null;
      victim.process.pause();
      this.counts.stops++;
      liveness.paused(victim, registered);
      const kind = length < short ? 'short' : length < long ? 'between short and long' : 'long';
      events.push(`stop ${victim.label} at ${time(clock.now())} for ${time(length)} (${kind}${registered === null ? ', not registered' : ''})`);
      if (member && length >= short) this.onMemberDown?.();
      clock.setTimer(length, () => {
        victim.process.resume();
        liveness.resumed(victim);
      });
    });
  }
}

/** A failure's moment: log-uniform from 5 ms to 5 s, since procedures take milliseconds to seconds. */
function stopDelay(rng: Rng): number {
  return 5 * 1_000 ** rng();
}

function time(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}
