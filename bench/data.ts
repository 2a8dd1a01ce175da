// The data the benchmark feeds the DHT: the real NOAA files (../shared/data/storm-events beside
// the project root, or --data-dir / $STORMDHT_SHARED_DATA), generated years labelled synthetic in
// a temporary directory, the per-node counts every setup must report, and the query ids.
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadYear, yearFileName } from '../src/data/csv.js';
import { tableSize } from '../src/data/hashing.js';
import { mulberry32 } from '../src/data/seeded-random.js';
import { writeSyntheticYear } from '../src/data/synthetic.js';
import type { JsonLine } from '../src/cli/processes.js';
import { trackTempDir } from './children.js';

/** The project root: the nearest directory above this file with a package.json. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Where the real files are: the option, else $STORMDHT_SHARED_DATA, else <root>/../shared/data/storm-events. */
export function realDataDir(option: string | undefined): string {
  return path.resolve(option ?? process.env.STORMDHT_SHARED_DATA ?? path.join(projectRoot(), '..', 'shared', 'data', 'storm-events'));
}

export function hasYear(dir: string, year: string): boolean {
  return existsSync(path.join(dir, yearFileName(year)));
}

/** What a setup of a year must produce: l, s and (for files read here) every event id. */
export interface YearFacts {
  readonly year: string;
  readonly l: number;
  readonly s: number;
  /** The file's event ids (empty for generated years, which are not loaded by the benchmark). */
  readonly ids: readonly number[];
  readonly idSet: ReadonlySet<number>;
}

const factsCache = new Map<string, YearFacts>();

/** Reads a year once (in the benchmark process, never timed) for its ids and counts. */
export function yearFacts(dir: string, year: string): YearFacts {
  const key = `${dir}|${year}`;
  const cached = factsCache.get(key);
  if (cached) return cached;
  const loaded = loadYear(dir, year);
  if (!loaded.ok) throw new Error(`cannot read ${year} for the benchmark's checks: ${loaded.error}`);
  const ids = loaded.data.records.map((r) => r.eventId);
  const facts: YearFacts = { year, l: loaded.data.l, s: loaded.data.s, ids, idSet: new Set(ids) };
  factsCache.set(key, facts);
  return facts;
}

/** A generated year of `records` records: l is known, s follows from it; ids are not kept. */
export function syntheticFacts(year: string, records: number): YearFacts {
  return { year, l: records, s: tableSize(records), ids: [], idSet: new Set() };
}

/** pos = id mod s, owner = pos mod n (SPEC §9): the records each node must hold. */
export function expectedCounts(facts: YearFacts, n: number): number[] {
  const counts = new Array<number>(n).fill(0);
  for (const id of facts.ids) counts[(id % facts.s) % n]!++;
  return counts;
}

/**
 * Checks that a setup, leave or join stored every record: recordsPerNode has n entries summing to
 * l (and equal to the expected counts when the ids are known), and `records`, when present, is l.
 */
export function checkStored(recordsPerNode: unknown, records: unknown, facts: YearFacts, n: number, what: string): void {
  const counts = recordsPerNode as number[];
  if (!Array.isArray(counts) || counts.length !== n) throw new Error(`${what}: expected counts for ${n} nodes, got ${JSON.stringify(recordsPerNode)}`);
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum !== facts.l) throw new Error(`${what}: nodes hold ${sum} records, expected all ${facts.l}`);
  if (records !== undefined && records !== facts.l) throw new Error(`${what}: reported l = ${String(records)}, expected ${facts.l}`);
  if (facts.ids.length > 0) {
    const expected = expectedCounts(facts, n);
    if (expected.some((c, i) => c !== counts[i])) throw new Error(`${what}: counts ${counts.join('/')} differ from the expected ${expected.join('/')}`);
  }
}

/** checkStored for a setup-dht, leave-dht or join-dht result line. */
export function checkResultStored(result: JsonLine | { readonly [k: string]: unknown }, facts: YearFacts, n: number, what: string): void {
  checkStored(result.recordsPerNode, result.records, facts, n, what);
}

export interface QueryCase {
  readonly id: number;
  readonly present: boolean;
}

/**
 * `count` query ids, seeded: ids drawn from the file, and about `absentShare` of ids that are not in
 * it (8-digit ids outside the file's set), in a shuffled order.
 */
export function queryCases(facts: YearFacts, count: number, seed: number, absentShare = 0.1): QueryCase[] {
  if (facts.ids.length === 0) throw new Error(`no ids known for ${facts.year}`);
  const rng = mulberry32(seed >>> 0);
  const out: QueryCase[] = [];
  for (let i = 0; i < count; i++) {
    if (rng() < absentShare) {
      let id: number;
      do id = 10_000_000 + Math.floor(rng() * 89_999_999);
      while (facts.idSet.has(id));
      out.push({ id, present: false });
    } else {
      out.push({ id: facts.ids[Math.floor(rng() * facts.ids.length)]!, present: true });
    }
  }
  return out;
}

/** Checks one query-dht result against what the file says; returns the path length (nodes visited). */
export function checkQuery(result: JsonLine | { readonly [k: string]: unknown }, q: QueryCase, what: string): number {
  const data = result as Record<string, unknown>;
  if (data.ok !== true) throw new Error(`${what} for ${q.id} failed: ${JSON.stringify(result).slice(0, 300)}`);
  if (data.eventId !== q.id) throw new Error(`${what}: asked ${q.id}, answered ${String(data.eventId)}`);
  if (data.found !== q.present) throw new Error(`${what}: ${q.id} should be ${q.present ? 'found' : 'absent'}, got found=${String(data.found)}`);
  const p = data.path;
  if (!Array.isArray(p) || p.length === 0) throw new Error(`${what}: no path in ${JSON.stringify(result).slice(0, 300)}`);
  return p.length;
}

let tempRoot: string | null = null;

/** A temporary directory for this benchmark run, removed at the end (and on Ctrl-C). */
export function benchTempDir(): string {
  if (!tempRoot) tempRoot = trackTempDir(mkdtempSync(path.join(os.tmpdir(), 'stormdht-bench-')));
  return tempRoot;
}

export interface GeneratedYear {
  readonly year: string;
  readonly records: number;
}

/**
 * A data directory for the growth runs: links to the real files present, plus the generated
 * years (each with its `.synthetic.json` label beside it). Returns the directory.
 */
export function growthDataDir(realDir: string, realYears: readonly string[], generated: readonly GeneratedYear[], log: (text: string) => void): string {
  const dir = path.join(benchTempDir(), 'growth-data');
  mkdirSync(dir, { recursive: true });
  for (const year of realYears) {
    const link = path.join(dir, yearFileName(year));
    if (!existsSync(link)) symlinkSync(path.join(realDir, yearFileName(year)), link);
  }
  for (const g of generated) {
    if (existsSync(path.join(dir, yearFileName(g.year)))) continue;
    const t0 = performance.now();
    writeSyntheticYear(dir, g.year, { records: g.records });
    log(`generated synthetic year ${g.year} (${g.records} records, labelled synthetic) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return dir;
}
