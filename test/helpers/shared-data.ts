// Where the real NOAA files live for tests: ../shared/data/storm-events beside the project root,
// or STORMDHT_SHARED_DATA when set. Tests that need them skip visibly when they are absent.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project root, from dist/test/helpers/ (compiled) or test/helpers/ (tsx). */
export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

export const SHARED_DATA_DIR =
  process.env.STORMDHT_SHARED_DATA ?? path.resolve(PROJECT_ROOT, '..', 'shared', 'data', 'storm-events');

export const SHARED_VARIANTS_DIR = path.resolve(SHARED_DATA_DIR, '..', 'variants');

/** True when details-<year>.csv is present in the shared data directory. */
export function hasSharedYear(year: string): boolean {
  return existsSync(path.join(SHARED_DATA_DIR, `details-${year}.csv`));
}

/**
 * The `skip` option for a node:test test that needs the real file of `year`: false when present,
 * otherwise a message that node:test prints with the skipped test.
 */
export function skipUnlessYear(...years: string[]): false | string {
  const missing = years.filter((y) => !hasSharedYear(y));
  return missing.length === 0
    ? false
    : `real data absent: ${missing.map((y) => `details-${y}.csv`).join(', ')} not in ${SHARED_DATA_DIR}`;
}

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
}
