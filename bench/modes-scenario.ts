// The protocol's options side by side with its defaults, 1996 in a ring of 5 peer processes:
// setup with --placement ring (default) vs direct and --batch-bytes 1400 (default) vs 8000 vs
// 60000, and queries with --routing hot-potato (default) vs direct (time and hops). The leader's
// options decide the placement and batch size, the querier's the routing, so one cluster holds
// leaders with each option and two queriers; runs of the variants are interleaved, so background
// load falls on all alike.
import { MAX_BATCH_BYTES } from '../src/cli/options.js';
import type { JsonLine } from '../src/cli/processes.js';
import { queryCases, yearFacts } from './data.js';
import { withProcCluster, type ProcCluster } from './process-cluster.js';
import { latencyRun, type LatencyRun } from './query-scenarios.js';
import { formatNumber } from './report.js';
import { errorText, plan, teardown, timedSetup, type BenchContext } from './runner.js';
import { median } from './stats.js';

/** Store traffic of one distribution, from the peers' `store traffic: …` notes. */
export interface StoreTraffic {
  readonly sent: number;
  readonly received: number;
  readonly retransmitted: number;
}

/**
 * From the `store traffic:` notes: store datagrams the leader sent (forwarders' sends are hops, not
 * new datagrams), store datagrams received by every node (one per hop) and stores retransmitted.
 */
export function storeTraffic(linesByPeer: ReadonlyMap<string, readonly JsonLine[]>, leader: string): StoreTraffic {
  let sent = 0;
  let received = 0;
  let retransmitted = 0;
  for (const [peer, lines] of linesByPeer) {
    for (const line of lines) {
      if (line.event !== 'note' || typeof line.text !== 'string' || !line.text.startsWith('store traffic: ')) continue;
      for (const part of line.text.slice('store traffic: '.length).split('; ')) {
        const m = /^(sent|received) ([0-9]+) store datagrams? /.exec(part) ?? /^(retransmitted) ([0-9]+) stores?$/.exec(part);
        if (!m) continue;
        const count = Number(m[2]);
        if (m[1] === 'sent') {
          if (peer === leader) sent += count;
        } else if (m[1] === 'received') received += count;
        else retransmitted += count;
      }
    }
  }
  return { sent, received, retransmitted };
}

interface SetupVariant {
  readonly row: string;
  readonly mode: string;
  readonly leader: string;
  readonly args: readonly string[];
}

/** Peer i of the cluster and its options: 0–4 form the ring (0–3 lead the variants), 5–6 query. */
const SETUP_VARIANTS: readonly SetupVariant[] = [
  { row: 'setup-1996-n5-placement-ring-batch1400', mode: 'defaults: --placement ring, --batch-bytes 1400', leader: 'peera', args: [] },
  { row: 'setup-1996-n5-placement-direct', mode: '--placement direct', leader: 'peerb', args: ['--placement', 'direct'] },
  { row: 'setup-1996-n5-batch8000', mode: '--batch-bytes 8000', leader: 'peerc', args: ['--batch-bytes', '8000'] },
  // The largest budget: 60,000 less the ring's MAC (issue 5).
  { row: 'setup-1996-n5-batch-max', mode: `--batch-bytes ${MAX_BATCH_BYTES}`, leader: 'peerd', args: ['--batch-bytes', String(MAX_BATCH_BYTES)] },
];
const QUERY_VARIANTS = [
  { routing: 'hot-potato', querier: 'peerf', args: [] as string[] },
  { routing: 'direct', querier: 'peerg', args: ['--routing', 'direct'] },
] as const;

function peerArgs(i: number): readonly string[] {
  if (i < SETUP_VARIANTS.length) return SETUP_VARIANTS[i]!.args;
  if (i === 5) return QUERY_VARIANTS[0].args;
  if (i === 6) return QUERY_VARIANTS[1].args;
  return [];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setupRound(c: ProcCluster, v: SetupVariant, facts: ReturnType<typeof yearFacts>): Promise<{ seconds: number; traffic: StoreTraffic }> {
  c.forgetLines();
  const { seconds } = await timedSetup(c, v.leader, 5, facts);
  await teardown(c, v.leader);
  await sleep(50); // the members' notes were printed before the teardown passed them; let their pipes drain
  return { seconds, traffic: storeTraffic(c.linesByPeer(), v.leader) };
}

export async function modesScenario(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  if (!ctx.hasYear('1996')) {
    for (const v of SETUP_VARIANTS) reporter.skipped(v.row, 's', `details-1996.csv not in ${ctx.dataDir}`);
    return;
  }
  const facts = yearFacts(ctx.dataDir, '1996');
  const p = plan(ctx);
  const setups = new Map(SETUP_VARIANTS.map((v) => [v.row, { seconds: [] as number[], traffic: [] as StoreTraffic[] }]));
  const queries = new Map<string, LatencyRun[]>(QUERY_VARIANTS.map((q) => [q.routing, []]));
  try {
    await withProcCluster({ peers: 7, dataDir: ctx.dataDir, ports: ctx.ports, peerArgs, register: 5 }, async (c) => {
      for (let i = 0; i < p.warmup + p.runs; i++) {
        for (const v of SETUP_VARIANTS) {
          const r = await setupRound(c, v, facts);
          const extra = `${r.traffic.sent} store datagrams, ${(r.traffic.received / r.traffic.sent).toFixed(2)} hops each, ${r.traffic.retransmitted} retransmitted`;
          if (i < p.warmup) reporter.detail(`${v.row} warm-up: ${r.seconds.toFixed(3)} s (${extra}; not counted)`);
          else {
            const acc = setups.get(v.row)!;
            acc.seconds.push(r.seconds);
            acc.traffic.push(r.traffic);
            reporter.runLine(v.row, acc.seconds.length, p.runs, r.seconds, 's', extra);
          }
        }
      }
      await timedSetup(c, 'peera', 5, facts);
      for (const q of QUERY_VARIANTS) await c.register(q.querier);
      for (let i = 0; i < p.warmup + p.runs; i++) {
        const cases = queryCases(facts, ctx.opts.queries, 3000 + i);
        for (const q of QUERY_VARIANTS) {
          const r = await latencyRun(c, q.querier, cases);
          const text = `p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, mean path ${r.meanHops.toFixed(2)} nodes`;
          if (i < p.warmup) reporter.detail(`query --routing ${q.routing} warm-up: ${text} (not counted)`);
          else {
            queries.get(q.routing)!.push(r);
            reporter.detail(`query --routing ${q.routing} run ${queries.get(q.routing)!.length}/${p.runs}: ${text}`);
          }
        }
      }
      await teardown(c, 'peera');
    });
  } catch (err) {
    reporter.failed('scenario-modes', '', `${errorText(err)} (the rows below hold the runs that completed)`);
  }

  // Rows for what completed, then the side-by-side table.
  const tableRows: string[][] = [];
  for (const v of SETUP_VARIANTS) {
    const acc = setups.get(v.row)!;
    if (acc.seconds.length === 0) continue;
    reporter.runs(v.row, 's', acc.seconds, undefined, v.mode);
    const hops = acc.traffic.map((t) => t.received / t.sent);
    reporter.runs(v.row.replace(/^setup-/, 'setup-store-hops-'), 'hops/datagram', hops, undefined, `${Math.round(median(acc.traffic.map((t) => t.sent)))} store datagrams from the leader, ${Math.round(median(acc.traffic.map((t) => t.retransmitted)))} retransmitted`);
    const q = v.leader === 'peera' ? queries.get('hot-potato')! : [];
    tableRows.push(modeRow(v.mode, acc.seconds, acc.traffic, q));
  }
  for (const q of QUERY_VARIANTS) {
    const runs = queries.get(q.routing)!;
    if (runs.length === 0) continue;
    reporter.latency(`query-latency-1996-n5-routing-${q.routing}`, 'ms', runs.map((r) => r.p50), runs.map((r) => r.p99), undefined, `${ctx.opts.queries} queries/run`);
    reporter.runs(`query-hops-1996-n5-routing-${q.routing}`, 'nodes', runs.map((r) => r.meanHops), undefined, 'mean path length per query');
    if (q.routing === 'direct') tableRows.push(modeRow('--routing direct', [], [], runs));
  }
  if (tableRows.length > 0) {
    reporter.side({
      title: 'Protocol modes side by side (1996, n = 5, peer processes; medians)',
      headers: ['mode', 'setup (s)', 'store datagrams', 'hops per store datagram', 'store retransmits', 'query p50 (ms)', 'query p99 (ms)', 'nodes visited per query'],
      rows: tableRows,
      footnote: 'Placement and batch size are the leader\'s options, routing the querier\'s; the defaults row is both. Hops per store datagram = store datagrams received by any node / sent by the leader.',
    });
  }
}

function modeRow(mode: string, seconds: readonly number[], traffic: readonly StoreTraffic[], q: readonly LatencyRun[]): string[] {
  const cell = (values: readonly number[]) => (values.length > 0 ? formatNumber(median(values)) : '—');
  const count = (values: readonly number[]) => (values.length > 0 ? String(Math.round(median(values))) : '—');
  return [
    mode,
    cell(seconds),
    count(traffic.map((t) => t.sent)),
    cell(traffic.map((t) => t.received / t.sent)),
    count(traffic.map((t) => t.retransmitted)),
    cell(q.map((r) => r.p50)),
    cell(q.map((r) => r.p99)),
    cell(q.map((r) => r.meanHops)),
  ];
}
