// Store batching (SPEC §6.2 step 2): one owner's records are packed into store datagrams that
// stay within a byte budget (default MTU-safe, DEFAULT_BATCH_BYTES). Each record is serialised
// once per year held in memory: the same text measures it and, joined with its batch mates,
// becomes the datagram, for every setup and rebuild of that year.
import type { YearData } from '../../data/csv.js';
import { positionOf } from '../../data/hashing.js';
import { encodeStore } from '../../wire/codec.js';
import type { Tuple, WireRecord } from '../../wire/messages.js';

/** A record as it travels: its message form, its JSON text and that text's UTF-8 length. */
export interface EncodedRecord {
  readonly record: WireRecord;
  readonly json: string;
  readonly bytes: number;
}

export interface StoreBatch {
  readonly records: readonly WireRecord[];
  /** The records' JSON array text, exactly as it goes into the datagram. */
  readonly json: string;
}

/** A rid as long as any the transport makes (prefix, dot, counter), for the envelope's size. */
const LONGEST_RID = 'x'.repeat(24);

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

/** The records of each batch (for callers that build the message themselves). */
export function batches(records: readonly WireRecord[], origin: Tuple, owner: number, epoch: string, budget: number): WireRecord[][] {
  return planStoreBatches(records.map(encodeRecord), origin, owner, epoch, budget).map((b) => [...b.records]);
}
