// Deterministic synthetic years in the 14-column format of SPEC §8, for the demo when the real
// files are absent and for `stormdht data generate`. Same year, seed and record count give the
// same bytes on every machine: the PRNG is seeded mulberry32 and only integer and exactly
// rounded float arithmetic touches its output (no Math.random, no Math.log).
// A sidecar JSON file labels every generated CSV, so synthetic data is never mistaken for NOAA's;
// without it, the event ids still tell (hasSyntheticIds).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isValidYear, yearFileName, yearFilePath, type YearData } from './csv.js';
import { DataError } from './data-error.js';
import { YEAR_FILE_HEADER } from './fields.js';
import { mulberry32, pickUniform, weightedPicker, type Rng } from './seeded-random.js';
import * as vocab from './synthetic-vocabulary.js';

export interface SyntheticOptions {
  /** How many records (1…MAX_SYNTHETIC_RECORDS); default defaultRecordCount(year). */
  records?: number;
  /** 32-bit unsigned seed; default DEFAULT_SEED. */
  seed?: number;
}

/** The seed used when none is given (the course number). */
export const DEFAULT_SEED = 434;

/** Cap on records: ids stay 7–8 digits and a year file stays a few tens of MB. */
export const MAX_SYNTHETIC_RECORDS = 1_000_000;

/**
 * Record counts of real years: exact for the seven files of SPEC §8, approximate NOAA totals
 * elsewhere. Years between anchors interpolate; years outside 1950–2019 take the nearest end.
 */
const RECORD_ANCHORS: readonly (readonly [year: number, records: number])[] = [
  [1950, 223], [1951, 269], [1952, 272], [1953, 490], [1954, 610], [1955, 1410], [1965, 2860],
  [1975, 4980], [1985, 7980], [1989, 10410], [1990, 10945], [1991, 12516], [1992, 13534],
  [1993, 12610], [1994, 20630], [1995, 27970], [1996, 48561], [1997, 41990], [2000, 52000],
  [2010, 62000], [2011, 79090], [2019, 67000],
];

/** The default record count for a year: around the real sizes (≈220–280 for 1950–1952, ≈11k–14k for 1990–1992, 48,561 for 1996, something plausible elsewhere). */
export function defaultRecordCount(year: string): number {
  const y = yearNumber(year);
  let [prevYear, prevCount] = RECORD_ANCHORS[0]!;
  if (y <= prevYear) return prevCount;
  for (const [anchorYear, anchorCount] of RECORD_ANCHORS) {
    if (y <= anchorYear) {
      return Math.round(prevCount + ((anchorCount - prevCount) * (y - prevYear)) / (anchorYear - prevYear));
    }
    [prevYear, prevCount] = [anchorYear, anchorCount];
  }
  return prevCount;
}

/** The whole CSV text: upper-case header line then one line per record, CRLF, no final terminator. Same seed+year+records → identical bytes. */
export function generateYearText(year: string, options: SyntheticOptions = {}): string {
  const { records, seed } = resolveOptions(year, options);
  const y = yearNumber(year);
  // Mix the year into the state so one seed gives different data for different years.
  const rng = mulberry32((seed ^ Math.imul(y, 0x9e3779b1)) >>> 0);
  const era = eraOf(y);
  const lines: string[] = [YEAR_FILE_HEADER];
  for (const id of uniqueEventIds(rng, y, records)) lines.push(makeRow(rng, id, year, era).join(','));
  return lines.join('\r\n');
}

/**
 * Writes <dir>/details-<year>.csv and a sidecar <dir>/details-<year>.synthetic.json
 * {"synthetic":true,"generator":"stormdht","year","records","seed"} that labels it synthetic.
 * Creates dir. Returns the csv path. An existing file not labelled synthetic may be real NOAA
 * data: it is replaced only with `overwrite`, otherwise a DataError EXISTS is thrown.
 */
export function writeSyntheticYear(dir: string, year: string, options: SyntheticOptions = {}, overwrite = false): string {
  const { records, seed } = resolveOptions(year, options);
  const csvPath = yearFilePath(dir, year);
  if (!overwrite && existsSync(csvPath) && !isSyntheticYear(dir, year)) {
    throw new DataError('EXISTS', `refusing to overwrite ${csvPath}: it is not marked synthetic and may be real data (--force replaces it)`);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(csvPath, generateYearText(year, { records, seed }), 'ascii');
  const label: SyntheticLabel = { synthetic: true, generator: 'stormdht', year, records, seed };
  writeFileSync(syntheticSidecarPath(dir, year), `${JSON.stringify(label)}\n`, 'utf8');
  return csvPath;
}

/** The sidecar's content. */
export interface SyntheticLabel {
  readonly synthetic: true;
  readonly generator: string;
  readonly year: string;
  readonly records: number;
  readonly seed: number;
}

/** True when the sidecar marks <dir>/details-<year>.csv as synthetic. */
export function isSyntheticYear(dir: string, year: string): boolean {
  return syntheticLabel(dir, year) !== null;
}

/** The sidecar of <dir>/details-<year>.csv when there is one that marks it synthetic, else null. */
export function syntheticLabel(dir: string, year: string): SyntheticLabel | null {
  if (!isValidYear(year) || !existsSync(yearFilePath(dir, year))) return null;
  try {
    const label: unknown = JSON.parse(readFileSync(syntheticSidecarPath(dir, year), 'utf8'));
    const fields = typeof label === 'object' && label !== null ? (label as Record<string, unknown>) : {};
    return fields.synthetic === true && fields.year === year ? (label as SyntheticLabel) : null;
  } catch {
    return null; // no sidecar or not JSON: not labelled synthetic
  }
}

/** <dir>/details-<year>.synthetic.json */
export function syntheticSidecarPath(dir: string, year: string): string {
  return path.join(dir, yearFileName(year).replace(/\.csv$/, '.synthetic.json'));
}

type Era = 'early' | 'middle' | 'modern';

/** NOAA's coverage: tornadoes only before 1955, three types until 1995, everything from 1996. */
function eraOf(y: number): Era {
  return y < 1955 ? 'early' : y < 1996 ? 'middle' : 'modern';
}

const pickMonth = weightedPicker(vocab.MONTHS);
const pickState = weightedPicker(vocab.STATES);
const pickOldDamage = weightedPicker(vocab.OLD_DAMAGES);
const pickModernDamage = weightedPicker(vocab.MODERN_DAMAGES);
const pickEarlyScale = weightedPicker(vocab.EARLY_F_SCALES);
const pickLaterScale = weightedPicker(vocab.LATER_F_SCALES);
const eventPicker = (kinds: readonly vocab.EventKind[]) => weightedPicker(kinds.map((k) => [k, k.weight] as const));
const PICK_EVENT: Record<Era, (rng: Rng) => vocab.EventKind> = {
  early: eventPicker(vocab.EARLY_EVENTS),
  middle: eventPicker(vocab.MIDDLE_EVENTS),
  modern: eventPicker(vocab.MODERN_EVENTS),
};

/** Mostly 0; otherwise a geometric count 1, 2, 3, … (halving odds), capped at 50. */
function casualties(rng: Rng, chance: number): string {
  if (rng() >= chance) return '0';
  let n = 1;
  while (n < 50 && rng() < 0.5) n++;
  return String(n);
}

/**
 * The event ids the generator draws from for `count` records of year y: [lo, lo + span). A real
 * year's ids do not fit in such a window: those of the reference files run from 9.98 to 10.17
 * million (1950–1952, 1990–1992) and from 5.5 to 5.7 million (1996), while the window of year y
 * starts at y − 1949 million (1996's at 47 million) and holds 8 ids per record.
 */
function idWindow(y: number, count: number): { lo: number; span: number } {
  const offset = Math.min(Math.max(y - 1950, 0), 69); // 0…69 million above 1,000,000
  return { lo: 1_000_000 + offset * 1_000_000, span: Math.max(count * 8, 10_000) }; // sparse enough that redraws are rare
}

/**
 * True when a year's records are the generator's by their content: every event id lies in the
 * window it draws from for that year and that many records. This tells a generated file from a
 * real one when its sidecar was lost (a copy of the csv alone); a file edited since may not pass.
 */
export function hasSyntheticIds(data: Pick<YearData, 'year' | 'ids'>): boolean {
  if (!isValidYear(data.year) || data.ids.length === 0) return false;
  const { lo, span } = idWindow(Number(data.year), data.ids.length);
  return data.ids.every((id) => id >= lo && id < lo + span);
}

/** Distinct 7–8 digit ids in random order, from a window that moves with the year as NOAA's do. */
function uniqueEventIds(rng: Rng, y: number, count: number): number[] {
  const { lo, span } = idWindow(y, count);
  const seen = new Set<number>();
  const ids: number[] = [];
  while (ids.length < count) {
    const id = lo + Math.floor(rng() * span);
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  return ids;
}

/** A forecast zone: a named area, or a county with a direction in front. */
function zoneName(rng: Rng): string {
  if (rng() < 0.15) return pickUniform(rng, vocab.NAMED_ZONES);
  return pickUniform(rng, vocab.ZONE_PREFIXES) + pickUniform(rng, vocab.COUNTIES);
}

/** A county; blank now and then after 1955, as in a few rows of the 1990–1992 files. */
function countyName(rng: Rng, era: Era): string {
  return era !== 'early' && rng() < 0.0007 ? '' : pickUniform(rng, vocab.COUNTIES);
}

/** One record's 14 fields, in FIELD_NAMES order. */
function makeRow(rng: Rng, id: number, year: string, era: Era): string[] {
  const kind = PICK_EVENT[era](rng);
  const tornado = kind.type === 'Tornado';
  const zone = rng() < kind.zoneShare;
  const czName = zone ? zoneName(rng) : countyName(rng, era);
  const modern = era === 'modern';
  let property: string;
  if (modern) property = rng() < 0.76 ? '' : pickModernDamage(rng);
  else property = tornado || rng() < 0.12 ? pickOldDamage(rng) : '0';
  const crops = modern ? (rng() < 0.94 ? '' : pickModernDamage(rng)) : '0';
  const scale = !tornado ? '' : era === 'early' ? pickEarlyScale(rng) : pickLaterScale(rng);
  return [
    String(id),
    pickState(rng),
    year,
    pickMonth(rng),
    kind.type,
    zone ? 'Z' : 'C',
    czName,
    casualties(rng, tornado ? 0.2 : 0.01),
    modern ? casualties(rng, 0.003) : '0',
    casualties(rng, tornado ? 0.05 : 0.002),
    modern ? casualties(rng, 0.002) : '0',
    property,
    crops,
    scale,
  ];
}

function resolveOptions(year: string, options: SyntheticOptions): { records: number; seed: number } {
  yearNumber(year);
  const records = options.records ?? defaultRecordCount(year);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(records) || records < 1 || records > MAX_SYNTHETIC_RECORDS) {
    throw new RangeError(`records must be an integer 1…${MAX_SYNTHETIC_RECORDS}, got ${records}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer 0…4294967295, got ${seed}`);
  }
  return { records, seed };
}

function yearNumber(year: string): number {
  if (!isValidYear(year)) throw new RangeError(`year "${year}" is not four decimal digits`);
  return Number(year);
}
