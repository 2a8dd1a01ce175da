// store (SPEC §6.2 step 2): records for one owner travel hop by hop to the right; the owner keeps
// them and acknowledges directly to the origin. Storing is idempotent (a record with the same
// event_id replaces the old one), so a retransmitted store changes nothing more.
import { parseEventId, type StormRecord } from '../../data/fields.js';
import { positionOf } from '../../data/hashing.js';
import { peekStore } from '../../wire/codec.js';
import { verifyMac } from '../../wire/mac.js';
import type { StoreRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { addressOf, rightNeighbour, sameTuple } from '../ring-state.js';

/**
 * The forwarding fast path (the node's p-port intercept): a store of this ring's build for another
 * owner, proven by this ring's key, goes on to the right neighbour by its header and MAC alone, its
 * records neither parsed nor checked here (the owner checks them). False for anything else, which
 * takes the full decode, the ring's admission and onStore's path.
 */
export function relayStore(node: PeerNode, raw: Buffer): boolean {
  const r = node.ring;
  if (r === null || r.epoch === null) return false;
  const head = peekStore(raw);
  if (head === null || head.epoch !== r.epoch || head.owner === r.id || head.owner >= r.n || sameTuple(head.origin, node.self!)) return false;
  // Only what this ring's key proves is passed on; anything else takes the full path, which drops
  // and counts it (ring-auth.ts), so that no node relays a forged store.
  if (!verifyMac(raw, r.key)) return false;
  const next = rightNeighbour(r);
  node.p.relay(addressOf(next), raw);
  node.storeTraffic.relayed(head.records, next.name);
  return true;
}

export function onStore(node: PeerNode, msg: StoreRequest, raw: Buffer): void {
  const r = node.ring;
  // Stores of another build of the ring (late copies from before a teardown) are stale.
  if (r === null || r.epoch === null || msg.epoch !== r.epoch) return;
  if (msg.owner >= r.n) {
    node.note(`fault: store names owner ${msg.owner} outside 0…${r.n - 1}; dropped`, 'warn');
    return;
  }
  if (msg.owner !== r.id) {
    if (sameTuple(msg.origin, node.self!)) {
      node.note(`fault: a store for owner ${msg.owner} came back to its origin; dropped`, 'warn');
      return;
    }
    // Unchanged (§6.2): the datagram's own bytes go on, without encoding the records again.
    node.p.forward(addressOf(rightNeighbour(r)), msg, raw);
    return;
  }
  const records: StormRecord[] = [];
  for (const rec of msg.records) {
    const eventId = parseEventId(rec.fields[0]!);
    // A record filed at a position its id does not hash to could never be found: refuse the batch.
    if (eventId === null || positionOf(eventId, r.s) !== rec.pos) {
      node.note(`fault: store holds a record at pos ${rec.pos} whose event_id "${rec.fields[0]}" does not hash there; dropped`, 'warn');
      return;
    }
    records.push({ eventId, fields: rec.fields });
  }
  for (let i = 0; i < records.length; i++) node.table.put(msg.records[i]!.pos, records[i]!);
  node.sendTo(msg.origin, { type: 'store-ack', rid: msg.rid });
}
