// The live view's model (issue 16): one ViewState (view-types.ts) from the manager's state, its
// failure detector's view, the figures its peers report on their heartbeats and the event log.
// Pure: the same sources give the same JSON, so a view is sent again only when it changed.
import { tableSize } from '../data/hashing.js';
import type { PeerFigure } from '../manager/peer-figures.js';
import { awaitedDescription, type ManagerState } from '../manager/state.js';
import type { Liveness, ViewDht, ViewEvent, ViewPeer, ViewState, ViewTraffic } from './view-types.js';

export interface ViewSources {
  readonly state: ManagerState;
  /** The peers the detector declared dead lately (ManagerServer.dead). */
  readonly dead: readonly string[];
  /** A peer's latest heartbeat figures, or null before any (ManagerServer.figures). */
  readonly figures: (name: string) => PeerFigure | null;
  /** Oldest first. */
  readonly events: readonly ViewEvent[];
}

export function buildViewState(sources: ViewSources): ViewState {
  const { state, dead } = sources;
  const livenessOf = (name: string): Liveness => (dead.includes(name) ? 'dead' : state.suspects.has(name) ? 'suspect' : 'alive');
  const idOf = new Map((state.dht?.members ?? []).map((name, id) => [name, id]));
  const peers: ViewPeer[] = [...state.peers.values()].map((p) => {
    const figure = sources.figures(p.name);
    const f = figure?.figures;
    return {
      name: p.name,
      state: p.state,
      ip: p.ip,
      mPort: p.mPort,
      pPort: p.pPort,
      liveness: livenessOf(p.name),
      id: idOf.get(p.name) ?? null,
      records: f?.records ?? null,
      replicas: f?.replicas ?? null,
      traffic: figure === null ? null : trafficOf(figure),
    };
  });
  const byName = new Map(peers.map((p) => [p.name, p]));
  let dht: ViewDht | null = null;
  if (state.dht !== null) {
    const members = state.dht.members.map((name, id) => {
      const peer = byName.get(name);
      return { id, name, records: peer?.records ?? null, replicas: peer?.replicas ?? null, liveness: peer?.liveness ?? livenessOf(name) };
    });
    const l = members.reduce((sum, m) => sum + (m.records ?? 0), 0);
    dht = {
      year: state.dht.year,
      n: members.length,
      l,
      s: l > 0 ? tableSize(l) : null,
      leader: state.dht.members[0] ?? '',
      complete: state.dht.complete,
      replicas: state.dht.replicas ?? 1,
      members,
    };
  }
  return {
    mode: state.mode.kind,
    waitingFor: awaitedDescription(state.mode),
    replicas: state.replicas,
    peers,
    dht,
    departed: dead.filter((name) => !state.peers.has(name)),
    events: sources.events,
  };
}

function trafficOf(figure: PeerFigure): ViewTraffic {
  const f = figure.figures;
  return {
    sent: f.sent ?? 0,
    received: f.received ?? 0,
    retransmits: f.retransmits ?? 0,
    dropped: f.dropped ?? 0,
    datagramsPerSecond: figure.datagramsPerSecond === null ? null : Math.round(figure.datagramsPerSecond * 10) / 10,
  };
}
