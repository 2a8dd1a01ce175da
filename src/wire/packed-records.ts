// The records of a packed store (codec.ts encodePackedStore): one line per record, its table
// position and its 14 fields joined by commas (`<pos>,<event_id>,<state>,…`), lines joined by
// "\n", deflated with the store dictionary (store-dictionary.ts). This is the files' own line
// form (SPEC §8: the fields of a line are its comma-separated parts, so no field holds a comma
// or a line break), so a leader packs a record from its line without splitting it, and an owner
// unpacks it with two native splits instead of a JSON parse.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { WireRecord } from './messages.js';
import { STORE_DICTIONARY, STORE_DICTIONARY_ID } from './store-dictionary.js';

/** What `packed` says of a packed store: this line form, deflated with the dictionary of that digest. */
export const PACKED_FORMAT = `csv+deflate+dict-${STORE_DICTIONARY_ID}`;

/** The most a packed store may inflate to: far above any datagram's records, far below harm. */
export const MAX_UNPACKED_BYTES = 1 << 20;

const FIELDS = 14;

/** A record's packed line, from its position and its fields' file line (fields joined by commas). */
export function packedLine(pos: number, line: string): string {
  return `${pos},${line}`;
}

/**
 * Level 5 with an 8 KiB window and a smaller hash: a batch is a few KiB of text, so this packs
 * within 0.5 % of zlib's defaults at about 15 % less time, most of it zlib's set-up per call.
 */
const PACK_OPTIONS = { dictionary: STORE_DICTIONARY, level: 5, windowBits: 13, memLevel: 6 } as const;

/** The tail of a packed store holding these packed lines. */
export function packLines(lines: readonly string[]): Buffer {
  return deflateRawSync(lines.join('\n'), PACK_OPTIONS);
}

const POS = /^(?:0|[1-9][0-9]{0,14})$/;

/** A packed record: its table position and its file line (14 fields joined by commas). */
export interface PackedRecord {
  readonly pos: number;
  readonly line: string;
}

/**
 * The records of a packed tail as positions and file lines, or null when it is not raw DEFLATE
 * with the store dictionary within MAX_UNPACKED_BYTES, or does not hold exactly `count` lines of
 * a position and 14 fields. The lines are checked for their field count, not split.
 */
export function unpackRecordLines(tail: Uint8Array, count: number): PackedRecord[] | null {
  let text: string;
  try {
    text = inflateRawSync(tail, { dictionary: STORE_DICTIONARY, maxOutputLength: MAX_UNPACKED_BYTES }).toString('utf8');
  } catch {
    return null;
  }
  if (count === 0) return text === '' ? [] : null;
  const lines = text.split('\n');
  if (lines.length !== count) return null;
  const records: PackedRecord[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const packed = lines[i]!;
    const cut = packed.indexOf(',');
    if (cut < 0 || !POS.test(packed.slice(0, cut))) return null;
    let fields = 1;
    for (let k = packed.indexOf(',', cut + 1); k >= 0; k = packed.indexOf(',', k + 1)) fields++;
    if (fields !== FIELDS) return null;
    records[i] = { pos: Number(packed.slice(0, cut)), line: packed.slice(cut + 1) };
  }
  return records;
}

/** The records of a packed tail as wire records (their fields split), or null as unpackRecordLines. */
export function unpackLines(tail: Uint8Array, count: number): WireRecord[] | null {
  return unpackRecordLines(tail, count)?.map((r) => ({ pos: r.pos, fields: r.line.split(',') })) ?? null;
}
