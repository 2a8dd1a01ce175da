// A node's share of the DHT: position → bucket. Different event ids share a position
// (1950: 39 positions hold 89 records, up to 5 at one), so a bucket holds ANY number of
// records and lookups compare event ids (SPEC D6). One record per slot would silently lose
// records on the small years.
import type { StormRecord } from './fields.js';

/** A node's local hash table: position → bucket holding ANY number of records (SPEC D6). */
export class LocalTable {
  /** Buckets are never empty: a position without records has no entry. */
  readonly #buckets = new Map<number, StormRecord[]>();
  /** Kept alongside the buckets so `size` is O(1) (the count message of D7 reads it). */
  #size = 0;

  /**
   * Store `record` at `pos`. A record whose eventId is already in the bucket replaces the old
   * one, so storing the same record twice (a retransmitted store) leaves the table unchanged.
   */
  put(pos: number, record: StormRecord): void {
    requirePosition(pos);
    const bucket = this.#buckets.get(pos);
    if (bucket === undefined) {
      this.#buckets.set(pos, [record]);
      this.#size++;
      return;
    }
    const at = bucket.findIndex((r) => r.eventId === record.eventId);
    if (at >= 0) {
      bucket[at] = record;
    } else {
      bucket.push(record);
      this.#size++;
    }
  }

  /** The record with `eventId` at `pos`, or undefined when this node does not hold it. */
  find(pos: number, eventId: number): StormRecord | undefined {
    return this.#buckets.get(pos)?.find((r) => r.eventId === eventId);
  }

  /** Total records over all buckets, O(1). */
  get size(): number {
    return this.#size;
  }

  /** Drop every record: a node does this when the ring is torn down for a rebuild. */
  clear(): void {
    this.#buckets.clear();
    this.#size = 0;
  }

  /** Every record, bucket by bucket. */
  *records(): IterableIterator<StormRecord> {
    for (const bucket of this.#buckets.values()) yield* bucket;
  }

  /** The positions that hold at least one record, in insertion order. */
  positions(): IterableIterator<number> {
    return this.#buckets.keys();
  }

  /** The records at `pos` (empty when none): for status output and collision statistics. */
  bucket(pos: number): readonly StormRecord[] {
    return this.#buckets.get(pos) ?? [];
  }
}

/** A position is an index into a table of size s, so a non-negative integer; else a caller bug. */
function requirePosition(pos: number): void {
  if (!Number.isSafeInteger(pos) || pos < 0) {
    throw new RangeError(`a table position must be an integer ≥ 0, got ${pos}`);
  }
}
