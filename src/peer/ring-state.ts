// A node's view of the ring it belongs to (SPEC §6.1), and the pure helpers over it.
import type { LostRecords, Tuple } from '../wire/messages.js';
import type { Address } from '../transport/udp-socket.js';

export interface RingState {
  /** This node's id, 0…n−1; id 0 is the leader. */
  readonly id: number;
  readonly n: number;
  /** The local table size (first prime > 2l). */
  readonly s: number;
  readonly year: string;
  /** The n tuples, indexed by id. */
  readonly ring: readonly Tuple[];
  /**
   * Names this build of the ring (set by set-id or reset-id). Stores and counts of another build,
   * for example late copies from before a teardown, are dropped. null between a teardown and the
   * renumbering that follows it: no store is accepted then.
   */
  readonly epoch: string | null;
  /** The DHT's key K (issue 5): it proves and checks every control message of the ring (ring-auth.ts). */
  readonly key: Buffer;
  /** R, the copies the DHT keeps of every record (issue 12): 1 is SPEC's DHT of one copy. */
  readonly replicas: number;
  /** With R ≥ 2: the records the DHT was set up with, and those it has lost every copy of. */
  readonly l?: number;
  readonly lost?: LostRecords;
}

/** The copies this ring keeps of a record: R, but never more than there are nodes. */
export function copiesOf(r: Pick<RingState, 'replicas' | 'n'>): number {
  return Math.max(1, Math.min(r.replicas, r.n));
}

/**
 * Where node `id` stands in the chain of `owner`'s records: 0 for the owner itself, k for the k-th
 * node after it; a record of that owner lives on the nodes at 0…copiesOf − 1 (issue 12).
 */
export function chainIndex(r: Pick<RingState, 'n'>, owner: number, id: number): number {
  return (id - owner + r.n) % r.n;
}

/** True when node `id` keeps a copy (or the original) of `owner`'s records. */
export function holdsRecordsOf(r: Pick<RingState, 'replicas' | 'n'>, owner: number, id: number): boolean {
  return chainIndex(r, owner, id) < copiesOf(r);
}

/** The ids that keep `owner`'s records: the owner, then the copiesOf − 1 nodes after it. */
export function chainOf(r: Pick<RingState, 'replicas' | 'n'>, owner: number): number[] {
  return Array.from({ length: copiesOf(r) }, (_, k) => (owner + k) % r.n);
}

/** What a ring carries from build to build besides its members: s, year, key and replication. */
export function carried(r: RingState): Pick<RingState, 's' | 'year' | 'key' | 'replicas' | 'l' | 'lost'> {
  return { s: r.s, year: r.year, key: r.key, replicas: r.replicas, ...(r.l === undefined ? {} : { l: r.l }), ...(r.lost === undefined ? {} : { lost: r.lost }) };
}

/** The peer's own view of its state (SPEC §3, §14 status). */
export type PeerStateName = 'Unregistered' | 'Free' | 'Leader' | 'InDHT';

export function rightNeighbour(r: RingState): Tuple {
  return r.ring[(r.id + 1) % r.n]!;
}

export function sameTuple(a: Tuple, b: Tuple): boolean {
  return a.name === b.name && a.ip === b.ip && a.port === b.port;
}

export function addressOf(t: Tuple): Address {
  return { ip: t.ip, port: t.port };
}

/**
 * The ring after node `leaverId` leaves, starting at its right neighbour (SPEC §6.5 step 2):
 * new[k] = ring[(i+1+k) mod n] for k = 0…n−2.
 */
export function ringWithout(ring: readonly Tuple[], leaverId: number): Tuple[] {
  const n = ring.length;
  return Array.from({ length: n - 1 }, (_, k) => ring[(leaverId + 1 + k) % n]!);
}

/** The ring after a join: the joiner appended as id n, between node n−1 and node 0 (D16). */
export function ringWith(ring: readonly Tuple[], joiner: Tuple): Tuple[] {
  return [...ring, joiner];
}

/** A fresh epoch name for a new build of the ring. */
export function newEpoch(random: () => number): string {
  return Math.floor(random() * 2 ** 48).toString(36);
}
