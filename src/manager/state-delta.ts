// The manager's state as a sequence of changes (issue 13): what one command changed, as a list
// of deltas computed from the state before and after it, and the state back from a snapshot and
// its deltas. The handlers never mutate a state and reuse every object they did not change
// (state.ts), so a change is found by comparing references: a registry entry that is a new
// object was written, a name that is gone was removed. Pure, so replay is unit-tested alone.
// The failure detector's suspicions are not state that survives a restart: after one, every peer
// gets a grace period (server.ts), so they are neither recorded nor restored.
import { IDLE, initialState, type Dht, type ManagerState, type Mode, type PeerEntry } from './state.js';

export type Delta =
  | { readonly op: 'peer'; readonly name: string; readonly entry: PeerEntry | null }
  | { readonly op: 'dht'; readonly dht: Dht | null }
  | { readonly op: 'mode'; readonly mode: Mode }
  | { readonly op: 'dhts'; readonly dhts: number };

/** The whole state as plain JSON: the registry in registration order. */
export interface Snapshot {
  readonly peers: readonly PeerEntry[];
  readonly dht: Dht | null;
  readonly mode: Mode;
  readonly dhts: number;
}

/** What changed from `before` to `after`, in an order that replays to `after` (registration order kept). */
export function diffState(before: ManagerState, after: ManagerState): Delta[] {
  const deltas: Delta[] = [];
  for (const name of before.peers.keys()) if (!after.peers.has(name)) deltas.push({ op: 'peer', name, entry: null });
  for (const [name, entry] of after.peers) if (before.peers.get(name) !== entry) deltas.push({ op: 'peer', name, entry });
  if (before.dht !== after.dht) deltas.push({ op: 'dht', dht: after.dht });
  if (before.mode !== after.mode) deltas.push({ op: 'mode', mode: after.mode });
  if (before.dhts !== after.dhts) deltas.push({ op: 'dhts', dhts: after.dhts });
  return deltas;
}

/** The state after the deltas. */
export function applyDeltas(state: ManagerState, deltas: readonly Delta[]): ManagerState {
  let peers: Map<string, PeerEntry> | null = null;
  let { dht, mode, dhts } = state;
  for (const d of deltas) {
    switch (d.op) {
      case 'peer':
        peers ??= new Map(state.peers);
        if (d.entry === null) peers.delete(d.name);
        else peers.set(d.name, d.entry);
        break;
      case 'dht':
        dht = d.dht;
        break;
      case 'mode':
        mode = d.mode;
        break;
      case 'dhts':
        dhts = d.dhts;
        break;
    }
  }
  return { ...state, peers: peers ?? state.peers, dht, mode, dhts };
}

export function snapshotOf(state: ManagerState): Snapshot {
  return { peers: [...state.peers.values()], dht: state.dht, mode: state.mode, dhts: state.dhts };
}

/** The state of a snapshot, with the manager's own setting of R and no suspicions. */
export function stateOf(snapshot: Snapshot, replicas: number): ManagerState {
  const peers = new Map(snapshot.peers.map((p) => [p.name, p]));
  return { ...initialState(replicas), peers, dht: snapshot.dht, mode: snapshot.mode ?? IDLE, dhts: snapshot.dhts };
}
