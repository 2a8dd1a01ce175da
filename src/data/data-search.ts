// Where every command finds its data (issue 15): one search path for the peer, `data list` and
// `data inspect`, the cluster and the demo. --data-dir, when given, is the only place looked at: an
// explicit choice is not second-guessed. Otherwise the places are tried in order:
// $STORMDHT_DATA_DIR, ./data, ../shared/data/storm-events (where the project keeps NOAA's files
// beside a clone), and the same shared folder beside the installed package (for a run from
// another directory). Pure: the caller hands in the environment and what a place must hold.
import path from 'node:path';
import { yearsInDir } from './year-stats.js';

/** The places of the search path after --data-dir and $STORMDHT_DATA_DIR, relative to the working directory. */
export const DEFAULT_DATA_DIRS: readonly string[] = ['./data', '../shared/data/storm-events'];

export interface DataSearch {
  /** --data-dir as given; undefined when it was not. */
  readonly option: string | undefined;
  /** $STORMDHT_DATA_DIR; undefined or empty when unset. */
  readonly env: string | undefined;
  /** The working directory that relative places are taken from. */
  readonly cwd: string;
  /** The installed package's root: the shared folder beside it is the last place tried. */
  readonly packageRoot?: string;
  /** True when a directory holds what the command needs (any year's file, or one year's). */
  readonly holds: (dir: string) => boolean;
}

/** One place tried: the absolute directory, and how the user named it. */
export interface DataPlace {
  readonly dir: string;
  /** `--data-dir`, `$STORMDHT_DATA_DIR`, `./data`, … */
  readonly via: string;
}

export type DataSearchResult = { readonly found: true; readonly dir: string; readonly via: string } | { readonly found: false; readonly tried: readonly DataPlace[] };

/** The places the search tries, in order, each once (absolute). */
export function dataPlaces(search: Omit<DataSearch, 'holds'>): DataPlace[] {
  if (search.option !== undefined) return [{ dir: path.resolve(search.cwd, search.option), via: '--data-dir' }];
  const named: DataPlace[] = [];
  if (search.env !== undefined && search.env !== '') named.push({ dir: path.resolve(search.cwd, search.env), via: '$STORMDHT_DATA_DIR' });
  for (const dir of DEFAULT_DATA_DIRS) named.push({ dir: path.resolve(search.cwd, dir), via: dir });
  if (search.packageRoot !== undefined) named.push({ dir: path.resolve(search.packageRoot, '..', 'shared', 'data', 'storm-events'), via: 'beside the package' });
  // ./data and $STORMDHT_DATA_DIR may name one directory; the cwd may be beside the package.
  return named.filter((p, i) => named.findIndex((q) => q.dir === p.dir) === i);
}

/** The first place that holds what is needed, or every place tried. */
export function searchDataDir(search: DataSearch): DataSearchResult {
  const tried = dataPlaces(search);
  const hit = tried.find((p) => search.holds(p.dir));
  return hit === undefined ? { found: false, tried } : { found: true, dir: hit.dir, via: hit.via };
}

/** One line: `looked in /a/data (./data), /b/storm-events (../shared/data/storm-events)`. */
export function describeTried(tried: readonly DataPlace[]): string {
  return `looked in ${tried.map((p) => `${p.dir} (${p.via})`).join(', ')}`;
}

/** True when dir holds at least one details-YYYY.csv; false when it is missing or unreadable. */
export function holdsYearFiles(dir: string): boolean {
  try {
    return yearsInDir(dir).length > 0;
  } catch {
    return false;
  }
}
