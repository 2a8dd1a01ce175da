// rebuild-dht (SPEC §6.5 step 3): the leaver asks the new leader to redistribute the year.
import type { Address } from '../../transport/udp-socket.js';
import type { RebuildDhtRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { rebuildAfterLeave } from '../procedures/rebuild.js';

export function onRebuildDht(node: PeerNode, msg: RebuildDhtRequest, from: Address): void {
  const r = node.ring;
  if (r === null || r.id !== 0) {
    node.reply(from, msg.rid, { ok: false, error: `${node.name} is not the leader of a ring` });
    return;
  }
  if (msg.year !== r.year || msg.s !== r.s) {
    node.reply(from, msg.rid, { ok: false, error: `rebuild of ${msg.year} (s = ${msg.s}) does not match this ring (${r.year}, s = ${r.s})` });
    return;
  }
  node.reply(from, msg.rid, { ok: true });
  // After the reply has left (a datagram goes out on the next tick): reading the year's file is
  // synchronous, and would otherwise hold the reply back until it is done.
  node.clock.setTimer(0, () => void rebuildAfterLeave(node, msg.origin));
}
