// The manager's keys (issue 5): each registered peer's own key P, and each DHT's key K with the
// grants that carry K to its members through the leader (wire/grant.ts). Keys are drawn from a
// KeySource: the operating system's random bytes in a real manager, a seeded stream in the
// simulation (so a seed replays exactly). The state machine stays pure: it only calls the source.
import { randomBytes } from 'node:crypto';
import type { Rng } from '../data/seeded-random.js';
import { sealGrant, type NamedGrant } from '../wire/grant.js';
export { GRANTS_PER_PAGE } from '../wire/grant.js';
import { KEY_BYTES, keyBytes, keyText } from '../wire/mac.js';
import { tupleOf, type Dht, type ManagerState, type PeerEntry } from './state.js';
import type { Tuple } from '../wire/messages.js';

/** A fresh random key, as base64url text (43 characters). */
export type KeySource = () => string;

/** Keys from the operating system's cryptographic random source. */
export const cryptoKeys: KeySource = () => keyText(randomBytes(KEY_BYTES));

/** Keys from a seeded stream: for simulations and tests only (predictable by design). */
export function seededKeys(random: Rng): KeySource {
  return () => keyText(Buffer.from(Array.from({ length: KEY_BYTES }, () => Math.floor(random() * 256))));
}

/** The grants of members from…to−1 (ring ids; 0 is the leader, which needs none), each sealed under that member's P. */
export function grantsFor(state: ManagerState, dht: Dht, from = 1, to = dht.members.length): NamedGrant[] {
  const ringKey = keyBytes(dht.key)!;
  return dht.members.slice(Math.max(from, 1), to).map((name) => {
    const peerKey = keyBytes(state.peers.get(name)?.key)!;
    return { name, ...sealGrant(peerKey, name, dht.serial, ringKey) };
  });
}

/**
 * The bytes of setup-dht's reply given to the ring and the grants, well under the 60,000-byte
 * datagram cap (the system secret's envelope and the reply's own keys come on top). The grants
 * that do not fit are fetched by the leader with dht-grants, GRANTS_PER_PAGE at a time.
 */
export const SETUP_REPLY_BUDGET = 50_000;

/**
 * What setup-dht's reply carries for the leader: K, the DHT's number and the grants of the
 * members 1…k that fit SETUP_REPLY_BUDGET beside the ring (all of them in rings of a few hundred).
 */
function setupKeys(state: ManagerState, dht: Dht, ringBytes: number): { key: string; serial: number; grants: NamedGrant[] } {
  const grants: NamedGrant[] = [];
  let bytes = ringBytes;
  for (const grant of grantsFor(state, dht)) {
    bytes += JSON.stringify(grant).length + 1;
    if (bytes > SETUP_REPLY_BUDGET) break;
    grants.push(grant);
  }
  return { key: dht.key, serial: dht.serial, grants };
}

/** setup-dht's reply payload: the ring in id order (position i is node i), K, the DHT's number and the grants that fit. */
export function setupPayload(state: ManagerState, dht: Dht): { ring: Tuple[]; key: string; serial: number; grants: NamedGrant[]; replicas?: number } {
  const ring = dht.members.map((name) => state.peers.get(name)).filter((p): p is PeerEntry => p !== undefined).map(tupleOf);
  return { ring, ...setupKeys(state, dht, JSON.stringify(ring).length), ...(dht.replicas === undefined ? {} : { replicas: dht.replicas }) };
}
