// find-event in a ring that keeps R ≥ 2 copies of every record (issue 12). The owner answers, as
// SPEC §6.3 says; a node that keeps a copy of the owner's records answers instead when the owner is
// down or did not answer:
// * the failure detector suspects the owner or has declared it dead: the query goes straight to the
//   first copy that is not down (`copy`), which answers from its copy;
// * the querier retransmitted (an earlier copy of the query went somewhere and no answer came):
//   this node sends the next copy to a node of the owner's chain it has not tried yet;
// * the ring is being rebuilt and this node's new build is not whole yet: the record is looked up
//   in the build being replaced (held-build.ts), here or at a node that held it (`held`).
// So while fewer than R nodes are dead, a query is answered with the exact record, also while the
// dead are being found and while the ring is repaired. A record no copy is left of is not "not
// found": the answer says that the ring lost it.
import { ownerOf, positionOf } from '../../data/hashing.js';
import type { LocalTable } from '../../data/local-table.js';
import type { FindEventRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { chainOf, holdsRecordsOf, type RingState } from '../ring-state.js';
import { wholeBuild } from '../held-build.js';
import { forwardKey, hotPotato, type Answerer } from './find-event.js';

interface Build {
  readonly ring: RingState;
  readonly table: LocalTable;
  readonly copies: LocalTable;
}

export function findWithCopies(node: PeerNode, msg: FindEventRequest, r: RingState, path: number[], answer: Answerer): void {
  if (msg.held !== undefined) {
    // Sent here to look in the build a rebuild replaces: answered from it while this node holds it;
    // once the new build is whole here, the query goes on in the new build.
    const build = wholeBuild(node, msg.held);
    if (build !== null && holdsRecordsOf(build.ring, ownerIn(build.ring, msg.eventId), build.ring.id)) {
      answerFrom(node, build, msg, path, answer);
      return;
    }
  }
  const owner = ownerIn(r, msg.eventId);
  const counted = r.epoch !== null && node.countedEpoch === r.epoch;
  const key = forwardKey(msg);
  const tried = node.forwards.get(key);
  const ownerDown = isDown(node, r.ring[owner]!.name);
  const current: Build = { ring: r, table: node.table, copies: node.copies };
  if (holdsRecordsOf(r, owner, r.id) && (owner === r.id || msg.copy === true || ownerDown || tried !== undefined || !counted)) {
    // While the build is not whole a record missing here may still be on its way: look further.
    if (counted || find(current, msg.eventId) !== undefined) {
      answerFrom(node, current, msg, path, answer);
      return;
    }
  }
  if (!counted) {
    fromHeld(node, msg, r, path, answer);
    return;
  }
  if (ownerDown || tried !== undefined) {
    // To a copy: the first of the owner's chain that is neither down nor tried by an earlier copy
    // of this query; while the owner is up and untried, it is the last resort.
    const chain = chainOf(r, owner).filter((id) => id !== r.id && id !== owner && !isDown(node, r.ring[id]!.name));
    const next = chain.find((id) => !(tried ?? []).includes(id)) ?? (ownerDown ? chain[0] : undefined);
    if (next !== undefined) {
      node.forwards.set(key, [...(tried ?? []), next]);
      node.sendTo(r.ring[next]!, { ...msg, path, copy: true });
      return;
    }
    if (ownerDown && chain.length === 0) {
      answer({ found: false, path, error: `every node holding event ${msg.eventId} (${chainOf(r, owner).map((id) => r.ring[id]!.name).join(', ')}) is down; the ring is being repaired` });
      return;
    }
  }
  if (msg.routing === 'direct' && !path.includes(owner)) {
    node.sendTo(r.ring[owner]!, { ...msg, path });
    return;
  }
  if (hotPotato(node, msg, r, path, owner)) return;
  // Every id is on the path: a copy that crossed a rebuild, whose ids are of another build. The
  // owner of this build is asked straight, once.
  if (owner !== r.id && !msg.path.includes(owner)) node.sendTo(r.ring[owner]!, { ...msg, path });
  else answer({ found: false, path, error: 'the ring changed during the query' });
}

/** The owner of an event in a build of the ring. */
function ownerIn(r: RingState, eventId: number): number {
  return ownerOf(positionOf(eventId, r.s), r.n);
}

/** The record in the build's table this node keeps it in (its own or its copies), if held. */
function find(build: Build, eventId: number) {
  const r = build.ring;
  const pos = positionOf(eventId, r.s);
  return (ownerOf(pos, r.n) === r.id ? build.table : build.copies).find(pos, eventId);
}

/** Answers from a whole build that keeps the event's records: the record, or not found (or lost). */
function answerFrom(node: PeerNode, build: Build, msg: FindEventRequest, path: number[], answer: Answerer): void {
  const record = find(build, msg.eventId);
  const copy = ownerIn(build.ring, msg.eventId) !== build.ring.id ? { copy: true } : {};
  if (record !== undefined) {
    answer({ found: true, path, fields: record.fields, ...copy });
    return;
  }
  const lost = node.ring?.lost ?? build.ring.lost;
  if (lost !== undefined && lost.count > 0) {
    const when = lost.dead.length > 0 ? ` when ${lost.dead.join(', ')} died` : '';
    answer({ found: false, path, error: `event ${msg.eventId} is not in the DHT, which lost every copy of ${lost.count} records${when}: it may be one of them` });
    return;
  }
  answer({ found: false, path, ...copy });
}

/**
 * The ring is being rebuilt and this node's new build is not whole: the record is in the build
 * being replaced. Answered here when this node kept its records there; else the query goes to a
 * node that did and is in the new ring too (the dead are not), the next one on each retransmission.
 */
function fromHeld(node: PeerNode, msg: FindEventRequest, r: RingState, path: number[], answer: Answerer): void {
  const held = node.held;
  if (held !== null) {
    const hr = held.ring;
    const owner = ownerIn(hr, msg.eventId);
    if (holdsRecordsOf(hr, owner, hr.id)) {
      answerFrom(node, held, msg, path, answer);
      return;
    }
    const inRing = new Set(r.ring.map((t) => t.name));
    const holders = chainOf(hr, owner).filter((id) => inRing.has(hr.ring[id]!.name) && !isDown(node, hr.ring[id]!.name));
    if (holders.length > 0) {
      const key = forwardKey(msg);
      const tried = node.forwards.get(key) ?? [];
      const next = holders[tried.length % holders.length]!;
      node.forwards.set(key, [...tried, next]);
      node.sendTo(hr.ring[next]!, { ...msg, path, held: held.epoch });
      return;
    }
  }
  const dead = [...node.liveness.dead];
  const why = dead.length > 0 ? `the ring is being repaired after ${dead.join(', ')} died: try again when it is done` : 'the ring is being rebuilt, or its build failed';
  answer({ found: false, path, error: `${node.name} (node ${r.id}) cannot reach a copy of event ${msg.eventId} yet: ${why}` });
}

/** True when the failure detector suspects the peer or has declared it dead. */
function isDown(node: PeerNode, name: string): boolean {
  return node.liveness.dead.has(name) || node.liveness.suspects.has(name);
}
