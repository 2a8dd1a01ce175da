// One simulated run: build the cluster of a seed, then play its steps. A step starts a command
// (sometimes a second one, overlapping), may crash or stop a peer, advances virtual time until
// every command has settled, the failure detector has done its part and the system is quiescent —
// no timer left but the heartbeats, so nothing in flight, and the manager Idle — and then checks
// every invariant. The first violation ends the run with a thrown SimulationFailure whose message
// starts with `seed <S>:`, and that seed replays the same run. With manager crashes (issue 13)
// a step may also kill the manager and start it again from its disk (manager-crash.ts).
import { mulberry32 } from '../data/seeded-random.js';
import type { ManagerState } from '../manager/state.js';
import { runCommand } from '../peer/commands.js';
import { buildCluster, closeCluster, describePeers, type Cluster, type DetectorTiming, type SimPeer } from './cluster.js';
import { CommandGenerator, type PlannedCommand } from './command-generator.js';
import { Disruptions, type DisruptionCounts } from './disruptions.js';
import { ManagerCrashes, noManagerCrashes, type ManagerCrashCounts } from './manager-crash.js';
import { describeResult, MANAGER_SILENT, resultViolations, type QueryContext, type StepCommand } from './result-checks.js';
import { childStream, drawSettings, formatSettings, type ReplicasChoice, type SimSettings } from './run-settings.js';
import { PARTIAL_MISSING_YEAR, simData, type SimData } from './sim-data.js';
import { checkQuiescentState, describeDht, type Holding } from './state-checks.js';

export interface RunOptions {
  /** Steps to play (default DEFAULT_STEPS). */
  readonly steps?: number;
  /** Called with the built cluster before the first step: lets a test plant a bug the checks must catch. */
  readonly sabotage?: (cluster: Cluster) => void;
  /** Receives every process's events, stamped with the virtual time: the full story of a seed. */
  readonly trace?: (line: string) => void;
  /** Every process authenticates every datagram with this system secret. */
  readonly secret?: string;
  /** The failure detector's timing (default the shipped one: heartbeats every 100 ms, dead at 2.5 s). */
  readonly timing?: DetectorTiming;
  /**
   * R, the copies the manager keeps of every record (issue 12): 1 (the default, SPEC's DHT), a
   * number, or 'drawn' from the seed (2 or 3). A seed replays only with the same choice.
   */
  readonly replicas?: ReplicasChoice;
  /**
   * The manager's process crashes and starts again from its state (issue 13): a seed replays only
   * with the same choice. Default false: the manager keeps its state in memory only.
   */
  readonly managerCrashes?: boolean;
}

export interface RunOutcome {
  readonly seed: number;
  readonly settings: SimSettings;
  /** Requests between live processes that ran out of their retry budget (the network won). */
  readonly exhaustedBudgets: number;
  /** Crashes, stops and evictions in the run. */
  readonly disruptions: DisruptionCounts;
  /** The manager's crashes and restarts in the run (all zero without manager crashes). */
  readonly managerCrashes: ManagerCrashCounts;
  /** Repairs the manager completed (a ring member died and the survivors were rebuilt). */
  readonly repairs: number;
  /** With R ≥ 2: the probes (queries while members were down) run, and those answered with the record. */
  readonly probes: { readonly run: number; readonly found: number };
  /** One line per command and per event (crash, give-up, exhausted budget), then the state after the step. */
  readonly log: readonly string[];
}

/** A run that broke an invariant. Its message starts with `seed <S>:`; its log replays the run up to there. */
export class SimulationFailure extends Error {
  constructor(
    readonly seed: number,
    message: string,
    readonly log: readonly string[],
  ) {
    super(message);
    this.name = 'SimulationFailure';
  }
}

/** Virtual time advanced between two looks at a step's progress. */
const WINDOW_MS = 1_000;
/**
 * A step that is not quiescent after this much virtual time hangs. The longest legitimate step is
 * a procedure whose awaited peer fell silent without the failure detector noticing: the manager
 * gives up after DEFAULT_AWAIT_TIMEOUT_MS (150 s) and tells the members within a retry budget (10 s).
 */
const STEP_CAP_MS = 600_000;
/** The commands that change the DHT's membership; a step without one changes it only by evictions. */
const PROCEDURES: ReadonlySet<string> = new Set(['setup-dht', 'leave-dht', 'join-dht', 'teardown-dht']);
/** The commands that (re)distribute the year; each ends with the counts of its build. */
const BUILDS: ReadonlySet<string> = new Set(['setup-dht', 'leave-dht', 'join-dht']);
/**
 * The one way a build may leave a ring without its records, as SPEC §6.5 step 5 specifies: the new
 * leader has no copy of the year (the ring stays, whole and empty). A build the network defeated
 * tears the DHT down; any other failed build — a wrong count above all — means records were lost,
 * and the checks then want every record held.
 */
const EXCUSED_BUILD_FAILURE = /cannot read /;
/**
 * How the manager and the peers say that records lost every copy (issue 12). A run takes fewer
 * than R members out of the ring at once (disruptions.ts), and with R = 1 nothing says it: never.
 */
const LOST_EVERY_COPY = /lost every copy/;

/** With R ≥ 2 copies: probes in a step at most, and how soon after their cause they start (ms). */
const MAX_PROBES = 3;
const PROBE_AFTER_DOWN_MS = 3_500;
const PROBE_AFTER_REPAIR_MS = 600;

class Violation extends Error {}

export async function runSeed(seed: number, options: RunOptions = {}): Promise<RunOutcome> {
  const root = mulberry32(seed);
  const settings = drawSettings(seed, root, options.steps, options.replicas, options.managerCrashes);
  const data = simData();
  // Error texts name data files; the temporary directory differs from process to process, and a
  // replay must print the same log anywhere.
  const log: string[] = [];
  const record = (line: string) => log.push(line.replaceAll(data.root, '<data>'));
  record(`seed ${seed}: ${formatSettings(settings)}`);
  let clock: Cluster['clock'] | null = null;
  const trace = options.trace;
  const sink = trace && ((who: string, text: string) => trace(`${time(clock?.now() ?? 0)} [${who}] ${text}`));
  const cluster = await buildCluster(settings, root, data, sink, options.secret, options.timing);
  clock = cluster.clock;
  record(`peers: ${describePeers(cluster, data)}`);
  options.sabotage?.(cluster);
  // The probes' stream is drawn after the others, the manager crashes' last: the streams before
  // them are those every seed always had.
  const run = new Run(settings, cluster, data, record, childStream(root), childStream(root), childStream(root), childStream(root), childStream(root));
  try {
    for (let step = 1; step <= settings.steps; step++) await run.step(step);
    return { seed, settings, exhaustedBudgets: run.exhaustedBudgets, disruptions: run.disruptionCounts, managerCrashes: run.managerCrashCounts, repairs: run.repairs, probes: { ...run.probes }, log };
  } catch (err) {
    if (!(err instanceof Violation)) throw err;
    throw new SimulationFailure(seed, err.message.replaceAll(data.root, '<data>'), log);
  } finally {
    await closeCluster(cluster);
  }
}

class Run {
  private readonly generator: CommandGenerator;
  private readonly disruptions: Disruptions;
  /** The manager's crashes; null in a run without them. */
  private readonly managerCrashes: ManagerCrashes | null;
  /** Requests between live processes that ran out of their retry budget. */
  exhaustedBudgets = 0;
  /** Repairs completed, and the probes run and answered with their record. */
  repairs = 0;
  readonly probes = { run: 0, found: 0 };
  /** The last check found every record of the DHT in place. */
  private whole = false;
  /** What the current DHT must hold, from how its last build ended; null: no DHT. */
  private holding: Holding | null = null;
  private lastDht = 'no DHT';
  /**
   * With R ≥ 2 copies: a peer that registers, runs no command the generator draws, is never
   * crashed or stopped, and runs the probes (scheduleProbes) while it is Free: a querier ready when
   * a member goes down, where the DHT's life cycles would often have taken every Free peer into
   * the ring. (The manager may still pick it for a ring a setup builds.)
   */
  private readonly prober: SimPeer | null;
  /** A peer evicted while stopped, and the name it had: it registers again first thing next step. */
  private comeback: { readonly peer: SimPeer; readonly name: string } | null = null;

  constructor(
    private readonly settings: SimSettings,
    private readonly cluster: Cluster,
    private readonly data: SimData,
    private readonly log: (line: string) => void,
    commandRng: () => number,
    private readonly rng: () => number,
    disruptionRng: () => number,
    private readonly probeRng: () => number,
    managerCrashRng: () => number,
  ) {
    // With R ≥ 2 the last peer is the prober: it registers, and queries while members are down.
    this.prober = settings.replicas >= 2 ? cluster.peers.at(-1)! : null;
    this.generator = new CommandGenerator(commandRng, cluster.peers, data, this.prober, settings.replicas >= 2);
    this.disruptions = new Disruptions(cluster, settings, disruptionRng, this.prober);
    this.managerCrashes = settings.managerCrashChance > 0 ? new ManagerCrashes(cluster, settings, managerCrashRng) : null;
  }

  get disruptionCounts(): DisruptionCounts {
    return { ...this.disruptions.counts };
  }

  get managerCrashCounts(): ManagerCrashCounts {
    return { ...(this.managerCrashes?.counts ?? noManagerCrashes()) };
  }

  async step(index: number): Promise<void> {
    // The manager may crash and start again during the step: `this.cluster.manager` is the one running.
    const { clock } = this.cluster;
    const before = this.cluster.manager.state;
    const comeback = this.comebackCommand(before) ?? this.proberRegister();
    const first = comeback ?? this.generator.next(before);
    if (first === null) throw new Violation(`seed ${this.settings.seed}: step ${index}: no live peer is left to run a command`);
    const commands: StepCommand[] = [newCommand(first)];
    const events: string[] = [];
    this.start(commands[0]!);
    // A comeback runs alone: a procedure beside it would make the manager busy for its register.
    if (this.rng() < this.settings.overlapChance && comeback === null) {
      const second = this.generator.next(before, first.peer);
      if (second !== null) {
        const cmd = newCommand(second);
        commands.push(cmd);
        clock.setTimer(this.rng() * 1_500, () => this.start(cmd));
      }
    }
    this.disruptions.schedule(commands[0]!, commands, events);
    this.scheduleProbes(commands, events);
    this.managerCrashes?.schedule(events);

    const began = clock.now();
    const settled = () => commands.every((c) => c.outcome !== null);
    // A manager that is down is the detector's absence: the step waits for its restart too.
    const detecting = () => this.disruptions.pending() || this.managerCrashes?.pending() === true;
    const where = `seed ${this.settings.seed}: step ${index} (${commands.map((c) => `${c.planned.peer.label}: ${c.planned.tokens.join(' ')}`).join('; ')})`;
    try {
      // Stop when done, or when nothing can happen any more (no timer, no detection to wait for:
      // a hang), or at the cap. While the detector has work, only its own timers may be left.
      do await clock.advanceSettled(WINDOW_MS);
      while (!(settled() && this.quiescent() && !detecting()) && (clock.pendingTimers > 0 || detecting()) && clock.now() - began <= STEP_CAP_MS);
    } catch (err) {
      // An exception out of a timer is one out of a socket callback or a retransmission: in a
      // real process it would end the process, which no datagram may do (SPEC §1.4 item 6).
      const at = err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 3).join(' ') : String(err);
      throw new Violation(`${where}: a process threw at ${time(clock.now())}: ${at}`);
    }
    const notes = this.cluster.managerNotes.splice(0);
    events.push(...notes.map((text) => `manager: ${text}`));
    for (const c of commands) this.log(`#${index} ${time(c.startedAt)} ${c.planned.peer.label}: ${c.planned.tokens.join(' ')}${c.planned.probe === true ? ' (probe)' : ''} → ${describeResult(c)}`);

    const violations = [...(this.managerCrashes?.drain() ?? []), ...this.cluster.ledger.drain(), ...this.cluster.liveness.drain()];
    if (!settled()) violations.push(`not settled after ${time(clock.now() - began)} with ${clock.pendingTimers} timers pending`);
    else if (!this.quiescent()) violations.push(`not quiescent after ${time(clock.now() - began)}: ${clock.pendingTimers} timers pending, manager ${this.cluster.manager.state.mode.kind}`);
    else if (detecting()) violations.push(`the failure detector did not finish after ${time(clock.now() - began)}: ${this.describeDetecting()}`);
    const rebuilds = commands.some((c) => c.startedAt !== null && ['leave-dht', 'join-dht'].includes(c.planned.tokens[0]!));
    for (const c of commands) violations.push(...resultViolations(c, this.queryContext(c, before, commands.length, rebuilds), this.data));
    for (const c of commands.filter((x) => x.planned.probe === true)) {
      this.probes.run++;
      if (c.outcome !== null && 'result' in c.outcome && c.outcome.result.data?.found === true) this.probes.found++;
    }
    for (const text of notes.filter((t) => LOST_EVERY_COPY.test(t))) violations.push(`the manager says records were lost, with ${this.settings.replicas} copies and fewer taken out at once: ${text}`);
    const reported = this.noteBuilds(commands);
    const state = this.cluster.manager.state;
    const holding = this.holding ?? 'any';
    const checked = checkQuiescentState({ state, peers: this.cluster.peers, data: this.data, holding, reportedCounts: reported.counts, reportedCopies: reported.copies });
    violations.push(...checked.hard);
    this.whole = checked.whole;
    const exhausted = this.noteExhausted(events);
    for (const e of this.disruptions.evictions) events.push(`evicted ${e.name} at ${time(e.at)}${e.peer === null ? ' (a registration no process held)' : ''}`);
    violations.push(...this.healingViolations(before, commands, exhausted));
    this.noteComeback();
    for (const e of events) this.log(`   ${e}`);
    // Every view must agree, whatever the network did: a procedure the network defeated reports
    // it, and the manager then tears the DHT down and resets its members.
    violations.push(...checked.view.map((v) => v.text));
    this.log(`   = ${describeDht(state)}${state.dht === null ? '' : this.whole ? ', whole' : ', not whole'}`);
    if (violations.length > 0) throw new Violation(`${where}: ${violations.join('; ')}`);
  }

  /**
   * Logs the requests between live processes that ran out of their retry budget in this step;
   * returns how many requests ran out, to whomever.
   */
  private noteExhausted(events: string[]): number {
    const deadNames = new Set(this.cluster.peers.filter((p) => p.dead).map((p) => p.nameAtDeath ?? p.label));
    const all = this.cluster.exhausted.splice(0);
    // A request to a crashed peer is meant to run out; one between live processes is the
    // transport's own verdict that the network (or a stop) defeated it.
    const exhausted = all.filter((e) => !deadNames.has(e.target));
    this.exhaustedBudgets += exhausted.length;
    for (const e of new Set(exhausted.map((x) => `${x.by} got no response from ${x.target}`))) events.push(`retry budget ran out: ${e}`);
    return all.length;
  }

  /**
   * What a query's answer is held to: the years of the DHTs it met, and exactness when the last
   * check found the data whole, nothing else ran beside it (a concurrent leave or join may rebuild
   * the ring under it) and the DHT did not change while it ran (an eviction may repair the ring).
   */
  private queryContext(c: StepCommand, before: ManagerState, commands: number, rebuilds: boolean): QueryContext {
    const history = this.cluster.dhtHistory;
    const from = c.startedAt ?? this.cluster.clock.now();
    const to = c.settledAt ?? this.cluster.clock.now();
    const years = new Set<string>();
    let changed = false;
    let gone = false;
    for (let i = 0; i < history.length; i++) {
      const h = history[i]!;
      const next = history[i + 1];
      // This DHT lasted [h.at, next.at): did it overlap the query's [from, to]?
      if (h.at > to || (next !== undefined && next.at <= from)) continue;
      if (h.at > from) changed = true;
      if (h.dht !== null) years.add(h.dht.year);
      else if (h.at > from) gone = true;
      // A teardown under way: its members may be Free already, though the manager's DHT lasts
      // until their teardown-complete (which a manager's crash may put off until it gives up).
      if (h.dht?.tearingDown === true) gone = true;
    }
    // A probe (R ≥ 2) may be defeated by the network, or by a stop; by nothing else.
    const faults = this.settings.faults;
    const stopped = this.disruptions.stoppedThisStep;
    // A manager down while the command ran may not answer within its retry budget.
    const managerDown = this.cluster.liveness.managerDownWithin(from, to);
    const networkMayFail = faults.loss > 0 || faults.dup > 0 || faults.reorder > 0 || faults.delayMs[1] > 0 || stopped.size > 0 || managerDown;
    return { dht: before.dht, exact: this.whole && commands === 1 && !changed, years, networkMayFail, dhtGone: gone, rebuilds, querierStopped: stopped.has(c.planned.peer), managerDown };
  }

  /**
   * Every ring member the detector evicted in a step that changed the DHT no other way (no setup,
   * leave, join or teardown ran) ends in a repaired ring of the survivors, in their order, or in
   * no DHT when fewer than 3 survive. The DHT may also be gone when the network defeated the repair
   * (a retry budget ran out: the repair reported it and the manager abandoned the DHT).
   */
  private healingViolations(before: ManagerState, commands: readonly StepCommand[], exhausted: number): string[] {
    const dht = before.dht;
    const evicted = new Set(this.disruptions.evictions.map((e) => e.name));
    if (dht === null || !dht.members.some((m) => evicted.has(m))) return [];
    if (commands.some((c) => PROCEDURES.has(c.planned.tokens[0] ?? ''))) return [];
    const survivors = dht.members.filter((m) => !evicted.has(m));
    const now = this.cluster.manager.state.dht;
    const want = survivors.length >= 3 ? `DHT ${dht.year} [${survivors.join(', ')}]` : 'no DHT';
    const got = now === null ? 'no DHT' : `DHT ${now.year} [${now.members.join(', ')}]`;
    if (got === want || (now === null && exhausted > 0)) return [];
    return [`the DHT of [${dht.members.join(', ')}] lost ${[...evicted].filter((m) => dht.members.includes(m)).join(', ')} to the failure detector: it should be ${want}, and it is ${got}`];
  }

  /** What the detector is still waiting for, for a violation. */
  private describeDetecting(): string {
    const peers = this.cluster.peers;
    const stopped = peers.filter((p) => p.process.paused).map((p) => `${p.label} stopped`);
    if (this.managerCrashes?.pending() === true) stopped.push('the manager down');
    const registry = this.cluster.manager.state.peers;
    const dead = peers.filter((p) => p.dead && p.nameAtDeath !== null && registry.get(p.nameAtDeath)?.mPort === p.mPortAtDeath).map((p) => `${p.nameAtDeath} crashed but registered`);
    const unaware = peers.filter((p) => !p.dead && p.node.name !== null && registry.get(p.node.name)?.mPort !== p.node.mPort).map((p) => `${p.node.name} evicted but unaware`);
    return [...stopped, ...dead, ...unaware].join(', ') || 'nothing left';
  }

  /**
   * A peer that the manager evicted while it was stopped, and that has dropped its registration on
   * waking (it is Unregistered), registers again under its name next step: that must succeed when
   * neither the name nor its addresses have been taken meanwhile.
   */
  private noteComeback(): void {
    this.comeback = null;
    for (const e of this.disruptions.evictions) {
      const p = e.peer;
      if (p !== null && !p.dead && p.node.name === null && !p.busy) {
        this.comeback = { peer: p, name: e.name };
        return;
      }
    }
  }

  /** The prober registers first thing, and again whenever it is not registered (its name was taken). */
  private proberRegister(): PlannedCommand | null {
    const p = this.prober;
    if (p === null || p.dead || p.busy || p.process.paused || p.node.name !== null) return null;
    return { peer: p, tokens: ['register', p.label, p.ip, String(p.mPort), String(p.pPort)], expect: 'any' };
  }

  private comebackCommand(state: ManagerState): PlannedCommand | null {
    const c = this.comeback;
    this.comeback = null;
    if (c === null || c.peer.dead || c.peer.busy || c.peer.node.name !== null) return null;
    const p = c.peer;
    const taken =
      state.peers.has(c.name) ||
      [...state.peers.values()].some((e) => e.ip === p.ip && [e.mPort, e.pPort].some((port) => port === p.mPort || port === p.pPort)) ||
      this.cluster.peers.some((q) => q !== p && !q.dead && q.ip === p.ip && [q.node.mPort, q.node.self?.port].some((port) => port === p.mPort || port === p.pPort));
    return { peer: p, tokens: ['register', c.name, p.ip, String(p.mPort), String(p.pPort)], expect: taken ? 'any' : 'ok' };
  }

  /**
   * With R ≥ 2 copies (issue 12): queries while fewer than R members are down. When a ring member
   * crashes (or is stopped for long enough to be evicted), a probe starts within PROBE_AFTER_DOWN_MS
   * (the dead time is 2.5 s: before the detector notices, or during the repair); when the manager
   * starts a repair, another within PROBE_AFTER_REPAIR_MS. At most MAX_PROBES a step.
   */
  private scheduleProbes(commands: StepCommand[], events: string[]): void {
    if (this.settings.replicas === 1) return;
    const { clock } = this.cluster;
    let probes = 0;
    const probeWithin = (ms: number, why: string) => {
      if (probes >= MAX_PROBES) return;
      probes++;
      const delay = this.probeRng() * ms;
      const pick = this.probeRng();
      const record = this.probeRng();
      clock.setTimer(delay, () => {
        const state = this.cluster.manager.state;
        const dht = state.dht;
        const rows = dht === null ? undefined : this.data.years.get(dht.year)?.data.records;
        // The prober when it is ready, else any idle Free peer.
        const free = this.cluster.peers.filter((p) => !p.dead && !p.busy && !p.process.paused && p.node.name !== null && state.peers.get(p.node.name)?.state === 'Free');
        const idle = this.prober !== null && free.includes(this.prober) ? [this.prober] : free;
        if (rows === undefined || rows.length === 0 || idle.length === 0) {
          events.push(`no probe ${why} at ${time(clock.now())}: ${dht === null ? 'no DHT' : 'no idle Free peer'}`);
          return;
        }
        const peer = idle[Math.floor(pick * idle.length)]!;
        const eventId = rows[Math.floor(record * rows.length)]!.eventId;
        const down = this.cluster.peers.filter((p) => p.dead && p.nameAtDeath !== null && dht!.members.includes(p.nameAtDeath)).map((p) => p.nameAtDeath!);
        const stopped = this.cluster.peers.filter((p) => p.process.paused && p.node.name !== null && dht!.members.includes(p.node.name)).map((p) => p.node.name!);
        const mode = state.mode.kind === 'AwaitDhtRepaired' ? `repairing without ${state.mode.dead.join(', ')}` : state.mode.kind;
        events.push(`probe ${why} at ${time(clock.now())}: manager ${mode}${down.length > 0 ? `, ${down.join(', ')} crashed in the ring` : ''}${stopped.length > 0 ? `, ${stopped.join(', ')} stopped` : ''}`);
        const cmd = newCommand({ peer, tokens: ['query-dht', peer.node.name!, String(eventId)], expect: 'any', probe: true });
        commands.push(cmd);
        this.start(cmd);
      });
    };
    this.disruptions.onMemberDown = () => probeWithin(PROBE_AFTER_DOWN_MS, 'after a member went down');
    this.cluster.onRepairStarted = () => probeWithin(PROBE_AFTER_REPAIR_MS, 'during the repair');
  }

  /** Nothing in flight, no timer, the manager Idle. */
  private quiescent(): boolean {
    return this.cluster.clock.pendingTimers === 0 && this.cluster.manager.state.mode.kind === 'Idle';
  }

  private start(cmd: StepCommand): void {
    const peer = cmd.planned.peer;
    if (peer.dead || peer.busy || peer.process.paused) {
      const why = peer.process.paused ? 'the peer is stopped' : 'the peer crashed before';
      cmd.outcome = { result: { command: cmd.planned.tokens[0] ?? '', ok: false, error: `not run: ${why}` } };
      cmd.crashed = true;
      return;
    }
    peer.busy = true;
    cmd.startedAt = this.cluster.clock.now();
    // D1's prompt is answered at once, from the command stream, about the DHT's year.
    const ask = () => Promise.resolve(this.generator.answerPrompt(this.cluster.manager.state.dht?.year ?? ''));
    const settle = (outcome: NonNullable<StepCommand['outcome']>) => {
      cmd.outcome = outcome;
      cmd.settledAt = this.cluster.clock.now();
      peer.busy = false;
    };
    runCommand(peer.node, cmd.planned.tokens, ask).then(
      (result) => settle({ result }),
      (thrown: unknown) => settle({ thrown }),
    );
  }

  /**
   * Remembers how the DHT's last build ended, which decides what its members must hold.
   * Returns the per-node counts (and with R ≥ 2 copies) that build reported with its SUCCESS, or null.
   */
  private noteBuilds(commands: readonly StepCommand[]): { counts: readonly number[] | null; copies: readonly number[] | null } {
    const state = this.cluster.manager.state;
    const dht = describeDht(state);
    // The manager's order decides which build the DHT comes from: a join's command may end after
    // the leave the manager took next (its dht-rebuilt reply was lost and retransmitted).
    const builds = this.cluster.builds.splice(0);
    this.repairs += builds.filter((b) => b.repair).length;
    const last = builds.at(-1);
    let counts: readonly number[] | null = null;
    let copies: readonly number[] | null = null;
    if (last?.repair === true) {
      // A repair has no command to report on: the new leader's copy of the year decides. With
      // one, the ring is whole again; without, it is whole and empty (SPEC §6.5 step 5). With
      // R ≥ 2 copies the repair takes the records from the ring, not a file (issue 12), and fewer
      // than R members were taken out: the ring is whole again, every copy of every record in place.
      const leader = this.cluster.peers.find((p) => !p.dead && p.node.name === last.peer);
      const fromRing = (state.dht?.replicas ?? 1) >= 2;
      this.holding = leader === undefined || state.dht === null ? 'any' : fromRing || canRead(leader, state.dht.year, this.data) ? 'whole' : 'empty';
    } else if (last !== undefined) {
      const c = commands.find((x) => BUILDS.has(x.planned.tokens[0]!) && x.planned.peer.node.name === last.peer && x.outcome !== null);
      const r = c !== undefined && 'result' in c.outcome! ? c.outcome.result : null;
      // Unknown (its builder crashed, or typed dht-complete by hand; or the manager took its
      // completion, then crashed before its answer got through, and stayed down beyond the
      // builder's budget): anything in its place will do.
      const unanswered = r !== null && !r.ok && MANAGER_SILENT.test(r.error ?? '') && this.cluster.liveness.managerDownWithin(c!.startedAt ?? 0, c!.settledAt ?? 0);
      if (r === null || c!.crashed || unanswered) this.holding = 'any';
      else this.holding = r.ok || !EXCUSED_BUILD_FAILURE.test(r.error ?? '') ? 'whole' : 'empty';
      if (r?.ok && !c!.crashed) counts = (r.data?.recordsPerNode as readonly number[] | undefined) ?? null;
      if (r?.ok && !c!.crashed) copies = (r.data?.replicasPerNode as readonly number[] | undefined) ?? null;
    } else if (dht !== this.lastDht) {
      // Changed with no build completed (a give-up): nothing to hold it to.
      this.holding = 'any';
    }
    if (state.dht === null) this.holding = null;
    this.lastDht = dht;
    return { counts, copies };
  }
}

function newCommand(planned: PlannedCommand): StepCommand {
  return { planned, startedAt: null, settledAt: null, outcome: null, crashed: false };
}

/** The peer's data directory holds the year (the partial one lacks one year, D18). */
function canRead(peer: SimPeer, year: string, data: SimData): boolean {
  return peer.dataDir === data.fullDir || year !== PARTIAL_MISSING_YEAR;
}

function time(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(3)}s`;
}

