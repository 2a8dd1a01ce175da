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
import { ownerOf, positionOf } from '../data/hashing.js';
import { invariantViolations } from '../manager/invariants.js';
import type { ManagerState } from '../manager/state.js';
import type { SimPeer } from './cluster.js';
import type { SimData } from './sim-data.js';

/**
 * What the DHT must hold, from how its last build (setup, leave, join or repair) ended: every
 * record; none (the leader had no copy of the year, SPEC §6.5 step 5: the ring whole and empty);
 * or whatever it holds, as long as each record is in its place (the build's end is unknown).
 */
export type Holding = 'whole' | 'empty' | 'any';

export interface StateCheckInput {
  readonly state: ManagerState;
  readonly peers: readonly SimPeer[];
  readonly data: SimData;
  readonly holding: Holding;
  /** The confirmed counts (D7) of a build that ended ok in this step: each node must hold its count. */
  readonly reportedCounts: readonly number[] | null;
}

/** A view violation, and the peers whose views it concerns (for a tolerance scoped to some peers). */
export interface ViewViolation {
  readonly text: string;
  readonly peers: readonly string[];
}

export interface StateVerdict {
  readonly hard: string[];
  readonly view: ViewViolation[];
  /** Every record of the year sits exactly where the manager's ring says, once. */
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
  }
  for (const [name, p] of live) {
    if (!state.peers.has(name)) about(name, `${name} says ${p.node.status().state}, but the manager does not have it registered`);
  }
  return out;
}

/**
 * The ring of a DHT without dead members: each member holds the manager's ring at the manager's
 * id, and every record it holds is a row of the year's file, at its position, on its owner, once.
 */
function ringViolations(input: StateCheckInput, members: readonly SimPeer[]): { violations: ViewViolation[]; whole: boolean } {
  const { state, data } = input;
  const dht = state.dht!;
  const names = dht.members;
  const year = data.years.get(dht.year);
  if (year === undefined) return { violations: [{ text: `the DHT is of ${dht.year}, a year no peer has a file of`, peers: names }], whole: false };
  const { l, s } = year.data;
  const n = names.length;
  const out: ViewViolation[] = [];
  const held = new Set<number>();
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
    // Misplaced records are counted per node and kind, with one example each: a broken
    // distribution misplaces dozens, and one line per record would bury the first cause.
    const misplaced = new Map<string, { count: number; example: number }>();
    const note = (kind: string, eventId: number) => {
      const m = misplaced.get(kind) ?? { count: 0, example: eventId };
      m.count++;
      misplaced.set(kind, m);
    };
    const table = p.node.table;
    const reported = input.reportedCounts?.[k];
    if (reported !== undefined && reported !== table.size) about(`${who} holds ${table.size} records; its build confirmed ${reported}`);
    for (const pos of table.positions()) {
      for (const rec of table.bucket(pos)) {
        const row = year.byId.get(rec.eventId);
        if (row === undefined || !sameList(row.fields, rec.fields)) note(`not a row of details-${dht.year}.csv`, rec.eventId);
        if (positionOf(rec.eventId, s) !== pos) note('at the wrong position', rec.eventId);
        if (ownerOf(positionOf(rec.eventId, s), n) !== k) note('owned by another node', rec.eventId);
        if (held.has(rec.eventId)) note('held twice in the ring', rec.eventId);
        held.add(rec.eventId);
      }
    }
    for (const [kind, m] of misplaced) about(`${who} holds ${m.count} records ${kind} (e.g. event ${m.example})`);
  });
  const complete = held.size === l && out.length === 0;
  if (input.holding === 'whole' && held.size !== l) {
    out.push({ text: `the members hold ${held.size} of the ${l} records, and the last build gave no excuse`, peers: names });
  }
  if (input.holding === 'empty' && held.size > 0) {
    out.push({ text: `the members hold ${held.size} records, but the last build's leader had no copy of ${dht.year}: the ring must be whole and empty (SPEC §6.5 step 5)`, peers: names });
  }
  return { violations: out, whole: complete };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** One line naming the DHT, for the step log: year and members in id order. */
export function describeDht(state: ManagerState): string {
  return state.dht === null ? 'no DHT' : `DHT ${state.dht.year} [${state.dht.members.join(', ')}]`;
}
