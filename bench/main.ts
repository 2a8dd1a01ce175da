// `npm run bench -- [--runs N] [--only a,b] [--quick]`: stormdht's benchmark suite. Real peer and
// manager processes over real UDP on 127.0.0.1 for the headline figures (setup, leave/join,
// queries, memory, protocol modes, growth with records, replicas, the durable manager's restart),
// one process holding many peers (LocalCluster) for n = 100 and 1000. Prints `name value unit`
// lines as it goes (details as `# …`), then one markdown table of every figure and the side-by-side
// tables.
import os from 'node:os';
import { killAllNow, liveCount, removeTempDirs, stopAll } from './children.js';
import { hasYear, realDataDir } from './data.js';
import { recordsGrowthTable, ringGrowthTable, type SizePoint } from './growth-tables.js';
import { detectScenario, soakScenario } from './detect-scenario.js';
import { floorScenario } from './floor-scenario.js';
import { latencyScenario } from './latency-scenario.js';
import { lossyScenario } from './lossy-scenario.js';
import { memoryScenario } from './memory-scenario.js';
import { modesScenario } from './modes-scenario.js';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs, type BenchOptions, type ScenarioId } from './options.js';
import { PortSlices } from './process-cluster.js';
import { queryScenario } from './query-scenarios.js';
import { replicaScenario } from './replica-scenario.js';
import { restartScenario } from './restart-scenario.js';
import { Reporter } from './report.js';
import { errorText, TARGETS, type BenchContext } from './runner.js';
import { scaleRowName, scaleScenario } from './scale-scenario.js';
import { growthScenario, rebuildScenario, SETUP_SIZES, setupRowName, setupScenario, type GrowthPoint } from './setup-scenarios.js';
import { worstPerUnitGrowth } from './stats.js';

function options(): BenchOptions {
  try {
    const opts = parseBenchArgs(process.argv.slice(2));
    if (opts === null) {
      console.log(BENCH_USAGE);
      process.exit(0);
    }
    return opts;
  } catch (err) {
    if (err instanceof BenchUsageError) {
      console.error(`bench: ${err.message}\n\n${BENCH_USAGE}`);
      process.exit(2);
    }
    throw err;
  }
}

const opts = options();
const reporter = new Reporter();
const dataDir = realDataDir(opts.dataDir);
const ctx: BenchContext = { opts, reporter, dataDir, ports: new PortSlices(), hasYear: (y) => hasYear(dataDir, y) };
let growthPoints: GrowthPoint[] = [];
let finished = false;

function printReport(title: string): void {
  addGrowthTables();
  console.log(`\n## ${title}\n`);
  console.log(
    opts.quick || opts.runs < 5
      ? `Medians of ${opts.runs} run(s) (heavy figures: ${opts.heavyRuns})${opts.quick ? ', --quick smoke run' : ''}: fewer than the 5 the targets are stated for.\n`
      : `Medians of ${opts.runs} runs (after ${opts.warmup} warm-up run(s) each); loopback, node ${process.version}, ${os.cpus().length} CPUs.\n`,
  );
  console.log(reporter.render());
}

let growthTablesAdded = false;
function addGrowthTables(): void {
  if (growthTablesAdded) return;
  growthTablesAdded = true;
  if (growthPoints.length > 0) {
    const points: SizePoint[] = growthPoints.map((p) => ({ label: p.label, records: p.records, n: 5, seconds: p.seconds, how: 'processes' }));
    const worst = worstPerUnitGrowth(points.map((p) => ({ size: p.records, cost: p.seconds })));
    if (Number.isFinite(worst)) {
      reporter.derived('growth-setup-time-per-record-worst-increase', '×', worst, TARGETS.growthPerRecord, 'largest rise of s/record from a smaller to a larger year (≤ 1: at most linear; 10% allowance for noise)');
    }
    reporter.side(recordsGrowthTable(points, '1996'));
  }
  const byN: SizePoint[] = [];
  const l1996 = 48_561;
  for (const n of SETUP_SIZES) {
    const row = reporter.row(setupRowName('1996', n));
    if (row?.status === 'ok') byN.push({ label: row.name, records: l1996, n, seconds: row.value, how: 'processes' });
  }
  for (const n of [100, 1000]) {
    const row = reporter.row(scaleRowName(n));
    if (row?.status === 'ok') byN.push({ label: row.name, records: l1996, n, seconds: row.value, how: 'one process (in-process)' });
  }
  if (byN.length > 1) reporter.side(ringGrowthTable(byN));
}

async function cleanup(): Promise<void> {
  await stopAll();
  removeTempDirs();
}

let interrupted = false;
async function onSignal(signal: NodeJS.Signals): Promise<void> {
  if (interrupted) return;
  interrupted = true;
  console.log(`\n# ${signal}: stopping ${liveCount()} child process(es) and removing temporary files`);
  await cleanup();
  if (!finished) printReport('stormdht benchmark (interrupted; figures so far)');
  process.exit(130);
}
process.on('SIGINT', (s) => void onSignal(s));
process.on('SIGTERM', (s) => void onSignal(s));
process.on('exit', () => {
  killAllNow();
  removeTempDirs();
});
const fatal = (err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  void cleanup().finally(() => process.exit(1));
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

const SCENARIO_RUNNERS: ReadonlyArray<readonly [ScenarioId, string, (c: BenchContext) => Promise<unknown>]> = [
  ['setup', 'setup-dht of 1996, n = 3, 5, 10, 32 (peer processes)', setupScenario],
  ['rebuild', 'leave-dht and join-dht rebuilds of 1996, n = 5 ↔ 4 (peer processes)', rebuildScenario],
  ['query', 'query latency and throughput, 1996, n = 5, 4 Free peers (peer processes)', queryScenario],
  ['latency', 'query latency against its floor (issue 14): cold and warm p50/p99 of 1996, n = 5, and of 5 bare relay processes on the same path, CPU per query, throughput and retransmissions under load (fresh processes each run; floor ports 54000-54999)', latencyScenario],
  ['rss', 'peak RSS of peers holding a fifth of 1996 and of the manager (peer processes)', memoryScenario],
  ['modes', 'placement, batch size and routing side by side (peer processes)', modesScenario],
  ['growth', 'setup time against records: 1950, 1990, 1996, synthetic 200,000 and 1,000,000 (peer processes)', async (c) => (growthPoints = await growthScenario(c))],
  ['scale', 'setup-dht of 1996 with n = 100 and 1000 (in-process LocalCluster)', scaleScenario],
  ['lossy', 'setup-dht of 1996, n = 5, with 0%, 10% and 30% loss injected (fresh peer processes)', lossyScenario],
  ['floor', 'one UDP hop between two Node processes doing nothing else, stop and wait (the floor under a query)', floorScenario],
  ['detect', 'failure detector: SIGKILL of a Free peer, a member and the leader of 1996, n = 5; detection, repair, queries meanwhile, clean and lossy; heartbeat traffic (peer processes)', detectScenario],
  ['replicas', 'replicas (issue 12): R = 2 against R = 1 for setup time, query latency and peak RSS, and eviction → dht-repaired after a SIGKILL with R = 2, 1996, n = 5 (peer processes, ports 50000-51999)', replicaScenario],
  ['restart', 'durable manager (issue 13): SIGKILL and restart with --state-dir and 1,000 registered heartbeating peers → back in service; setup-dht of 1996, n = 5, with and without --state-dir (ports 52000-53999)', restartScenario],
  ['soak', 'false deaths: a ring of 5 of 1996 and 2 querying Free peers under loss=0.3 for --soak-seconds (peer processes; only with --only soak)', soakScenario],
];

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`# stormdht benchmark: node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`# runs ${opts.runs} (heavy ${opts.heavyRuns}), warm-up ${opts.warmup} (heavy ${opts.heavyWarmup}), ${opts.queries} queries per latency run, ${opts.throughputQueries} per peer per throughput run${opts.quick ? ', --quick' : ''}`);
  console.log(`# scenarios: ${[...opts.only].join(', ')}`);
  if (!ctx.hasYear('1996')) {
    console.log(`# NOTE: the real data file details-1996.csv is not in ${dataDir}; every scenario on 1996 is skipped (set --data-dir or STORMDHT_SHARED_DATA).`);
  } else console.log(`# real data: ${dataDir}`);
  for (const [id, title, run] of SCENARIO_RUNNERS) {
    if (!opts.only.has(id)) continue;
    const t0 = performance.now();
    console.log(`\n# === ${id}: ${title}`);
    try {
      await run(ctx);
    } catch (err) {
      reporter.failed(`scenario-${id}`, '', errorText(err));
    }
    if (liveCount() > 0) {
      reporter.detail(`${liveCount()} process(es) still running after ${id}; stopping them`);
      await stopAll();
    }
    reporter.detail(`${id} took ${((performance.now() - t0) / 1000).toFixed(1)} s (load average now ${os.loadavg()[0]!.toFixed(2)})`);
  }
  finished = true;
  await cleanup();
  printReport('stormdht benchmark results');
  console.log(`\n# total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  process.exit(reporter.rows.some((r) => r.status === 'failed') ? 1 : 0);
}

void main().catch(fatal);
