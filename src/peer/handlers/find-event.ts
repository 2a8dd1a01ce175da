// find-event (SPEC §6.3): probe, then decide if this node owns the id, otherwise pass the query
// to a uniformly random node not yet probed (hot potato). The deciding node answers the querier
// directly (D5).
//
// With the failure detector (issue 11) a query never lies because a node is dead or a ring is
// being rebuilt, and it routes around a dead node:
// * an owner whose table is not whole yet (its build's count has not passed it) says so instead of
//   "not found";
// * a query whose owner the manager has declared dead fails at once, naming it;
// * a hop goes to a node the manager suspects only when no other unprobed node is left but it;
// * a copy of a query that this node forwarded before (the querier retransmitted it: no answer
//   came) goes along another path than the earlier copies did.
import { ownerOf, positionOf } from '../../data/hashing.js';
import type { FindEventRequest, FindResult, Unsent } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import type { RingState } from '../ring-state.js';
import { findWithCopies } from './find-copies.js';

/** Answers the querier of a find-event directly (D5). */
export type Answerer = (result: Omit<Unsent<FindResult>, 'type' | 'eventId'>) => void;

export function onFindEvent(node: PeerNode, msg: FindEventRequest): void {
  node.lastQueryAt = node.clock.now();
  const r = node.ring;
  const querier = msg.querier;
  const by = node.name === null ? {} : { by: node.name };
  const answer: Answerer = (result): void =>
    node.sendTo(querier, { type: 'find-result', rid: msg.rid, eventId: msg.eventId, ...result, ...by });
  if (r === null) {
    answer({ found: false, path: msg.path, error: 'not in a DHT' });
    return;
  }
  const path = msg.path.includes(r.id) ? [...msg.path] : [...msg.path, r.id];
  // R ≥ 2 copies (issue 12): a copy answers for an owner that is dead or silent, and a rebuild's
  // held build for a new build not yet whole.
  if (r.replicas >= 2) {
    findWithCopies(node, msg, r, path, answer);
    return;
  }
  const pos = positionOf(msg.eventId, r.s);
  const owner = ownerOf(pos, r.n);
  if (owner === r.id) {
    const record = node.table.find(pos, msg.eventId);
    if (record === undefined && (r.epoch === null || node.countedEpoch !== r.epoch)) {
      // Not "not found": the record may be on its way. A build that failed (SPEC §6.5 step 5: a
      // new leader without the year's file) never sends it, which this node cannot tell apart.
      const dead = [...node.liveness.dead];
      const why =
        dead.length > 0
          ? `the ring is being repaired after ${dead.join(', ')} died: try again when it is done`
          : 'the ring is being rebuilt, or its build failed';
      answer({ found: false, path, error: `${node.name} (node ${r.id}) owns event ${msg.eventId} but does not hold this build's records yet: ${why}` });
      return;
    }
    answer({ found: record !== undefined, path, ...(record ? { fields: record.fields } : {}) });
    return;
  }
  const ownerName = r.ring[owner]!.name;
  if (node.liveness.dead.has(ownerName)) {
    answer({ found: false, path, error: `node ${owner} (${ownerName}), which holds event ${msg.eventId}, is dead; the ring is being repaired` });
    return;
  }
  if (msg.routing === 'direct' && !path.includes(owner)) {
    // One hop: every node knows the ring, so it can name the owner itself.
    node.sendTo(r.ring[owner]!, { ...msg, path });
    return;
  }
  // The owner is unprobed, so candidates is never empty while the ring is consistent. A copy that
  // crossed a leave or join (a retransmission of a query the manager answered before the rebuild
  // began) carries ids of another build, and may have used them all up: it cannot be routed.
  if (!hotPotato(node, msg, r, path, owner)) answer({ found: false, path, error: 'the ring changed during the query' });
}

/**
 * Passes the query on to a node not yet probed, drawn as pickHop says (SPEC §6.3): the hot potato.
 * False when every id is on the path already (a copy that crossed a rebuild).
 */
export function hotPotato(node: PeerNode, msg: FindEventRequest, r: RingState, path: readonly number[], owner: number): boolean {
  const candidates: number[] = [];
  for (let id = 0; id < r.n; id++) if (!path.includes(id)) candidates.push(id);
  if (candidates.length === 0) return false;
  const key = forwardKey(msg);
  const tried = node.forwards.get(key);
  const next = pickHop(node, candidates, owner, tried);
  node.forwards.set(key, tried === undefined ? [next] : [...tried, next]);
  node.sendTo(r.ring[next]!, { ...msg, path });
  return true;
}

/** The key of a query in node.forwards: its querier and rid, which its retransmissions share. */
export function forwardKey(msg: FindEventRequest): string {
  return `${msg.querier.ip}:${msg.querier.port}|${msg.rid}`;
}

/**
 * Uniform over the unprobed nodes (SPEC §6.3), leaving out, while any other is left, the nodes the
 * manager suspects and those an earlier copy of this query went to; the owner is never left out.
 * With nothing to leave out this is SPEC's draw exactly.
 */
function pickHop(node: PeerNode, candidates: readonly number[], owner: number, tried: readonly number[] | undefined): number {
  const r = node.ring!;
  const suspects = node.liveness.suspects;
  const avoid = (id: number): boolean => id !== owner && (tried?.includes(id) === true || suspects.has(r.ring[id]!.name) || node.liveness.dead.has(r.ring[id]!.name));
  const preferred = tried === undefined && suspects.size === 0 && node.liveness.dead.size === 0 ? candidates : candidates.filter((id) => !avoid(id));
  const pool = preferred.length > 0 ? preferred : candidates;
  return pool[Math.floor(node.random() * pool.length)]!;
}
