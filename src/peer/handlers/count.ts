// count (SPEC §6.2 step 3, D7): collects every node's confirmed record count around the ring.
import type { CountRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { prepareStandby } from '../procedures/standby.js';
import { rightNeighbour, sameTuple } from '../ring-state.js';

export function onCount(node: PeerNode, msg: CountRequest): void {
  if (sameTuple(msg.origin, node.self!)) {
    // Back at the leader: this completes its count request.
    node.p.complete(msg.rid, msg);
    return;
  }
  const r = node.ring;
  if (r === null || r.epoch !== msg.epoch) return;
  const counts = withOwn(msg.counts, r.id, node.table.size);
  // Every store of this build has been acknowledged: this node's table is whole, and the build it
  // replaced is no longer needed (held-build.ts). With R ≥ 2 copies the count carries the ring's
  // lost records (issue 12), which this node then names when a query for one of them reaches it.
  node.countedEpoch = r.epoch;
  node.held = null;
  if (msg.lost !== undefined) node.ring = { ...r, lost: msg.lost };
  node.storeTraffic.flush((text) => node.note(text));
  const copies = r.replicas >= 2 ? { copies: withOwn(msg.copies ?? [], r.id, node.copies.size) } : {};
  node.sendTo(rightNeighbour(r), { ...msg, counts, ...copies });
  // The distribution is over at this node.
  prepareStandby(node);
}

/** The list with this node's entry set (and the entries before it that are missing set to 0). */
function withOwn(list: readonly number[], id: number, own: number): number[] {
  const out = Array.from({ length: Math.max(list.length, id + 1) }, (_, k) => list[k] ?? 0);
  out[id] = own;
  return out;
}
