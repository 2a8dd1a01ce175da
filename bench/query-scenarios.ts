// Queries over peer processes and real UDP, 1996 in a ring of 5 with 4 more Free peers (9
// processes): latency of sequential queries from one Free peer (line to result line, so the
// manager's query-dht round trip is included, as a user sees it; and the find-event part alone,
// from the querier's find-event trace line to its result line), and throughput with many lines
// written at once to one, then four Free peers' stdin.
import { checkQuery, queryCases, yearFacts, type QueryCase, type YearFacts } from './data.js';
import { withProcCluster, type ProcCluster } from './process-cluster.js';
import { errorText, plan, repeat, timedSetup, TARGETS, type BenchContext } from './runner.js';
import { mean, percentile } from './stats.js';

export interface LatencyRun {
  readonly p50: number;
  readonly p99: number;
  readonly findP50: number;
  readonly findP99: number;
  readonly meanHops: number;
  /** Each query's ms, in the order they ran. */
  readonly ms: readonly number[];
}

/** Sequential queries from `querier`, each timed from its line to its result line (ms); every answer checked. */
export async function latencyRun(c: ProcCluster, querier: string, cases: readonly QueryCase[]): Promise<LatencyRun> {
  const total: number[] = [];
  const find: number[] = [];
  const hops: number[] = [];
  for (const q of cases) {
    const { ms, result } = await c.run(querier, `query-dht ${querier} ${q.id}`, 30_000);
    hops.push(checkQuery(result, q, `query-dht at ${querier}`));
    total.push(ms);
    const part = c.findPartMs(querier);
    if (part !== null) find.push(part);
  }
  c.forgetLines();
  return {
    p50: percentile(total, 50),
    p99: percentile(total, 99),
    findP50: percentile(find, 50),
    findP99: percentile(find, 99),
    meanHops: mean(hops),
    ms: total,
  };
}

/** Pipelined queries at every querier at once: queries per second from the first write to the last result. */
export async function throughputRun(c: ProcCluster, queriers: readonly string[], facts: YearFacts, perPeer: number, seed: number): Promise<number> {
  const work = queriers.map((q, i) => ({ q, cases: queryCases(facts, perPeer, seed + i) }));
  const runs = await Promise.all(work.map((w) => c.pipeline(w.q, w.cases.map((k) => `query-dht ${w.q} ${k.id}`))));
  runs.forEach((r, i) => r.results.forEach((res, k) => checkQuery(res, work[i]!.cases[k]!, `pipelined query-dht at ${work[i]!.q}`)));
  c.forgetLines();
  const start = Math.min(...runs.map((r) => r.start));
  const end = Math.max(...runs.map((r) => r.end));
  return (queriers.length * perPeer) / ((end - start) / 1000);
}

export const QUERY_ROWS = {
  latency: 'query-latency-1996-n5',
  findPart: 'query-find-event-part-1996-n5',
  one: 'query-throughput-1996-n5-1-free-peer',
  four: 'query-throughput-1996-n5-4-free-peers',
} as const;

export async function queryScenario(ctx: BenchContext): Promise<void> {
  const { reporter, opts } = ctx;
  if (!ctx.hasYear('1996')) {
    const why = `details-1996.csv not in ${ctx.dataDir}`;
    reporter.skipped(QUERY_ROWS.latency, 'ms', why, TARGETS.queryP50Ms);
    reporter.skipped(QUERY_ROWS.one, 'queries/s', why);
    reporter.skipped(QUERY_ROWS.four, 'queries/s', why, TARGETS.queriesPerSecond);
    return;
  }
  const facts = yearFacts(ctx.dataDir, '1996');
  try {
    await withProcCluster({ peers: 9, dataDir: ctx.dataDir, ports: ctx.ports }, async (c) => {
      await timedSetup(c, 'peera', 5, facts);
      const free = await c.freeNames();
      if (free.length !== 4) throw new Error(`expected 4 Free peers beside the ring of 5, found ${free.length}`);
      const querier = free[0]!;
      reporter.detail(`ring of 5 holds 1996; Free peers ${free.join(', ')}; latency from ${querier}, ${opts.queries} sequential queries per run (about 10% absent ids)`);

      const runs: LatencyRun[] = [];
      const p = plan(ctx);
      for (let i = 0; i < p.warmup + p.runs; i++) {
        const r = await latencyRun(c, querier, queryCases(facts, opts.queries, 1000 + i));
        const text = `p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms; find-event part p50 ${r.findP50.toFixed(3)} ms, p99 ${r.findP99.toFixed(3)} ms; mean path ${r.meanHops.toFixed(2)} nodes`;
        if (i < p.warmup) reporter.detail(`${QUERY_ROWS.latency} warm-up: ${text} (not counted)`);
        else {
          runs.push(r);
          reporter.detail(`${QUERY_ROWS.latency} run ${runs.length}/${p.runs}: ${text}`);
        }
      }
      reporter.latency(QUERY_ROWS.latency, 'ms', runs.map((r) => r.p50), runs.map((r) => r.p99), TARGETS.queryP50Ms, `${opts.queries} queries/run, line → result incl. manager round trip`);
      if (runs.some((r) => Number.isFinite(r.findP50))) {
        reporter.latency(QUERY_ROWS.findPart, 'ms', runs.map((r) => r.findP50), runs.map((r) => r.findP99), undefined, 'find-event trace line → result line');
      }

      const perPeer = opts.throughputQueries;
      reporter.detail(`throughput: ${perPeer} queries written at once to each Free peer's stdin per run`);
      const one = await repeat(reporter, QUERY_ROWS.one, 'queries/s', p, (i) => throughputRun(c, [querier], facts, perPeer, 5000 + i));
      reporter.runs(QUERY_ROWS.one, 'queries/s', one, undefined, `${perPeer} pipelined queries/run`);
      const four = await repeat(reporter, QUERY_ROWS.four, 'queries/s', p, (i) => throughputRun(c, free, facts, perPeer, 9000 + 10 * i));
      reporter.runs(QUERY_ROWS.four, 'queries/s', four, TARGETS.queriesPerSecond, `4 × ${perPeer} pipelined queries/run`);
    });
  } catch (err) {
    const e = errorText(err);
    for (const [name, unit, target] of [
      [QUERY_ROWS.latency, 'ms', TARGETS.queryP50Ms],
      [QUERY_ROWS.one, 'queries/s', undefined],
      [QUERY_ROWS.four, 'queries/s', TARGETS.queriesPerSecond],
    ] as const) {
      if (!reporter.row(name)) reporter.failed(name, unit, e, target);
    }
  }
}
