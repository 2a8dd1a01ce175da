// store (SPEC §6.2 step 2): records for one owner travel hop by hop to the right; the owner keeps
// them and acknowledges directly to the origin. Storing is idempotent (a record with the same
// event_id replaces the old one), so a retransmitted store changes nothing more. With R ≥ 2
// copies (issue 12) the owner keeps them and passes the same datagram on, and so does each of the
// R − 1 nodes after it, keeping a copy; the last of them acknowledges (chain replication).
import { parseEventId } from '../../data/fields.js';
import { positionOf } from '../../data/hashing.js';
import { peekStore, type StoreHeader } from '../../wire/codec.js';
import { verifyMac } from '../../wire/mac.js';
import type { StoreRequest } from '../../wire/messages.js';
import { PACKED_FORMAT, unpackRecordLines } from '../../wire/packed-records.js';
import { jsonEnd } from '../../wire/tail.js';
import type { PeerNode } from '../node.js';
import { LocalTable } from '../../data/local-table.js';
import { addressOf, chainIndex, copiesOf, holdsRecordsOf, rightNeighbour, sameTuple, type RingState } from '../ring-state.js';

/**
 * The fast paths (the node's p-port intercept) for a store of this ring's build, proven by this
 * ring's key: one for another owner goes on to the right neighbour by its header and MAC alone,
 * its records neither parsed nor checked here (the owner checks them); a packed one for this
 * node is kept from its lines (keepPackedStore). False for anything else, and for anything these
 * paths would refuse, which then takes the full decode, the ring's admission and onStore's path,
 * where it is dropped and counted or noted (so that no node relays or keeps a forged store).
 */
export function interceptStore(node: PeerNode, raw: Buffer): boolean {
  const r = node.ring;
  if (r === null || r.epoch === null) return false;
  const head = peekStore(raw);
  if (head === null || head.epoch !== r.epoch || head.owner >= r.n) return false;
  const keeps = holdsRecordsOf(r, head.owner, r.id);
  if (!keeps && sameTuple(head.origin, node.self!)) return false;
  if (!verifyMac(raw, r.key)) return false;
  if (keeps) return keepPackedStore(node, raw, head);
  const next = rightNeighbour(r);
  node.p.relay(addressOf(next), raw);
  node.storeTraffic.relayed(head.records, next.name);
  return true;
}

/**
 * Keeps the records of a packed store for this node as file lines (LocalTable.putLine), without
 * splitting them into fields, and acknowledges it; false (nothing kept) when it is not packed in
 * this build's format or any record is malformed or filed at a position its id does not hash to.
 */
function keepPackedStore(node: PeerNode, raw: Buffer, head: StoreHeader): boolean {
  const r = node.ring!;
  if (head.packed !== PACKED_FORMAT) return false;
  const records = unpackRecordLines(raw.subarray(jsonEnd(raw) + 1), head.records);
  if (records === null) return false;
  const ids: number[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const { pos, line } = records[i]!;
    const eventId = hashedId(line.slice(0, line.indexOf(',')), pos, r.s);
    if (eventId === null) return false;
    ids[i] = eventId;
  }
  const table = tableFor(node, r, head.owner);
  for (let i = 0; i < records.length; i++) table.putLine(records[i]!.pos, ids[i]!, records[i]!.line);
  node.storeTraffic.received(records.length);
  passOnOrAck(node, r, head.owner, head.origin, head.rid, raw, records.length);
  return true;
}

/** The table a kept store's records go in: this node's own, or its copies of an earlier node's. */
function tableFor(node: PeerNode, r: RingState, owner: number): LocalTable {
  return owner === r.id ? node.table : node.copies;
}

/**
 * After keeping a store: the last node of the owner's chain acknowledges it to the origin, every
 * other one passes the datagram on unchanged to the next (issue 12; with R = 1 the owner is last).
 */
function passOnOrAck(node: PeerNode, r: RingState, owner: number, origin: StoreRequest['origin'], rid: string, raw: Buffer, records: number): void {
  if (chainIndex(r, owner, r.id) === copiesOf(r) - 1) {
    node.storeAcks.ack(origin, rid);
    return;
  }
  const next = rightNeighbour(r);
  node.p.relay(addressOf(next), raw);
  node.storeTraffic.passedOn(records, next.name);
}

/** The event id in `idText` when it is one and hashes to `pos` in a table of s; else null. */
function hashedId(idText: string, pos: number, s: number): number | null {
  const eventId = parseEventId(idText);
  return eventId !== null && positionOf(eventId, s) === pos ? eventId : null;
}

export function onStore(node: PeerNode, msg: StoreRequest, raw: Buffer): void {
  const r = node.ring;
  // Stores of another build of the ring (late copies from before a teardown) are stale.
  if (r === null || r.epoch === null || msg.epoch !== r.epoch) return;
  if (msg.owner >= r.n) {
    node.note(`fault: store names owner ${msg.owner} outside 0…${r.n - 1}; dropped`, 'warn');
    return;
  }
  if (!holdsRecordsOf(r, msg.owner, r.id)) {
    if (sameTuple(msg.origin, node.self!)) {
      node.note(`fault: a store for owner ${msg.owner} came back to its origin; dropped`, 'warn');
      return;
    }
    // Unchanged (§6.2): the datagram's own bytes go on, without encoding the records again.
    node.p.forward(addressOf(rightNeighbour(r)), msg, raw);
    return;
  }
  const ids: number[] = [];
  for (const rec of msg.records) {
    const eventId = hashedId(rec.fields[0]!, rec.pos, r.s);
    // A record filed at a position its id does not hash to could never be found: refuse the batch.
    if (eventId === null) {
      node.note(`fault: store holds a record at pos ${rec.pos} whose event_id "${rec.fields[0]}" does not hash there; dropped`, 'warn');
      return;
    }
    ids.push(eventId);
  }
  const table = tableFor(node, r, msg.owner);
  msg.records.forEach((rec, i) => table.put(rec.pos, { eventId: ids[i]!, fields: rec.fields }));
  passOnOrAck(node, r, msg.owner, msg.origin, msg.rid, raw, msg.records.length);
}
