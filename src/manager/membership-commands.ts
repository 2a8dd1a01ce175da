// Changing the ring's membership (SPEC §4 rows 5, 6, 7): leave-dht and join-dht only remember who
// is leaving or joining; the states and the member list change when that peer reports dht-rebuilt
// (D14), because until then the ring is still being rebuilt and may yet fail.
import type { DhtRebuiltRequest, NameOnlyRequest } from '../wire/messages.js';
import { abandonDht, reportedFailure } from './give-up.js';
import {
  abandoned,
  fail,
  freeCallerOfDht,
  memberEntry,
  NO_DHT,
  notMember,
  notRegistered,
  succeed,
  who,
  type Outcome,
} from './outcome.js';
import { IDLE, leaderOf, tupleOf, withRingStates, type Dht, type ManagerState } from './state.js';
import { MIN_RING_SIZE } from './validate.js';

/** The member list a rebuild leads to, or why the reported new leader is refused. */
type Rebuilt = { readonly members: readonly string[] } | { readonly error: string };

/** Row 5: a member, the leader included (D13), may leave while the ring keeps at least 3 nodes. */
export function leaveDht(state: ManagerState, req: NameOnlyRequest): Outcome {
  const { dht } = state;
  if (dht === null) return fail(state, NO_DHT);
  if (!state.peers.has(req.name)) return fail(state, notRegistered(req.name));
  if (!dht.members.includes(req.name)) return fail(state, notMember(req.name));
  const size = dht.members.length;
  if (size <= MIN_RING_SIZE) return fail(state, `the DHT has ${size} members and may not shrink below ${MIN_RING_SIZE}`);
  return succeed({ ...state, mode: { kind: 'AwaitDhtRebuilt', peer: req.name, action: 'leave' } });
}

/** Row 6: a Free peer is told the leader it must ask to be added (D16). */
export function joinDht(state: ManagerState, req: NameOnlyRequest): Outcome {
  const checked = freeCallerOfDht(state, req.name, 'join the DHT');
  if ('error' in checked) return fail(state, checked.error);
  const leader = memberEntry(state, leaderOf(checked.dht));
  // The joiner is told the DHT's key: it proves its join-request with it, and checks its set-id.
  const { key, serial } = checked.dht;
  return succeed({ ...state, mode: { kind: 'AwaitDhtRebuilt', peer: req.name, action: 'join' } }, { leader: tupleOf(leader), key, serial });
}

/**
 * Row 7: the leave or join is done; the manager adopts the new ring. A refused new leader leaves
 * the manager waiting, so the peer may still report the right one. The busy rule has already
 * refused this from anyone but the awaited peer, so only a manager not waiting is left to refuse.
 * A rebuild that failed with the ring possibly inconsistent is reported (`failed`): the DHT is
 * torn down instead (a rebuild that failed on its file leaves a whole, empty ring: §6.5 step 5).
 */
export function dhtRebuilt(state: ManagerState, req: DhtRebuiltRequest): Outcome {
  const { mode, dht } = state;
  if (mode.kind !== 'AwaitDhtRebuilt' || dht === null) return fail(state, 'not waiting for dht-rebuilt');
  if (req.failed !== undefined) {
    return abandoned(abandonDht(state, reportedFailure(req.name, `${mode.action}-dht`, req.failed), req.name));
  }
  const rebuilt =
    mode.action === 'leave' ? ringAfterLeave(dht.members, mode.peer, req.newLeader) : ringAfterJoin(dht, mode.peer, req.newLeader);
  if ('error' in rebuilt) return fail(state, rebuilt.error);
  return succeed({
    ...state,
    peers: withRingStates(state.peers, dht.members, rebuilt.members),
    dht: { ...dht, members: rebuilt.members },
    mode: IDLE,
  });
}

/**
 * The ring without the leaver, in the old ring order, starting at the new leader. The peers'
 * renumbering (§6.5) starts the new ring at the leaver's right neighbour, which D13 makes the new
 * leader; for that leader this is new[k] = old[(i+1+k) mod n], k = 0…n−2, with the leaver at i.
 */
export function ringAfterLeave(members: readonly string[], leaver: string, newLeader: string): Rebuilt {
  const start = members.indexOf(newLeader);
  if (start < 0) return { error: `new leader ${who(newLeader)} is not a member of the DHT` };
  if (newLeader === leaver) return { error: `new leader ${who(newLeader)} is the peer that is leaving` };
  const n = members.length;
  const rotated = members.map((_, k) => members[(start + k) % n] as string);
  return { members: rotated.filter((name) => name !== leaver) };
}

/** The joiner is appended as node n, between old node n−1 and node 0; the leader stays (D16). */
export function ringAfterJoin(dht: Dht, joiner: string, newLeader: string): Rebuilt {
  const leader = leaderOf(dht);
  if (newLeader !== leader) return { error: `new leader ${who(newLeader)} is not the current leader ${leader}` };
  return { members: [...dht.members, joiner] };
}
