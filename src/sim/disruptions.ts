// The failures a step may bring, inside the fault model that the failure detector covers (SPEC
// §1.4 item 7, issue 11): a peer process crashes (SIGKILL: its sockets close, nothing more is
// sent) — the peer the manager awaits during its procedure, a ring member or the leader at any
// moment, a Free peer — or is stopped for a while (SIGSTOP, then SIGCONT; process-pause.ts). Stops
// are drawn short (they must change nothing), long (the manager must evict the peer, which learns
// it when it wakes), and in between, where either is right.
//
// A step that brought one is not over until the detector has done its part: no process is still
// stopped, every crashed peer is out of the registry, and every peer evicted while alive knows it.
import { awaitedOf } from '../manager/state.js';
import { REQUEST_BUDGET_MS } from '../transport/timing.js';
import type { Rng } from '../data/seeded-random.js';
import { crash, type Cluster, type SimPeer } from './cluster.js';
import type { Eviction } from './liveness-ledger.js';
import type { StepCommand } from './result-checks.js';
import type { SimSettings } from './run-settings.js';

/** Crashes per run at most, so that enough peers stay alive to build rings of 3. */
const MAX_CRASHES = 2;
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
const LEARN_WAIT_MS = 10_000;

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

  constructor(
    private readonly cluster: Cluster,
    private readonly settings: SimSettings,
    private readonly rng: Rng,
  ) {}

  /** Draws this step's crashes and stops; `events` gets a line for each as it happens. */
  schedule(first: StepCommand, commands: readonly StepCommand[], events: string[]): void {
    this.unaware = [];
    this.evicted.length = 0;
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
    return [...manager.state.peers.values()].some((e) => {
      const holds = (p: SimPeer, name: string | null, mPort: number | null) => p.ip === e.ip && name === e.name && mPort === e.mPort;
      if (peers.some((p) => !p.dead && holds(p, p.node.name, p.node.mPort))) return false;
      const crashed = peers.find((p) => p.dead && holds(p, p.nameAtDeath, p.mPortAtDeath));
      const silentFrom = Math.max(liveness.registeredSince(e) + REQUEST_BUDGET_MS, crashed?.crashedAt ?? 0);
      return clock.now() < silentFrom + detector.deadAfterMs + LEARN_WAIT_MS;
    });
  }

  /** A live peer evicted in this step still believes it is registered; it learns once it runs. */
  private unawareEvicted(): boolean {
    const now = this.cluster.clock.now();
    // The wait counts from its eviction or its wake-up, the later.
    const since = (u: Unaware) => Math.max(u.at, u.peer.process.resumedAt ?? u.at);
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

  private scheduleCrashes(first: StepCommand, commands: readonly StepCommand[], events: string[]): void {
    const { clock } = this.cluster;
    const chance = this.settings.crashChance;
    if (chance === 0) return;
    const afterCrash = (victim: SimPeer, why: string) => {
      this.counts.crashes++;
      crash(this.cluster, victim);
      for (const c of commands) if (c.planned.peer === victim && c.outcome === null) c.crashed = true;
      events.push(`crash ${victim.label} at ${time(clock.now())} (${why})`);
    };
    if (PROCEDURES.has(first.planned.tokens[0]!) && this.rng() < chance) {
      let polls = 0;
      const tryAwaited = () => {
        const peer = first.planned.peer;
        if (first.outcome !== null || peer.dead || peer.process.paused || this.counts.crashes >= MAX_CRASHES) return;
        if (awaitedOf(this.cluster.manager.state.mode)?.peer === peer.node.name) afterCrash(peer, 'awaited by the manager');
        else if (polls++ < AWAIT_POLLS) clock.setTimer(AWAIT_POLL_MS, tryAwaited);
      };
      clock.setTimer(stopDelay(this.rng), tryAwaited);
    }
    if (this.rng() < chance / 2) {
      const pick = this.rng();
      const member = this.rng() < 0.5;
      clock.setTimer(stopDelay(this.rng), () => {
        if (this.counts.crashes >= MAX_CRASHES) return;
        // A registered peer, as the manager has it: a ring member (the leader among them) or a
        // Free one; the other kind when there is none of the drawn one.
        const state = this.cluster.manager.state;
        const candidates = this.cluster.peers.filter((p) => {
          const entry = p.node.name === null ? undefined : state.peers.get(p.node.name);
          return !p.dead && !p.process.paused && entry !== undefined && entry.ip === p.ip && entry.mPort === p.node.mPort;
        });
        const isMember = (p: SimPeer) => state.dht?.members.includes(p.node.name!) === true;
        const drawn = candidates.filter((p) => isMember(p) === member);
        const pool = drawn.length > 0 ? drawn : candidates;
        if (pool.length === 0) return;
        const victim = pool[Math.floor(pick * pool.length)]!;
        const role = state.dht?.members[0] === victim.node.name ? 'the leader' : isMember(victim) ? 'a ring member' : 'Free';
        afterCrash(victim, role);
      });
    }
  }

  /** Maybe stops one live process for a while, whatever it is doing. */
  private scheduleStop(commands: readonly StepCommand[], events: string[]): void {
    const { clock, liveness, manager } = this.cluster;
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
      const candidates = this.cluster.peers.filter((p) => !p.dead && !p.process.paused && !mustSucceed(p));
      if (candidates.length === 0) return;
      const victim = candidates[Math.floor(pick * candidates.length)]!;
      const name = victim.node.name;
      const entry = name === null ? undefined : manager.state.peers.get(name);
      // A deregister in flight may take the peer out of the registry while it is stopped: then
      // there is no eviction to expect.
      const registered = entry !== undefined && entry.ip === victim.ip && entry.mPort === victim.node.mPort && !victim.node.deregistering ? entry : null;
      victim.process.pause();
      this.counts.stops++;
      liveness.paused(victim, registered);
      const kind = length < short ? 'short' : length < long ? 'between short and long' : 'long';
      events.push(`stop ${victim.label} at ${time(clock.now())} for ${time(length)} (${kind}${registered === null ? ', not registered' : ''})`);
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
