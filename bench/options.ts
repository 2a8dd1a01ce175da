// The benchmark's command line: `npm run bench -- [--runs N] [--only a,b] [--quick] …`.
import { parseArgs } from 'node:util';

/** Scenario ids in the order they run (the default set), and the words --only also accepts for them. */
export const SCENARIOS = ['setup', 'rebuild', 'query', 'latency', 'rss', 'modes', 'growth', 'scale', 'lossy', 'floor', 'detect', 'replicas', 'restart'] as const;
/**
 * Scenarios that run only when --only names them: the false-deaths soak holds a ring under loss for
 * --soak-seconds (60 s by default), too long to add to every full run.
 */
export const OPT_IN_SCENARIOS = ['soak'] as const;
export type ScenarioId = (typeof SCENARIOS)[number] | (typeof OPT_IN_SCENARIOS)[number];
const ALL_SCENARIOS: readonly ScenarioId[] = [...SCENARIOS, ...OPT_IN_SCENARIOS];

const ALIASES: Readonly<Record<string, ScenarioId>> = {
  leave: 'rebuild',
  join: 'rebuild',
  'leave-join': 'rebuild',
  queries: 'query',
  throughput: 'query',
  memory: 'rss',
  routing: 'modes',
  placement: 'modes',
  batch: 'modes',
  'batch-bytes': 'modes',
  records: 'growth',
  many: 'scale',
  'many-peers': 'scale',
  loss: 'lossy',
  faults: 'lossy',
  hop: 'floor',
  detector: 'detect',
  'failure-detector': 'detect',
  heartbeat: 'detect',
  kill: 'detect',
  repair: 'detect',
  'false-deaths': 'soak',
  replica: 'replicas',
  copies: 'replicas',
  durable: 'restart',
  'state-dir': 'restart',
  'latency-floor': 'latency',
  'cpu-per-query': 'latency',
  'cold-warm': 'latency',
};

export interface BenchOptions {
  /** Timed runs per figure (medians over these). */
  readonly runs: number;
  /** Untimed runs first (JIT and caches warm), printed as warm-up lines. */
  readonly warmup: number;
  /** Runs of the heavy figures (1,000,000 records, n = 1000). */
  readonly heavyRuns: number;
  readonly heavyWarmup: number;
  readonly quick: boolean;
  readonly only: ReadonlySet<ScenarioId>;
  /** Sequential queries per latency run. */
  readonly queries: number;
  /** Pipelined queries per peer per throughput run. */
  readonly throughputQueries: number;
  readonly dataDir: string | undefined;
  /** How long the false-deaths soak (--only soak) holds its lossy ring, in seconds. */
  readonly soakSeconds: number;
}

export const BENCH_USAGE = `usage: npm run bench -- [options]

  --runs N          timed runs per figure; figures are medians over them (default 5; --quick: 2)
  --warmup N        untimed runs before them (default 1; heavy figures: 0 with --quick)
  --only LIST       comma-separated scenarios: ${SCENARIOS.join(', ')}
                    (the default set), and ${OPT_IN_SCENARIOS.join(', ')} (runs only when named)
                    (also: leave, join, throughput, routing, placement, batch, records, many,
                    detector, kill, repair, false-deaths, replica, copies, durable, state-dir,
                    latency-floor, cpu-per-query, cold-warm)
  --soak-seconds N  how long --only soak holds a ring of 5 under loss=0.3 with queries (default 60)
  --quick           a smoke run: fewer runs and queries, one run of the heavy figures
  --queries N       sequential queries per latency run (default 2000; --quick: 500)
  --throughput-queries N   pipelined queries per peer per throughput run (default 5000; --quick: 1000)
  --data-dir DIR    the real details-YYYY.csv files (default: $STORMDHT_SHARED_DATA, else
                    ../shared/data/storm-events beside the project root)
  -h, --help        this text`;

export class BenchUsageError extends Error {}

function positiveInt(text: unknown, what: string, allowZero = false): number | undefined {
  if (text === undefined) return undefined;
  const n = /^[0-9]+$/.test(String(text)) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(n) && (n >= 1 || (allowZero && n === 0)))) throw new BenchUsageError(`${what} "${String(text)}" is not a ${allowZero ? 'non-negative' : 'positive'} integer`);
  return n;
}

/** Parses argv (without node and script); throws BenchUsageError on a bad option. Returns null for --help. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | null {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        runs: { type: 'string' },
        warmup: { type: 'string' },
        only: { type: 'string' },
        quick: { type: 'boolean' },
        queries: { type: 'string' },
        'throughput-queries': { type: 'string' },
        'data-dir': { type: 'string' },
        'soak-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }) as { values: Record<string, unknown> });
  } catch (err) {
    throw new BenchUsageError((err as Error).message);
  }
  if (values.help) return null;
  const quick = values.quick === true;
  const runsGiven = positiveInt(values.runs, '--runs');
  const warmupGiven = positiveInt(values.warmup, '--warmup', true);
  const runs = runsGiven ?? (quick ? 2 : 5);
  const warmup = warmupGiven ?? 1;
  return {
    runs,
    warmup,
    heavyRuns: quick && runsGiven === undefined ? 1 : runs,
    heavyWarmup: quick && warmupGiven === undefined ? 0 : warmup,
    quick,
    only: parseOnly(values.only),
    queries: positiveInt(values.queries, '--queries') ?? (quick ? 500 : 2000),
    throughputQueries: positiveInt(values['throughput-queries'], '--throughput-queries') ?? (quick ? 1000 : 5000),
    dataDir: values['data-dir'] as string | undefined,
    soakSeconds: positiveInt(values['soak-seconds'], '--soak-seconds') ?? 60,
  };
}

export function parseOnly(text: unknown): ReadonlySet<ScenarioId> {
  if (text === undefined) return new Set(SCENARIOS);
  const out = new Set<ScenarioId>();
  for (const word of String(text).split(',').map((w) => w.trim().toLowerCase()).filter((w) => w !== '')) {
    const id = (ALL_SCENARIOS as readonly string[]).includes(word) ? (word as ScenarioId) : ALIASES[word];
    if (!id) throw new BenchUsageError(`--only: unknown scenario "${word}" (use ${ALL_SCENARIOS.join(', ')})`);
    out.add(id);
  }
  if (out.size === 0) throw new BenchUsageError('--only: no scenario named');
  return out;
}
