// What `stormdht data list` and `data inspect` report about year files: which years a data
// directory holds, and for one year the figures of SPEC §9 and §13 (l, s, records per node, slots
// shared by several records) computed by hashing.ts, exactly as the DHT places the records.
import { readdirSync } from 'node:fs';
import type { YearData } from './csv.js';
import { countsPerNode, positionOf } from './hashing.js';

/** Table slots that more than one record hashes to (SPEC §9: 1950 has 39 of them, 89 records, up to 5 at one). */
export interface SlotCollisions {
  /** Slots holding two or more records. */
  readonly sharedSlots: number;
  /** Records in those slots. */
  readonly recordsInSharedSlots: number;
  /** The most records at one slot (1 when no slot is shared). */
  readonly longestChain: number;
}

export interface YearStats {
  readonly l: number;
  readonly s: number;
  readonly n: number;
  /** Records stored at node 0…n−1. */
  readonly perNode: readonly number[];
  readonly collisions: SlotCollisions;
}

/** The figures of one year for a ring of n nodes. */
export function yearStats(data: YearData, n: number): YearStats {
  const ids = data.records.map((r) => r.eventId);
  return { l: data.l, s: data.s, n, perNode: countsPerNode(ids, data.s, n), collisions: slotCollisions(ids, data.s) };
}

export function slotCollisions(eventIds: Iterable<number>, s: number): SlotCollisions {
  const perSlot = new Map<number, number>();
  for (const id of eventIds) {
    const pos = positionOf(id, s);
    perSlot.set(pos, (perSlot.get(pos) ?? 0) + 1);
  }
  let sharedSlots = 0;
  let recordsInSharedSlots = 0;
  let longestChain = perSlot.size > 0 ? 1 : 0;
  for (const count of perSlot.values()) {
    if (count < 2) continue;
    sharedSlots++;
    recordsInSharedSlots += count;
    longestChain = Math.max(longestChain, count);
  }
  return { sharedSlots, recordsInSharedSlots, longestChain };
}

/** The years of the details-YYYY.csv files in `dir`, ascending. Throws the fs error when dir cannot be read. */
export function yearsInDir(dir: string): string[] {
  const years: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = /^details-([0-9]{4})\.csv$/.exec(name);
    if (m) years.push(m[1]!);
  }
  return years.sort();
}
