// Many peers: setup of 1996 with n = 100 and n = 1000 in ONE process (LocalCluster: every peer
// with its own two real UDP sockets on 127.0.0.1, the manager beside them), where one process per
// peer would cost more than the protocol being measured. Row names say "in-process". n peers plus
// one Free querier need 2(n + 1) consecutive ports: taken at 50000 or above, above the kernel's
// ephemeral range when it leaves room (so that no port-0 socket, the cluster's own manager's
// included, lands in the block), and probed free before use.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { LocalCluster } from '../src/cluster/local-cluster.js';
import type { PeerOptions } from '../src/peer/node.js';
import { checkQuery, checkStored, queryCases, yearFacts, type YearFacts } from './data.js';
import { errorText, plan, repeat, type BenchContext } from './runner.js';
import { percentile, mean } from './stats.js';

export const SCALE_BASE_PORT = 50_000;

/**
 * The manager's wait for dht-complete in scale runs: with ring placement at n = 1000 every store
 * crosses ~500 nodes of the one process, which takes minutes, longer than the default 150 s.
 */
const SCALE_AWAIT_TIMEOUT_MS = 1_800_000;

/** Where to start looking for a block of `count` ports: above the ephemeral range if it fits there, else 50000. */
export function scaleBasePort(count: number, ephemeralRangeText?: string): number {
  let text = ephemeralRangeText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    } catch {
      return SCALE_BASE_PORT;
    }
  }
  const m = /^\s*([0-9]+)\s+([0-9]+)\s*$/.exec(text);
  if (!m) return SCALE_BASE_PORT;
  const above = Math.max(SCALE_BASE_PORT, Number(m[2]) + 1);
  return above + count - 1 <= 65_535 ? above : SCALE_BASE_PORT;
}

/** The first port of [base, base + count) that does not bind on host right now; null when all bind. */
async function firstBusyPort(host: string, base: number, count: number): Promise<number | null> {
  const sockets: dgram.Socket[] = [];
  try {
    for (let port = base; port < base + count; port++) {
      const s = dgram.createSocket('udp4');
      sockets.push(s);
      const ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.bind(port, host, () => resolve(true));
      });
      if (!ok) return port;
    }
    return null;
  } finally {
    await Promise.all(sockets.map(closeQuietly));
  }
}

function closeQuietly(s: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve(); // never bound (the bind failed): nothing to close
    }
  });
}

/** The lowest base ≥ from whose `count` ports are all free (skipping past any busy port). */
export async function findFreeBlock(from: number, count: number, host = '127.0.0.1'): Promise<number> {
  let base = from;
  while (base + count - 1 <= 65_535) {
    const busy = await firstBusyPort(host, base, count);
    if (busy === null) return base;
    base = busy + 1;
  }
  throw new Error(`no ${count} consecutive free UDP ports from ${from} to 65535 on ${host}`);
}

/** LocalCluster.start on a probed free block; retried on a block that a racing process took meanwhile. */
export async function startLocalCluster(peers: number, dataDir: string, peerOptions: Partial<PeerOptions>, log: (t: string) => void): Promise<LocalCluster> {
  let from = scaleBasePort(2 * peers);
  for (let attempt = 1; ; attempt++) {
    const base = await findFreeBlock(from, 2 * peers);
    try {
      const cluster = await LocalCluster.start({ peers, dataDir, basePort: base, peerOptions, awaitTimeoutMs: SCALE_AWAIT_TIMEOUT_MS });
      log(`in-process cluster of ${peers} peers on 127.0.0.1 ports ${base}-${base + 2 * peers - 1}`);
      return cluster;
    } catch (err) {
      if (attempt >= 3) throw err;
      log(`in-process cluster on ports from ${base} failed (${errorText(err)}); trying further up`);
      from = base + 2 * peers;
    }
  }
}

interface ScaleCase {
  readonly n: number;
  readonly heavy: boolean;
  readonly suffix: string;
  readonly mode: string;
  readonly peerOptions: Partial<PeerOptions>;
  /** Queries afterwards (full run, --quick): only to show that the ring answers. */
  readonly queries: readonly [number, number];
}

/**
 * n = 1000 with --placement direct runs before the default: with ring placement every store
 * crosses ~n/2 nodes of the one process, which takes minutes; the direct figure is then already
 * in the table.
 */
const CASES: readonly ScaleCase[] = [
  { n: 100, heavy: true, suffix: '', mode: 'default modes', peerOptions: {}, queries: [200, 50] },
  { n: 1000, heavy: true, suffix: '-placement-direct', mode: '--placement direct', peerOptions: { placement: 'direct' }, queries: [20, 5] },
  { n: 1000, heavy: true, suffix: '', mode: 'default modes', peerOptions: {}, queries: [20, 5] },
];

export function scaleRowName(n: number, suffix = ''): string {
  return `setup-1996-n${n}-in-process${suffix}`;
}

async function inProcessSetup(cluster: LocalCluster, n: number, facts: YearFacts): Promise<number> {
  const t0 = performance.now();
  const r = await cluster.run('peera', `setup-dht peera ${n} 1996`);
  const seconds = (performance.now() - t0) / 1000;
  if (!r.ok) throw new Error(`setup-dht peera ${n} 1996 failed after ${seconds.toFixed(1)} s: ${r.error}`);
  checkStored(r.data?.recordsPerNode, r.data?.records, facts, n, `setup-dht ${n} 1996 (in-process)`);
  return seconds;
}

async function inProcessQueries(c: LocalCluster, facts: YearFacts, count: number, seed: number): Promise<{ times: number[]; hops: number[] }> {
  const free = c.freePeer();
  if (!free) throw new Error('no Free peer for the queries');
  const times: number[] = [];
  const hops: number[] = [];
  for (const q of queryCases(facts, count, seed)) {
    const t0 = performance.now();
    const r = await c.run(free, `query-dht ${free} ${q.id}`);
    times.push(performance.now() - t0);
    hops.push(checkQuery({ ok: r.ok, ...(r.data ?? {}), error: r.error }, q, `in-process query-dht at ${free}`));
  }
  return { times, hops };
}

async function inProcessTeardown(cluster: LocalCluster): Promise<void> {
  const r = await cluster.run('peera', 'teardown-dht peera');
  if (!r.ok) throw new Error(`teardown-dht peera failed: ${r.error}`);
}

export async function scaleScenario(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  if (!ctx.hasYear('1996')) {
    for (const k of CASES) reporter.skipped(scaleRowName(k.n, k.suffix), 's', `details-1996.csv not in ${ctx.dataDir}`);
    return;
  }
  const facts = yearFacts(ctx.dataDir, '1996');
  for (const k of CASES) {
    const queries = k.queries[ctx.opts.quick ? 1 : 0];
    const name = scaleRowName(k.n, k.suffix);
    let cluster: LocalCluster | null = null;
    try {
      cluster = await startLocalCluster(k.n + 1, ctx.dataDir, k.peerOptions, (t) => reporter.detail(t));
      const c = cluster;
      const p = plan(ctx, k.heavy);
      let queried: { times: number[]; hops: number[] } | null = null;
      const values = await repeat(reporter, name, 's', p, async (i) => {
        const s = await inProcessSetup(c, k.n, facts);
        // After the last run, before its teardown: a few queries from the Free peer, to show that
        // the big ring answers (in one process: not comparable with the processes' latency).
        if (i === p.warmup + p.runs - 1) queried = await inProcessQueries(c, facts, queries, 4242 + k.n);
        await inProcessTeardown(c);
        return s;
      });
      reporter.runs(name, 's', values, undefined, `one process, ${k.n + 1} peers, ${k.mode}`);
      const q = queried as { times: number[]; hops: number[] } | null;
      if (q) {
        reporter.latency(`query-latency-1996-n${k.n}-in-process${k.suffix}`, 'ms', [percentile(q.times, 50)], [percentile(q.times, 99)], undefined, `${queries} queries, mean path ${mean(q.hops).toFixed(1)} nodes`);
      }
    } catch (err) {
      if (!reporter.row(name)) reporter.failed(name, 's', errorText(err));
      else reporter.failed(`query-latency-1996-n${k.n}-in-process${k.suffix}`, 'ms', errorText(err));
    } finally {
      await cluster?.close();
    }
  }
}
