// Syntax checks of SPEC §2 and D11, shared by the manager and by the peer's local checks (§5) so
// that both refuse the same input with the same words. Each returns null when the value is valid,
// else the error text, which names the offending value. They never throw, whatever they are given.

/** A peer name: 1 to 15 ASCII letters, case-sensitive (`bob` is valid, `peer1` is not). */
export const PEER_NAME = /^[A-Za-z]{1,15}$/;

/** Lowest and highest port a peer may register (SPEC §2): below 1024 are the privileged ports. */
export const MIN_PORT = 1024;
export const MAX_PORT = 65535;

/** The smallest ring (SPEC §2, D13). */
export const MIN_RING_SIZE = 3;

/**
 * One octet: 0, or 1–255 without a leading zero. "01" is refused on purpose: inet_aton and some
 * other parsers read a leading-zero octet as octal (010 = 8), so such an address is ambiguous.
 */
const OCTET = '(?:0|[1-9][0-9]{0,2})';
const DOTTED_QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Offending values are echoed at most this long, so an error reply stays small. */
const MAX_SHOWN_CHARS = 40;

/** A value as an error text shows it: JSON-quoted when a string, cut to a readable length. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
  return typeof value === 'string' ? JSON.stringify(cut) : cut;
}

export function checkPeerName(name: string): string | null {
  return typeof name === 'string' && PEER_NAME.test(name)
    ? null
    : `peer name ${quote(name)} is invalid: use 1 to 15 letters`;
}

export function checkIpv4(ip: string): string | null {
  if (typeof ip === 'string' && DOTTED_QUAD.test(ip) && ip.split('.').every((octet) => Number(octet) <= 255)) return null;
  return `IPv4 address ${quote(ip)} is invalid: use a dotted quad of four decimal octets 0-255, without leading zeros`;
}

/** `label` names the port in the message, e.g. "m-port" or "p-port". */
export function checkPort(port: unknown, label: string): string | null {
  return Number.isInteger(port) && (port as number) >= MIN_PORT && (port as number) <= MAX_PORT
    ? null
    : `${label} ${quote(port)} is invalid: use an integer ${MIN_PORT}-${MAX_PORT}`;
}

export function checkRingSize(n: unknown): string | null {
  return Number.isInteger(n) && (n as number) >= MIN_RING_SIZE
    ? null
    : `n must be an integer of at least ${MIN_RING_SIZE} (got ${quote(n)})`;
}

export function checkYear(year: string): string | null {
  return typeof year === 'string' && /^[0-9]{4}$/.test(year)
    ? null
    : `year ${quote(year)} is invalid: use four decimal digits`;
}
