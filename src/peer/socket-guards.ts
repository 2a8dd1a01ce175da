// The decorators a peer puts around its two sockets when it registers (issue 5): with a system
// secret, the authentication of every datagram; then a rate limit on every source that is not a
// member of its ring (p-port) or its manager (m-port), so that a flood from a stranger costs a map
// look-up per datagram and stops there.
import { AuthenticatedSocket } from '../transport/authenticated-socket.js';
import { RateLimitedSocket } from '../transport/rate-limit.js';
import { PEER_STRANGER_BURST, PEER_STRANGER_RATE_PER_S } from '../transport/timing.js';
import { formatAddress, type Address, type DatagramSocket } from '../transport/udp-socket.js';
import type { Tuple } from '../wire/messages.js';
import type { PeerNode } from './node.js';

/** The p-port addresses of a ring, built once per ring array (a ring of 1000 is looked up often). */
const ringAddresses = new WeakMap<readonly Tuple[], ReadonlySet<string>>();

/** True when `from` is the p-port of a member of the node's ring. */
export function isRingMember(node: PeerNode, from: Address): boolean {
  const ring = node.ring?.ring;
  if (ring === undefined) return false;
  let set = ringAddresses.get(ring);
  if (set === undefined) {
    set = new Set(ring.map(formatAddress));
    ringAddresses.set(ring, set);
  }
  return set.has(formatAddress(from));
}

/** A peer socket behind the stranger rate limit; `side` names it in the notes. */
export function guardPeerSocket(node: PeerNode, socket: DatagramSocket, side: 'm-port' | 'p-port'): RateLimitedSocket {
  const manager = formatAddress(node.manager);
  const secret = node.secret;
  const authed =
    secret === undefined
      ? socket
      : new AuthenticatedSocket(socket, secret, node.wallClock, node.clock, (why, from, detail) => {
          node.dropped.badSecret++;
          node.dropNote('datagrams without the secret', `dropped a datagram to the ${side} from ${formatAddress(from)}: ${detail}`);
        });
  const exempt = side === 'm-port' ? (from: Address) => formatAddress(from) === manager : (from: Address) => isRingMember(node, from);
  return new RateLimitedSocket(authed, node.clock, { perSecond: PEER_STRANGER_RATE_PER_S, burst: PEER_STRANGER_BURST }, {
    exempt,
    onDrop: (from) => {
      node.dropped.rateLimited++;
      node.dropNote('datagrams over the rate limit', `dropped a datagram to the ${side} from ${formatAddress(from)}: over its rate limit`);
    },
  });
}
