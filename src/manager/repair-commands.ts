// The manager commands of issue 11: dht-repaired ends a repair (the completion that the new leader
// of a healed ring sends, like dht-rebuilt ends a leave), and members shows the registry and the
// DHT to any registered peer.
import type { DhtRepairedRequest, MembersRequest } from '../wire/messages.js';
import { abandoned, fail, notRegistered, succeed, type Outcome } from './outcome.js';
import { abandonDht, reportedFailure } from './give-up.js';
import { IDLE, type ManagerState } from './state.js';

/** Peers one members reply lists at most: about 60 bytes each, well inside a datagram. */
export const MEMBERS_PER_PAGE = 400;

/**
 * The awaited new leader reports its repair. The busy rule has let only that leader through, so
 * only Idle and the other modes are left to refuse. A repair that failed in a way that may have
 * left the ring inconsistent tears the DHT down, as a failed leave does; a ring rebuilt whole but
 * empty (`lost`: the leader has no copy of the year, SPEC §6.5 step 5) is kept, and the loss is
 * in the trace.
 */
export function dhtRepaired(state: ManagerState, req: DhtRepairedRequest): Outcome {
  if (state.mode.kind !== 'AwaitDhtRepaired') return fail(state, 'no repair of the DHT is in progress');
  if (req.failed !== undefined) return abandoned(abandonDht(state, reportedFailure(req.name, 'the repair', req.failed), req.name));
  return succeed({ ...state, mode: IDLE });
}

/** A page of the registry in registration order, and the DHT's members in id order. */
export function members(state: ManagerState, req: MembersRequest): Outcome {
  if (!state.peers.has(req.name)) return fail(state, notRegistered(req.name));
  const from = req.from ?? 0;
  const all = [...state.peers.values()];
  if (from > all.length) return fail(state, `from must be 0 to ${all.length}`);
  const peers = all.slice(from, from + MEMBERS_PER_PAGE).map((p) => ({ name: p.name, state: p.state, ip: p.ip, port: p.pPort }));
  const dht = state.dht === null ? null : { year: state.dht.year, ring: state.dht.members, leader: state.dht.members[0]! };
  return succeed(state, { peers, total: all.length, dht });
}
