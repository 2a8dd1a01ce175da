// Store batching (SPEC §6.2 step 2): one owner's records are packed into store datagrams that
// stay within a byte budget (default MTU-safe, DEFAULT_BATCH_BYTES). Each record is serialised
// once per year held in memory: the same text measures it and, joined with its batch mates,
// becomes the datagram, for every setup and rebuild of that year.
import type { YearData } from '../../data/csv.js';
import { positionOf } from '../../data/hashing.js';
import { encodePackedStore, encodeStore, packRecords } from '../../wire/codec.js';
import type { Tuple, WireRecord } from '../../wire/messages.js';

/** A record as it travels: its message form, its JSON text and that text's UTF-8 length. */
export interface EncodedRecord {
  readonly record: WireRecord;
  readonly json: string;
  readonly bytes: number;
}

export interface StoreBatch {
  readonly records: readonly WireRecord[];
  /** The records' JSON array text, exactly as it goes into the datagram (or is packed). */
  readonly json: string;
  /** With the deflate encoding: the text deflated with the store dictionary (encodePackedStore). */
  readonly packed?: Buffer;
}

/**
 * How store datagrams carry their records: `deflate` packs the JSON text (raw DEFLATE with a
 * preset dictionary, after the JSON header: about six times as many records per datagram);
 * `json` is SPEC §7's plain `records` array.
 */
export type StoreEncoding = 'deflate' | 'json';
export const STORE_ENCODINGS: readonly StoreEncoding[] = ['deflate', 'json'];

/** A rid as long as any the transport makes (prefix, dot, counter), for the envelope's size. */
const LONGEST_RID = 'x'.repeat(24);
/** An epoch as long as any newEpoch draws (a 48-bit number in base 36: at most 10 characters), and then some. */
const LONGEST_EPOCH = 'x'.repeat(12);

/** Encoded records of each year object in memory (the year cache keeps the same object). */
const encodedYears = new WeakMap<YearData, readonly EncodedRecord[]>();

export function encodeRecord(record: WireRecord): EncodedRecord {
  const json = JSON.stringify(record);
  return { record, json, bytes: Buffer.byteLength(json) };
}

/** Every record of the year with its table position, encoded once, in file order. */
export function encodedRecordsOf(data: YearData): readonly EncodedRecord[] {
  let encoded = encodedYears.get(data);
  if (encoded === undefined) {
    encoded = data.records.map((rec) => encodeRecord({ pos: positionOf(rec.eventId, data.s), fields: rec.fields }));
    encodedYears.set(data, encoded);
  }
  return encoded;
}

/**
 * Splits one owner's records into batches whose store datagram, as encodeStore builds it, stays
 * within `budget` bytes. A record larger than the budget on its own still travels, alone.
 */
export function planStoreBatches(records: readonly EncodedRecord[], origin: Tuple, owner: number, epoch: string, budget: number): StoreBatch[] {
  const envelope = encodeStore(LONGEST_RID, origin, owner, epoch, '[]').length;
  const out: StoreBatch[] = [];
  let start = 0;
  let size = envelope;
  const close = (end: number) => {
    const batch = records.slice(start, end);
    out.push({ records: batch.map((r) => r.record), json: `[${batch.map((r) => r.json).join(',')}]` });
    start = end;
    size = envelope;
  };
  records.forEach((rec, i) => {
    const bytes = rec.bytes + 1; // +1: the separating comma
    if (i > start && size + bytes > budget) close(i);
    size += bytes;
  });
  if (records.length > start) close(records.length);
  return out;
}

/** JSON text over deflated text, assumed for the first packed batch of an owner. */
const FIRST_RATIO = 6;
/** Packed batches are planned to this share of the budget, so that most fit at the first try. */
const PACKED_FILL = 0.95;

/**
 * Like planStoreBatches, for packed datagrams: each batch's text, deflated, keeps the
 * encodePackedStore datagram within `budget`. Each batch is sized from the compression ratio
 * of the one before and deflated once, or again a little smaller when it did not fit.
 */
export function planPackedBatches(records: readonly EncodedRecord[], origin: Tuple, owner: number, epoch: string, budget: number): StoreBatch[] {
  const envelope = encodePackedStore(LONGEST_RID, origin, owner, epoch, records.length, Buffer.alloc(0)).length;
  const room = Math.max(budget - envelope, 0);
  const out: StoreBatch[] = [];
  let ratio = FIRST_RATIO;
  let start = 0;
  while (start < records.length) {
    const target = room * ratio * PACKED_FILL;
    let end = start + 1;
    for (let bytes = records[start]!.bytes; end < records.length && bytes + records[end]!.bytes + 1 <= target; end++) bytes += records[end]!.bytes + 1;
    for (;;) {
      const batch = records.slice(start, end);
      const json = `[${batch.map((r) => r.json).join(',')}]`;
      const packed = packRecords(json);
      // A single record that does not fit still travels, alone (as with plain batches).
      if (packed.length <= room || end === start + 1) {
        out.push({ records: batch.map((r) => r.record), json, packed });
        ratio = json.length / Math.max(packed.length, 1);
        start = end;
        break;
      }
      end = start + Math.max(1, Math.floor((end - start) * 0.9));
    }
  }
  return out;
}

/** Every owner's batches of a year for a ring of n, planned once per year in memory and setting. */
const plannedYears = new WeakMap<YearData, Map<string, readonly StoreBatch[]>>();

/**
 * The batches of one owner's records (`records`, which depend on the year, n and the owner only),
 * planned for this encoding, budget and envelope, and kept with the year: a later setup or rebuild
 * of the same year over the same ring size sends the same datagram bodies.
 */
export function ownerBatches(
  data: YearData,
  n: number,
  owner: number,
  records: readonly EncodedRecord[],
  origin: Tuple,
  epoch: string,
  budget: number,
  encoding: StoreEncoding,
): readonly StoreBatch[] {
  let plans = plannedYears.get(data);
  if (plans === undefined) plannedYears.set(data, (plans = new Map()));
  // Planned for the longest epoch, the batches fit every build's envelope, whatever its epoch
  // draws: the plan depends on the origin, not on the build.
  const planEpoch = epoch.length <= LONGEST_EPOCH.length ? LONGEST_EPOCH : epoch;
  const envelope = encodeStore(LONGEST_RID, origin, owner, planEpoch, '[]').length;
  const key = `${encoding}|${n}|${owner}|${budget}|${envelope}`;
  let batches = plans.get(key);
  if (batches === undefined) {
    batches =
      encoding === 'deflate'
        ? planPackedBatches(records, origin, owner, planEpoch, budget)
        : planStoreBatches(records, origin, owner, planEpoch, budget);
    plans.set(key, batches);
  }
  return batches;
}

/** The records of each batch (for callers that build the message themselves). */
export function batches(records: readonly WireRecord[], origin: Tuple, owner: number, epoch: string, budget: number): WireRecord[][] {
  return planStoreBatches(records.map(encodeRecord), origin, owner, epoch, budget).map((b) => [...b.records]);
}
