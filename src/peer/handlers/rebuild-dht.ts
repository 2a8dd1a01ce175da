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
  const by = node.renumberedBy;
  if (by === null || by.leaver !== msg.origin.name || by.epoch !== r.epoch) {
    // A leave the ring has moved past: its leaver was evicted while stopped (issue 11) and a
    // repair rebuilt the ring without it. Rebuilt again, from the ring's records with R ≥ 2
    // copies (issue 12), the ring would find no build held, and this node would empty its table.
    node.reply(from, msg.rid, { ok: false, error: `${node.name}'s ring is not the one ${msg.origin.name} renumbered (rebuilt since)` });
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
