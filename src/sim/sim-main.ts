// `stormdht sim` (npm run sim): runs seeds of the deterministic simulation and reports the ones
// that fail. A seed names its run completely, so `--seed S --verbose` replays a failure exactly.
import { parse } from '../cli/options.js';
import { SIM_USAGE, UsageError } from '../cli/usage.js';
import { DEFAULT_STEPS } from './run-settings.js';
import { noManagerCrashes, type ManagerCrashCounts } from './manager-crash.js';
import { runSeed, SimulationFailure } from './runner.js';

const DEFAULT_FIRST_SEED = 1;
const DEFAULT_SEED_COUNT = 100;
/** Seeds feed mulberry32, a 32-bit state. */
const MAX_SEED = 0xffff_ffff;
/** The most copies of every record a simulated run keeps: a ring has at most 7 peers. */
const MAX_REPLICAS = 7;

export async function simMain(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      seeds: { type: 'string' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      verbose: { type: 'boolean' },
      trace: { type: 'boolean' },
      secret: { type: 'string' },
      // R, the copies of every record (issue 12): a number, or 'drawn' as test/sim/replicas.test.ts does.
      replicas: { type: 'string' },
      // The manager's process crashes and starts again from its state (issue 13; manager-crash.ts).
      'manager-crashes': { type: 'boolean' },
    },
    SIM_USAGE,
  );
  if (values.help) {
    console.log(SIM_USAGE);
    return;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, SIM_USAGE);
  const first = integer(values.seed, '--seed', 0, MAX_SEED) ?? DEFAULT_FIRST_SEED;
  // --seed alone replays that one seed.
  const count = integer(values.seeds, '--seeds', 1, MAX_SEED) ?? (values.seed === undefined ? DEFAULT_SEED_COUNT : 1);
  if (first + count - 1 > MAX_SEED) throw new UsageError(`seeds ${first}..${first + count - 1} go past ${MAX_SEED}`, SIM_USAGE);
  const steps = integer(values.steps, '--steps', 1, 100_000) ?? DEFAULT_STEPS;
  const replicas = values.replicas === 'drawn' ? 'drawn' : (integer(values.replicas, '--replicas', 1, MAX_REPLICAS) ?? 1);
  const managerCrashes = values['manager-crashes'] === true;
  const verbose = values.verbose === true;
  const trace = values.trace === true ? (line: string) => console.log(line) : undefined;

  let passed = 0;
  let failed = 0;
  let exhausted = 0;
  const disrupted = { crashes: 0, stops: 0, evictions: 0 };
  let repairs = 0;
  const probes = { run: 0, found: 0 };
  const manager = noManagerCrashes();
  for (let seed = first; seed < first + count; seed++) {
    try {
      const outcome = await runSeed(seed, { steps, replicas, managerCrashes, ...(trace ? { trace } : {}), ...(typeof values.secret === 'string' ? { secret: values.secret } : {}) });
      if (verbose) console.log(outcome.log.join('\n'));
      passed++;
      if (outcome.exhaustedBudgets > 0) exhausted++;
      for (const k of ['crashes', 'stops', 'evictions'] as const) disrupted[k] += outcome.disruptions[k];
      repairs += outcome.repairs;
      for (const k of Object.keys(manager) as (keyof ManagerCrashCounts)[]) manager[k] += outcome.managerCrashes[k];
      probes.run += outcome.probes.run;
      probes.found += outcome.probes.found;
    } catch (err) {
      if (!(err instanceof SimulationFailure)) throw err;
      if (verbose) console.log(err.log.join('\n'));
      console.log(err.message);
      failed++;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  // How often the network defeated a request between live processes, and the system still agreed.
  if (exhausted > 0) console.log(`(in ${exhausted} of them a request between live processes ran out of its retry budget)`);
  // What the failure detector was put through in the runs that passed (issue 11).
  if (passed > 0) console.log(`(in those that passed, ${disrupted.crashes} peers crashed, ${disrupted.stops} were stopped and continued, and the manager evicted ${disrupted.evictions})`);
  if (passed > 0 && replicas !== 1) console.log(`(and the manager made ${repairs} repairs; ${probes.found} of ${probes.run} queries made while members were down found their record)`);
  if (passed > 0 && managerCrashes) {
    console.log(
      `(and the manager crashed ${manager.crashes} times, ${manager.whileAwaiting} of them while it awaited a completion, ${manager.tornWrites} in the middle of a write, ${manager.afterWrites} right after one, ` +
        `and ${manager.beyondBudget} for longer than a request's retry budget; it started again ${manager.restarts} times from its state)`,
    );
  }
  if (failed > 0) process.exitCode = 1;
}

/** An integer option in [lo, hi], or undefined when absent; anything else is a usage error. */
function integer(option: unknown, name: string, lo: number, hi: number): number | undefined {
  if (option === undefined) return undefined;
  const text = String(option);
  const value = /^[0-9]{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= lo && value <= hi)) throw new UsageError(`${name} "${text}" is invalid: use an integer from ${lo} to ${hi}`, SIM_USAGE);
  return value;
}
