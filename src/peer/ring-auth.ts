// Ring authentication (issue 5): the peer-to-peer control messages are accepted only from members
// of the current ring, which prove it with an HMAC-SHA256 under the DHT's key K (wire/mac.ts).
// A node learns K from its grant in set-id (wire/grant.ts), or as the leader or a joiner from the
// manager's reply. Two hooks of the p-port's endpoint do the work: `seal` signs every control
// message sent with the key this node holds, and `admit` drops every control message received
// that no held key proves, before it is traced, cached or handled. find-event and the answers
// matched by rid (reply, find-result) stay open.
import { formatAddress, type Address } from '../transport/udp-socket.js';
import type { Grant } from '../wire/grant.js';
import { openGrant } from '../wire/grant.js';
import { appendMac, verifyMac } from '../wire/mac.js';
import type { Message, MessageType } from '../wire/messages.js';
import type { PeerNode } from './node.js';

/** The messages that must carry the ring's MAC. */
export const CONTROL_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  'set-id',
  'store',
  'store-ack',
  'count',
  'teardown',
  'reset-id',
  'rebuild-dht',
  'rebuild-done',
  'join-request',
  'join-done',
  'fetch',
  'fetch-result',
]);

/** A peer's keys besides its ring's K (which lives in its RingState, and goes with it). */
export interface PeerKeys {
  /** Its own key P, from the manager's register reply: its grants are sealed under it. */
  peerKey: Buffer | null;
  /** The newest DHT (serial) it has taken a grant of: an older grant is refused. */
  newestSerial: number;
  /** K while this node runs a leave (out of the ring, awaiting rebuild-done) or a join (not yet in). */
  lingering: Buffer | null;
  /**
   * K of the ring a final teardown took this node out of: it admits only later copies of that
   * teardown (which the node forwards to where the first went, SPEC §1.4 item 4), nothing else.
   */
  left: Buffer | null;
}

export function noKeys(): PeerKeys {
  return { peerKey: null, newestSerial: 0, lingering: null, left: null };
}

/** The keys a control message may be proven with. */
function heldKeys(node: PeerNode): Buffer[] {
  const keys: Buffer[] = [];
  if (node.ring !== null) keys.push(node.ring.key);
  if (node.keys.lingering !== null) keys.push(node.keys.lingering);
  return keys;
}

/**
 * K from a grant addressed to this node: its tag holds under this node's P, and it is not older
 * than the newest DHT this node took a grant of (the same DHT again only while it holds that K:
 * a repeated set-id whose first reply was lost).
 */
export function grantKey(node: PeerNode, grant: Grant): Buffer | null {
  const { peerKey, newestSerial } = node.keys;
  const name = node.name;
  if (peerKey === null || name === null || grant.serial < newestSerial) return null;
  const key = openGrant(peerKey, name, grant);
  if (key === null) return null;
  if (grant.serial === newestSerial && !heldKeys(node).some((k) => k.equals(key))) return null;
  return key;
}

/** The key that proves a control message, or null. A set-id with a grant is proven by the grant's K. */
export function provingKey(node: PeerNode, msg: Message, raw: Buffer): Buffer | null {
  if (msg.type === 'set-id' && msg.grant !== undefined) {
    const key = grantKey(node, msg.grant);
    return key !== null && verifyMac(raw, key) ? key : null;
  }
  const held = heldKeys(node).find((key) => verifyMac(raw, key));
  if (held !== undefined) return held;
  return isCopyOfTeardownLeft(node, msg) && verifyMac(raw, node.keys.left!) ? node.keys.left : null;
}

/** A copy of the final teardown that took this node out of its ring: its own, or one it forwarded. */
function isCopyOfTeardownLeft(node: PeerNode, msg: Message): boolean {
  if (msg.type !== 'teardown' || node.keys.left === null) return false;
  return msg.origin.name === node.name || node.seen.has(`teardown|${msg.origin.name}|${msg.rid}`);
}

/** The p-port endpoint's hooks: sign what is sent, admit only what a held key proves. */
export function ringGuard(node: PeerNode): { seal: (buf: Buffer, msg: Message) => Buffer; admit: (msg: Message, raw: Buffer, from: Address) => boolean } {
  return {
    seal: (buf, msg) => {
      if (!CONTROL_TYPES.has(msg.type)) return buf;
      const key = node.ring?.key ?? node.keys.lingering;
      // Without a key the message goes out unsigned, and its receiver drops it: no one in a ring sends it.
      return key === null ? buf : appendMac(buf, key);
    },
    admit: (msg, raw, from) => {
      if (!CONTROL_TYPES.has(msg.type) || provingKey(node, msg, raw) !== null) return true;
      node.dropped.unauthenticated++;
      node.dropNote('unauthenticated ring messages', `dropped ${msg.type} from ${formatAddress(from)}: no valid MAC under this ring's key`);
      return false;
    },
  };
}
