// NOAA's bulk details files (StormEvents_details-ftp_v1.0_dYYYY_cYYYYMMDD.csv[.gz]) and how one
// of their records becomes a line of details-YYYY.csv. The course made its 14-column files by
// keeping 14 of the 51 bulk columns, values verbatim and unquoted, in SPEC §8's order; this file
// does the same, picking the columns by header name so a reordered or extended export still works.
// Pure: the streaming and the files are bulk-import.ts's business.
import type { CsvRecord } from './csv-tokenizer.js';
import { isValidYear } from './csv.js';
import { describeBadEventId, FIELD_NAMES, parseEventId } from './fields.js';

/** The 51 columns of the bulk details files, in NOAA's order (the files since 2014). */
export const BULK_COLUMNS = [
  'BEGIN_YEARMONTH', 'BEGIN_DAY', 'BEGIN_TIME', 'END_YEARMONTH', 'END_DAY', 'END_TIME', 'EPISODE_ID',
  'EVENT_ID', 'STATE', 'STATE_FIPS', 'YEAR', 'MONTH_NAME', 'EVENT_TYPE', 'CZ_TYPE', 'CZ_FIPS', 'CZ_NAME',
  'WFO', 'BEGIN_DATE_TIME', 'CZ_TIMEZONE', 'END_DATE_TIME', 'INJURIES_DIRECT', 'INJURIES_INDIRECT',
  'DEATHS_DIRECT', 'DEATHS_INDIRECT', 'DAMAGE_PROPERTY', 'DAMAGE_CROPS', 'SOURCE', 'MAGNITUDE',
  'MAGNITUDE_TYPE', 'FLOOD_CAUSE', 'CATEGORY', 'TOR_F_SCALE', 'TOR_LENGTH', 'TOR_WIDTH', 'TOR_OTHER_WFO',
  'TOR_OTHER_CZ_STATE', 'TOR_OTHER_CZ_FIPS', 'TOR_OTHER_CZ_NAME', 'BEGIN_RANGE', 'BEGIN_AZIMUTH',
  'BEGIN_LOCATION', 'END_RANGE', 'END_AZIMUTH', 'END_LOCATION', 'BEGIN_LAT', 'BEGIN_LON', 'END_LAT',
  'END_LON', 'EPISODE_NARRATIVE', 'EVENT_NARRATIVE', 'DATA_SOURCE',
] as const;

/** The index of the YEAR column among the 14 (FIELD_NAMES order). */
const YEAR_FIELD = FIELD_NAMES.indexOf('year');

/** StormEvents_details-ftp_v1.0_d1950_c20210803.csv or .csv.gz: the year and the creation date. */
const BULK_NAME = /^StormEvents_details-ftp_v1\.0_d([0-9]{4})_c([0-9]{8})\.csv(\.gz)?$/;

export interface BulkFileName {
  readonly year: string;
  /** cYYYYMMDD: when NOAA made this version; a later one supersedes it. */
  readonly created: string;
  readonly gzip: boolean;
}

/** The year and version in a bulk file's base name, or null for any other name. */
export function parseBulkFileName(name: string): BulkFileName | null {
  const m = BULK_NAME.exec(name);
  return m ? { year: m[1]!, created: m[2]!, gzip: m[3] !== undefined } : null;
}

/**
 * Turns the records of one bulk file, header first, into the 14 fields of details-YYYY.csv,
 * refusing anything the loader (csv.ts) would refuse: a bad or repeated event id, a value holding
 * a comma or line break (the 14-column format has no quoting), records of more than one year.
 */
export class BulkRecordConverter {
  /** The year of the records, known from the first one. */
  year: string | null = null;
  /** Records converted so far. */
  count = 0;
  private readonly seen = new Set<number>();

  private constructor(
    /** Position in a bulk record of each of the 14 fields, in FIELD_NAMES order. */
    private readonly indexes: readonly number[],
    private readonly width: number,
  ) {}

  /** A converter for the file whose first record is `header`, or the reason it is not a bulk details file. */
  static fromHeader(header: CsvRecord): BulkRecordConverter | string {
    const names = header.fields.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, '') : f).trim().toUpperCase());
    const indexes: number[] = [];
    const missing: string[] = [];
    for (const field of FIELD_NAMES) {
      const name = field.toUpperCase();
      const at = names.indexOf(name);
      if (at < 0) missing.push(name);
      else if (names.indexOf(name, at + 1) >= 0) return `the header names ${name} twice`;
      indexes.push(at);
    }
    if (missing.length > 0) {
      return `not a NOAA Storm Events details file: its header (line ${header.line}) lacks ${missing.join(', ')}`;
    }
    return new BulkRecordConverter(indexes, names.length);
  }

  /** The 14 fields of one record, or why the record cannot be converted (with its line). */
  convert(record: CsvRecord): { ok: true; fields: string[] } | { ok: false; error: string } {
    const at = `line ${record.line}`;
    if (record.fields.length !== this.width) {
      return { ok: false, error: `${at}: ${record.fields.length} fields where the header names ${this.width}` };
    }
    const fields = this.indexes.map((i) => record.fields[i]!);
    const idText = fields[0]!;
    const eventId = parseEventId(idText);
    if (eventId === null) return { ok: false, error: `${at}: ${describeBadEventId(idText)}` };
    if (this.seen.has(eventId)) return { ok: false, error: `${at}: duplicate event_id ${eventId}` };
    for (let f = 0; f < fields.length; f++) {
      if (/[,\r\n]/.test(fields[f]!)) {
        return { ok: false, error: `${at} (event_id ${eventId}): ${FIELD_NAMES[f]} holds a comma or line break, which details-YYYY.csv cannot hold` };
      }
    }
    const year = fields[YEAR_FIELD]!;
    if (this.year === null) {
      if (!isValidYear(year)) return { ok: false, error: `${at} (event_id ${eventId}): YEAR "${year}" is not four digits` };
      this.year = year;
    } else if (year !== this.year) {
      return { ok: false, error: `${at} (event_id ${eventId}): YEAR ${year} in a file of ${this.year}; a details file holds one year` };
    }
    this.seen.add(eventId);
    this.count++;
    return { ok: true, fields };
  }
}
