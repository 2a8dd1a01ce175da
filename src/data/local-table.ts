// A node's share of the DHT: position → bucket. Different event ids share a position
// (1950: 39 positions hold 89 records, up to 5 at one), so a bucket holds ANY number of
// records and lookups compare event ids (SPEC D6). One record per slot would silently lose
// records on the small years.
import type { StormRecord } from './fields.js';

/**
 * A record as the table keeps it: its file line (the 14 fields joined by commas), split into
 * fields only when it is read. One string per record instead of an array of 14 keeps a node's
 * share small and cheap to collect. A record whose fields hold a comma or a line break (no file
 * line can: SPEC §8) is kept as it came.
 */
interface LineRecord {
  readonly eventId: number;
  readonly line: string;
}
type Entry = LineRecord | StormRecord;

const UNJOINABLE = /[,\r\n]/;

function entryOf(record: StormRecord): Entry {
  return record.fields.some((f) => UNJOINABLE.test(f)) ? record : { eventId: record.eventId, line: record.fields.join(',') };
}

function recordOf(entry: Entry): StormRecord {
  return 'fields' in entry ? entry : { eventId: entry.eventId, fields: entry.line.split(',') };
}

/** A node's local hash table: position → bucket holding ANY number of records (SPEC D6). */
export class LocalTable {
  /** A position's one record, or its bucket of several; a position without records has no entry. */
  readonly #buckets = new Map<number, Entry | Entry[]>();
  /** Kept alongside the buckets so `size` is O(1) (the count message of D7 reads it). */
  #size = 0;

  /**
   * Store `record` at `pos`. A record whose eventId is already in the bucket replaces the old
   * one, so storing the same record twice (a retransmitted store) leaves the table unchanged.
   */
  put(pos: number, record: StormRecord): void {
    this.#put(pos, entryOf(record));
  }

  /** put() of a record given as its file line (14 fields joined by commas; the caller checked them). */
  putLine(pos: number, eventId: number, line: string): void {
    this.#put(pos, { eventId, line });
  }

  #put(pos: number, entry: Entry): void {
    requirePosition(pos);
    const held = this.#buckets.get(pos);
    if (held === undefined) {
      this.#buckets.set(pos, entry);
      this.#size++;
    } else if (!Array.isArray(held)) {
      if (held.eventId === entry.eventId) {
        this.#buckets.set(pos, entry);
      } else {
        this.#buckets.set(pos, [held, entry]);
        this.#size++;
      }
    } else {
      const at = held.findIndex((r) => r.eventId === entry.eventId);
      if (at >= 0) {
        held[at] = entry;
      } else {
        held.push(entry);
        this.#size++;
      }
    }
  }

  /** The record with `eventId` at `pos`, or undefined when this node does not hold it. */
  find(pos: number, eventId: number): StormRecord | undefined {
    const held = this.#buckets.get(pos);
    const entry = Array.isArray(held) ? held.find((r) => r.eventId === eventId) : held?.eventId === eventId ? held : undefined;
    return entry === undefined ? undefined : recordOf(entry);
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
    for (const pos of this.#buckets.keys()) yield* this.bucket(pos);
  }

  /** Every record as its position, event id and file line (its fields joined by commas). */
  *lines(): IterableIterator<{ readonly pos: number; readonly eventId: number; readonly line: string }> {
    for (const [pos, held] of this.#buckets) {
      for (const entry of Array.isArray(held) ? held : [held]) {
        yield { pos, eventId: entry.eventId, line: 'fields' in entry ? entry.fields.join(',') : entry.line };
      }
    }
  }

  /** The positions that hold at least one record, in insertion order. */
  positions(): IterableIterator<number> {
    return this.#buckets.keys();
  }

  /** The records at `pos` (empty when none): for status output and collision statistics. */
  bucket(pos: number): readonly StormRecord[] {
    const held = this.#buckets.get(pos);
    if (held === undefined) return [];
    return Array.isArray(held) ? held.map(recordOf) : [recordOf(held)];
  }
}

/** A position is an index into a table of size s, so a non-negative integer; else a caller bug. */
function requirePosition(pos: number): void {
  if (!Number.isSafeInteger(pos) || pos < 0) {
    throw new RangeError(`a table position must be an integer ≥ 0, got ${pos}`);
  }
}
