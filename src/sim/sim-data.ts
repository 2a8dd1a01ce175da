// The simulation's data: small synthetic years, generated once per process into a temporary
// directory and read back with the same loader the peers use. Small years keep a run to a few
// hundred datagrams per distribution; the tiny one puts several records at one position and
// leaves some nodes with none, the corner cases of D6 that the big files rarely reach.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadYear, type YearData } from '../data/csv.js';
import type { StormRecord } from '../data/fields.js';
import { writeSyntheticYear } from '../data/synthetic.js';

/** Records per simulated year. 1953 is the collision-heavy one: 7 records over s = 17 positions. */
const YEAR_SIZES: ReadonlyArray<readonly [year: string, records: number]> = [
  ['1950', 40],
  ['1951', 90],
  ['1952', 140],
  ['1953', 7],
];

/** A year no data directory holds: setup-dht of it fails before the manager is asked (D18). */
export const MISSING_YEAR = '1960';

/**
 * The year the partial data directory lacks. A peer reading from there cannot lead a rebuild of
 * it (§6.5 step 5) and must be prompted for an id when it queries without one (D1).
 */
export const PARTIAL_MISSING_YEAR = '1951';

/** Seed of the generator: fixed, so every run of every seed sees the same files. */
const DATA_SEED = 434;

export interface SimYear {
  readonly data: YearData;
  /** The file's rows by event id: what every query and every stored record is checked against. */
  readonly byId: ReadonlyMap<number, StormRecord>;
}

export interface SimData {
  /** The temporary directory holding both data directories; differs from process to process. */
  readonly root: string;
  /** Holds every year. */
  readonly fullDir: string;
  /** Holds every year but PARTIAL_MISSING_YEAR. */
  readonly partialDir: string;
  readonly years: ReadonlyMap<string, SimYear>;
}

let cached: SimData | null = null;

/** The data of every run in this process, written on first use and removed when the process exits. */
export function simData(): SimData {
  if (cached !== null) return cached;
  const root = mkdtempSync(path.join(os.tmpdir(), 'stormdht-sim-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  const fullDir = path.join(root, 'full');
  const partialDir = path.join(root, 'partial');
  const years = new Map<string, SimYear>();
  for (const [year, records] of YEAR_SIZES) {
    writeSyntheticYear(fullDir, year, { records, seed: DATA_SEED });
    if (year !== PARTIAL_MISSING_YEAR) writeSyntheticYear(partialDir, year, { records, seed: DATA_SEED });
    const loaded = loadYear(fullDir, year);
    if (!loaded.ok) throw new Error(`the simulation's own ${year} does not load: ${loaded.error}`);
    years.set(year, { data: loaded.data, byId: new Map(loaded.data.records.map((r) => [r.eventId, r])) });
  }
  cached = { root, fullDir, partialDir, years };
  return cached;
}

/** The row with this event id in any simulated year (their id ranges are disjoint), or undefined. */
export function rowOf(data: SimData, eventId: number): StormRecord | undefined {
  for (const y of data.years.values()) {
    const row = y.byId.get(eventId);
    if (row !== undefined) return row;
  }
  return undefined;
}
