// Grants (issue 5): how the manager hands a ring member the DHT's key K through the leader, which
// it cannot trust with anything but K itself. At register the manager gives each peer a random key
// P of its own; at setup-dht it seals K for each member i under P_i, and the leader puts member
// i's grant into its set-id. The member checks the grant's tag with its own P (so the grant comes
// from the manager, for this member, for this DHT), unseals K, and then checks the set-id's MAC
// under K. The leader learns nothing it did not know; a stranger cannot make a grant.
import { timingSafeEqual } from 'node:crypto';
import { hmac, keyBytes, KEY_BYTES } from './mac.js';

/** The most grants one dht-grants reply carries (about 130 bytes each). */
export const GRANTS_PER_PAGE = 200;

export interface Grant {
  /** Which DHT: the manager numbers its DHTs; a member refuses a grant older than one it accepted. */
  readonly serial: number;
  /** K XOR HMAC(P, pad label | name | serial), base64url. */
  readonly sealed: string;
  /** HMAC(P, tag label | name | serial | sealed), base64url. */
  readonly tag: string;
}

/** A grant with the name of the member it is for, as setup-dht's reply lists them. */
export interface NamedGrant extends Grant {
  readonly name: string;
}

function pad(peerKey: Uint8Array, name: string, serial: number): Buffer {
  return hmac(peerKey, 'stormdht-grant-pad\0', name, '\0', String(serial));
}

function tagOf(peerKey: Uint8Array, name: string, serial: number, sealed: string): string {
  return hmac(peerKey, 'stormdht-grant-tag\0', name, '\0', String(serial), '\0', sealed).toString('base64url');
}

/** Seals `ringKey` for member `name` under its own key; deterministic, so a repeat is identical. */
export function sealGrant(peerKey: Uint8Array, name: string, serial: number, ringKey: Uint8Array): Grant {
  const p = pad(peerKey, name, serial);
  const sealed = Buffer.alloc(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) sealed[i] = ringKey[i]! ^ p[i]!;
  const text = sealed.toString('base64url');
  return { serial, sealed: text, tag: tagOf(peerKey, name, serial, text) };
}

/** K from a grant for member `name`, or null when its tag does not hold under `peerKey`. */
export function openGrant(peerKey: Uint8Array, name: string, grant: Grant): Buffer | null {
  const sealed = keyBytes(grant.sealed);
  if (sealed === null || !Number.isSafeInteger(grant.serial)) return null;
  const expected = Buffer.from(tagOf(peerKey, name, grant.serial, grant.sealed));
  const given = Buffer.from(String(grant.tag));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const p = pad(peerKey, name, grant.serial);
  const ringKey = Buffer.alloc(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) ringKey[i] = sealed[i]! ^ p[i]!;
  return ringKey;
}
