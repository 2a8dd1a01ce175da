// The 14 columns of a storm-event record (SPEC §8) and the event-id rule (SPEC §2).
// Everything else in stormdht treats a record as these 14 verbatim strings; only event_id is
// ever parsed, because it is the hash key.

/** The column names in file order; a header must name exactly these, ignoring letter case. */
export const FIELD_NAMES = [
  'event_id',
  'state',
  'year',
  'month_name',
  'event_type',
  'cz_type',
  'cz_name',
  'injuries_direct',
  'injuries_indirect',
  'deaths_direct',
  'deaths_indirect',
  'damage_property',
  'damage_crops',
  'tor_f_scale',
] as const;

export type FieldName = (typeof FIELD_NAMES)[number];

/** The header line of details-YYYY.csv as the course wrote it: the 14 names in upper case. */
export const YEAR_FILE_HEADER = FIELD_NAMES.map((f) => f.toUpperCase()).join(',');

/** 14: derived from the list so the two can never disagree (the type is the literal 14). */
export const FIELD_COUNT = FIELD_NAMES.length;

/** Longest event id accepted: 15 digits stays below 2^53, so the id is exact as a JS number. */
export const MAX_EVENT_ID_DIGITS = 15;

/** One record: the parsed event id (for hashing) and the 14 field strings, verbatim. */
export interface StormRecord {
  readonly eventId: number;
  readonly fields: readonly string[];
}

/**
 * The record as an object keyed by field name, keys in FIELD_NAMES order (so JSON.stringify
 * gives the order of SPEC §12). Throws on a field array of the wrong length: that is a caller bug.
 */
export function recordToObject(fields: readonly string[]): Record<FieldName, string> {
  if (fields.length !== FIELD_COUNT) {
    throw new TypeError(`a storm record has ${FIELD_COUNT} fields, got ${fields.length}`);
  }
  const out = {} as Record<FieldName, string>;
  for (let i = 0; i < FIELD_COUNT; i++) out[FIELD_NAMES[i]!] = fields[i]!;
  return out;
}

/** True for an array of exactly 14 strings, e.g. a record decoded from the wire. */
export function isValidFields(x: unknown): x is string[] {
  if (!Array.isArray(x) || x.length !== FIELD_COUNT) return false;
  for (const v of x) if (typeof v !== 'string') return false;
  return true;
}

/**
 * The event id as a number, or null unless `text` is 1–15 ASCII digits (no sign, no spaces, no
 * exponent). A char-code loop rather than a regex: it runs once per line of a 48k-line file.
 */
export function parseEventId(text: string): number | null {
  const len = text.length;
  if (len === 0 || len > MAX_EVENT_ID_DIGITS) return null;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null; // '0'..'9'
  }
  return Number(text);
}

/** Why parseEventId refused the text, in words a user can act on. */
export function describeBadEventId(text: string): string {
  if (text === '') return 'event_id is blank';
  if (/^[0-9]+$/.test(text)) return `event_id "${text}" has more than ${MAX_EVENT_ID_DIGITS} digits`;
  return `event_id "${text}" is not a decimal integer`;
}
