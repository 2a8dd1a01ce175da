// What one simulated run is made of, all drawn from its seed: the number of peers, the faults of
// the network, and how often peers crash or stop, or two commands overlap. A seed names a run completely,
// so a failing seed replays exactly.
import { mulberry32, type Rng } from '../data/seeded-random.js';
import type { FaultConfig } from '../transport/faults.js';

export interface SimSettings {
  readonly seed: number;
  /** Peer processes in the run (some may never register). */
  readonly peers: number;
  /** Commands played: one per step, sometimes with a second one overlapping it. */
  readonly steps: number;
  /** Faults of every socket, manager's included (the seed field is unused: each socket gets a stream). */
  readonly faults: FaultConfig;
  /** Chance per step of a crash: of the awaited peer during its procedure, or of a registered peer. */
  readonly crashChance: number;
  /** Chance per step that a second peer starts a command while the first one runs. */
  readonly overlapChance: number;
  /** Chance per step that a peer process is stopped (SIGSTOP) for a while, then continued. */
  readonly pauseChance: number;
  /**
   * R, the copies the manager keeps of every record (issue 12; its --replicas). With R ≥ 2 the
   * disruptions never take R ring members at once, so that no record may be lost.
   */
  readonly replicas: number;
  /** Peers that may crash in the run, at most. */
  readonly maxCrashes: number;
  /**
   * Chance per step that the manager's process is killed and started again from its state
   * (issue 13; manager-crash.ts). 0 unless the run asks for manager crashes: the manager then
   * keeps no state but in memory, as it always did.
   */
  readonly managerCrashChance: number;
}

/** Steps per run unless told otherwise: enough for a few DHT life cycles. */
export const DEFAULT_STEPS = 40;

/**
 * R of a run: a number, or 'drawn' (2 or 3 from the seed: the replicated runs of
 * test/sim/replicas.test.ts). A run of R = 1 is SPEC's DHT, with the draws it always had.
 */
export type ReplicasChoice = number | 'drawn';

/** Crashes per run at most, so that enough peers stay alive to build rings of 3. */
const MAX_CRASHES = 2;
/** With R ≥ 2 every run crashes peers (a crash and its repair are what copies are for), this often at least. */
const MIN_CRASH_CHANCE_REPLICATED = 0.1;
const MAX_CRASH_CHANCE_REPLICATED = 0.25;

/** Fault ranges of the brief: loss 0–0.3, dup 0–0.1, reorder 0–0.2, delay 0–20 ms. */
const MAX_LOSS = 0.3;
const MAX_DUP = 0.1;
const MAX_REORDER = 0.2;
const MAX_DELAY_MS = 20;
const MAX_CRASH_CHANCE = 0.08;
const MAX_OVERLAP_CHANCE = 0.6;
const MAX_PAUSE_CHANCE = 0.1;
/** With manager crashes: the chance per step, drawn from this range (a 30-step run has 3 to 9). */
const MIN_MANAGER_CRASH_CHANCE = 0.1;
const MAX_MANAGER_CRASH_CHANCE = 0.3;

/**
 * A new stream seeded from one draw of `parent`. A run's components each take their own stream,
 * in a fixed order, from the seed's root stream, so that more draws in one component do not
 * shift the draws of another.
 */
export function childStream(parent: Rng): Rng {
  return mulberry32(Math.floor(parent() * 2 ** 32));
}

/**
 * The settings of a seed, from the first stream derived from it. A quarter of the seeds run without
 * faults, so that the checks that need whole data (every query exact) get plenty of runs too.
 * With manager crashes, their chance is drawn after everything else: the seed's other settings
 * are those it has without them.
 */
export function drawSettings(seed: number, root: Rng, steps = DEFAULT_STEPS, replicas: ReplicasChoice = 1, managerCrashes = false): SimSettings {
  const rng = childStream(root);
  const crashes = (s: Omit<SimSettings, 'managerCrashChance'>): SimSettings => ({
    ...s,
    managerCrashChance: managerCrashes ? round(MIN_MANAGER_CRASH_CHANCE + rng() * (MAX_MANAGER_CRASH_CHANCE - MIN_MANAGER_CRASH_CHANCE)) : 0,
  });
  const faulty = rng() >= 0.25;
  const draw = (max: number) => (faulty ? round(rng() * max) : 0);
  const settings: Omit<SimSettings, 'replicas' | 'maxCrashes' | 'managerCrashChance'> = {
    seed,
    peers: 5 + Math.floor(rng() * 3),
    steps,
    faults: { loss: draw(MAX_LOSS), dup: draw(MAX_DUP), reorder: draw(MAX_REORDER), delayMs: [0, draw(MAX_DELAY_MS)], seed },
    crashChance: rng() < 0.5 ? 0 : round(rng() * MAX_CRASH_CHANCE),
    overlapChance: round(rng() * MAX_OVERLAP_CHANCE),
    // Drawn last, so that the draws above give every seed the settings it had before stops existed.
    pauseChance: rng() < 0.5 ? 0 : round(rng() * MAX_PAUSE_CHANCE),
  };
  if (replicas === 1) return crashes({ ...settings, replicas: 1, maxCrashes: MAX_CRASHES });
  // Replicated runs: drawn after all of the above (the stream of an R = 1 run is unchanged), with
  // crashes in every run and more peers, so that repairs are many. One peer only registers and
  // queries while members are down (the prober, runner.ts); the others keep rings of 3 after
  // every crash the run may bring.
  const r = replicas === 'drawn' ? 2 + Math.floor(rng() * 2) : replicas;
  const peers = 6 + Math.floor(rng() * 2);
  const crashChance = round(MIN_CRASH_CHANCE_REPLICATED + rng() * (MAX_CRASH_CHANCE_REPLICATED - MIN_CRASH_CHANCE_REPLICATED));
  return crashes({ ...settings, peers, crashChance, replicas: r, maxCrashes: peers - 4 });
}

export function formatSettings(s: SimSettings): string {
  const f = s.faults;
  return (
    `${s.peers} peers, ${s.steps} steps, loss ${f.loss}, dup ${f.dup}, reorder ${f.reorder}, delay 0-${f.delayMs[1]} ms, ` +
    `crash ${s.crashChance}, stop ${s.pauseChance}, overlap ${s.overlapChance}` +
    (s.replicas === 1 ? '' : `, ${s.replicas} copies of every record`) +
    (s.managerCrashChance === 0 ? '' : `, manager crash ${s.managerCrashChance}`)
  );
}

/** Three decimals: the settings print exactly as they are used. */
function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
