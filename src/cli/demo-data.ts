// Which data the demo runs on: the real 1996 file when one can be found, otherwise a synthetic
// 1996 that stormdht generates itself (deterministic, and labelled synthetic).
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadYear, yearFilePath, type YearData } from '../data/csv.js';
import { isSyntheticYear, writeSyntheticYear } from '../data/synthetic.js';

export interface DemoData {
  readonly dir: string;
  readonly data: YearData;
  readonly synthetic: boolean;
  /** The four ids the demo queries: SPEC §12's for the real file, two present and two absent otherwise. */
  readonly queryIds: readonly [number, number, number, number];
}

export const DEMO_YEAR = '1996';

/** The four demo ids of SPEC §11.2/§12. */
const SPEC_IDS = [5536849, 2402920, 5539287, 55770111] as const;

/** The package root: dist/src/cli → three levels up. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function candidateDirs(explicit: string | undefined): string[] {
  if (explicit !== undefined) return [explicit];
  const dirs = [process.env.STORMDHT_DATA_DIR, './data', '../shared/data/storm-events', path.join(PACKAGE_ROOT, '..', 'shared', 'data', 'storm-events')];
  return dirs.filter((d): d is string => d !== undefined && d !== '');
}

/**
 * Finds the demo's data. Throws with a clear message when an explicit --data-dir has no valid
 * details-1996.csv, or when the generated file does not load.
 */
export function resolveDemoData(explicitDir: string | undefined, forceSynthetic: boolean): DemoData {
  if (!forceSynthetic) {
    for (const dir of candidateDirs(explicitDir)) {
      if (!existsSync(yearFilePath(dir, DEMO_YEAR))) continue;
      const loaded = loadYear(dir, DEMO_YEAR);
      if (!loaded.ok) throw new Error(loaded.error);
      const synthetic = isSyntheticYear(dir, DEMO_YEAR);
      return { dir: path.resolve(dir), data: loaded.data, synthetic, queryIds: synthetic ? pickIds(loaded.data) : [...SPEC_IDS] };
    }
    if (explicitDir !== undefined) throw new Error(`no details-${DEMO_YEAR}.csv in ${explicitDir}`);
  }
  const dir = path.join(os.tmpdir(), 'stormdht-demo-data');
  if (!isSyntheticYear(dir, DEMO_YEAR)) writeSyntheticYear(dir, DEMO_YEAR);
  const loaded = loadYear(dir, DEMO_YEAR);
  if (!loaded.ok) throw new Error(`the generated synthetic year does not load: ${loaded.error}`);
  return { dir, data: loaded.data, synthetic: true, queryIds: pickIds(loaded.data) };
}

/** Two ids present in the file (its first and middle record) and two that are not. */
function pickIds(data: YearData): [number, number, number, number] {
  const present = new Set(data.records.map((r) => r.eventId));
  const absent: number[] = [];
  for (let id = 2402920; absent.length < 2; id += 17_374_191) if (!present.has(id)) absent.push(id);
  return [data.records[0]!.eventId, absent[0]!, data.records[Math.floor(data.l / 2)]!.eventId, absent[1]!];
}
