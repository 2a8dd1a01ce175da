// The leader's collection of a ring's records (issue 12). With R ≥ 2 copies a rebuild (a repair
// after a death, a leave, a join) takes its records from the ring instead of a file: every member
// has taken the new build's id already and holds the build it replaces (held-build.ts); the leader
// fetches every member's held records page by page, a few pages in flight per member, adds its
// own, and keeps one copy of each event. What no member held any more is lost, and counted: the
// ring's l minus the records collected.
import { parseEventId } from '../../data/fields.js';
import { positionOf } from '../../data/hashing.js';
import { yearOfRecords, type YearData } from '../../data/csv.js';
import type { FetchResult, LostRecords, Tuple } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { sameTuple } from '../ring-state.js';
import { heldTables } from '../held-build.js';

/** Fetches in flight to one member: pages are small, and a few hide the round trip. */
const PAGES_IN_FLIGHT = 4;

export interface Gathered {
  readonly data: YearData;
  /** The records lost so far when more than the ring knew of were missing; else undefined. */
  readonly lost?: LostRecords;
}

/** Collects the records of node.ring's held builds (this node is node 0 of the new build). */
export async function gatherRing(node: PeerNode): Promise<Gathered> {
  const r = node.ring;
  const self = node.self;
  if (r === null || r.epoch === null || self === null) throw new Error('only node 0 of a built ring gathers its records');
  const epoch = r.epoch;
  const lines: string[] = [];
  const ids: number[] = [];
  const seen = new Set<number>();
  let copies = 0;
  const keep = (pos: number, eventId: number, line: string) => {
    if (seen.has(eventId)) {
      copies++;
      return;
    }
    seen.add(eventId);
    lines.push(line);
    ids.push(eventId);
  };
  const held = node.held;
  if (held !== null) for (const table of heldTables(held)) for (const rec of table.lines()) keep(rec.pos, rec.eventId, rec.line);
  let pages = 0;
  let refused = 0;
  const members = r.ring.filter((t) => !sameTuple(t, self));
  await Promise.all(
    members.map((member) =>
      fetchAll(node, member, epoch, (page) => {
        pages++;
        for (const rec of page.records) {
          const eventId = parseEventId(rec.fields[0]!);
          // A record filed at a position its id does not hash to is not taken (as a store would not keep it).
          if (eventId === null || positionOf(eventId, r.s) !== rec.pos) {
            refused++;
            continue;
          }
          keep(rec.pos, eventId, rec.fields.join(','));
        }
      }),
    ),
  );
  if (node.ring?.epoch !== epoch) throw new Error('the ring was rebuilt again while its records were collected');
  const data = yearOfRecords(r.year, 'the ring', lines, ids, r.s);
  const faulty = refused > 0 ? `; refused ${refused} records filed at a position their id does not hash to` : '';
  node.note(`collected ${data.l} records from ${members.length} members in ${pages} pages (and ${copies} further copies)${faulty}`);
  const lostNow = r.l === undefined ? 0 : r.l - data.l;
  const lostBefore = r.lost?.count ?? 0;
  if (lostNow <= lostBefore) return { data };
  const dead = held === null ? [] : held.ring.ring.filter((t) => !r.ring.some((u) => u.name === t.name)).map((t) => t.name);
  const lost: LostRecords = { count: lostNow, dead: [...new Set([...(r.lost?.dead ?? []), ...dead])] };
  node.note(`${lostNow - lostBefore} records lost every copy${dead.length > 0 ? ` when ${dead.join(', ')} died` : ''}: a query for one fails, saying so`, 'warn');
  return { data, lost };
}

/** Fetches every page of `member`'s held records, PAGES_IN_FLIGHT at a time, handing each to `take`. */
async function fetchAll(node: PeerNode, member: Tuple, epoch: string, take: (page: FetchResult) => void): Promise<void> {
  const self = node.self!;
  let next = 0;
  let end = Infinity;
  const worker = async () => {
    for (;;) {
      const page = next++;
      if (page > end) return;
      const answer = await node.peerRequest(member, { type: 'fetch', origin: self, epoch, page });
      if (answer.type !== 'fetch-result') throw new Error(`fetch answered by ${member.name} with ${answer.type}`);
      if (answer.end) end = Math.min(end, page);
      if (page <= end) take(answer);
    }
  };
  await Promise.all(Array.from({ length: PAGES_IN_FLIGHT }, worker));
}
