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
  const counts = Array.from({ length: Math.max(msg.counts.length, r.id + 1) }, (_, k) => msg.counts[k] ?? 0);
  counts[r.id] = node.table.size;
  // Every store of this build has been acknowledged: this node's table is whole.
  node.countedEpoch = r.epoch;
  node.storeTraffic.flush((text) => node.note(text));
  node.sendTo(rightNeighbour(r), { ...msg, counts });
  // The distribution is over at this node.
  prepareStandby(node);
}
