// One simulated run: build the cluster of a seed, then play its steps. A step starts a command
// (sometimes a second one, overlapping), may crash a peer, advances virtual time until every
// command has settled and the system is quiescent — no timer left, so nothing in flight and the
// manager Idle — and then checks every invariant. The first violation ends the run with a thrown
// SimulationFailure whose message starts with `seed <S>:`, and that seed replays the same run.
import { mulberry32, type Rng } from '../data/seeded-random.js';
import { awaitedOf } from '../manager/state.js';
import { runCommand } from '../peer/commands.js';
import { buildCluster, closeCluster, crash, describePeers, type Cluster, type SimPeer } from './cluster.js';
import { CommandGenerator, type PlannedCommand } from './command-generator.js';
import { describeResult, resultViolations, type StepCommand } from './result-checks.js';
import { childStream, drawSettings, formatSettings, type SimSettings } from './run-settings.js';
import { simData, type SimData } from './sim-data.js';
import { checkQuiescentState, describeDht } from './state-checks.js';

export interface RunOptions {
  /** Steps to play (default DEFAULT_STEPS). */
  readonly steps?: number;
  /** Called with the built cluster before the first step: lets a test plant a bug the checks must catch. */
  readonly sabotage?: (cluster: Cluster) => void;
  /** Receives every process's events, stamped with the virtual time: the full story of a seed. */
  readonly trace?: (line: string) => void;
  /** Every process authenticates every datagram with this system secret. */
  readonly secret?: string;
}

export interface RunOutcome {
  readonly seed: number;
  readonly settings: SimSettings;
  /** Requests between live processes that ran out of their retry budget (the network won). */
  readonly exhaustedBudgets: number;
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
 * a procedure whose awaited peer died: the manager gives up after DEFAULT_AWAIT_TIMEOUT_MS (150 s)
 * and tells the members within a retry budget (10 s).
 */
const STEP_CAP_MS = 600_000;
/** Crashes per run at most, so that enough peers stay alive to build rings of 3. */
const MAX_CRASHES = 2;
/** A crash of the awaited peer waits for the manager to be awaiting it, polling this often. */
const AWAIT_POLL_MS = 20;
const AWAIT_POLLS = 200;
/** The procedures during which the manager awaits the peer that runs them (SPEC §3). */
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

class Violation extends Error {}

export async function runSeed(seed: number, options: RunOptions = {}): Promise<RunOutcome> {
  const root = mulberry32(seed);
  const settings = drawSettings(seed, root, options.steps);
  const data = simData();
  // Error texts name data files; the temporary directory differs from process to process, and a
  // replay must print the same log anywhere.
  const log: string[] = [];
  const record = (line: string) => log.push(line.replaceAll(data.root, '<data>'));
  record(`seed ${seed}: ${formatSettings(settings)}`);
  let clock: Cluster['clock'] | null = null;
  const trace = options.trace;
  const sink = trace && ((who: string, text: string) => trace(`${time(clock?.now() ?? 0)} [${who}] ${text}`));
  const cluster = await buildCluster(settings, root, data, sink, options.secret);
  clock = cluster.clock;
  record(`peers: ${describePeers(cluster, data)}`);
  options.sabotage?.(cluster);
  const run = new Run(settings, cluster, data, childStream(root), childStream(root), record);
  try {
    for (let step = 1; step <= settings.steps; step++) await run.step(step);
    return { seed, settings, exhaustedBudgets: run.exhaustedBudgets, log };
  } catch (err) {
    if (!(err instanceof Violation)) throw err;
    throw new SimulationFailure(seed, err.message.replaceAll(data.root, '<data>'), log);
  } finally {
    await closeCluster(cluster);
  }
}

class Run {
  private readonly generator: CommandGenerator;
  private crashes = 0;
  /** Requests between live processes that ran out of their retry budget. */
  exhaustedBudgets = 0;
  /** The last check found every record of the DHT in place. */
  private whole = false;
  /** How the last build of the current DHT ended: must its data be whole? null: no DHT. */
  private mustBeWhole: boolean | null = null;
  private lastDht = 'no DHT';

  constructor(
    private readonly settings: SimSettings,
    private readonly cluster: Cluster,
    private readonly data: SimData,
    commandRng: Rng,
    private readonly rng: Rng,
    private readonly log: (line: string) => void,
  ) {
    this.generator = new CommandGenerator(commandRng, cluster.peers, data);
  }

  async step(index: number): Promise<void> {
    const { clock, manager } = this.cluster;
    const before = manager.state;
    const first = this.generator.next(before);
    if (first === null) throw new Violation(`seed ${this.settings.seed}: step ${index}: no live peer is left to run a command`);
    const commands: StepCommand[] = [newCommand(first)];
    const events: string[] = [];
    this.start(commands[0]!);
    if (this.rng() < this.settings.overlapChance) {
      const second = this.generator.next(before, first.peer);
      if (second !== null) {
        const cmd = newCommand(second);
        commands.push(cmd);
        clock.setTimer(this.rng() * 1_500, () => this.start(cmd));
      }
    }
    this.scheduleCrashes(commands[0]!, commands, events);

    const began = clock.now();
    const settled = () => commands.every((c) => c.outcome !== null);
    const where = `seed ${this.settings.seed}: step ${index} (${commands.map((c) => `${c.planned.peer.label}: ${c.planned.tokens.join(' ')}`).join('; ')})`;
    try {
      // Stop when done, or when nothing can happen any more (no timer: a hang), or at the cap.
      do await clock.advanceSettled(WINDOW_MS);
      while (!(settled() && this.quiescent()) && clock.pendingTimers > 0 && clock.now() - began <= STEP_CAP_MS);
    } catch (err) {
      // An exception out of a timer is one out of a socket callback or a retransmission: in a
      // real process it would end the process, which no datagram may do (SPEC §1.4 item 6).
      const at = err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 3).join(' ') : String(err);
      throw new Violation(`${where}: a process threw at ${time(clock.now())}: ${at}`);
    }
    events.push(...this.cluster.managerNotes.splice(0).map((text) => `manager: ${text}`));
    for (const c of commands) this.log(`#${index} ${time(c.startedAt)} ${c.planned.peer.label}: ${c.planned.tokens.join(' ')} → ${describeResult(c)}`);

    const violations = this.cluster.ledger.drain();
    if (!settled()) violations.push(`not settled after ${time(clock.now() - began)} with ${clock.pendingTimers} timers pending`);
    else if (!this.quiescent()) violations.push(`not quiescent after ${time(clock.now() - began)}: ${clock.pendingTimers} timers pending, manager ${manager.state.mode.kind}`);
    // A query is held to the exact answer when the last check found the data whole and nothing
    // else ran beside it (a concurrent leave or join may rebuild the ring under it).
    const exact = this.whole && commands.length === 1;
    for (const c of commands) violations.push(...resultViolations(c, { dht: before.dht, exact }, this.data));
    const reportedCounts = this.noteBuilds(commands);
    const state = manager.state;
    const checked = checkQuiescentState({ state, peers: this.cluster.peers, data: this.data, mustBeWhole: this.mustBeWhole === true, reportedCounts });
    violations.push(...checked.hard);
    this.whole = checked.whole;
    this.noteExhausted(events);
    for (const e of events) this.log(`   ${e}`);
    // Every view must agree, whatever the network did: a procedure the network defeated reports
    // it, and the manager then tears the DHT down and resets its members.
    violations.push(...checked.view.map((v) => v.text));
    this.log(`   = ${describeDht(state)}${state.dht === null ? '' : this.whole ? ', whole' : ', not whole'}`);
    if (violations.length > 0) throw new Violation(`${where}: ${violations.join('; ')}`);
  }

  /** Logs the requests between live processes that ran out of their retry budget in this step. */
  private noteExhausted(events: string[]): void {
    const deadNames = new Set(this.cluster.peers.filter((p) => p.dead).map((p) => p.nameAtDeath ?? p.label));
    // A request to a crashed peer is meant to run out; one between live processes is the
    // transport's own verdict that the network defeated it.
    const exhausted = this.cluster.exhausted.splice(0).filter((e) => !deadNames.has(e.target));
    this.exhaustedBudgets += exhausted.length;
    for (const e of new Set(exhausted.map((x) => `${x.by} got no response from ${x.target}`))) events.push(`retry budget ran out: ${e}`);
  }

  /** Nothing in flight, no timer, the manager Idle. */
  private quiescent(): boolean {
    return this.cluster.clock.pendingTimers === 0 && this.cluster.manager.state.mode.kind === 'Idle';
  }

  private start(cmd: StepCommand): void {
    const peer = cmd.planned.peer;
    if (peer.dead || peer.busy) {
      cmd.outcome = { result: { command: cmd.planned.tokens[0] ?? '', ok: false, error: 'not run: the peer crashed before' } };
      cmd.crashed = true;
      return;
    }
    peer.busy = true;
    cmd.startedAt = this.cluster.clock.now();
    // D1's prompt is answered at once, from the command stream, about the DHT's year.
    const ask = () => Promise.resolve(this.generator.answerPrompt(this.cluster.manager.state.dht?.year ?? ''));
    const settle = (outcome: NonNullable<StepCommand['outcome']>) => {
      cmd.outcome = outcome;
      peer.busy = false;
    };
    runCommand(peer.node, cmd.planned.tokens, ask).then(
      (result) => settle({ result }),
      (thrown: unknown) => settle({ thrown }),
    );
  }

  /**
   * Crashes inside the protocol's fault model (SPEC §1.4 item 7): the peer the manager awaits,
   * during the procedure that makes it awaited, or a Free peer at any moment. A ring member that
   * dies silently is outside it — nothing detects that — so no InDHT member is ever crashed.
   */
  private scheduleCrashes(first: StepCommand, commands: readonly StepCommand[], events: string[]): void {
    const { clock } = this.cluster;
    const chance = this.settings.crashChance;
    if (chance === 0) return;
    const afterCrash = (victim: SimPeer, why: string) => {
      this.crashes++;
      crash(victim);
      for (const c of commands) if (c.planned.peer === victim && c.outcome === null) c.crashed = true;
      events.push(`crash ${victim.label} at ${time(clock.now())} (${why})`);
    };
    if (PROCEDURES.has(first.planned.tokens[0]!) && this.rng() < chance) {
      let polls = 0;
      const tryAwaited = () => {
        const peer = first.planned.peer;
        if (first.outcome !== null || peer.dead || this.crashes >= MAX_CRASHES) return;
        if (awaitedOf(this.cluster.manager.state.mode)?.peer === peer.node.name) afterCrash(peer, 'awaited by the manager');
        else if (polls++ < AWAIT_POLLS) clock.setTimer(AWAIT_POLL_MS, tryAwaited);
      };
      clock.setTimer(crashDelay(this.rng), tryAwaited);
    }
    if (this.rng() < chance / 2) {
      const pick = this.rng();
      clock.setTimer(crashDelay(this.rng), () => {
        if (this.crashes >= MAX_CRASHES) return;
        const state = this.cluster.manager.state;
        const awaited = awaitedOf(state.mode)?.peer;
        const free = this.cluster.peers.filter((p) => {
          const name = p.node.name;
          return !p.dead && name !== null && name !== awaited && state.peers.get(name)?.state === 'Free' && p.node.stateName() === 'Free';
        });
        if (free.length > 0) afterCrash(free[Math.floor(pick * free.length)]!, 'Free');
      });
    }
  }

  /**
   * Remembers how the DHT's last build ended, which decides whether its data must be whole.
   * Returns the per-node counts that build reported with its SUCCESS, or null.
   */
  private noteBuilds(commands: readonly StepCommand[]): readonly number[] | null {
    const state = this.cluster.manager.state;
    const dht = describeDht(state);
    // The manager's order decides which build the DHT comes from: a join's command may end after
    // the leave the manager took next (its dht-rebuilt reply was lost and retransmitted).
    const lastBuilder = this.cluster.builds.splice(0).at(-1);
    let counts: readonly number[] | null = null;
    if (lastBuilder !== undefined) {
      const c = commands.find((x) => BUILDS.has(x.planned.tokens[0]!) && x.planned.peer.node.name === lastBuilder && x.outcome !== null);
      const r = c !== undefined && 'result' in c.outcome! ? c.outcome.result : null;
      // Unknown (its builder crashed, or typed dht-complete by hand): whole is not required.
      this.mustBeWhole = r !== null && !c!.crashed && (r.ok || !EXCUSED_BUILD_FAILURE.test(r.error ?? ''));
      if (r?.ok && !c!.crashed) counts = (r.data?.recordsPerNode as readonly number[] | undefined) ?? null;
    } else if (dht !== this.lastDht) {
      // Changed with no build completed (a give-up): nothing to hold it to.
      this.mustBeWhole = false;
    }
    if (state.dht === null) this.mustBeWhole = null;
    this.lastDht = dht;
    return counts;
  }
}

function newCommand(planned: PlannedCommand): StepCommand {
  return { planned, startedAt: null, outcome: null, crashed: false };
}

/** A crash moment: log-uniform from 5 ms to 5 s, since procedures take milliseconds to seconds. */
function crashDelay(rng: Rng): number {
  return 5 * 1_000 ** rng();
}

function time(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(3)}s`;
}

