// The manager's keys (issue 5): each registered peer's own key P, and each DHT's key K with the
// grants that carry K to its members through the leader (wire/grant.ts). Keys are drawn from a
// KeySource: the operating system's random bytes in a real manager, a seeded stream in the
// simulation (so a seed replays exactly). The state machine stays pure: it only calls the source.
import { randomBytes } from 'node:crypto';
import type { Rng } from '../data/seeded-random.js';
import { sealGrant, type NamedGrant } from '../wire/grant.js';
import { KEY_BYTES, keyBytes, keyText } from '../wire/mac.js';
import type { Dht, ManagerState } from './state.js';

/** A fresh random key, as base64url text (43 characters). */
export type KeySource = () => string;

/** Keys from the operating system's cryptographic random source. */
export const cryptoKeys: KeySource = () => keyText(randomBytes(KEY_BYTES));

/** Keys from a seeded stream: for simulations and tests only (predictable by design). */
export function seededKeys(random: Rng): KeySource {
  return () => keyText(Buffer.from(Array.from({ length: KEY_BYTES }, () => Math.floor(random() * 256))));
}

/** The grants of every member but the leader (members[0]), each sealed under that member's P. */
export function grantsFor(state: ManagerState, dht: Dht): NamedGrant[] {
  const ringKey = keyBytes(dht.key)!;
  return dht.members.slice(1).map((name) => {
    const peerKey = keyBytes(state.peers.get(name)?.key)!;
    return { name, ...sealGrant(peerKey, name, dht.serial, ringKey) };
  });
}

/** What setup-dht's reply carries for the leader: K, the DHT's number and the members' grants. */
export function setupKeys(state: ManagerState, dht: Dht): { key: string; serial: number; grants: NamedGrant[] } {
  return { key: dht.key, serial: dht.serial, grants: grantsFor(state, dht) };
}
