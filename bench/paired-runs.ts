// Two kinds of cluster measured in turns (R = 1 against R = 2, a manager without --state-dir
// against one with it): both clusters stay up side by side, each run measures both, and the order
// swaps every run, so that the two figures of a run share the machine's load of that moment. The
// comparison is then made run by run (pairedRatios), which cancels what drifts over the runs on a
// shared CPU; a ratio of two medians does not.
import { withProcCluster, type ProcCluster, type ProcClusterOptions } from './process-cluster.js';
import type { Plan } from './runner.js';

/** The two kinds, by index: 0 is the baseline, 1 the variant compared with it. */
export type Kind = 0 | 1;

/** Run i's order of the two kinds: the baseline first on even runs, the variant first on odd ones. */
export function turns(i: number): readonly Kind[] {
  return i % 2 === 0 ? [0, 1] : [1, 0];
}

/** a / b, NaN unless both are finite and b is positive. */
export function ratioOf(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN;
}

/**
 * The ratios of runs taken in turns, run by run: over[i] / under[i] for each i both have. Two runs
 * side by side share the machine's load of the moment, so their ratio cancels what drifts over the
 * runs, which a ratio of two medians does not.
 */
export function pairedRatios(over: readonly number[], under: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(over.length, under.length); i++) out.push(ratioOf(over[i]!, under[i]!));
  return out.filter((r) => Number.isFinite(r));
}

/** How run i of a plan is named in detail lines: `warm-up` or `run k/N`. */
export function runLabel(i: number, p: Plan): string {
  return i < p.warmup ? 'warm-up' : `run ${i - p.warmup + 1}/${p.runs}`;
}

/**
 * Runs `once` for both kinds, in turns, p.warmup + p.runs times; after each run `onRun` gets its
 * index, whether it was a warm-up and both figures. Returns the timed runs' figures by kind.
 */
export async function inTurns<T>(p: Plan, once: (k: Kind, i: number) => Promise<T>, onRun: (i: number, warm: boolean, figures: readonly [T, T]) => void): Promise<[T[], T[]]> {
  const timed: [T[], T[]] = [[], []];
  for (let i = 0; i < p.warmup + p.runs; i++) {
    const warm = i < p.warmup;
    const figures: T[] = [];
    for (const k of turns(i)) figures[k] = await once(k, i);
    if (!warm) for (const k of [0, 1] as const) timed[k].push(figures[k]!);
    onRun(i, warm, [figures[0]!, figures[1]!]);
  }
  return timed;
}

/** Two clusters side by side (the baseline's options first); both are always stopped. */
export function withClusterPair<T>(base: ProcClusterOptions, variant: ProcClusterOptions, fn: (pair: readonly [ProcCluster, ProcCluster]) => Promise<T>): Promise<T> {
  return withProcCluster(base, (one) => withProcCluster(variant, (two) => fn([one, two] as const)));
}
