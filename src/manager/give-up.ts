// Abandoning the DHT: the manager tears it down — every member Free, no DHT, back to Idle — and
// names the peers that must be told to drop their ring state (with dht-reset), so that no DHT is
// left half-built. Two things lead here: the peer it waits on dies or falls silent (SPEC §1.4
// item 7: the give-up), or that peer reports that its procedure failed in a way that may have left
// the ring inconsistent (the `failed` key of a completion). Pure, like handle.ts; the server owns
// the timer and sends the resets.
import { awaitedDescription, IDLE, withRingStates, type ManagerState, type PeerEntry } from './state.js';

export interface Abandon {
  readonly state: ManagerState;
  /** The live-or-not peers that may hold ring state of the abandoned DHT: told with dht-reset. */
  readonly notify: readonly PeerEntry[];
  /** One line for the trace and for the dht-reset's reason. */
  readonly reason: string;
}

/**
 * The state after abandoning the DHT. Every member is notified, and a joiner the manager awaits
 * (not a member yet, D14, but the leader may already have given it an id), except `reporter`,
 * which knows already.
 */
export function abandonDht(state: ManagerState, reason: string, reporter: string | null = null): Abandon {
  const members = state.dht?.members ?? [];
  const joiner = state.mode.kind === 'AwaitDhtRebuilt' && state.mode.action === 'join' ? [state.mode.peer] : [];
  const affected = [...members, ...joiner.filter((j) => !members.includes(j))].filter((name) => name !== reporter);
  const notify = affected.map((name) => state.peers.get(name)).filter((p): p is PeerEntry => p !== undefined);
  const peers = withRingStates(state.peers, members, []);
  return { state: { ...state, peers, dht: null, mode: IDLE }, notify, reason };
}

/** The give-up after the await timeout; null in Idle, where nothing is awaited. */
export function giveUp(state: ManagerState, waitedMs: number): Abandon | null {
  const awaited = awaitedDescription(state.mode);
  if (awaited === null) return null;
  return abandonDht(state, `no ${awaited} within ${Math.round(waitedMs / 1000)} s: the DHT is torn down and its members are Free`);
}

/** The reason a reported failure gives the trace and the members' dht-reset. */
export function reportedFailure(reporter: string, command: string, failed: string): string {
  return `${reporter} reported ${command} failed (${failed}): the DHT is torn down and its members are Free`;
}
