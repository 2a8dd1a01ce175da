// setup-dht, leave-dht and join-dht over peer processes and real UDP: setup of 1996 with
// n = 3, 5, 10, 32; leave and join rebuild times; setup time against the number of records
// (1950, 1990, 1996 and generated years of 200,000 and 1,000,000 records).
import { checkResultStored, growthDataDir, syntheticFacts, yearFacts, type GeneratedYear, type YearFacts } from './data.js';
import { expectOk, withProcCluster } from './process-cluster.js';
import { errorText, plan, repeat, teardown, timedSetup, TARGETS, type BenchContext } from './runner.js';

export const SETUP_SIZES = [3, 5, 10, 32] as const;

export function setupRowName(year: string, n: number): string {
  return `setup-${year}-n${n}`;
}

/** Setup of 1996 with n = 3, 5, 10, 32: one peer process per node, a fresh ring each run. */
export async function setupScenario(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  if (!ctx.hasYear('1996')) {
    for (const n of SETUP_SIZES) reporter.skipped(setupRowName('1996', n), 's', `details-1996.csv not in ${ctx.dataDir}`, n === 5 ? TARGETS.setup1996n5 : undefined);
    return;
  }
  const facts = yearFacts(ctx.dataDir, '1996');
  for (const n of SETUP_SIZES) {
    const name = setupRowName('1996', n);
    const target = n === 5 ? TARGETS.setup1996n5 : undefined;
    try {
      await withProcCluster({ peers: n, dataDir: ctx.dataDir, ports: ctx.ports }, async (c) => {
        const values = await repeat(reporter, name, 's', plan(ctx), async () => {
          const { seconds } = await timedSetup(c, 'peera', n, facts);
          await teardown(c, 'peera');
          c.forgetLines();
          return seconds;
        });
        reporter.runs(name, 's', values, target, `${n} peer processes`);
      });
    } catch (err) {
      reporter.failed(name, 's', errorText(err), target);
    }
  }
}

/** The ring after node `i` of `ring` leaves (SPEC §6.5): it starts at i's right neighbour. */
export function ringAfterLeave(ring: readonly string[], leaver: string): string[] {
  const i = ring.indexOf(leaver);
  if (i < 0) throw new Error(`${leaver} is not in the ring ${ring.join(', ')}`);
  return ring.map((_, k) => ring[(i + 1 + k) % ring.length]!).slice(0, ring.length - 1);
}

/**
 * Leave and join of 1996, n = 5 ↔ 4, five peer processes: each run a member (never the leader)
 * leaves (rebuild over 4) and joins again (rebuild over 5), each timed from its command line.
 */
export async function rebuildScenario(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  const leaveName = 'leave-1996-n5to4';
  const joinName = 'join-1996-n4to5';
  if (!ctx.hasYear('1996')) {
    reporter.skipped(leaveName, 's', `details-1996.csv not in ${ctx.dataDir}`, TARGETS.rebuild);
    reporter.skipped(joinName, 's', `details-1996.csv not in ${ctx.dataDir}`, TARGETS.rebuild);
    return;
  }
  const facts = yearFacts(ctx.dataDir, '1996');
  const leaves: number[] = [];
  const joins: number[] = [];
  try {
    await withProcCluster({ peers: 5, dataDir: ctx.dataDir, ports: ctx.ports }, async (c) => {
      let { ring } = await timedSetup(c, 'peera', 5, facts);
      const p = plan(ctx);
      for (let i = 0; i < p.warmup + p.runs; i++) {
        const warm = i < p.warmup;
        // The node with id 2: a member, so the leader stays and the next run has one again.
        const leaver = ring[2]!;
        const left = await c.run(leaver, `leave-dht ${leaver}`);
        expectOk(left.result, `leave-dht ${leaver}`);
        const after = ringAfterLeave(ring, leaver);
        if (left.result.newLeader !== after[0]) throw new Error(`leave-dht ${leaver}: new leader ${String(left.result.newLeader)}, expected ${after[0]}`);
        checkResultStored(left.result, facts, 4, `leave-dht ${leaver}`);
        const joined = await c.run(leaver, `join-dht ${leaver}`);
        expectOk(joined.result, `join-dht ${leaver}`);
        if (joined.result.newLeader !== after[0]) throw new Error(`join-dht ${leaver}: leader ${String(joined.result.newLeader)}, expected ${after[0]}`);
        checkResultStored(joined.result, facts, 5, `join-dht ${leaver}`);
        ring = [...after, leaver];
        c.forgetLines();
        if (warm) {
          reporter.detail(`${leaveName} warm-up: ${(left.ms / 1000).toFixed(3)} s; ${joinName} warm-up: ${(joined.ms / 1000).toFixed(3)} s (not counted)`);
        } else {
          leaves.push(left.ms / 1000);
          joins.push(joined.ms / 1000);
          reporter.runLine(leaveName, leaves.length, p.runs, left.ms / 1000, 's');
          reporter.runLine(joinName, joins.length, p.runs, joined.ms / 1000, 's');
        }
      }
      await teardown(c, ring[0]!);
    });
    reporter.runs(leaveName, 's', leaves, TARGETS.rebuild, 'a member leaves; 5 peer processes');
    reporter.runs(joinName, 's', joins, TARGETS.rebuild, 'it joins again');
  } catch (err) {
    const done = ` (after ${leaves.length} timed runs)`;
    reporter.failed(leaveName, 's', errorText(err) + done, TARGETS.rebuild);
    reporter.failed(joinName, 's', errorText(err) + done, TARGETS.rebuild);
  }
}

/** The growth years: real ones by year, generated ones labelled synthetic (years nobody will mistake for NOAA's). */
export const GROWTH_REAL_YEARS = ['1950', '1990', '1996'] as const;
export const GROWTH_GENERATED: readonly GeneratedYear[] = [
  { year: '2091', records: 200_000 },
  { year: '2092', records: 1_000_000 },
];

export interface GrowthPoint {
  readonly name: string;
  readonly label: string;
  readonly records: number;
  readonly seconds: number;
}

export function growthRowName(label: string): string {
  return `growth-setup-${label}-n5`;
}

/** Setup time (n = 5, peer processes) against the number of records; the points for the growth table. */
export async function growthScenario(ctx: BenchContext): Promise<GrowthPoint[]> {
  const { reporter } = ctx;
  const real = GROWTH_REAL_YEARS.filter((y) => {
    if (ctx.hasYear(y)) return true;
    reporter.skipped(growthRowName(y), 's', `details-${y}.csv not in ${ctx.dataDir}`);
    return false;
  });
  const dir = growthDataDir(ctx.dataDir, real, GROWTH_GENERATED, (t) => reporter.detail(t));
  const cases: Array<{ label: string; facts: YearFacts; heavy: boolean }> = [
    ...real.map((y) => ({ label: y, facts: yearFacts(ctx.dataDir, y), heavy: false })),
    ...GROWTH_GENERATED.map((g) => ({ label: `synthetic${g.records}`, facts: syntheticFacts(g.year, g.records), heavy: g.records >= 1_000_000 })),
  ];
  const points: GrowthPoint[] = [];
  // A fresh ring of processes per year: a failed or timed-out setup cannot confuse the next one.
  for (const k of cases) {
    const name = growthRowName(k.label);
    try {
      await withProcCluster({ peers: 5, dataDir: dir, ports: ctx.ports }, async (c) => {
        // The heavy year gets fewer runs with --quick but always its warm-up: every year starts
        // from cold processes, and a cold run against warm ones would bend the linearity figure.
        const p = { runs: plan(ctx, k.heavy).runs, warmup: plan(ctx).warmup };
        const values = await repeat(reporter, name, 's', p, async () => {
          const { seconds } = await timedSetup(c, 'peera', 5, k.facts);
          await teardown(c, 'peera');
          c.forgetLines();
          return seconds;
        });
        const row = reporter.runs(name, 's', values, undefined, `${k.facts.l} records${k.label.startsWith('synthetic') ? ' (synthetic)' : ''}`);
        points.push({ name, label: k.label, records: k.facts.l, seconds: row.value });
      });
    } catch (err) {
      reporter.failed(name, 's', errorText(err));
    }
  }
  return points;
}
