// Replicas (issue 12) over peer processes and real UDP on 127.0.0.1, 1996 with n = 5: what keeping
// R = 2 copies of every record costs against SPEC's single copy (R = 1), and how soon a ring that
// lost a member holds two copies again. `--only replicas`. Four figures, each against the issue's
// target:
//   1. setup-dht time, R = 2 against R = 1: two clusters side by side (a manager with and one
//      without `--replicas 2`, 6 peer processes each on the shared data), setup-dht typed at peera
//      and timed from the line to its JSON result as the setup scenario does, then torn down; the
//      two clusters take turns (the order swaps every run) so that both see the same load. Ratio
//      of the medians ≤ 1.6.
//   2. the same two rings then answer query-dht from their Free peer, again taking turns with the
//      same ids: p50 and p99 of each run (line → result line, as bench/query-scenarios.ts
//      measures). "No worse within noise": the median of the run-by-run ratios R = 2 / R = 1 (a
//      pair of runs shares the load of its moment; a ratio of two medians would not cancel the
//      drift of a shared CPU) ≤ 1.10 for p50 and ≤ 1.25 for p99 (the 99th percentile of a few
//      hundred queries rests on its three slowest, so it gets more room).
//   3. peak RSS (VmHWM) of the non-leader members: per run a fresh cluster of each kind (6 peer
//      processes), one setup-dht and some queries, the largest VmHWM of the 4 members; ratio of
//      the medians ≤ 1.8. (With R = 1 a member also packs its standby batches from the file after
//      a build, src/peer/procedures/standby.ts; with R = 2 it does not.)
//   4. repair with R = 2: a ring of 5, a non-leader member SIGKILLed; from the manager's eviction
//      note (`failure detector: evicted <name> died …`, the death declared) to its `dht-repaired
//      SUCCESS` trace (the new leader's report that the ring holds R copies again), median and max
//      ≤ 2 s; the repairing leader's counts event must give SPEC §13's counts for n = 4 and, as
//      replicas, the same counts shifted by one node (node i holds a copy of node i−1's records).
//      A fresh peer then joins (join-dht) so that the next kill starts from a ring of 5 again.
// Every process of this scenario uses ports 50000-51999: peers 50000-51899 (10 each), managers
// 51900-51999.
import { peerName } from '../src/cluster/local-cluster.js';
import { checkResultStored, queryCases, yearFacts, type YearFacts } from './data.js';
import { SPEC_1996_N4, SPEC_1996_N5 } from './detect-scenario.js';
import { isEviction, isRepairEnd, textOf, withKillCluster, type KillCluster } from './kill-cluster.js';
import { peakRssMB } from './proc-status.js';
import { inTurns, pairedRatios, ratioOf, runLabel, turns, withClusterPair } from './paired-runs.js';
import { expectOk, PortSlices, withProcCluster, type ProcCluster, type ProcClusterOptions } from './process-cluster.js';
import { latencyRun, type LatencyRun } from './query-scenarios.js';
import { formatNumber, type Target } from './report.js';
import { errorText, plan, teardown, type BenchContext } from './runner.js';
import { max, median } from './stats.js';

/** The issue's targets. */
export const REPLICA_TARGETS = {
  setupRatio: { op: '<=', value: 1.6 },
  repairSeconds: { op: '<=', value: 2 },
  rssRatio: { op: '<=', value: 1.8 },
  /** "No worse": R = 2's latency within 10% of R = 1's at the median … */
  queryP50Ratio: { op: '<=', value: 1.1 },
  /** … and within 25% at the 99th percentile, the noisier figure. */
  queryP99Ratio: { op: '<=', value: 1.25 },
} as const satisfies Record<string, Target>;

export const REPLICA_ROWS = {
  setupR1: 'replicas-setup-1996-n5-r1',
  setupR2: 'replicas-setup-1996-n5-r2',
  setupRatio: 'replicas-setup-ratio-r2-vs-r1',
  repair: 'replicas-repair-evicted-to-repaired-1996-n5',
  repairMax: 'replicas-repair-evicted-to-repaired-1996-n5-max',
  repairCounts: 'replicas-repair-counts-not-spec',
  rssR1: 'replicas-rss-peak-member-1996-n5-r1',
  rssR2: 'replicas-rss-peak-member-1996-n5-r2',
  rssRatio: 'replicas-rss-ratio-r2-vs-r1',
  queryR1: 'replicas-query-latency-1996-n5-r1',
  queryR2: 'replicas-query-latency-1996-n5-r2',
  queryP50Ratio: 'replicas-query-p50-ratio-r2-vs-r1',
  queryP99Ratio: 'replicas-query-p99-ratio-r2-vs-r1',
} as const;

/** Ports of this scenario's processes: peers 50000-51899 in slices of 10, managers 51900-51999. */
export const REPLICA_PEER_PORTS = new PortSlices(50_000, 51_899, 10);
const REPLICA_MANAGER_PORTS = new PortSlices(51_900, 51_999, 1);

/** The next manager port of the scenario's own range. */
function managerPort(): number {
  return Number(REPLICA_MANAGER_PORTS.take().split('-')[0]);
}

/**
 * The copies each node of a ring holds with R copies of every record (issue 12: a record lives on
 * its owner and the R−1 nodes after it), from the records each node owns: node i holds the records
 * of nodes i−1, …, i−(R−1). R is capped at n (a ring of fewer nodes keeps one copy on each).
 * With R = 2 this is recordsPerNode shifted by one node.
 */
export function expectedReplicaCounts(recordsPerNode: readonly number[], replicas: number): number[] {
  const n = recordsPerNode.length;
  const copies = Math.max(1, Math.min(replicas, n));
  return recordsPerNode.map((_, i) => {
    let sum = 0;
    for (let k = 1; k < copies; k++) sum += recordsPerNode[(((i - k) % n) + n) % n]!;
    return sum;
  });
}

/** True when `a` is an array of the same numbers as `b`. */
export function sameNumbers(a: unknown, b: readonly number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Why a result's or counts event's counts are not SPEC's for a ring of `spec.length` with R copies, or null. */
export function countsProblem(recordsPerNode: unknown, replicasPerNode: unknown, spec: readonly number[], replicas: number): string | null {
  if (!sameNumbers(recordsPerNode, spec)) return `recordsPerNode ${JSON.stringify(recordsPerNode)}, SPEC §13 says ${spec.join('/')}`;
  if (replicas < 2) return replicasPerNode === undefined ? null : `replicasPerNode ${JSON.stringify(replicasPerNode)} with R = 1`;
  const expected = expectedReplicaCounts(spec, replicas);
  return sameNumbers(replicasPerNode, expected) ? null : `replicasPerNode ${JSON.stringify(replicasPerNode)}, expected ${expected.join('/')}`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const REPLICAS = 2;
const MANAGER_R2 = ['--replicas', String(REPLICAS)] as const;
const COMMAND_WAIT_MS = 120_000;
const EVICTION_WAIT_MS = 30_000;
const REPAIR_WAIT_MS = 60_000;
/** After the manager's dht-repaired, how long the repairing leader's counts line may still take (another pipe). */
const COUNTS_WAIT_MS = 5_000;

/** The two kinds of cluster compared, by label. */
const KINDS = [
  { r: 1, label: 'R = 1', managerArgs: [] as readonly string[] },
  { r: REPLICAS, label: `R = ${REPLICAS}`, managerArgs: MANAGER_R2 as readonly string[] },
] as const;

/** How the clusters are started, for the rows' notes. */
const HOW = `\`stormdht manager <51900-51999> --host 127.0.0.1 --json [--replicas ${REPLICAS}]\` + 6 × \`stormdht peer 127.0.0.1 <port> --json --data-dir <shared> --port-range <50000-51899>\``;

/** setup-dht of 1996 with n = 5 at peera of a cluster with R copies: seconds from the line to the result; checks every count. */
async function checkedSetup(c: ProcCluster, r: number, facts: YearFacts): Promise<{ seconds: number; ring: string[] }> {
  const line = `setup-dht peera 5 ${facts.year}`;
  const { ms, result } = await c.run('peera', line, COMMAND_WAIT_MS);
  expectOk(result, `${line} (R = ${r})`);
  checkResultStored(result, facts, 5, `${line} (R = ${r})`);
  const problem = countsProblem(result.recordsPerNode, result.replicasPerNode, SPEC_1996_N5, r);
  if (problem !== null) throw new Error(`${line} (R = ${r}): ${problem}`);
  return { seconds: ms / 1000, ring: (result.ring as Array<{ name: string }>).map((t) => t.name) };
}

/** The options of the two clusters (R = 1, R = 2) that stay up side by side: a manager and 6 peer processes each. */
function pairOptions(ctx: BenchContext): [ProcClusterOptions, ProcClusterOptions] {
  const options = (managerArgs: readonly string[]) => ({ peers: 6, dataDir: ctx.dataDir, ports: REPLICA_PEER_PORTS, managerArgs, managerPort: managerPort() });
  return [options(KINDS[0].managerArgs), options(KINDS[1].managerArgs)];
}

/** Figures 1 and 2: setup time and query latency, R = 2 against R = 1, in two long-lived clusters. */
async function setupAndQueries(ctx: BenchContext, facts: YearFacts): Promise<void> {
  const { reporter } = ctx;
  const p = plan(ctx);
  const queries = Math.min(ctx.opts.queries, ctx.opts.quick ? 200 : 300);
  let setups: [number[], number[]] = [[], []];
  let latencies: [LatencyRun[], LatencyRun[]] = [[], []];
  let phase: 'setup' | 'queries' = 'setup';
  // Timed runs completed, for the message of a failure.
  const done = { setup: 0, queries: 0 };
  try {
    await withClusterPair(...pairOptions(ctx), async (pair) => {
      const rings: [string[], string[]] = [[], []];
      const total = p.warmup + p.runs;
      setups = await inTurns(
        p,
        async (k, i) => {
          const { seconds, ring } = await checkedSetup(pair[k], KINDS[k].r, facts);
          rings[k] = ring;
          // The last setup stays up for the queries.
          if (i < total - 1) await teardown(pair[k], 'peera');
          pair[k].forgetLines();
          return seconds;
        },
        (i, warm, s) => {
          if (!warm) done.setup++;
          reporter.detail(`replicas setup-dht 1996 n = 5 ${runLabel(i, p)}: ${KINDS.map((kind, k) => `${kind.label} ${formatNumber(s[k]!)} s`).join(', ')}${warm ? ' (not counted)' : ''}`);
        },
      );
      reporter.runs(REPLICA_ROWS.setupR1, 's', setups[0], undefined, `\`setup-dht peera 5 1996\` typed → JSON result; manager without --replicas`);
      reporter.runs(REPLICA_ROWS.setupR2, 's', setups[1], undefined, `the same with \`--replicas ${REPLICAS}\``);
      const ratio = ratioOf(median(setups[1]), median(setups[0]));
      const pairs = pairedRatios(setups[1], setups[0]);
      reporter.derived(REPLICA_ROWS.setupRatio, '×', ratio, REPLICA_TARGETS.setupRatio, `median R = ${REPLICAS} / median R = 1 of the two rows above (run by run: ${pairs.map(formatNumber).join(', ')}, median ${formatNumber(median(pairs))}); ${HOW}; the clusters take turns`);

      phase = 'queries';
      const free = await Promise.all(pair.map(async (c) => (await c.freeNames())[0]));
      if (free.some((f) => f === undefined)) throw new Error('no Free peer beside a ring of 5');
      reporter.detail(`replicas queries: ${queries} sequential query-dht per run from ${free[0]} (R = 1) and ${free[1]} (R = ${REPLICAS}), the same ids for both, about 10% absent; rings R = 1 ${rings[0].join(',')}, R = ${REPLICAS} ${rings[1].join(',')}`);
      latencies = await inTurns(
        p,
        (k, i) => latencyRun(pair[k], free[k]!, queryCases(facts, queries, 4200 + i)),
        (i, warm, r) => {
          if (!warm) done.queries++;
          const figures = KINDS.map((kind, k) => `${kind.label} p50 ${r[k]!.p50.toFixed(3)} ms p99 ${r[k]!.p99.toFixed(3)} ms (mean path ${r[k]!.meanHops.toFixed(2)} nodes)`);
          reporter.detail(`replicas query latency ${runLabel(i, p)}: ${figures.join('; ')}${warm ? ' (not counted)' : ''}`);
        },
      );
      for (const k of [0, 1] as const) await teardown(pair[k], rings[k][0]!);
    });
  } catch (err) {
    const e = `${errorText(err)} (during ${phase}, after ${done.setup} setup and ${done.queries} query runs)`;
    if (phase === 'setup') for (const name of [REPLICA_ROWS.setupR1, REPLICA_ROWS.setupR2, REPLICA_ROWS.setupRatio]) reporter.failed(name, name === REPLICA_ROWS.setupRatio ? '×' : 's', e, name === REPLICA_ROWS.setupRatio ? REPLICA_TARGETS.setupRatio : undefined);
    for (const [name, target] of [
      [REPLICA_ROWS.queryP50Ratio, REPLICA_TARGETS.queryP50Ratio],
      [REPLICA_ROWS.queryP99Ratio, REPLICA_TARGETS.queryP99Ratio],
    ] as const) {
      reporter.failed(name, '×', e, target);
    }
    return;
  }
  const query = `\`query-dht <free> <id>\` typed at the Free peer → JSON result, ${queries} sequential queries per run, the same ids at both`;
  reporter.latency(REPLICA_ROWS.queryR1, 'ms', latencies[0].map((r) => r.p50), latencies[0].map((r) => r.p99), undefined, `${query}; R = 1`);
  reporter.latency(REPLICA_ROWS.queryR2, 'ms', latencies[1].map((r) => r.p50), latencies[1].map((r) => r.p99), undefined, `R = ${REPLICAS}, nothing dead`);
  // No worse within noise: the two clusters answer in turns, each run of R = 2 beside one of R = 1
  // with the same ids, and the figure is the median of these run-by-run ratios.
  const judged = (pick: (r: LatencyRun) => number, what: 'p50' | 'p99', name: string, target: Target, why: string) => {
    const pairs = pairedRatios(latencies[1].map(pick), latencies[0].map(pick));
    const ofMedians = ratioOf(median(latencies[1].map(pick)), median(latencies[0].map(pick)));
    reporter.count(
      name,
      '×',
      median(pairs),
      `median of ${pairs.length} run-by-run ratios: ${pairs.map(formatNumber).join(', ')}`,
      target,
      `${what} R = ${REPLICAS} / ${what} R = 1 (ratio of the two rows' medians ${formatNumber(ofMedians)}); no worse within noise: ≤ ${target.value}${why}`,
      false,
    );
  };
  judged((r) => r.p50, 'p50', REPLICA_ROWS.queryP50Ratio, REPLICA_TARGETS.queryP50Ratio, '');
  judged((r) => r.p99, 'p99', REPLICA_ROWS.queryP99Ratio, REPLICA_TARGETS.queryP99Ratio, ` (a p99 of ${queries} queries rests on the slowest few)`);
}

/** VmHWM of every listed peer (MB); throws when one cannot be read. */
function peaks(c: ProcCluster, names: readonly string[]): number[] {
  return names.map((n) => {
    const mb = peakRssMB(c.pid(n));
    if (mb === null) throw new Error(`cannot read VmHWM of ${n} (pid ${c.pid(n)}) in /proc/<pid>/status`);
    return mb;
  });
}

/** Figure 3: the largest peak RSS of the non-leader members, fresh processes each run, R = 1 and R = 2 taking turns. */
async function memory(ctx: BenchContext, facts: YearFacts): Promise<void> {
  const { reporter } = ctx;
  const runs = ctx.opts.runs;
  const queries = ctx.opts.quick ? 100 : 200;
  const peaksBy: [number[], number[]] = [[], []];
  const skip = (why: string) => {
    for (const name of [REPLICA_ROWS.rssR1, REPLICA_ROWS.rssR2]) reporter.skipped(name, 'MB', why);
    reporter.skipped(REPLICA_ROWS.rssRatio, '×', why, REPLICA_TARGETS.rssRatio);
  };
  if (peakRssMB(process.pid) === null) return skip('/proc/<pid>/status has no VmHWM on this system');
  try {
    for (let run = 0; run < runs; run++) {
      const figures: string[] = [];
      for (const k of turns(run)) {
        const kind = KINDS[k];
        await withProcCluster({ peers: 6, dataDir: ctx.dataDir, ports: REPLICA_PEER_PORTS, managerArgs: kind.managerArgs, managerPort: managerPort() }, async (c) => {
          const { ring } = await checkedSetup(c, kind.r, facts);
          const afterSetup = peaks(c, ring.slice(1));
          const free = (await c.freeNames())[0];
          if (free === undefined) throw new Error('no Free peer beside a ring of 5');
          await latencyRun(c, free, queryCases(facts, queries, 7700 + run));
          const members = peaks(c, ring.slice(1));
          peaksBy[k].push(max(members));
          figures[k] = `${kind.label} members ${members.map((m) => m.toFixed(1)).join(' / ')} MB (just after the setup's result: ${afterSetup.map((m) => m.toFixed(1)).join(' / ')})`;
          await teardown(c, ring[0]!);
        });
      }
      reporter.detail(`replicas rss run ${run + 1}/${runs} (fresh processes, after setup-dht and ${queries} queries): ${figures.join('; ')}`);
    }
  } catch (err) {
    const e = `${errorText(err)} (after ${peaksBy[1].length} runs)`;
    for (const name of [REPLICA_ROWS.rssR1, REPLICA_ROWS.rssR2]) reporter.failed(name, 'MB', e);
    reporter.failed(REPLICA_ROWS.rssRatio, '×', e, REPLICA_TARGETS.rssRatio);
    return;
  }
  reporter.runs(REPLICA_ROWS.rssR1, 'MB', peaksBy[0], undefined, `VmHWM (/proc/<pid>/status), largest of the 4 non-leader members after \`setup-dht peera 5 1996\` and ${queries} queries; fresh processes each run; with R = 1 a member also reads the year and packs its standby batches (src/peer/procedures/standby.ts), which R = ${REPLICAS} does not`);
  reporter.runs(REPLICA_ROWS.rssR2, 'MB', peaksBy[1], undefined, `the same with \`--replicas ${REPLICAS}\``);
  reporter.derived(REPLICA_ROWS.rssRatio, '×', ratioOf(median(peaksBy[1]), median(peaksBy[0])), REPLICA_TARGETS.rssRatio, `median R = ${REPLICAS} / median R = 1 of the two rows above; ${HOW}`);
}

/** One kill's figures (ms). */
interface Repair {
  readonly victim: string;
  readonly evictMs: number;
  readonly repairedMs: number;
  readonly countsMs: number | null;
  readonly problem: string | null;
}

/** SIGKILLs `victim`, a non-leader member of a ring of 5 with R = 2 copies, and times eviction → dht-repaired. */
async function killAndRepair(c: KillCluster, victim: string): Promise<Repair> {
  const killedAt = c.kill(victim);
  const evicted = await c.waitFor((s) => isEviction(s, victim), killedAt, EVICTION_WAIT_MS, `eviction of ${victim}`);
  const end = await c.waitFor(isRepairEnd, killedAt, REPAIR_WAIT_MS, `dht-repaired after ${victim}'s death`);
  if (!/^dht-repaired SUCCESS/.test(textOf(end))) throw new Error(`the repair after ${victim}'s death ended with: ${textOf(end)}`);
  let countsMs: number | null = null;
  let problem: string | null;
  try {
    const counts = await c.waitFor((s) => s.line.event === 'counts' && s.line.reason === 'repair', killedAt, COUNTS_WAIT_MS, "the repairing leader's counts");
    countsMs = counts.t - evicted.t;
    problem = countsProblem(counts.line.recordsPerNode, counts.line.replicasPerNode, SPEC_1996_N4, REPLICAS);
  } catch (err) {
    problem = errorText(err);
  }
  return { victim, evictMs: evicted.t - killedAt, repairedMs: end.t - evicted.t, countsMs, problem };
}

/** The DHT's ring and leader as the manager sees them, asked at `at`. */
async function ringAt(c: KillCluster, at: string): Promise<{ ring: string[]; leader: string }> {
  const members = await c.run(at, `members ${at}`, 30_000);
  const dht = members.dht as { ring: string[]; leader: string } | null | undefined;
  if (members.ok !== true || !dht || !Array.isArray(dht.ring) || typeof dht.leader !== 'string') throw new Error(`members at ${at}: ${JSON.stringify(members).slice(0, 300)}`);
  return dht;
}

/** Figure 4: eviction → dht-repaired with R = 2, a fresh peer joining after each repair. */
async function repairs(ctx: BenchContext, facts: YearFacts): Promise<void> {
  const { reporter } = ctx;
  const p = plan(ctx);
  const done: Repair[] = [];
  let problems = 0;
  try {
    await withKillCluster({ dataDir: ctx.dataDir, ports: REPLICA_PEER_PORTS, managerArgs: MANAGER_R2, managerPort: managerPort() }, async (c) => {
      let next = 0;
      const fresh = () => peerName(next++);
      await Promise.all(Array.from({ length: 5 }, () => c.addPeer(fresh())));
      const setup = expectOk(await c.run('peera', `setup-dht peera 5 ${facts.year}`, COMMAND_WAIT_MS), 'setup-dht peera 5 (R = 2)');
      checkResultStored(setup, facts, 5, 'setup-dht peera 5 (R = 2)');
      const setupProblem = countsProblem(setup.recordsPerNode, setup.replicasPerNode, SPEC_1996_N5, REPLICAS);
      if (setupProblem !== null) throw new Error(`setup-dht (R = 2): ${setupProblem}`);
      let ring = (setup.ring as Array<{ name: string }>).map((t) => t.name);
      let leader = ring[0]!;
      for (let i = 0; i < p.warmup + p.runs; i++) {
        const warm = i < p.warmup;
        await sleep(300);
        c.forgetLines();
        // A member, never the leader.
        const r = await killAndRepair(c, ring.filter((n) => n !== leader)[1]!);
        const survivors = ring.filter((n) => n !== r.victim);
        const joiner = fresh();
        await c.addPeer(joiner);
        const joined = expectOk(await c.run(joiner, `join-dht ${joiner}`, COMMAND_WAIT_MS), `join-dht ${joiner}`);
        const joinProblem = countsProblem(joined.recordsPerNode, joined.replicasPerNode, SPEC_1996_N5, REPLICAS);
        ({ ring, leader } = await ringAt(c, survivors[0]!));
        if (ring.length !== 5 || !ring.includes(leader)) throw new Error(`after join-dht ${joiner} the ring is ${ring.join(',')} (leader ${leader})`);
        const text =
          `${r.victim} SIGKILLed: evicted ${formatNumber(r.evictMs / 1000)} s after the kill, dht-repaired SUCCESS ${formatNumber(r.repairedMs / 1000)} s after the eviction, ` +
          `counts event ${r.countsMs === null ? '—' : `${formatNumber(r.countsMs / 1000)} s`} (${r.problem ?? `SPEC §13 n = 4, replicas shifted by one`}); ` +
          `${joiner} joined${joinProblem === null ? '' : ` (JOIN COUNTS: ${joinProblem})`}`;
        reporter.detail(`replicas repair ${warm ? 'warm-up' : `run ${i - p.warmup + 1}/${p.runs}`}: ${text}${warm ? ' (not counted)' : ''}`);
        if (joinProblem !== null) throw new Error(`join-dht ${joiner}: ${joinProblem}`);
        if (!warm) {
          done.push(r);
          if (r.problem !== null) problems++;
        }
      }
    });
  } catch (err) {
    const e = `${errorText(err)} (after ${done.length} timed repairs)`;
    reporter.failed(REPLICA_ROWS.repair, 's', e, REPLICA_TARGETS.repairSeconds);
    reporter.failed(REPLICA_ROWS.repairMax, 's', e, REPLICA_TARGETS.repairSeconds);
    reporter.failed(REPLICA_ROWS.repairCounts, 'repairs', e, { op: '<=', value: 0 });
    return;
  }
  const seconds = done.map((r) => r.repairedMs / 1000);
  const how = `\`stormdht manager <port> --replicas ${REPLICAS}\`, 5 peer processes; SIGKILL of a non-leader member; manager's \`failure detector: evicted <name> died\` note → its \`dht-repaired SUCCESS\` trace`;
  reporter.runs(REPLICA_ROWS.repair, 's', seconds, REPLICA_TARGETS.repairSeconds, `${how}; a fresh peer joins after each repair`);
  reporter.count(REPLICA_ROWS.repairMax, 's', max(seconds), `the slowest of the ${seconds.length} repairs`, REPLICA_TARGETS.repairSeconds, 'the same measure', false);
  reporter.count(REPLICA_ROWS.repairCounts, 'repairs', problems, `${done.length} repairs`, { op: '<=', value: 0 }, `repairing leader's counts event not SPEC §13's for n = 4 (recordsPerNode ${SPEC_1996_N4.join('/')}, replicasPerNode ${expectedReplicaCounts(SPEC_1996_N4, REPLICAS).join('/')})`);
}

export async function replicaScenario(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  if (!ctx.hasYear('1996')) {
    const why = `details-1996.csv not in ${ctx.dataDir}`;
    reporter.skipped(REPLICA_ROWS.setupRatio, '×', why, REPLICA_TARGETS.setupRatio);
    reporter.skipped(REPLICA_ROWS.repair, 's', why, REPLICA_TARGETS.repairSeconds);
    reporter.skipped(REPLICA_ROWS.rssRatio, '×', why, REPLICA_TARGETS.rssRatio);
    reporter.skipped(REPLICA_ROWS.queryP50Ratio, '×', why, REPLICA_TARGETS.queryP50Ratio);
    return;
  }
  const facts = yearFacts(ctx.dataDir, '1996');
  reporter.detail(`replicas: R = ${REPLICAS} against R = 1, 1996, n = 5, peer processes on 127.0.0.1, ports 50000-51999; ${plan(ctx).runs} run(s) after ${plan(ctx).warmup} warm-up(s) (peak RSS: fresh processes each run)`);
  await setupAndQueries(ctx, facts);
  await memory(ctx, facts);
  await repairs(ctx, facts);
}
