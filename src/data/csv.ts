// Reading a year's file, details-YYYY.csv, under the rules of SPEC §8. Any departure from the
// format makes the whole file invalid, because every node must build its table from the same
// records: a loader that skipped bad lines would make l, s and the counts of §13 disagree
// between peers. Errors are returned, never thrown, and name the file and the line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeBadEventId, FIELD_COUNT, FIELD_NAMES, parseEventId, type StormRecord } from './fields.js';
import { describeFsError } from './data-error.js';
import { tableSize } from './hashing.js';

export interface YearData {
  readonly year: string;
  /** The file read: an absolute path from loadYear, the `source` name from parseYearText. */
  readonly path: string;
  /**
   * The data lines in file order, each as the file has it (its 14 fields joined by commas), and
   * their event ids. Distribution works from these: a record's fields are split only where they
   * are needed.
   */
  readonly lines: readonly string[];
  readonly ids: readonly number[];
  /** The data lines in file order as records (split on first use, then kept). */
  readonly records: readonly StormRecord[];
  /** Number of records (data lines, header excluded). */
  readonly l: number;
  /** tableSize(l): the first prime strictly greater than 2·l. */
  readonly s: number;
}

export type LoadResult = { ok: true; data: YearData } | { ok: false; error: string };

/** 1950–1952 separate lines with a bare CR, the others with CRLF; LF copies also circulate. */
const LINE_BREAK = /\r\n|\r|\n/;

/** The header, lower-cased, as it must read after lower-casing the file's line 1. */
const HEADER_LOWER = FIELD_NAMES.join(',');

/** A text editor may prepend a UTF-8 byte-order mark; it is not part of the header. */
const BOM = '\uFEFF';

export function yearFileName(year: string): string {
  return `details-${year}.csv`;
}

/** <dir>/details-<year>.csv, relative when `dir` is (loadYear resolves it). */
export function yearFilePath(dir: string, year: string): string {
  return path.join(dir, yearFileName(year));
}

/** SPEC §2: a year is exactly four decimal digits. */
export function isValidYear(year: string): boolean {
  return /^[0-9]{4}$/.test(year);
}

/**
 * Parse a whole file's text. `source` names the file in errors (use the base name, e.g.
 * details-1996.csv); `filePath`, when given, is the YearData's path (else `source`).
 */
export function parseYearText(text: string, source: string, year: string, filePath?: string): LoadResult {
  if (!isValidYear(year)) return fail(`year "${year}" is not four decimal digits`);
  const lines = (text.startsWith(BOM) ? text.slice(1) : text).split(LINE_BREAK);

  // Line numbers count every physical line, empty ones too, so they match an editor's.
  let i = 0;
  while (i < lines.length && lines[i] === '') i++;
  if (i === lines.length) return fail(`${source}: no records (the file is empty)`);
  if (lines[i]!.toLowerCase() !== HEADER_LOWER) {
    return lineError(source, i, `header does not name the ${FIELD_COUNT} storm-event fields`);
  }

  const kept: string[] = [];
  const ids: number[] = [];
  const firstLineOf = new Map<number, number>(); // event id → line it first appeared on
  for (i++; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    // Fields are separated by commas, blank ones and a trailing empty one included; the files
    // have no quoting. Counting commas checks the field count without splitting the line.
    const firstComma = line.indexOf(',');
    let fields = 1;
    for (let k = firstComma; k >= 0; k = line.indexOf(',', k + 1)) fields++;
    if (fields !== FIELD_COUNT) {
      return lineError(source, i, `expected ${FIELD_COUNT} fields, found ${fields}`);
    }
    const idText = line.slice(0, firstComma);
    const eventId = parseEventId(idText);
    if (eventId === null) return lineError(source, i, describeBadEventId(idText));
    const first = firstLineOf.get(eventId);
    if (first !== undefined) return lineError(source, i, `duplicate event_id ${eventId} (first on line ${first})`);
    firstLineOf.set(eventId, i + 1);
    kept.push(line);
    ids.push(eventId);
  }

  if (kept.length === 0) return fail(`${source}: no records (only a header)`);
  return { ok: true, data: new ParsedYear(year, filePath ?? source, kept, ids) };
}

/** A parsed year: its lines and ids, and its records made from them when first asked for. */
class ParsedYear implements YearData {
  readonly l: number;
  readonly s: number;
  private split: StormRecord[] | null = null;

  constructor(
    readonly year: string,
    readonly path: string,
    readonly lines: readonly string[],
    readonly ids: readonly number[],
    s?: number,
  ) {
    this.l = lines.length;
    this.s = s ?? tableSize(lines.length);
  }

  get records(): readonly StormRecord[] {
    this.split ??= this.lines.map((line, i) => ({ eventId: this.ids[i]!, fields: line.split(',') }));
    return this.split;
  }
}

/**
 * A year made of records collected from a ring (issue 12): their lines and ids, and the ring's s,
 * which stays what the file gave even when records were lost. `source` names where they came from.
 */
export function yearOfRecords(year: string, source: string, lines: readonly string[], ids: readonly number[], s: number): YearData {
  return new ParsedYear(year, source, lines, ids, s);
}

/** Read <dir>/details-<year>.csv synchronously and parse it. Never throws: missing file, unreadable file, bad content → ok:false. */
export function loadYear(dir: string, year: string): LoadResult {
  if (!isValidYear(year)) return fail(`year "${year}" is not four decimal digits`);
  const file = path.resolve(yearFilePath(dir, year));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return fail(`cannot read ${file}: ${describeFsError(err)}`);
  }
  return parseYearText(text, yearFileName(year), year, file);
}

function fail(error: string): LoadResult {
  return { ok: false, error };
}

/** An error on the line at 0-based index `index`; messages count lines from 1. */
function lineError(source: string, index: number, message: string): LoadResult {
  return fail(`${source} line ${index + 1}: ${message}`);
}
