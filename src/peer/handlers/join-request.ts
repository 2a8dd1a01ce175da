// join-request (SPEC §6.6 step 1, D16): a joiner asks the leader to add it to the ring. A joiner
// the failure detector suspects or has evicted is refused (issue 11).
import type { Address } from '../../transport/udp-socket.js';
import type { JoinRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { rebuildForJoin } from '../procedures/rebuild.js';

/**
 * How many of the manager's liveness views a joiner that the leader's view calls dead or suspect
 * waits for before it is refused, and for how long at most: the view may predate the joiner's
 * new registration (a peer restarted after its eviction, issue 15), which the manager's next
 * views no longer list. Two, since an answer sent just before the registration may still arrive.
 */
const REJUDGE_VIEWS = 2;
const REJUDGE_MAX_MS = 1_000;

export function onJoinRequest(node: PeerNode, msg: JoinRequest, from: Address, rejudged = false): void {
  const r = node.ring;
  if (r === null || r.id !== 0) {
    node.reply(from, msg.rid, { ok: false, error: `${node.name} is not the leader of a ring` });
    return;
  }
  const joiner = msg.joiner.name;
  if (node.liveness.dead.has(joiner) || node.liveness.suspects.has(joiner)) {
    if (!rejudged) {
      // Its repeats meanwhile are dropped by the reply cache (the request is being executed).
      void node.nextViews(REJUDGE_VIEWS, REJUDGE_MAX_MS).then(() => onJoinRequest(node, msg, from, true));
      return;
    }
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
