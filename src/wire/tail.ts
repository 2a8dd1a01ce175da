// A datagram is one UTF-8 JSON object, optionally followed by a NUL byte and binary bytes: the
// records of a packed store travel so (codec.ts), a third smaller than in base64. JSON text never
// holds a raw NUL (RFC 8259 requires control characters in strings to be escaped), so the first
// NUL, if any, is where the JSON text ends.

/** The byte between the JSON text and the binary tail. */
export const TAIL_SEPARATOR = 0x00;

/** Where the JSON text ends: the index of the first NUL, or the datagram's length when it has no tail. */
export function jsonEnd(buf: Uint8Array): number {
  const at = buf.indexOf(TAIL_SEPARATOR);
  return at < 0 ? buf.length : at;
}
