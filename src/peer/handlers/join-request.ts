// join-request (SPEC §6.6 step 1, D16): a joiner asks the leader to add it to the ring. A joiner
// the failure detector suspects or has evicted is refused (issue 11).
import type { Address } from '../../transport/udp-socket.js';
import type { JoinRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { rebuildForJoin } from '../procedures/rebuild.js';

export function onJoinRequest(node: PeerNode, msg: JoinRequest, from: Address): void {
  const r = node.ring;
  if (r === null || r.id !== 0) {
    node.reply(from, msg.rid, { ok: false, error: `${node.name} is not the leader of a ring` });
    return;
  }
  const joiner = msg.joiner.name;
  if (node.liveness.dead.has(joiner) || node.liveness.suspects.has(joiner)) {
    // The manager evicted the joiner, or is about to: a join-request that a joiner sends as it
    // wakes from a stop, before it learns that it was evicted and its join given up (issue 11).
    const why = node.liveness.dead.has(joiner) ? 'has declared it dead' : 'suspects it';
    node.reply(from, msg.rid, { ok: false, error: `the manager ${why}: ${joiner} may not join` });
    return;
  }
  node.reply(from, msg.rid, { ok: true });
  // After the reply has left (see rebuild-dht.ts).
  node.clock.setTimer(0, () => void rebuildForJoin(node, msg.joiner));
}
