// What a command handler returns, and the failure texts more than one command uses, so that the
// same condition is worded the same way whichever command meets it (the trace and the JSON
// results show these words to the user, SPEC §14).
import type { ReplyPayload } from '../wire/messages.js';
import type { ReplyBody } from '../transport/endpoint.js';
import type { Abandon } from './give-up.js';
import { awaitedDescription, type Dht, type Mode, type ManagerState, type PeerEntry } from './state.js';
import { PEER_NAME, quote } from './validate.js';

/** The reply without type and rid: SUCCESS with its payload, or FAILURE with its reason. */
export type { ReplyBody };

export interface Outcome {
  readonly state: ManagerState;
  readonly reply: ReplyBody;
  /** The DHT was abandoned: these peers are to be sent dht-reset, with this reason. */
  readonly reset?: Pick<Abandon, 'notify' | 'reason'>;
}

/** SUCCESS: the new state and the reply's payload. */
export function succeed(state: ManagerState, payload: ReplyPayload = {}): Outcome {
  return { state, reply: { ok: true, ...payload } };
}

/** SUCCESS to a reported failure: the DHT is abandoned, and the other peers are to be reset. */
export function abandoned({ state, notify, reason }: Abandon): Outcome {
  return { state, reply: { ok: true }, reset: { notify, reason } };
}

/** FAILURE: the state is handed back untouched (every FAILURE leaves the manager as it was). */
export function fail(state: ManagerState, error: string): Outcome {
  return { state, reply: { ok: false, error } };
}

/** A name as a message shows it: bare when it is a valid peer name, quoted otherwise. */
export function who(name: string): string {
  return PEER_NAME.test(name) ? name : quote(name);
}

export const NO_DHT = 'no DHT exists';

export function busy(mode: Mode): string {
  if (mode.kind === 'AwaitDhtRepaired') {
    return `busy: the ring is being repaired after ${mode.dead.join(', ')} died; waiting for dht-repaired from ${mode.leader}`;
  }
  return `busy: waiting for ${awaitedDescription(mode) ?? 'nothing'}`;
}

export function notRegistered(name: string): string {
  return `peer ${quote(name)} is not registered`;
}

/**
 * FAILURE to a command that names a peer the manager does not know (issue 13). Peers send commands
 * only once registered, so the sender was registered once: the manager restarted without its
 * state, or evicted it. The reply says so, with a key the peer acts on: it drops its registration
 * and ring state, and may register again.
 */
export function forgottenCaller(state: ManagerState, name: string, sender: { ip: string; port: number }): Outcome {
  return { state, reply: { ok: false, error: `the manager does not know ${who(name)} at ${sender.ip}:${sender.port}: register again`, forgotten: true } };
}

export function notLeader(name: string): string {
  return `${who(name)} is not the leader of the DHT`;
}

export function notMember(name: string): string {
  return `${who(name)} is not a member of the DHT`;
}

/** D9, D12 and §4: only a Free peer may set up, query, join or deregister. */
export function onlyFree(peer: PeerEntry, action: string): string {
  return `peer is ${peer.state}; only a Free peer may ${action}`;
}

/** The registry entry of a member; members are registered (an invariant), hence the assertion. */
export function memberEntry(state: ManagerState, name: string): PeerEntry {
  return state.peers.get(name) as PeerEntry;
}

/** The checks that open query-dht and join-dht: a DHT exists and the caller is a registered Free peer. */
export function freeCallerOfDht(state: ManagerState, name: string, action: string): { dht: Dht } | { error: string } {
  if (state.dht === null) return { error: NO_DHT };
  const caller = state.peers.get(name);
  if (caller === undefined) return { error: notRegistered(name) };
  if (caller.state !== 'Free') return { error: onlyFree(caller, action) };
  return { dht: state.dht };
}
