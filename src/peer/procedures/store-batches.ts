// Store batching (SPEC §6.2 step 2): one owner's records are packed into store datagrams that
// stay within a byte budget (default MTU-safe, DEFAULT_BATCH_BYTES). A year's batches for each
// owner are planned once per year held in memory and ring size, and every later setup or rebuild
// of that year over that many nodes sends the same datagram bodies. Packed batches are made from
// the file's lines (wire/packed-records.ts), without splitting them into fields; plain ones from
// each record's JSON text, serialised once per year.
import type { YearData } from '../../data/csv.js';
import { ownerOf, positionOf } from '../../data/hashing.js';
import { encodePackedFetchResult, encodePackedStore, encodeStore } from '../../wire/codec.js';
import type { Tuple, WireRecord } from '../../wire/messages.js';
import { packedLine, packLines } from '../../wire/packed-records.js';

/** A record as it travels in a plain store: its message form, its JSON text and that text's UTF-8 length. */
export interface EncodedRecord {
  readonly record: WireRecord;
  readonly json: string;
  readonly bytes: number;
}

/** One store datagram's records: in the plain encoding their objects and JSON array text, in the packed one the packed tail. */
export type StoreBatch = PlainBatch | PackedBatch;
export interface PlainBatch {
  readonly count: number;
  readonly records: readonly WireRecord[];
  readonly json: string;
  readonly packed?: undefined;
}
export interface PackedBatch {
  readonly count: number;
  readonly packed: Buffer;
}

/**
 * How store datagrams carry their records: `deflate` packs them (their file lines, deflated with
 * a preset dictionary, after the JSON header: about six times as many records per datagram);
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
export function planStoreBatches(records: readonly EncodedRecord[], origin: Tuple, owner: number, epoch: string, budget: number): PlainBatch[] {
  const envelope = encodeStore(LONGEST_RID, origin, owner, epoch, '[]').length;
  const out: PlainBatch[] = [];
  let start = 0;
  let size = envelope;
  const close = (end: number) => {
    const batch = records.slice(start, end);
    out.push({ count: batch.length, records: batch.map((r) => r.record), json: `[${batch.map((r) => r.json).join(',')}]` });
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

/** Line text over deflated bytes, assumed for the first packed batch of an owner. */
const FIRST_RATIO = 4;
/** Packed batches are planned to this share of the budget, so that most fit at the first try. */
const PACKED_FILL = 0.95;

/**
 * One owner's batches, in order: batch k is planned when it is first asked for (at), so that a
 * distributor packs each batch just before it sends it, while earlier ones are in flight, instead
 * of packing every batch before the first leaves. Batches planned are kept.
 */
export interface BatchPlan extends Iterable<StoreBatch> {
  /** Batch k, or undefined past the last. */
  at(k: number): StoreBatch | undefined;
  /** True once every batch is packed. */
  readonly complete: boolean;
}

/** A plan whose batches are all known already (the plain encoding, and tests). */
class ReadyPlan implements BatchPlan {
  readonly complete = true;
  constructor(private readonly batches: readonly StoreBatch[]) {}
  at(k: number): StoreBatch | undefined {
    return this.batches[k];
  }
  [Symbol.iterator](): Iterator<StoreBatch> {
    return this.batches[Symbol.iterator]();
  }
}

/**
 * Packed datagrams of these packed lines (packedLine), as planPackedBatches describes, each
 * batch planned on demand: sized from the compression ratio of the one before and deflated once,
 * or again a little smaller when it did not fit.
 */
class PackedPlan implements BatchPlan {
  private readonly done: PackedBatch[] = [];
  private start = 0;
  private ratio = FIRST_RATIO;

  constructor(
    private readonly lines: readonly string[],
    private readonly room: number,
  ) {}

  at(k: number): StoreBatch | undefined {
    while (this.done.length <= k && this.start < this.lines.length) this.planNext();
    return this.done[k];
  }

  get complete(): boolean {
    return this.start >= this.lines.length;
  }

  *[Symbol.iterator](): Iterator<StoreBatch> {
    for (let k = 0; this.at(k) !== undefined; k++) yield this.done[k]!;
  }

  private planNext(): void {
    const { lines, room, start } = this;
    const target = room * this.ratio * PACKED_FILL;
    let end = start + 1;
    let chars = lines[start]!.length;
    for (; end < lines.length && chars + lines[end]!.length + 1 <= target; end++) chars += lines[end]!.length + 1;
    for (;;) {
      const batch = lines.slice(start, end);
      const packed = packLines(batch);
      // A single record that does not fit still travels, alone (as with plain batches).
      if (packed.length <= room || end === start + 1) {
        this.done.push({ count: batch.length, packed });
        this.ratio = chars / Math.max(packed.length, 1);
        this.start = end;
        return;
      }
      end = start + Math.max(1, Math.floor((end - start) * 0.9));
      chars = batch.slice(0, end - start).reduce((sum, l) => sum + l.length + 1, -1);
    }
  }
}

function packedPlan(lines: readonly string[], origin: Tuple, owner: number, epoch: string, budget: number): PackedPlan {
  const envelope = encodePackedStore(LONGEST_RID, origin, owner, epoch, lines.length, Buffer.alloc(0)).length;
  return new PackedPlan(lines, Math.max(budget - envelope, 0));
}

/**
 * A member's records as fetch-result pages (issue 12), packed like store batches: page k is
 * planned when first asked for, each fits `budget` with fetch-result's envelope.
 */
export function pagePlan(lines: readonly string[], budget: number): BatchPlan {
  const envelope = encodePackedFetchResult(LONGEST_RID, lines.length, false, lines.length, Buffer.alloc(0)).length;
  return new PackedPlan(lines, Math.max(budget - envelope, 0));
}

/**
 * Like planStoreBatches, for packed datagrams: each batch's packed lines, deflated, keep the
 * encodePackedStore datagram within `budget`.
 */
export function planPackedBatches(lines: readonly string[], origin: Tuple, owner: number, epoch: string, budget: number): PackedBatch[] {
  return [...packedPlan(lines, origin, owner, epoch, budget)] as PackedBatch[];
}

/** Each record's table position, per year in memory (they depend on the year's s only). */
const yearPositions = new WeakMap<YearData, readonly number[]>();

/** The table position of every record of the year, in file order. */
export function positionsOf(data: YearData): readonly number[] {
  let positions = yearPositions.get(data);
  if (positions === undefined) yearPositions.set(data, (positions = data.ids.map((id) => positionOf(id, data.s))));
  return positions;
}

/** Each year's record indices by owner, per ring size (the last few asked for). */
const yearOwners = new WeakMap<YearData, Map<number, readonly (readonly number[])[]>>();
const OWNER_SPLITS_KEPT = 4;

/** The indices (in file order) of the records each node of a ring of n holds: one pass over the year. */
export function recordsByOwner(data: YearData, n: number): readonly (readonly number[])[] {
  let splits = yearOwners.get(data);
  if (splits === undefined) yearOwners.set(data, (splits = new Map()));
  let byOwner = splits.get(n);
  if (byOwner === undefined) {
    const lists: number[][] = Array.from({ length: n }, () => []);
    positionsOf(data).forEach((pos, i) => lists[ownerOf(pos, n)]!.push(i));
    byOwner = lists;
    if (splits.size >= OWNER_SPLITS_KEPT) splits.delete(splits.keys().next().value!);
    splits.set(n, byOwner);
  }
  return byOwner;
}

/** Every owner's batches of a year for a ring of n, planned once per year in memory and setting. */
const plannedYears = new WeakMap<YearData, Map<string, BatchPlan>>();

/**
 * The batches of the records that node `owner` of a ring of n holds, planned for this encoding,
 * budget and envelope, and kept with the year: a later setup or rebuild of the same year over the
 * same ring size sends the same datagram bodies.
 */
export function ownerBatches(data: YearData, n: number, owner: number, origin: Tuple, epoch: string, budget: number, encoding: StoreEncoding): BatchPlan {
  let plans = plannedYears.get(data);
  if (plans === undefined) plannedYears.set(data, (plans = new Map()));
  // Planned for the longest epoch, the batches fit every build's envelope, whatever its epoch
  // draws: the plan depends on the origin, not on the build.
  const planEpoch = epoch.length <= LONGEST_EPOCH.length ? LONGEST_EPOCH : epoch;
  const envelope = encodeStore(LONGEST_RID, origin, owner, planEpoch, '[]').length;
  const key = `${encoding}|${n}|${owner}|${budget}|${envelope}`;
  let batches = plans.get(key);
  if (batches === undefined) {
    const positions = positionsOf(data);
    const mine = recordsByOwner(data, n)[owner] ?? [];
    if (encoding === 'deflate') {
      batches = packedPlan(mine.map((i) => packedLine(positions[i]!, data.lines[i]!)), origin, owner, planEpoch, budget);
    } else {
      const encoded = encodedRecordsOf(data);
      batches = new ReadyPlan(planStoreBatches(mine.map((i) => encoded[i]!), origin, owner, planEpoch, budget));
    }
    plans.set(key, batches);
  }
  return batches;
}

/** The records of each batch (for callers that build the message themselves). */
export function batches(records: readonly WireRecord[], origin: Tuple, owner: number, epoch: string, budget: number): WireRecord[][] {
  return planStoreBatches(records.map(encodeRecord), origin, owner, epoch, budget).map((b) => [...b.records]);
}
