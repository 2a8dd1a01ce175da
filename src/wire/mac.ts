// The ring's message authentication code (issue 5): a peer-to-peer control message carries
// HMAC-SHA256 under the DHT's key K as its last JSON key, `"mac"`, computed over the datagram's
// bytes without it. Everything here works on bytes, so a forwarder that passes a message on
// unchanged (a store) sends the very bytes it got, whose MAC still holds; one that changes a
// message (count, reset-id) encodes it again and the MAC is made afresh. A datagram with a binary
// tail (tail.ts: a packed store) has the trailer at the end of its JSON text, and the MAC covers
// the tail too.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { jsonEnd } from './tail.js';

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

/** Where the trailing `,"mac":"…"}` of the JSON text (which ends at `end`) starts, or -1 when it has none. */
function trailerStart(buf: Uint8Array, end: number): number {
  const start = end - MAC_OVERHEAD_BYTES - 1;
  if (start < 1 || buf[end - 1] !== CLOSE_BRACE || buf[end - 2] !== QUOTE) return -1;
  for (let i = 0; i < TRAILER_HEAD.length; i++) if (buf[start + i] !== TRAILER_HEAD[i]) return -1;
  return start;
}

const CLOSE = Buffer.of(CLOSE_BRACE);

/** The MAC of the JSON text without its trailer (up to `cut`), closed again, and of the tail from `end`. */
function macOf(key: Uint8Array, buf: Uint8Array, cut: number, end: number): string {
  return hmac(key, buf.subarray(0, cut), CLOSE, buf.subarray(end)).toString('base64url');
}

/** The datagram with `"mac"` under `key` as its JSON text's last key (any old trailing mac replaced). */
export function appendMac(buf: Uint8Array, key: Uint8Array): Buffer {
  const end = jsonEnd(buf);
  const old = trailerStart(buf, end);
  const cut = old >= 0 ? old : end - 1;
  const mac = macOf(key, buf, cut, end);
  return Buffer.concat([buf.subarray(0, cut), TRAILER_HEAD, Buffer.from(mac, 'ascii'), Buffer.from('"}'), buf.subarray(end)]);
}

/** True when the datagram ends with a `"mac"` that is the HMAC under `key` of the rest. */
export function verifyMac(buf: Uint8Array, key: Uint8Array): boolean {
  const end = jsonEnd(buf);
  const start = trailerStart(buf, end);
  if (start < 0) return false;
  const given = Buffer.from(buf.subarray(start + TRAILER_HEAD.length, start + TRAILER_HEAD.length + MAC_TEXT_CHARS));
  const expected = Buffer.from(macOf(key, buf, start, end), 'ascii');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
