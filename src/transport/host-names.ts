// Host names where a person types an address (issue 15): `stormdht manager --host`, a peer's
// manager, the address of `register <name> <IPv4> <m-port> <p-port>`. Each name is resolved once,
// where it is typed, to the IPv4 literal used from then on: the sockets (udp-socket.ts
// literalLookup), the manager's registry and every datagram take literals only (SPEC §2), so a
// name never reaches them, and no datagram waits for a lookup.
import { lookup } from 'node:dns/promises';
import { isIPv6 } from 'node:net';

/** Asks for a host's IPv4 address; rejects with the resolver's error (its `code`, e.g. ENOTFOUND). */
export type LookupIpv4 = (host: string) => Promise<string>;

/** The system's resolver (getaddrinfo: /etc/hosts, then DNS), IPv4 answers only. */
export const systemLookupIpv4: LookupIpv4 = async (host) => (await lookup(host, { family: 4 })).address;

export type ResolvedHost = { readonly ok: true; readonly ip: string } | { readonly ok: false; readonly error: string };

/** One label of a host name (RFC 1123): letters, digits and inner hyphens, 1 to 63 of them. */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** Labels joined by dots, at most 253 characters, with an optional final dot (`localhost.`). */
const HOST_NAME = new RegExp(`^(?=.{1,253}\\.?$)${LABEL}(?:\\.${LABEL})*\\.?$`);

/**
 * Digits and dots only: meant as a dotted quad, valid or not, and never looked up. `1.2.3` would
 * otherwise reach the resolver, which reads it as 1.2.0.3 (inet_aton); the IPv4 check refuses it.
 */
export function looksLikeIpv4(text: string): boolean {
  return /^[0-9.]*$/.test(text);
}

/**
 * `text` as an IPv4 address. Digits and dots come back unchanged, for the caller's IPv4 check to
 * judge in its own words; a host name comes back as the address `lookup` gives it; anything else,
 * or a name that does not resolve, is an error text that quotes it.
 */
export async function resolveHost(text: string, lookupIpv4: LookupIpv4 = systemLookupIpv4): Promise<ResolvedHost> {
  if (looksLikeIpv4(text)) return { ok: true, ip: text };
  const shown = JSON.stringify(text);
  if (isIPv6(text)) return { ok: false, error: `${shown} is an IPv6 address: stormdht speaks IPv4 only` };
  if (!HOST_NAME.test(text)) return { ok: false, error: `${shown} is neither an IPv4 address nor a host name` };
  try {
    return { ok: true, ip: await lookupIpv4(text) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { ok: false, error: `cannot resolve ${shown} to an IPv4 address (${code})` };
  }
}
