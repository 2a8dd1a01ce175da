// What every scenario shares: the context (options, reporter, data, ports), the targets,
// repeating a measurement with warm-up runs, and the timed setup-dht / teardown-dht of a ring of
// peer processes.
import type { BenchOptions } from './options.js';
import type { ProcCluster } from './process-cluster.js';
import { expectOk, type PortSlices } from './process-cluster.js';
import type { Reporter, Target } from './report.js';
import { checkResultStored, type YearFacts } from './data.js';

export interface BenchContext {
  readonly opts: BenchOptions;
  readonly reporter: Reporter;
  /** The real files' directory (may lack some years). */
  readonly dataDir: string;
  readonly ports: PortSlices;
  /** True when the real file of the year is present. */
  readonly hasYear: (year: string) => boolean;
}

/** The targets (2-core machine, loopback, default protocol modes, medians of 5). */
export const TARGETS = {
  setup1996n5: { op: '<=', value: 0.3 },
  rebuild: { op: '<=', value: 0.3 },
  queryP50Ms: { op: '<=', value: 0.5 },
  queriesPerSecond: { op: '>=', value: 5000 },
  peerRssMB: { op: '<=', value: 80 },
  /** Setup time per record may not grow from a smaller year to a larger one (10% allowance for noise). */
  growthPerRecord: { op: '<=', value: 1.1 },
} as const satisfies Record<string, Target>;

export interface Plan {
  readonly runs: number;
  readonly warmup: number;
}

export function plan(ctx: BenchContext, heavy = false): Plan {
  return heavy ? { runs: ctx.opts.heavyRuns, warmup: ctx.opts.heavyWarmup } : { runs: ctx.opts.runs, warmup: ctx.opts.warmup };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs `once` plan.warmup + plan.runs times, printing each figure; returns the timed runs' figures.
 * `once` gets the index among all calls and whether it is a warm-up.
 */
export async function repeat(reporter: Reporter, name: string, unit: string, p: Plan, once: (index: number, warmup: boolean) => Promise<number>): Promise<number[]> {
  const values: number[] = [];
  for (let i = 0; i < p.warmup + p.runs; i++) {
    const warm = i < p.warmup;
    const v = await once(i, warm);
    if (warm) reporter.detail(`${name} warm-up ${i + 1}/${p.warmup}: ${v.toFixed(3)} ${unit} (not counted)`);
    else {
      values.push(v);
      reporter.runLine(name, values.length, p.runs, v, unit);
    }
  }
  return values;
}

/** setup-dht typed at `leader`: seconds from the line to its result; checks that every record was stored. */
export async function timedSetup(c: ProcCluster, leader: string, n: number, facts: YearFacts, timeoutMs = 600_000): Promise<{ seconds: number; ring: string[] }> {
  const { ms, result } = await c.run(leader, `setup-dht ${leader} ${n} ${facts.year}`, timeoutMs);
  expectOk(result, `setup-dht ${leader} ${n} ${facts.year}`);
  checkResultStored(result, facts, n, `setup-dht ${n} ${facts.year}`);
  const ring = (result.ring as Array<{ name: string }>).map((t) => t.name);
  return { seconds: ms / 1000, ring };
}

export async function teardown(c: ProcCluster, leader: string, timeoutMs = 300_000): Promise<void> {
  expectOk((await c.run(leader, `teardown-dht ${leader}`, timeoutMs)).result, `teardown-dht ${leader}`);
}
