// The ring's message authentication code (issue 5): a peer-to-peer control message carries
// HMAC-SHA256 under the DHT's key K as its last JSON key, `"mac"`, computed over the datagram's
// bytes without it. Everything here works on bytes, so a forwarder that passes a message on
// unchanged (a store) sends the very bytes it got, whose MAC still holds; one that changes a
// message (count, reset-id) encodes it again and the MAC is made afresh.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Bytes of a key: K, a peer's P, a derived secret. */
export const KEY_BYTES = 32;

/** `,"mac":"` + 43 base64url characters + `"`: what sealing adds to a datagram. */
export const MAC_OVERHEAD_BYTES = 52;

const MAC_TEXT_CHARS = 43;
const TRAILER_HEAD = Buffer.from(',"mac":"');
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;

export function hmac(key: Uint8Array, ...parts: ReadonlyArray<string | Uint8Array>): Buffer {
  const h = createHmac('sha256', key);
  for (const part of parts) h.update(part);
  return h.digest();
}

/** A fresh random key as text: 32 bytes, base64url (43 characters). */
export function keyText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** A key's bytes from its text; null unless it is exactly 32 bytes of base64url. */
export function keyBytes(text: unknown): Buffer | null {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.length === KEY_BYTES ? bytes : null;
}

/** Where the trailing `,"mac":"…"}` starts, or -1 when the datagram does not end with one. */
function trailerStart(buf: Uint8Array): number {
  const start = buf.length - MAC_OVERHEAD_BYTES - 1;
  if (start < 1 || buf[buf.length - 1] !== CLOSE_BRACE || buf[buf.length - 2] !== QUOTE) return -1;
  for (let i = 0; i < TRAILER_HEAD.length; i++) if (buf[start + i] !== TRAILER_HEAD[i]) return -1;
  return start;
}

/** The bytes the MAC covers: the datagram without its trailer, closed again. */
function body(buf: Uint8Array, end: number): Buffer {
  return Buffer.concat([buf.subarray(0, end), Buffer.of(CLOSE_BRACE)]);
}

/** The datagram with `"mac"` under `key` as its last key (any old trailing mac replaced). */
export function appendMac(buf: Uint8Array, key: Uint8Array): Buffer {
  const old = trailerStart(buf);
  const end = old >= 0 ? old : buf.length - 1;
  const mac = hmac(key, body(buf, end)).toString('base64url');
  return Buffer.concat([buf.subarray(0, end), TRAILER_HEAD, Buffer.from(mac, 'ascii'), Buffer.from('"}')]);
}

/** True when the datagram ends with a `"mac"` that is the HMAC under `key` of the rest. */
export function verifyMac(buf: Uint8Array, key: Uint8Array): boolean {
  const start = trailerStart(buf);
  if (start < 0) return false;
  const given = Buffer.from(buf.subarray(start + TRAILER_HEAD.length, start + TRAILER_HEAD.length + MAC_TEXT_CHARS));
  const expected = Buffer.from(hmac(key, body(buf, start)).toString('base64url'), 'ascii');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
