// Query latency against its floor (issue 14), `npm run bench -- --only latency`. Each run, fresh
// processes on both sides:
//   the floor    five bare Node processes on the query's exact path (latency-floor.ts): the first
//                COUNTS.cold round trips (cold), COUNTS.untimed more untimed, then COUNTS.warm timed
//                ones (warm), with their CPU read from /proc/<pid>/stat around the warm ones;
//   stormdht     a manager and 9 peer processes (withProcCluster), setup-dht of 1996 with n = 5 at
//                peera, then from the first Free peer the same phases of sequential `query-dht <name>
//                <id>` (ids from queryCases, every answer checked), timed line → result line as
//                ProcCluster.run times them; the CPU of the manager and all 9 peers around the warm
//                ones; then throughputRun's 4 Free peers × --throughput-queries pipelined queries,
//                untimed once and then timed.
// While the cluster runs, every peer line is watched (QueryNoise): `retransmitting <type> to …`
// notes by type (one per request resent: its further copies are summarised, issue 15), and the answers a querier got to a copy of a request it had its answer to
// (StrayAnswers: find-result traces beyond one per query, or `ignored a late …` notes and their
// summaries, whichever the build prints). On loopback without loss each one is spurious.
// The ratios to the floor are taken run by run (paired-runs.ts: floor and stormdht of a run share
// the machine's load of the moment), and the rows give their median.
// Ports: the cluster's from ctx.ports (45000-49999), the floor's from 54000-54999 (FLOOR_PORTS).
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonLine } from '../src/cli/processes.js';
import { loadYear } from '../src/data/csv.js';
import { queryCases, yearFacts, type YearFacts } from './data.js';
import { describeSizes, floorMessages, floorRun, medianRecord, type FloorMessages, type FloorRun, type QueryCounts } from './latency-floor.js';
import { pairedRatios, ratioOf, runLabel } from './paired-runs.js';
import { cpuPerUnit, describeCpuShare, sampleCpu, type CpuShare } from './proc-cpu.js';
import { withProcCluster } from './process-cluster.js';
import { latencyRun, throughputRun, type LatencyRun } from './query-scenarios.js';
import { formatNumber, targetMet, type Target } from './report.js';
import { errorText, plan, timedSetup, type BenchContext } from './runner.js';
import { median } from './stats.js';

/** The issue's targets (2-core machine, loopback, medians of 5). */
export const LATENCY_TARGETS = {
  /** stormdht's warm p50 over the floor's warm p50. */
  warmRatio: { op: '<=', value: 1.3 },
  /** stormdht's cold p50 over the floor's cold p50 (each the first 50 of fresh processes). */
  coldRatio: { op: '<=', value: 1.6 },
  /** CPU time per query summed over the manager and every peer process (ms). */
  cpuPerQueryMs: { op: '<=', value: 0.3 },
  /** No worse than before issue 14: 4 Free peers, pipelined (queries/s). */
  queriesPerSecond: { op: '>=', value: 6000 },
} as const satisfies Record<string, Target>;

export const LATENCY_ROWS = {
  floorCold: 'latency-floor-cold',
  floorWarm: 'latency-floor-warm',
  floorCpu: 'latency-floor-cpu-per-query',
  cold: 'latency-1996-n5-cold',
  coldRatio: 'latency-1996-n5-cold-p50-vs-floor',
  coldP99Ratio: 'latency-1996-n5-cold-p99-vs-floor',
  warm: 'latency-1996-n5-warm',
  warmRatio: 'latency-1996-n5-warm-p50-vs-floor',
  warmP99Ratio: 'latency-1996-n5-warm-p99-vs-floor',
  cpu: 'latency-1996-n5-cpu-per-query',
  cpuRatio: 'latency-1996-n5-cpu-per-query-vs-floor',
  throughput: 'latency-1996-n5-throughput-4-free-peers',
  retransmits: 'latency-1996-n5-throughput-retransmits',
  strays: 'latency-1996-n5-throughput-stray-answers',
} as const;

/** The phases of a run, on both sides (the issue's numbers). */
export const COUNTS: QueryCounts = { cold: 50, untimed: 1_000, warm: 1_000 };

/** The pipelined rounds of a run (one untimed, one timed): what retransmissions and stray answers are counted over. */
const PIPELINED_ROUNDS = 2;
/** How long the peers' stdout may take to close once they have exited (ms). */
const CLOSE_WAIT_MS = 5_000;

const REPRODUCE = '`npm run bench -- --only latency`';
const PROFILE =
  'to profile stormdht\'s side: `STORMDHT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- --only latency --runs 1 --warmup 0` ' +
  '(the manager and each peer write a .cpuprofile when they stop, one file per process; the floor\'s relays run without these options; ' +
  '`--cpu-prof-interval 100` samples every 100 µs)';

/** The request type a peer's `retransmitting <type> to <name> (attempt N)` note names; null for any other text. */
export function retransmittedType(text: string): string | null {
  const m = /^retransmitting (\S+) to .+ \(attempt \d+\)$/.exec(text);
  return m ? m[1]! : null;
}

/** True for a peer's trace of a find-result that came to it (the querier's receipt of an answer). */
export function isFindResultReceived(label: string, line: JsonLine): boolean {
  return line.event === 'trace' && line.to === label && typeof line.text === 'string' && line.text.startsWith('find-result ');
}

/** The answer type of a peer's `ignored a late <type> from <name>: …` note (a stray answer); null for any other text. */
export function lateAnswerType(text: string): string | null {
  const m = /^ignored a late (\S+) from /.exec(text);
  return m ? m[1]! : null;
}

/** The N of `N late answers` in a rate limiter's `dropped … more in S s (notes about them suppressed)` summary; 0 for any other text. */
export function suppressedLateAnswers(text: string): number {
  const m = /^dropped (.*) more in \d+ s \(notes about them suppressed\)$/.exec(text);
  if (!m) return 0;
  const late = /(?:^|, )(\d+) late answers(?:,|$)/.exec(m[1]!);
  return late ? Number(late[1]) : 0;
}

/**
 * Answers that came after their request had been answered (the answer to a copy the requester
 * sent again). A build that traces such an answer as received shows it as a find-result trace
 * beyond one per query; a build that notes it instead shows `ignored a late …` notes, the first
 * few per 10 s window, and the rest in the limiter's summary note.
 */
export interface StrayAnswers {
  readonly traced: number;
  /** `ignored a late <type>` notes, by type. */
  readonly noted: ReadonlyMap<string, number>;
  /** Counted only in a `dropped … N late answers more …` summary. */
  readonly summarised: number;
  readonly total: number;
}

/** Counts, from the peers' --json lines, what queries cost beyond their answers. */
export class QueryNoise {
  private readonly retransmits = new Map<string, number>();
  private readonly findResults = new Map<string, number>();
  /** `ignored a late <type>` notes by peer, then by type. */
  private readonly lateNoted = new Map<string, Map<string, number>>();
  private readonly lateSummarised = new Map<string, number>();

  observe(label: string, line: JsonLine): void {
    if (line.event === 'note' && typeof line.text === 'string') {
      const type = retransmittedType(line.text);
      if (type !== null) this.retransmits.set(type, (this.retransmits.get(type) ?? 0) + 1);
      const late = lateAnswerType(line.text);
      if (late !== null) {
        const byType = this.lateNoted.get(label) ?? new Map<string, number>();
        byType.set(late, (byType.get(late) ?? 0) + 1);
        this.lateNoted.set(label, byType);
      }
      const summarised = suppressedLateAnswers(line.text);
      if (summarised > 0) this.lateSummarised.set(label, (this.lateSummarised.get(label) ?? 0) + summarised);
    } else if (isFindResultReceived(label, line)) {
      this.findResults.set(label, (this.findResults.get(label) ?? 0) + 1);
    }
  }

  /** Starts a new phase: the counts so far are dropped. */
  reset(): void {
    this.retransmits.clear();
    this.findResults.clear();
    this.lateNoted.clear();
    this.lateSummarised.clear();
  }

  /** Retransmissions since the last reset, by request type. */
  retransmitsByType(): Map<string, number> {
    return new Map(this.retransmits);
  }

  /** find-result traces received since the last reset, at any peer (one per query answered, on a build that traces late ones too). */
  findResultsReceived(): number {
    return countTotal(this.findResults);
  }

  /**
   * Stray answers at the queriers since the last reset: `asked` gives each querier's queries in
   * that time (a find-result trace at another peer, or a note of one, is no answer to a query).
   */
  strays(asked: ReadonlyMap<string, number>): StrayAnswers {
    let traced = 0;
    for (const [peer, got] of this.findResults) traced += Math.max(0, got - (asked.get(peer) ?? 0));
    const queriers = [...asked.keys()];
    const noted = addCounts(queriers.map((q) => this.lateNoted.get(q) ?? new Map<string, number>()));
    const summarised = queriers.reduce((a, q) => a + (this.lateSummarised.get(q) ?? 0), 0);
    return { traced, noted, summarised, total: traced + countTotal(noted) + summarised };
  }
}

/** `3 (find-result traces beyond one per query 0; notes: find-result 2, reply 1; in summaries 0)`. */
export function describeStrays(s: StrayAnswers): string {
  return `${s.total} (find-result traces beyond one per query ${s.traced}; \`ignored a late …\` notes: ${formatCounts(s.noted)}; in the notes' summaries ${s.summarised})`;
}

/** Several phases' stray answers added up. */
export function addStrays(all: readonly StrayAnswers[]): StrayAnswers {
  const noted = addCounts(all.map((s) => s.noted));
  const traced = all.reduce((a, s) => a + s.traced, 0);
  const summarised = all.reduce((a, s) => a + s.summarised, 0);
  return { traced, noted, summarised, total: traced + countTotal(noted) + summarised };
}

export function countTotal(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const n of counts.values()) total += n;
  return total;
}

/** `find-event 3, query-dht 1` (most first), or `none`. */
export function formatCounts(counts: ReadonlyMap<string, number>): string {
  const entries = [...counts].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${n}`).join(', ');
}

/** The counts of several runs added up, type by type. */
export function addCounts(runs: readonly ReadonlyMap<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of runs) for (const [k, n] of r) out.set(k, (out.get(k) ?? 0) + n);
  return out;
}

/** `#1 100.2 ms, #7 12.31 ms, …`: the `count` slowest of `ms` with their place in the order (from 1). */
export function slowest(ms: readonly number[], count = 3): string {
  return ms
    .map((v, i) => ({ v, i }))
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .slice(0, count)
    .map(({ v, i }) => `#${i + 1} ${formatNumber(v)} ms`)
    .join(', ');
}

/** stormdht's figures of one run. */
interface StormRun {
  readonly setupS: number;
  readonly querier: string;
  readonly ring: readonly string[];
  readonly cold: LatencyRun;
  readonly warm: LatencyRun;
  readonly warmWallS: number;
  /** CPU per warm query, by process (labelled with its role) and summed. */
  readonly cpu: CpuShare;
  /**
   * CPU per warm query of the 3 Free peers that do not query: what heartbeats and timers cost
   * them meanwhile (every process has that background; the ring's standby packing waits for the
   * queries to stop).
   */
  readonly backgroundMs: number;
  readonly sequentialRetransmits: ReadonlyMap<string, number>;
  readonly sequentialStrays: StrayAnswers;
  readonly throughput: number;
  /** Over both pipelined rounds (PIPELINED_ROUNDS × 4 × perPeer queries). */
  readonly retransmits: ReadonlyMap<string, number>;
  /** In the timed throughput run, and until the peers had stopped (a note limiter's summary comes at close). */
  readonly strays: StrayAnswers;
  /** All find-result traces the queriers printed in both pipelined rounds (a check: one per query or more). */
  readonly findResults: number;
  /** Each process's pid by its label (a .cpuprofile's name carries its process's pid). */
  readonly pids: ReadonlyMap<string, number | undefined>;
}

async function stormRun(ctx: BenchContext, facts: YearFacts, i: number): Promise<StormRun> {
  const noise = new QueryNoise();
  const perPeer = ctx.opts.throughputQueries;
  let closed: Promise<unknown>[] = [];
  let free: string[] = [];
  const run = await withProcCluster({ peers: 9, dataDir: ctx.dataDir, ports: ctx.ports, onLine: (label, line) => noise.observe(label, line) }, async (c) => {
    // Each peer's stdout read to its end: a note limiter's summary comes when the peer stops.
    closed = [...c.peers.values()].map((p) => new Promise((resolve) => p.child.once('close', resolve)));
    const { seconds, ring } = await timedSetup(c, 'peera', 5, facts);
    free = c.names.filter((n) => !ring.includes(n));
    if (free.length !== 4) throw new Error(`expected 4 Free peers beside the ring of 5 (${ring.join(', ')}), found ${free.length}`);
    const querier = free[0]!;
    const seed = 14_000 + 100 * i;
    noise.reset();
    const cold = await latencyRun(c, querier, queryCases(facts, COUNTS.cold, seed));
    await latencyRun(c, querier, queryCases(facts, COUNTS.untimed, seed + 1));
    const role = (n: string) => (n === querier ? `${n} (querier)` : ring.includes(n) ? `${n} (ring)` : `${n} (Free)`);
    const pids = new Map<string, number | undefined>([['manager', c.manager.proc.child.pid], ...c.names.map((n) => [role(n), c.pid(n)] as const)]);
    const before = sampleCpu(pids);
    const t0 = performance.now();
    const warm = await latencyRun(c, querier, queryCases(facts, COUNTS.warm, seed + 2));
    const warmWallS = (performance.now() - t0) / 1000;
    const after = sampleCpu(pids);
    const sequentialRetransmits = noise.retransmitsByType();
    const sequentialStrays = noise.strays(new Map([[querier, COUNTS.cold + COUNTS.untimed + COUNTS.warm]]));

    // The other three Free peers have not queried yet: an untimed round of the same size first, as
    // the query scenario's 4-peer figure comes after its warm-up run (after a smaller round, the
    // first full one still ran about 8% below the next ones here).
    noise.reset();
    await throughputRun(c, free, facts, perPeer, seed + 10);
    const throughput = await throughputRun(c, free, facts, perPeer, seed + 20);
    const cpu = cpuPerUnit(before, after, COUNTS.warm);
    return {
      setupS: seconds,
      querier,
      ring,
      cold,
      warm,
      warmWallS,
      cpu,
      backgroundMs: [...cpu.byProcess].filter(([name]) => name.endsWith('(Free)')).reduce((a, [, t]) => a + t.userMs + t.systemMs, 0),
      sequentialRetransmits,
      sequentialStrays,
      throughput,
      pids,
    };
  });
  await Promise.race([Promise.all(closed), sleep(CLOSE_WAIT_MS)]);
  return {
    ...run,
    retransmits: noise.retransmitsByType(),
    strays: noise.strays(new Map(free.map((n) => [n, PIPELINED_ROUNDS * perPeer]))),
    findResults: noise.findResultsReceived(),
  };
}

const f3 = (x: number) => formatNumber(x);

function describeFloor(f: FloorRun): string {
  return (
    `cold p50 ${f3(f.cold.p50)} ms, p99 ${f3(f.cold.p99)} ms (slowest ${slowest(f.cold.ms)}); warm p50 ${f3(f.warm.p50)} ms, p99 ${f3(f.warm.p99)} ms; ` +
    `CPU per round trip ${f3(f.cpu.totalMs)} ms (user ${f3(f.cpu.userMs)}, system ${f3(f.cpu.systemMs)}): ${describeCpuShare(f.cpu)}`
  );
}

function describeStorm(s: StormRun, perPeer: number): string[] {
  const seq = COUNTS.cold + COUNTS.untimed + COUNTS.warm;
  return [
    `setup-dht ${f3(s.setupS)} s, ring ${s.ring.join(', ')}, querier ${s.querier}; cold p50 ${f3(s.cold.p50)} ms, p99 ${f3(s.cold.p99)} ms (slowest ${slowest(s.cold.ms)}); ` +
      `warm p50 ${f3(s.warm.p50)} ms, p99 ${f3(s.warm.p99)} ms (find-event part p50 ${f3(s.warm.findP50)} ms, mean path ${s.warm.meanHops.toFixed(2)} nodes, ${COUNTS.warm} queries in ${s.warmWallS.toFixed(2)} s)`,
    `CPU per warm query ${f3(s.cpu.totalMs)} ms (user ${f3(s.cpu.userMs)}, system ${f3(s.cpu.systemMs)}): ${describeCpuShare(s.cpu)}; ` +
      `the 3 Free peers that only heartbeat meanwhile: ${f3(s.backgroundMs)} ms together`,
    `throughput 4 × ${perPeer} pipelined ${f3(s.throughput)} queries/s; over both pipelined rounds (${PIPELINED_ROUNDS * 4 * perPeer} queries): retransmissions ${formatCounts(s.retransmits)}, ` +
      `stray answers ${describeStrays(s.strays)}, find-result traces ${s.findResults}; during the ${seq} sequential queries: retransmissions ${formatCounts(s.sequentialRetransmits)}, stray answers ${describeStrays(s.sequentialStrays)}`,
  ];
}

type RowKey = keyof typeof LATENCY_ROWS;

const UNITS: Readonly<Record<RowKey, string>> = {
  floorCold: 'ms',
  floorWarm: 'ms',
  floorCpu: 'ms',
  cold: 'ms',
  coldRatio: '×',
  coldP99Ratio: '×',
  warm: 'ms',
  warmRatio: '×',
  warmP99Ratio: '×',
  cpu: 'ms',
  cpuRatio: '×',
  throughput: 'queries/s',
  retransmits: 'requests',
  strays: 'datagrams',
};

const ROW_TARGETS: Readonly<Partial<Record<RowKey, Target>>> = {
  coldRatio: LATENCY_TARGETS.coldRatio,
  warmRatio: LATENCY_TARGETS.warmRatio,
  cpu: LATENCY_TARGETS.cpuPerQueryMs,
  throughput: LATENCY_TARGETS.queriesPerSecond,
};

/** Every row not yet given, as failed (or skipped) with the reason. */
function failAll(ctx: BenchContext, why: string, status: 'failed' | 'skipped' = 'failed'): void {
  for (const key of Object.keys(LATENCY_ROWS) as RowKey[]) {
    const name = LATENCY_ROWS[key];
    if (ctx.reporter.row(name)) continue;
    if (status === 'failed') ctx.reporter.failed(name, UNITS[key], why, ROW_TARGETS[key]);
    else ctx.reporter.skipped(name, UNITS[key], why, ROW_TARGETS[key]);
  }
}

/** A row of run-by-run ratios over / under: their median, each one, and the ratio of the medians. */
function ratioRow(ctx: BenchContext, name: string, over: readonly number[], under: readonly number[], what: string, target?: Target): number {
  const pairs = pairedRatios(over, under);
  const value = median(pairs);
  ctx.reporter.count(
    name,
    '×',
    value,
    `median of ${pairs.length} run-by-run ratios: ${pairs.map(f3).join(', ')}`,
    target,
    `${what}; ratio of the two medians ${f3(ratioOf(median(over), median(under)))}`,
    false,
  );
  return value;
}

/** yes / no / n/a against the target (blank without one), as the main table says it. */
function met(value: number, target: Target | undefined): string {
  return targetMet({ value, status: 'ok', ...(target ? { target } : {}) });
}

function report(ctx: BenchContext, floors: readonly FloorRun[], storms: readonly StormRun[], m: FloorMessages): void {
  const { reporter, opts } = ctx;
  const R = LATENCY_ROWS;
  const T = LATENCY_TARGETS;
  const of = <X>(xs: readonly X[], f: (x: X) => number) => xs.map(f);
  const path = 'line → query-dht ⇄ manager → find-event A → B → C → find-result → result line';
  reporter.latency(R.floorCold, 'ms', of(floors, (f) => f.cold.p50), of(floors, (f) => f.cold.p99), undefined, `first ${COUNTS.cold} round trips of 5 fresh bare relay processes, ${path}; ${REPRODUCE}`);
  reporter.latency(R.floorWarm, 'ms', of(floors, (f) => f.warm.p50), of(floors, (f) => f.warm.p99), undefined, `${COUNTS.warm} round trips after ${COUNTS.cold + COUNTS.untimed}; datagrams of stormdht's sizes (${describeSizes(m)})`);
  reporter.runs(
    R.floorCpu,
    'ms',
    of(floors, (f) => f.cpu.totalMs),
    undefined,
    `per warm round trip, user + system of the 5 relays from /proc/<pid>/stat (user ${f3(median(of(floors, (f) => f.cpu.userMs)))}, system ${f3(median(of(floors, (f) => f.cpu.systemMs)))})`,
  );
  reporter.latency(R.cold, 'ms', of(storms, (s) => s.cold.p50), of(storms, (s) => s.cold.p99), undefined, `first ${COUNTS.cold} sequential queries from a Free peer after setup-dht in fresh processes, line → result line`);
  const coldRatio = ratioRow(ctx, R.coldRatio, of(storms, (s) => s.cold.p50), of(floors, (f) => f.cold.p50), 'cold p50 ÷ the floor\'s cold p50', T.coldRatio);
  const coldP99Ratio = ratioRow(ctx, R.coldP99Ratio, of(storms, (s) => s.cold.p99), of(floors, (f) => f.cold.p99), 'cold p99 ÷ the floor\'s cold p99');
  reporter.latency(R.warm, 'ms', of(storms, (s) => s.warm.p50), of(storms, (s) => s.warm.p99), undefined, `${COUNTS.warm} sequential queries after ${COUNTS.cold + COUNTS.untimed}, line → result line`);
  const warmRatio = ratioRow(ctx, R.warmRatio, of(storms, (s) => s.warm.p50), of(floors, (f) => f.warm.p50), 'warm p50 ÷ the floor\'s warm p50', T.warmRatio);
  const warmP99Ratio = ratioRow(ctx, R.warmP99Ratio, of(storms, (s) => s.warm.p99), of(floors, (f) => f.warm.p99), 'warm p99 ÷ the floor\'s warm p99');
  const cpuUser = median(of(storms, (s) => s.cpu.userMs));
  const cpuSystem = median(of(storms, (s) => s.cpu.systemMs));
  reporter.runs(
    R.cpu,
    'ms',
    of(storms, (s) => s.cpu.totalMs),
    T.cpuPerQueryMs,
    `per warm query, user + system of the manager and all 9 peer processes from /proc/<pid>/stat (user ${f3(cpuUser)}, system ${f3(cpuSystem)}); background included: the 3 Free peers that only heartbeat used ${f3(median(of(storms, (s) => s.backgroundMs)))} ms of it`,
  );
  const cpuRatio = ratioRow(ctx, R.cpuRatio, of(storms, (s) => s.cpu.totalMs), of(floors, (f) => f.cpu.totalMs), 'CPU per query ÷ the floor\'s CPU per round trip');
  const perPeer = opts.throughputQueries;
  reporter.runs(R.throughput, 'queries/s', of(storms, (s) => s.throughput), T.queriesPerSecond, `4 × ${perPeer} pipelined queries/run (throughputRun), after an untimed round of the same`);
  const retransmits = addCounts(storms.map((s) => s.retransmits));
  const over = `${storms.length} runs × ${PIPELINED_ROUNDS} rounds (untimed, timed) × 4 × ${perPeer} pipelined queries`;
  reporter.count(R.retransmits, 'requests', countTotal(retransmits), over, undefined, `requests resent (each one's first \`retransmitting …\` note; further copies of a request are summarised), all spurious on loopback: ${formatCounts(retransmits)}; during the sequential queries: ${formatCounts(addCounts(storms.map((s) => s.sequentialRetransmits)))}`);
  const strays = addStrays(storms.map((s) => s.strays));
  reporter.count(
    R.strays,
    'datagrams',
    strays.total,
    over,
    undefined,
    `answers to a copy of a request already answered, at the queriers, counted until the peers stopped (the notes are rate-limited, the rest summarised at close): ${describeStrays(strays)}; during the sequential queries: ${addStrays(storms.map((s) => s.sequentialStrays)).total}`,
  );

  const ms = (x: number) => `${f3(x)} ms`;
  const row = (what: string, floor: number, storm: number, ratio: number, target?: Target) => [what, ms(floor), ms(storm), Number.isFinite(ratio) ? `${f3(ratio)}×` : '—', target ? `≤ ${target.value}×` : '', met(ratio, target)];
  const mf = (f: (x: FloorRun) => number) => median(of(floors, f));
  const msr = (f: (x: StormRun) => number) => median(of(storms, f));
  const throughput = msr((s) => s.throughput);
  reporter.side({
    title: `Query latency against its floor (issue 14; 1996, n = 5; medians of ${storms.length} runs, fresh processes each; ${REPRODUCE})`,
    headers: ['figure', 'floor', 'stormdht', 'stormdht ÷ floor', 'target', 'met?'],
    rows: [
      row(`cold p50 (first ${COUNTS.cold})`, mf((f) => f.cold.p50), msr((s) => s.cold.p50), coldRatio, T.coldRatio),
      row(`cold p99 (first ${COUNTS.cold})`, mf((f) => f.cold.p99), msr((s) => s.cold.p99), coldP99Ratio),
      row(`warm p50 (${COUNTS.warm} after ${COUNTS.cold + COUNTS.untimed})`, mf((f) => f.warm.p50), msr((s) => s.warm.p50), warmRatio, T.warmRatio),
      row('warm p99', mf((f) => f.warm.p99), msr((s) => s.warm.p99), warmP99Ratio),
      [
        'CPU per query, all processes (user + system)',
        `${ms(mf((f) => f.cpu.totalMs))} (${f3(mf((f) => f.cpu.userMs))} + ${f3(mf((f) => f.cpu.systemMs))})`,
        `${ms(msr((s) => s.cpu.totalMs))} (${f3(cpuUser)} + ${f3(cpuSystem)})`,
        Number.isFinite(cpuRatio) ? `${f3(cpuRatio)}×` : '—',
        `≤ ${T.cpuPerQueryMs.value} ms`,
        met(msr((s) => s.cpu.totalMs), T.cpuPerQueryMs),
      ],
      ['throughput, 4 Free peers pipelined', '', `${f3(throughput)} queries/s`, '', `≥ ${T.queriesPerSecond.value} queries/s`, met(throughput, T.queriesPerSecond)],
      ['retransmissions / stray answers under that load', '', `${countTotal(retransmits)} / ${strays.total} (over ${storms.length} runs)`, '', '', ''],
    ],
    footnote:
      'The floor: five bare Node processes on a query\'s path (querier ⇄ manager, querier → A → B → C → querier), datagrams of stormdht\'s sizes, one line in and one out through pipes. ' +
      'Ratios are the median of the run-by-run ratios (floor and stormdht measured back to back in each run). CPU from /proc/<pid>/stat (10 ms ticks) around the warm queries.',
  });
}

export async function latencyScenario(ctx: BenchContext): Promise<void> {
  const { reporter, opts } = ctx;
  if (!ctx.hasYear('1996')) {
    failAll(ctx, `details-1996.csv not in ${ctx.dataDir}`, 'skipped');
    return;
  }
  const p = plan(ctx);
  const facts = yearFacts(ctx.dataDir, '1996');
  const loaded = loadYear(ctx.dataDir, '1996');
  if (!loaded.ok) throw new Error(`cannot read 1996 for the floor's find-result: ${loaded.error}`);
  const messages = floorMessages(medianRecord(loaded.data.records), '1996');
  reporter.detail(
    `latency: each run a fresh floor (5 relay processes, ports 54000-54999) and a fresh cluster (manager + 9 peers, ring of 5 of 1996); ` +
      `${COUNTS.cold} cold, ${COUNTS.untimed} untimed, ${COUNTS.warm} warm sequential queries on both; ${p.runs} run(s) after ${p.warmup} warm-up(s); ${REPRODUCE}`,
  );
  reporter.detail(`latency floor datagrams, encoded by src/wire/codec.ts: ${describeSizes(messages)}`);
  reporter.detail(`latency: ${PROFILE}`);
  const extraNodeArgs = (process.env.STORMDHT_NODE_ARGS ?? '').trim();
  if (extraNodeArgs !== '') reporter.detail(`latency: STORMDHT_NODE_ARGS="${extraNodeArgs}": stormdht's processes run with these options and the floor's do not, so the ratios are not the product's`);

  const floors: FloorRun[] = [];
  const storms: StormRun[] = [];
  try {
    for (let i = 0; i < p.warmup + p.runs; i++) {
      const warm = i < p.warmup;
      const label = `${runLabel(i, p)}${warm ? ' (not counted)' : ''}`;
      const f = await floorRun(messages, COUNTS);
      reporter.detail(`latency floor ${label}: ${describeFloor(f)}`);
      const s = await stormRun(ctx, facts, i);
      for (const line of describeStorm(s, opts.throughputQueries)) reporter.detail(`latency stormdht ${label}: ${line}`);
      if (extraNodeArgs !== '') reporter.detail(`latency stormdht ${label}: pids (for the profiles' names) ${[...s.pids].map(([n, pid]) => `${n} ${String(pid)}`).join(', ')}`);
      reporter.detail(
        `latency ${label} ÷ floor: cold p50 ${f3(s.cold.p50 / f.cold.p50)}×, p99 ${f3(s.cold.p99 / f.cold.p99)}×; warm p50 ${f3(s.warm.p50 / f.warm.p50)}×, p99 ${f3(s.warm.p99 / f.warm.p99)}×; CPU ${f3(s.cpu.totalMs / f.cpu.totalMs)}×`,
      );
      if (!warm) {
        floors.push(f);
        storms.push(s);
      }
    }
  } catch (err) {
    failAll(ctx, `${errorText(err)} (after ${storms.length} timed runs)`);
    return;
  }
  report(ctx, floors, storms, messages);
}
