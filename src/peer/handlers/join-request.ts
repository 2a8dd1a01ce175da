// join-request (SPEC §6.6 step 1, D16): a joiner asks the leader to add it to the ring.
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
  node.reply(from, msg.rid, { ok: true });
  // After the reply has left (see rebuild-dht.ts).
  node.clock.setTimer(0, () => void rebuildForJoin(node, msg.joiner));
}
