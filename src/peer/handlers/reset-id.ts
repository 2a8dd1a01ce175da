// reset-id (SPEC §6.5 step 2, D15): renumbers the ring after a leave. new[k] takes id k and passes
// the message to new[k+1]; the last node returns it to the leaver, whose request it completes.
import type { ResetIdRequest, Tuple } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { carried, sameTuple } from '../ring-state.js';

export function onResetId(node: PeerNode, msg: ResetIdRequest): void {
  const self = node.self!;
  if (sameTuple(msg.origin, self)) {
    node.p.complete(msg.rid, msg);
    return;
  }
  const next: Tuple = msg.id + 1 < msg.n ? msg.ring[msg.id + 1]! : msg.origin;
  const forward: ResetIdRequest = { ...msg, id: msg.id + 1 };
  const key = `reset-id|${msg.origin.name}|${msg.rid}`;
  if (node.seen.has(key)) {
    node.sendTo(next, forward);
    return;
  }
  const r = node.ring;
  const named = msg.ring[msg.id];
  if (r === null || msg.ring.length !== msg.n || named === undefined || !sameTuple(named, self)) {
    node.note(`fault: reset-id from ${msg.origin.name} does not fit this peer (id ${msg.id}); dropped`, 'warn');
    return;
  }
  if (!r.ring.some((t) => sameTuple(t, msg.origin))) {
    // The leaver of a leave the ring has moved past (the manager reset it when a member died and
    // had the ring repaired without both, issue 11): the repaired ring does not hold it.
    node.note(`reset-id from ${msg.origin.name}, who is not in this ring (any more); dropped`, 'warn');
    return;
  }
  node.seen.set(key, next);
  // s and year stay: the ring rebuilds from the same file (SPEC §9).
  node.ring = { ...carried(r), id: msg.id, n: msg.n, ring: msg.ring, epoch: msg.epoch };
  node.renumberedBy = { leaver: msg.origin.name, epoch: msg.epoch };
  for (const t of msg.ring) node.learn(t);
  node.sendTo(next, forward);
}
