// NOAA NCEI's Storm Events directory is a plain Apache index page. Each year's details file
// appears there as StormEvents_details-ftp_v1.0_dYYYY_cYYYYMMDD.csv.gz, and NOAA re-issues a year
// now and then under a later cYYYYMMDD, sometimes leaving the older one listed for a while: the
// newest creation date is the one to take. Pure: the page's text in, file names out.
import { parseBulkFileName, type BulkFileName } from './bulk-format.js';

/** Where NOAA publishes the bulk CSV files (`stormdht data fetch --base-url` points elsewhere). */
export const NOAA_BASE_URL = 'https://www.ncei.noaa.gov/pub/data/swdi/stormevents/csvfiles/';

export interface ListedFile extends BulkFileName {
  /** The file's base name, as in the listing. */
  readonly name: string;
}

/** Every gzip details file the page links to, once each, in page order. */
export function parseListing(html: string): ListedFile[] {
  const files = new Map<string, ListedFile>();
  for (const m of html.matchAll(/href\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) {
    const href = m[1] ?? m[2]!;
    const name = safeDecode(href.split(/[?#]/)[0]!.split('/').pop()!);
    const parsed = parseBulkFileName(name);
    if (parsed?.gzip && !files.has(name)) files.set(name, { ...parsed, name });
  }
  return [...files.values()];
}

/** The year's file with the latest creation date, or null when the listing has none for it. */
export function newestForYear(files: readonly ListedFile[], year: string): ListedFile | null {
  let best: ListedFile | null = null;
  for (const f of files) if (f.year === year && (best === null || f.created > best.created)) best = f;
  return best;
}

/** The years the listing covers, as "1950–2024" (or "none"), for a message about a missing year. */
export function describeYears(files: readonly ListedFile[]): string {
  if (files.length === 0) return 'none';
  const years = files.map((f) => f.year).sort();
  return years[0] === years.at(-1) ? years[0]! : `${years[0]}–${years.at(-1)}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
