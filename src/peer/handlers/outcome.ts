// rebuild-done and join-done: the leader's report of a redistribution, awaited by the leaver or
// the joiner (SPEC §6.5 step 3, §6.6 step 4). Acknowledged at once, then handed to the waiter.
import type { Address } from '../../transport/udp-socket.js';
import type { JoinDoneRequest, RebuildDoneRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';

export function onOutcome(node: PeerNode, msg: RebuildDoneRequest | JoinDoneRequest, from: Address): void {
  node.reply(from, msg.rid, { ok: true });
  node.p.deliver(msg.type, msg);
}
