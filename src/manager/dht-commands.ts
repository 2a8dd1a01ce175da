// The DHT's life cycle at the manager (SPEC §4 rows 2, 3, 4, 9, 10): setup-dht, dht-complete,
// query-dht, teardown-dht and teardown-complete, with the uniform random picks that setup-dht and
// query-dht make. handleCommand has already applied the busy rule (D10) before any of these runs.
import type { DhtGrantsRequest, NameOnlyRequest, SetupDhtRequest } from '../wire/messages.js';
import { abandonDht, reportedFailure } from './give-up.js';
import {
  abandoned,
  fail,
  freeCallerOfDht,
  memberEntry,
  NO_DHT,
  notLeader,
  notRegistered,
  onlyFree,
  succeed,
  type Outcome,
} from './outcome.js';
import { IDLE, leaderOf, tupleOf, withRingStates, type Dht, type ManagerState } from './state.js';
import { grantsFor, GRANTS_PER_PAGE, setupPayload, type KeySource } from './keys.js';
import { checkRingSize, checkYear } from './validate.js';

/** A uniform index in 0…size−1 from one draw; a draw outside [0, 1) (or NaN) is clamped, not trusted. */
export function pickIndex(random: () => number, size: number): number {
  const draw = random();
  const index = Math.floor((Number.isFinite(draw) ? draw : 0) * size);
  return Math.min(Math.max(index, 0), size - 1);
}

/**
 * `count` distinct items of `items` in the order picked, every ordered selection equally likely:
 * a partial Fisher–Yates shuffle over a copy, one draw per pick. count must be ≤ items.length.
 */
export function pickDistinct<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  for (let k = 0; k < count; k++) {
    const j = k + pickIndex(random, pool.length - k);
    [pool[k], pool[j]] = [pool[j] as T, pool[k] as T];
  }
  return pool.slice(0, count);
}

/** Row 2: the caller leads a new ring of n, the other n−1 drawn from the Free peers (D9). */
export function setupDht(state: ManagerState, req: SetupDhtRequest, random: () => number, keys: KeySource): Outcome {
  const caller = state.peers.get(req.name);
  if (caller === undefined) return fail(state, notRegistered(req.name));
  if (caller.state !== 'Free') return fail(state, onlyFree(caller, 'set up a DHT'));
  const badArgument = checkRingSize(req.n) ?? checkYear(req.year);
  if (badArgument !== null) return fail(state, badArgument);
  if (state.dht !== null) return fail(state, `a DHT already exists (leader ${leaderOf(state.dht)})`);
  // Registration order is the stable order the draw is made over, so a seeded run repeats.
  // A peer the failure detector suspects is likely dead: it is not picked (issue 11).
  const others = [...state.peers.values()].filter((peer) => peer.state === 'Free' && peer.name !== caller.name && !state.suspects.has(peer.name));
  const free = others.length + 1;
  if (free < req.n) return fail(state, `only ${free} Free ${free === 1 ? 'peer' : 'peers'}, fewer than n = ${req.n}`);
  const picked = pickDistinct(others, req.n - 1, random);
  const members = [caller.name, ...picked.map((peer) => peer.name)];
  // A fresh key for each DHT: a peer that was in an earlier one cannot speak for this one.
  const replicas = state.replicas >= 2 ? { replicas: state.replicas } : {};
  const dht: Dht = { year: req.year, members, complete: false, key: keys(), serial: state.dhts + 1, ...replicas };
  const next: ManagerState = {
    ...state,
    peers: withRingStates(state.peers, [], members),
    dht,
    mode: { kind: 'AwaitDhtComplete', leader: caller.name },
    dhts: dht.serial,
  };
  // Position i of the ring is node id i: the leader is node 0 (§4 row 2).
  return succeed(next, setupPayload(next, dht));
}

/**
 * Row 3: ends setup. Repeated by the leader of a complete DHT, it is a harmless SUCCESS (D8). A
 * leader whose distribution failed reports it (`failed`): the DHT, missing records, is torn down.
 */
export function dhtComplete(state: ManagerState, req: NameOnlyRequest): Outcome {
  const { dht } = state;
  if (dht === null) return fail(state, NO_DHT);
  if (req.name !== leaderOf(dht)) return fail(state, notLeader(req.name));
  if (state.mode.kind !== 'AwaitDhtComplete') return succeed(state);
  if (req.failed !== undefined) return abandoned(abandonDht(state, reportedFailure(req.name, 'setup-dht', req.failed), req.name));
  return succeed({ ...state, dht: { ...dht, complete: true }, mode: IDLE });
}

/**
 * The leader of a DHT being built fetches the grants its setup-dht reply had no room for (see
 * keys.ts): members from…from+count−1, at most GRANTS_PER_PAGE. It changes nothing, and the busy
 * rule lets it through from the awaited leader only (handle.ts).
 */
export function dhtGrants(state: ManagerState, req: DhtGrantsRequest): Outcome {
  const { dht, mode } = state;
  if (dht === null || mode.kind !== 'AwaitDhtComplete' || mode.leader !== req.name) return fail(state, 'no DHT of yours is being set up');
  const n = dht.members.length;
  if (req.from < 1 || req.from >= n) return fail(state, `from must name a member: 1 to ${n - 1}`);
  if (req.count < 1 || req.count > GRANTS_PER_PAGE) return fail(state, `count must be 1 to ${GRANTS_PER_PAGE}`);
  return succeed(state, { grants: grantsFor(state, dht, req.from, Math.min(n, req.from + req.count)) });
}

/** Row 4: a Free peer learns where to start its query: a member drawn uniformly, leader included. */
export function queryDht(state: ManagerState, req: NameOnlyRequest, random: () => number): Outcome {
  const checked = freeCallerOfDht(state, req.name, 'query the DHT');
  if ('error' in checked) return fail(state, checked.error);
  const { dht } = checked;
  // Not at a member the querier found silent (avoid) or the failure detector suspects, while
  // another is there to start at (issue 11). With none to avoid, the draw is SPEC's.
  const avoid = req.avoid ?? [];
  const healthy = dht.members.filter((m) => !avoid.includes(m) && !state.suspects.has(m));
  const unavoided = dht.members.filter((m) => !avoid.includes(m));
  const pool = healthy.length > 0 ? healthy : unavoided.length > 0 ? unavoided : dht.members;
  const node = memberEntry(state, pool[pickIndex(random, pool.length)] as string);
  return succeed(state, { node: tupleOf(node), year: dht.year });
}

/** Row 9: only the leader may tear the DHT down; states change at teardown-complete. */
export function teardownDht(state: ManagerState, req: NameOnlyRequest): Outcome {
  const { dht } = state;
  if (dht === null) return fail(state, NO_DHT);
  const leader = leaderOf(dht);
  if (req.name !== leader) return fail(state, notLeader(req.name));
  return succeed({ ...state, mode: { kind: 'AwaitTeardownComplete', leader } });
}

/**
 * Row 10: every member becomes Free and the DHT is gone. The busy rule has already refused this
 * from anyone but the awaited leader, so only Idle is left to refuse here. A leader whose teardown
 * round failed reports it (`failed`): the members it may not have reached are reset.
 */
export function teardownComplete(state: ManagerState, req: NameOnlyRequest): Outcome {
  if (state.mode.kind !== 'AwaitTeardownComplete') return fail(state, 'not waiting for teardown-complete');
  if (req.failed !== undefined) return abandoned(abandonDht(state, reportedFailure(req.name, 'teardown-dht', req.failed), req.name));
  const members = state.dht?.members ?? [];
  return succeed({ ...state, peers: withRingStates(state.peers, members, []), dht: null, mode: IDLE });
}
