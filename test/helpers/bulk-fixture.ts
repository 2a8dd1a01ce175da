// Builds a NOAA bulk details file (the 51-column StormEvents_details-ftp_v1.0 format) from a
// 14-column details-YYYY.csv, for the import and fetch tests: the 14 values verbatim in their bulk
// columns, text quoted as NOAA quotes it, and the other 37 columns filled with plausible values,
// among them narratives holding commas, doubled quotes and line breaks. Deterministic.
import { gzipSync } from 'node:zlib';
import { parseYearText } from '../../src/data/csv.js';
import { BULK_COLUMNS } from '../../src/data/bulk-format.js';
import { FIELD_NAMES } from '../../src/data/fields.js';

export interface BulkFixtureOptions {
  /** Between records; NOAA's files use LF. */
  readonly eol?: string;
  /** Column order; default NOAA's. A shuffled order checks that import picks columns by name. */
  readonly columns?: readonly string[];
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Text columns: NOAA quotes these; numbers go bare. */
const QUOTED = new Set(['STATE', 'MONTH_NAME', 'EVENT_TYPE', 'CZ_TYPE', 'CZ_NAME', 'WFO', 'BEGIN_DATE_TIME', 'CZ_TIMEZONE', 'DAMAGE_PROPERTY', 'DAMAGE_CROPS', 'SOURCE', 'TOR_F_SCALE', 'BEGIN_LOCATION', 'EPISODE_NARRATIVE', 'EVENT_NARRATIVE', 'DATA_SOURCE']);

/** The narratives rotate through these: every RFC 4180 feature the tokenizer must get right. */
const NARRATIVES = [
  'A tornado touched down near the farm, damaging two barns, a silo and a house.',
  'Witnesses said it "sounded like a freight train", then ""nothing"" at all.',
  'First report:\r\nroof damage, downed trees.\nSecond report: "none", per the sheriff.',
  '',
  'Line one\rline two, with a comma\r\n"Quoted line three"',
];

/** The bulk file's text (header + records) carrying the records of the 14-column `yearText`. */
export function bulkTextFromYearText(yearText: string, year: string, options: BulkFixtureOptions = {}): string {
  const parsed = parseYearText(yearText, `details-${year}.csv`, year);
  if (!parsed.ok) throw new Error(parsed.error);
  const columns = options.columns ?? BULK_COLUMNS;
  const lines = [columns.join(',')];
  parsed.data.records.forEach((record, i) => {
    const values = bulkValues(record.fields, i);
    lines.push(columns.map((c) => cell(c, values.get(c) ?? '', i)).join(','));
  });
  return lines.join(options.eol ?? '\n') + (options.eol ?? '\n');
}

export function gzipText(text: string): Buffer {
  return gzipSync(Buffer.from(text, 'latin1'));
}

/** NOAA's quoting: text columns in quotes (inner quotes doubled), numbers bare; some blanks as "". */
function cell(column: string, value: string, row: number): string {
  const mustQuote = /[",\r\n]/.test(value);
  const quote = mustQuote || (QUOTED.has(column) && (value !== '' || row % 2 === 0));
  return quote ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Every column's value for one record: the 14 verbatim, the rest made up from the row number. */
function bulkValues(fields: readonly string[], row: number): Map<string, string> {
  const v = new Map<string, string>();
  FIELD_NAMES.forEach((name, i) => v.set(name.toUpperCase(), fields[i]!));
  const year = v.get('YEAR')!;
  const month = String(MONTHS.indexOf(v.get('MONTH_NAME')!) + 1).padStart(2, '0');
  const day = String((row % 28) + 1);
  const time = String(100 + ((row * 37) % 2300));
  v.set('BEGIN_YEARMONTH', `${year}${month}`).set('END_YEARMONTH', `${year}${month}`);
  v.set('BEGIN_DAY', day).set('END_DAY', day).set('BEGIN_TIME', time).set('END_TIME', time);
  v.set('EPISODE_ID', row % 3 === 0 ? '' : String(1_000_000 + row));
  v.set('STATE_FIPS', String((row % 56) + 1)).set('CZ_FIPS', String((row * 7) % 200));
  v.set('WFO', row % 2 === 0 ? '' : 'OUN');
  v.set('BEGIN_DATE_TIME', `${day.padStart(2, '0')}-APR-${year.slice(2)} 14:45:00`).set('END_DATE_TIME', `${day.padStart(2, '0')}-APR-${year.slice(2)} 14:45:00`);
  v.set('CZ_TIMEZONE', 'CST').set('SOURCE', row % 4 === 0 ? 'Trained Spotter' : '');
  v.set('MAGNITUDE', row % 5 === 0 ? '0.75' : '').set('TOR_LENGTH', `${row % 30}.${row % 10}`).set('TOR_WIDTH', String(10 * (row % 90)));
  v.set('BEGIN_RANGE', String(row % 9)).set('BEGIN_AZIMUTH', 'NNW').set('BEGIN_LOCATION', row % 6 === 0 ? 'OKLAHOMA CITY, WILL ROGERS' : 'NORMAN');
  v.set('BEGIN_LAT', `35.${row % 100}`).set('BEGIN_LON', `-97.${row % 100}`).set('END_LAT', `35.${(row + 3) % 100}`).set('END_LON', `-97.${(row + 5) % 100}`);
  v.set('EPISODE_NARRATIVE', NARRATIVES[row % NARRATIVES.length]!).set('EVENT_NARRATIVE', NARRATIVES[(row + 2) % NARRATIVES.length]!);
  v.set('DATA_SOURCE', row % 2 === 0 ? 'PDC' : 'CSV');
  return v;
}
