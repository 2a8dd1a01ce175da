// The last years a peer loaded, kept while their files are unchanged: a leader reads its year at
// setup and again at every leave and join (SPEC §6.5 step 3), and parsing 1996 costs ~100 ms that
// a rebuild need not pay twice. A file that changed (size or modification time) is read afresh,
// so the rule "the leader reads the file again" still holds for any edit.
import { statSync } from 'node:fs';
import path from 'node:path';
import { loadYear, yearFilePath, type LoadResult } from './csv.js';

/** How many years a cache keeps; a peer rarely works with more than one or two at a time. */
const CACHED_YEARS = 2;

interface Entry {
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly result: LoadResult & { ok: true };
}

export class YearCache {
  private readonly entries: Entry[] = [];

  constructor(private readonly dir: string) {}

  load(year: string): LoadResult {
    const file = path.resolve(yearFilePath(this.dir, year));
    let stat: { size: number; mtimeMs: number } | null = null;
    try {
      stat = statSync(file);
    } catch {
      // Missing or unreadable: loadYear explains it.
    }
    const hit = stat && this.entries.find((e) => e.file === file && e.size === stat.size && e.mtimeMs === stat.mtimeMs);
    if (hit) return hit.result;
    const result = loadYear(this.dir, year);
    if (result.ok && stat) {
      this.entries.unshift({ file, size: stat.size, mtimeMs: stat.mtimeMs, result });
      this.entries.length = Math.min(this.entries.length, CACHED_YEARS);
    }
    return result;
  }
}
