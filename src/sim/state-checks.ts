// The invariants of a quiescent system: nothing in flight, the manager Idle. Checked after every
// step of a run, they compare what the manager believes with what every live peer holds.
//
// They come in two kinds, and every one of either kind fails the run. *Hard* ones are about one
// process: the manager's own state is consistent, and so on. *View* ones compare processes: the
// manager's view of each peer equals the peer's own, and the ring holds every record exactly where
// the manager's ring says. They hold even after the network defeated a request (a retry budget ran
// out): the procedure reports its failure and the manager tears the DHT down and resets its
// members. With the failure detector a crashed peer leaves the registry, and a ring member that
// died is cut out of the ring (issue 11): a registration or a ring of a dead peer is a violation.
//
// With R ≥ 2 copies of every record (issue 12) a record lives in its owner's table and in the
// copies table of the R − 1 nodes after the owner (min(R, n) nodes in all), and nowhere else: the
// ring check holds every member's tables to that, and a whole DHT to every record on exactly those
// nodes. With R = 1 the copies tables stay empty and the checks are SPEC's.
import { ownerOf, positionOf } from '../data/hashing.js';
import type { LocalTable } from '../data/local-table.js';
import { chainIndex, chainOf, copiesOf } from '../peer/ring-state.js';
import { invariantViolations } from '../manager/invariants.js';
import type { ManagerState } from '../manager/state.js';
import type { SimPeer } from './cluster.js';
import type { SimData } from './sim-data.js';

/**
 * What the DHT must hold, from how its last build (setup, leave, join or repair) ended: every
 * record; none (the leader had no copy of the year, SPEC §6.5 step 5: the ring whole and empty);
 * or whatever it holds, as long as each record is in its place (the build's end is unknown).
 * With R ≥ 2 copies, every record means every copy of it: min(R, n) of them, on its owner and
 * the nodes after it; and each record held, original or copy, must be on one of those nodes.
 */
export type Holding = 'whole' | 'empty' | 'any';

export interface StateCheckInput {
  readonly state: ManagerState;
  readonly peers: readonly SimPeer[];
  readonly data: SimData;
  readonly holding: Holding;
  /** The confirmed counts (D7) of a build that ended ok in this step: each node must hold its count. */
  readonly reportedCounts: readonly number[] | null;
  /** With R ≥ 2, the copies each node confirmed in that build (replicasPerNode): each must keep them. */
  readonly reportedCopies?: readonly number[] | null;
}

/** A view violation, and the peers whose views it concerns (for a tolerance scoped to some peers). */
export interface ViewViolation {
  readonly text: string;
  readonly peers: readonly string[];
}

export interface StateVerdict {
  readonly hard: string[];
  readonly view: ViewViolation[];
  /** Every record of the year sits exactly where the manager's ring says: once, or on its R nodes. */
  readonly whole: boolean;
}

export function checkQuiescentState(input: StateCheckInput): StateVerdict {
  const { state, peers } = input;
  const hard = invariantViolations(state).map((v) => `manager state: ${v}`);
  if (state.mode.kind !== 'Idle') hard.push(`the manager is still in ${state.mode.kind}`);

  const view: ViewViolation[] = [];
  const live = new Map<string, SimPeer>();
  for (const p of peers) {
    const name = p.node.name;
    if (p.dead || name === null) continue;
    // Possible only when one of them wrongly believes it is still registered.
    if (live.has(name)) view.push({ text: `two live peers are registered as ${name}`, peers: [name] });
    live.set(name, p);
  }
  view.push(...registryViolations(state, peers, live));
  const members = state.dht?.members ?? [];
  // A member no live peer answers to is a ghost, already reported above; its ring cannot be checked.
  if (state.dht === null || !members.every((name) => live.has(name))) return { hard, view, whole: false };
  const ring = ringViolations(input, state.dht.members.map((name) => live.get(name)!));
  return { hard, view: [...view, ...ring.violations], whole: ring.whole };
}

/** Registry ↔ peers: the same peers, each in the same state at the same address. */
function registryViolations(state: ManagerState, peers: readonly SimPeer[], live: ReadonlyMap<string, SimPeer>): ViewViolation[] {
  const out: ViewViolation[] = [];
  const about = (name: string, text: string) => out.push({ text, peers: [name] });
  const deadNames = new Set(peers.filter((p) => p.dead && p.nameAtDeath !== null).map((p) => p.nameAtDeath!));
  for (const entry of state.peers.values()) {
    const p = live.get(entry.name);
    if (p === undefined) {
      // The failure detector evicts a crashed peer (issue 11), and a registration whose peer gave
      // up on its register; the step has waited for both.
      if (deadNames.has(entry.name)) about(entry.name, `${entry.name} crashed, and the manager still has it registered (${entry.state})`);
      else about(entry.name, `the manager has ${entry.name} registered (${entry.state}), but no live peer is registered as ${entry.name}`);
      continue;
    }
    const own = p.node.status();
    if (own.state !== entry.state) about(entry.name, `${entry.name}: the manager says ${entry.state}, the peer says ${own.state}`);
    const self = p.node.self!;
    if (self.ip !== entry.ip || self.port !== entry.pPort || p.node.mPort !== entry.mPort) {
      about(entry.name, `${entry.name}: the manager has ${entry.ip}:${entry.mPort}/${entry.pPort}, the peer has ${self.ip}:${p.node.mPort}/${self.port}`);
    }
    if (entry.state === 'Free' && own.records > 0) about(entry.name, `${entry.name} is Free but holds ${own.records} records`);
    if (entry.state === 'Free' && p.node.copies.size > 0) about(entry.name, `${entry.name} is Free but keeps ${p.node.copies.size} copies of other nodes' records`);
    if (entry.state === 'Free' && p.node.held !== null) about(entry.name, `${entry.name} is Free but holds a build of the ring it was in (${heldSize(p)} records)`);
  }
  for (const [name, p] of live) {
    if (!state.peers.has(name)) about(name, `${name} says ${p.node.status().state}, but the manager does not have it registered`);
  }
  return out;
}

/**
 * The ring of a DHT without dead members: each member holds the manager's ring at the manager's
 * id, and every record it holds is a row of the year's file, at its position, on its owner, once;
 * with R ≥ 2, every copy it keeps is of a node whose chain it is in, and the DHT holds each record
 * on exactly the nodes of its chain.
 */
function ringViolations(input: StateCheckInput, members: readonly SimPeer[]): { violations: ViewViolation[]; whole: boolean } {
  const { state, data } = input;
  const dht = state.dht!;
  const names = dht.members;
  const year = data.years.get(dht.year);
  if (year === undefined) return { violations: [{ text: `the DHT is of ${dht.year}, a year no peer has a file of`, peers: names }], whole: false };
  const { l, s } = year.data;
  const n = names.length;
  const replicas = dht.replicas ?? 1;
  const ring = { replicas, n };
  const copies = copiesOf(ring);
  const out: ViewViolation[] = [];
  // The nodes that hold each event: its owner's table, then the copies (in the order found).
  const holders = new Map<number, number[]>();
  // The events held as a node's own records: by one node only.
  const owned = new Set<number>();
  // What each node holds when the DHT is whole, from the file.
  const expected = expectedHoldings(year.data.records.map((rec) => rec.eventId), s, ring);
  members.forEach((p, k) => {
    const who = `${names[k]} (node ${k})`;
    const about = (text: string) => out.push({ text, peers: [names[k]!] });
    const r = p.node.ring;
    if (r === null) {
      about(`${who} holds no ring state`);
      return;
    }
    if (r.id !== k || r.n !== n || r.s !== s || r.year !== dht.year || !sameList(r.ring.map((t) => t.name), names)) {
      about(`${who} has id ${r.id} of [${r.ring.map((t) => t.name).join(', ')}] (${r.year}, s = ${r.s}); the manager has [${names.join(', ')}] (${dht.year}, s = ${s})`);
    }
    if (r.replicas !== replicas) about(`${who} keeps ${r.replicas} copies of every record; the manager's DHT keeps ${replicas}`);
    // Fewer than R members are ever taken out at once (disruptions.ts): no record may be lost.
    if (r.lost !== undefined && r.lost.count > 0) {
      about(`${who} says the ring lost every copy of ${r.lost.count} records${r.lost.dead.length > 0 ? ` when ${r.lost.dead.join(', ')} died` : ''}, with ${replicas} copies and fewer than ${replicas} members taken out at once`);
    }
    // Misplaced records are counted per node and kind, with one example each: a broken
    // distribution misplaces dozens, and one line per record would bury the first cause.
    const misplaced = new Map<string, { count: number; example: number }>();
    const note = (kind: string, eventId: number) => {
      const m = misplaced.get(kind) ?? { count: 0, example: eventId };
      m.count++;
      misplaced.set(kind, m);
    };
    const table = p.node.table;
    const kept = p.node.copies;
    const reported = input.reportedCounts?.[k];
    if (reported !== undefined && reported !== table.size) about(`${who} holds ${table.size} records; its build confirmed ${reported}`);
    const reportedCopies = input.reportedCopies?.[k];
    if (reportedCopies !== undefined && reportedCopies !== kept.size) about(`${who} keeps ${kept.size} copies; its build confirmed ${reportedCopies}`);
    const check = (t: LocalTable, isCopy: boolean) => {
      for (const pos of t.positions()) {
        for (const rec of t.bucket(pos)) {
          const row = year.byId.get(rec.eventId);
          if (row === undefined || !sameList(row.fields, rec.fields)) note(`${isCopy ? 'copies' : 'records'} not a row of details-${dht.year}.csv`, rec.eventId);
          if (positionOf(rec.eventId, s) !== pos) note(`${isCopy ? 'copies' : 'records'} at the wrong position`, rec.eventId);
          const owner = ownerOf(positionOf(rec.eventId, s), n);
          const at = chainIndex(ring, owner, k);
          if (!isCopy && owner !== k) note('records owned by another node', rec.eventId);
          if (isCopy && (at === 0 || at >= copies)) note(`copies of records whose chain of ${copies} (from node ${owner}) it is not in`, rec.eventId);
          const list = holders.get(rec.eventId) ?? [];
          if (list.includes(k)) note('records both as its own and as a copy', rec.eventId);
          if (!isCopy && owned.has(rec.eventId)) note('records held twice in the ring', rec.eventId);
          if (!isCopy) owned.add(rec.eventId);
          list.push(k);
          holders.set(rec.eventId, list);
        }
      }
    };
    check(table, false);
    check(kept, true);
    for (const [kind, m] of misplaced) about(`${who} holds ${m.count} ${kind} (e.g. event ${m.example})`);
    if (input.holding === 'whole' && replicas >= 2) {
      // Every node's share of a whole DHT, and nothing more: no build left aside once the new one is whole.
      if (table.size !== expected.table[k] || kept.size !== expected.copies[k]) {
        about(`${who} holds ${table.size} records and ${kept.size} copies; a whole DHT of ${copies} copies puts ${expected.table[k]} and ${expected.copies[k]} there`);
      }
      if (p.node.held !== null) about(`${who} still holds the build before this one (${heldSize(p)} records) though this one is whole`);
    }
  });
  // An event's copies: each node of its chain once (the checks above flag a node outside it).
  let inPlace = 0;
  const short: string[] = [];
  for (const rec of year.data.records) {
    const list = holders.get(rec.eventId) ?? [];
    if (list.length === copies && new Set(list).size === copies) inPlace++;
    else if (short.length < 3) {
      const chain = chainOf(ring, ownerOf(positionOf(rec.eventId, s), n));
      short.push(`event ${rec.eventId} on [${list.map((k) => names[k]).join(', ')}], its chain [${chain.map((k) => names[k]).join(', ')}]`);
    }
  }
  const heldEvents = holders.size;
  const complete = inPlace === l && heldEvents === l && out.length === 0;
  if (input.holding === 'whole' && replicas === 1 && heldEvents !== l) {
    out.push({ text: `the members hold ${heldEvents} of the ${l} records, and the last build gave no excuse`, peers: names });
  }
  if (input.holding === 'whole' && replicas >= 2 && inPlace !== l) {
    out.push({ text: `${l - inPlace} of the ${l} records are not on exactly the ${copies} live nodes of their chain, and the last build gave no excuse (${short.join('; ')})`, peers: names });
  }
  if (input.holding === 'empty' && heldEvents > 0) {
    out.push({ text: `the members hold ${heldEvents} records, but the last build's leader had no copy of ${dht.year}: the ring must be whole and empty (SPEC §6.5 step 5)`, peers: names });
  }
  return { violations: out, whole: complete };
}

/** What each node of a whole DHT holds: its own records, and the copies of the nodes before it. */
function expectedHoldings(eventIds: readonly number[], s: number, ring: { readonly replicas: number; readonly n: number }): { table: number[]; copies: number[] } {
  const table = new Array<number>(ring.n).fill(0);
  const copies = new Array<number>(ring.n).fill(0);
  for (const eventId of eventIds) {
    const chain = chainOf(ring, ownerOf(positionOf(eventId, s), ring.n));
    table[chain[0]!]!++;
    for (const k of chain.slice(1)) copies[k]!++;
  }
  return { table, copies };
}

/** The records of a peer's held build (held-build.ts): its own and its copies. */
function heldSize(p: SimPeer): number {
  const held = p.node.held;
  return held === null ? 0 : held.table.size + held.copies.size;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** One line naming the DHT, for the step log: year and members in id order. */
export function describeDht(state: ManagerState): string {
  return state.dht === null ? 'no DHT' : `DHT ${state.dht.year} [${state.dht.members.join(', ')}]`;
}
