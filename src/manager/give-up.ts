// What the manager does when the peer it waits on dies or falls silent (SPEC §1.4 item 7): it
// gives up, tears the DHT down — every member Free, no DHT, back to Idle — and names the peers
// that must be told to drop their ring state, so that no DHT is left half-built. Pure, like
// handle.ts; the server owns the timer.
import { awaitedDescription, IDLE, withRingStates, type ManagerState, type PeerEntry } from './state.js';

export interface GiveUp {
  readonly state: ManagerState;
  /** The live-or-not peers that may hold ring state of the abandoned DHT: told with dht-reset. */
  readonly notify: readonly PeerEntry[];
  /** One line for the trace and for the dht-reset's reason. */
  readonly reason: string;
}

/** The state after giving up on the awaited peer; null in Idle, where nothing is awaited. */
export function giveUp(state: ManagerState, waitedMs: number): GiveUp | null {
  const awaited = awaitedDescription(state.mode);
  if (awaited === null) return null;
  const members = state.dht?.members ?? [];
  // A joiner is not a member yet (D14), but the leader may already have given it an id.
  const joiner = state.mode.kind === 'AwaitDhtRebuilt' && state.mode.action === 'join' ? [state.mode.peer] : [];
  const affected = [...members, ...joiner.filter((j) => !members.includes(j))];
  const notify = affected.map((name) => state.peers.get(name)).filter((p): p is PeerEntry => p !== undefined);
  const peers = withRingStates(state.peers, members, []);
  return {
    state: { peers, dht: null, mode: IDLE },
    notify,
    reason: `no ${awaited} within ${Math.round(waitedMs / 1000)} s: the DHT is torn down and its members are Free`,
  };
}
