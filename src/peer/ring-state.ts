// A node's view of the ring it belongs to (SPEC §6.1), and the pure helpers over it.
import type { Tuple } from '../wire/messages.js';
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
