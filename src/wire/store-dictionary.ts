// The preset dictionary of packed stores (codec.ts). A store datagram of ~1,400 bytes compresses
// poorly on its own: DEFLATE starts every datagram with an empty window, so the first mention of
// "Thunderstorm Wind" or "NORTH CAROLINA" in it is spelled out. A preset dictionary (RFC 1950
// FDICT; zlib's `dictionary` option, which raw DEFLATE takes too) starts both sides' window with
// text that storm records repeat: the vocabulary of the data set (states, months, event types,
// common county and zone words) and the common tail of a record's line (packed-records.ts). Sender and owner must hold the
// same dictionary, so packed stores name it by a digest of its bytes (STORE_DICTIONARY_ID): a peer
// of another build refuses a store it could only misread.
//
// The words come from the synthetic years' vocabulary (data/synthetic-vocabulary.ts), which is
// domain knowledge (NOAA's event-type list, the 50 states), not taken from any data file.
import { createHash } from 'node:crypto';
import * as vocab from '../data/synthetic-vocabulary.js';

/** How most lines end (no injuries, deaths or damage) and the next begins: last, nearest the data. */
const COMMON_TAIL = ',0,0,0,0,,,\n';

function dictionaryText(): string {
  // DEFLATE reaches back at most 32 KiB and codes near matches more cheaply: rarer words first,
  // the most frequent (heaviest) last.
  const byWeight = <T>(items: readonly T[], weight: (t: T) => number): T[] => [...items].sort((a, b) => weight(a) - weight(b));
  const words: string[] = [
    ...vocab.NAMED_ZONES,
    ...vocab.ZONE_PREFIXES.filter((p) => p !== '').map((p) => p.trim()),
    ...vocab.COUNTIES,
    ...byWeight(vocab.OLD_DAMAGES, (d) => d[1]).map((d) => d[0]),
    ...byWeight(vocab.MODERN_DAMAGES, (d) => d[1]).map((d) => d[0]),
    ...byWeight(vocab.LATER_F_SCALES, (d) => d[1]).map((d) => d[0]),
    ...byWeight(vocab.MIDDLE_EVENTS, (e) => e.weight).map((e) => e.type),
    ...byWeight(vocab.MODERN_EVENTS, (e) => e.weight).map((e) => e.type),
    ...byWeight(vocab.MONTHS, (m) => m[1]).map((m) => m[0]),
    ...byWeight(vocab.STATES, (s) => s[1]).map((s) => s[0]),
  ];
  return `${words.join(',')},C,Z,M${COMMON_TAIL.repeat(3)}`;
}

/** The dictionary's bytes (about 2.5 KB). */
export const STORE_DICTIONARY: Buffer = Buffer.from(dictionaryText(), 'utf8');

/** The first 8 hex digits of the dictionary's SHA-256: packed stores name their dictionary by it. */
export const STORE_DICTIONARY_ID: string = createHash('sha256').update(STORE_DICTIONARY).digest('hex').slice(0, 8);
