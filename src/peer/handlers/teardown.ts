// teardown (SPEC §6.4): every node empties its table (and with final, leaves the ring) and passes
// the message on; its return to the originator completes the originator's request. Only the first
// copy changes state; later copies are forwarded again to where the first went (SPEC §1.4 item 4),
// so a retransmission repairs a lost hop even after this node has left the ring.
import type { TeardownRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { addressOf, rightNeighbour, sameTuple } from '../ring-state.js';
import { retireBuild } from '../held-build.js';

/**
 * `raw` is the datagram as received: a teardown goes on unchanged, so its bytes are forwarded with
 * the originator's MAC, which still holds after this node has left the ring (and dropped its key).
 */
export function onTeardown(node: PeerNode, msg: TeardownRequest, raw: Buffer): void {
  if (sameTuple(msg.origin, node.self!)) {
    node.p.complete(msg.rid, msg);
    return;
  }
  const key = `teardown|${msg.origin.name}|${msg.rid}`;
  const seen = node.seen.get(key);
  if (seen !== undefined) {
    if (seen !== null) node.p.forward(addressOf(seen), msg, raw);
    return;
  }
  const r = node.ring;
  if (r === null) {
    node.seen.set(key, null);
    node.note(`teardown from ${msg.origin.name} reached a peer in no ring; dropped`, 'warn');
    return;
  }
  if (!r.ring.some((t) => sameTuple(t, msg.origin))) {
    // A round of a procedure the ring has moved past (a leaver the manager reset when a member
    // died, issue 11): this node is in the repaired ring, which the leaver is not part of.
    node.seen.set(key, null);
    node.note(`teardown from ${msg.origin.name}, who is not in this ring (any more); dropped`, 'warn');
    return;
  }
  if (msg.epoch !== undefined && r.epoch !== null && r.epoch !== msg.epoch) {
    // A round of an earlier build of this ring, let go late (by a node that was stopped): the
    // ring has been rebuilt since, by a repair, and this round's originator moved on with it.
    node.seen.set(key, null);
    node.note(`teardown from ${msg.origin.name} of an earlier build of the ring; dropped`, 'warn');
    return;
  }
  const next = rightNeighbour(r);
  const cleared = node.table.size;
  const kept = !msg.final && r.replicas >= 2;
  // Before a leave's or join's rebuild with R ≥ 2 the records stay, held for the rebuild to take
  // from the ring (held-build.ts); otherwise they go, as SPEC §6.4 says.
  if (msg.final) node.dropRing();
  else retireBuild(node);
  if (msg.final) node.keys.left = r.key;
  node.ring = msg.final ? null : { ...r, epoch: null };
  node.seen.set(key, next);
  node.note(kept ? `teardown: holding ${cleared} records for the rebuild` : `teardown: deleted ${cleared} records${msg.final ? ', left the ring' : ''}`);
  node.p.forward(addressOf(next), msg, raw);
}
