// find-event (SPEC §6.3): probe, then decide if this node owns the id, otherwise pass the query
// to a uniformly random node not yet probed (hot potato). The deciding node answers the querier
// directly (D5).
import { ownerOf, positionOf } from '../../data/hashing.js';
import type { FindEventRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';

export function onFindEvent(node: PeerNode, msg: FindEventRequest): void {
  const r = node.ring;
  const querier = msg.querier;
  if (r === null) {
    node.sendTo(querier, { type: 'find-result', rid: msg.rid, eventId: msg.eventId, found: false, path: msg.path, error: 'not in a DHT' });
    return;
  }
  const path = msg.path.includes(r.id) ? [...msg.path] : [...msg.path, r.id];
  const pos = positionOf(msg.eventId, r.s);
  const owner = ownerOf(pos, r.n);
  if (owner === r.id) {
    const record = node.table.find(pos, msg.eventId);
    node.sendTo(querier, {
      type: 'find-result',
      rid: msg.rid,
      eventId: msg.eventId,
      found: record !== undefined,
      path,
      ...(record ? { fields: record.fields } : {}),
    });
    return;
  }
  if (msg.routing === 'direct' && !path.includes(owner)) {
    // One hop: every node knows the ring, so it can name the owner itself.
    node.sendTo(r.ring[owner]!, { ...msg, path });
    return;
  }
  const candidates: number[] = [];
  for (let id = 0; id < r.n; id++) if (!path.includes(id)) candidates.push(id);
  // The owner is unprobed, so candidates is never empty while the ring is consistent. A copy that
  // crossed a leave or join (a retransmission of a query the manager answered before the rebuild
  // began) carries ids of another build, and may have used them all up: it cannot be routed.
  if (candidates.length === 0) {
    node.sendTo(querier, { type: 'find-result', rid: msg.rid, eventId: msg.eventId, found: false, path, error: 'the ring changed during the query' });
    return;
  }
  const next = candidates[Math.floor(node.random() * candidates.length)]!;
  node.sendTo(r.ring[next]!, { ...msg, path });
}
