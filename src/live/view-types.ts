// The live view's data (issue 16): what `GET /state` answers and every `state` event of
// `GET /events` carries, one JSON object built by view-state.ts from the manager's state, its
// failure detector and its peers' heartbeats. The page (page/) draws it. This file imports
// nothing, so that the browser build (tsconfig.web.json) takes it without the node code.
// Consumers must ignore keys they do not know: keys are only ever added.

export type ViewPeerState = 'Free' | 'Leader' | 'InDHT';

/** The failure detector's word on a peer: suspect after 1 s of silence, dead (evicted) at 2.5 s. */
export type Liveness = 'alive' | 'suspect' | 'dead';

/** What an entry of the event log is about. */
export type ViewEventKind = 'register' | 'setup' | 'query' | 'leave' | 'join' | 'teardown' | 'deregister' | 'death' | 'repair' | 'abandon';

/** A peer's traffic since it registered (heartbeats not counted), from its heartbeats. */
export interface ViewTraffic {
  readonly sent: number;
  readonly received: number;
  readonly retransmits: number;
  readonly dropped: number;
  /** Datagrams sent and received per second over about the last second; null until measured. */
  readonly datagramsPerSecond: number | null;
}

export interface ViewPeer {
  readonly name: string;
  readonly state: ViewPeerState;
  readonly ip: string;
  readonly mPort: number;
  readonly pPort: number;
  readonly liveness: Liveness;
  /** Its id in the ring, or null when Free. */
  readonly id: number | null;
  /** Records it holds as their owner, as its last heartbeat said; null before one said. */
  readonly records: number | null;
  /** With R ≥ 2: the copies it keeps of other nodes' records; null otherwise. */
  readonly replicas: number | null;
  readonly traffic: ViewTraffic | null;
}

export interface ViewMember {
  readonly id: number;
  readonly name: string;
  readonly records: number | null;
  readonly replicas: number | null;
  readonly liveness: Liveness;
}

export interface ViewDht {
  readonly year: string;
  /** The ring's size. */
  readonly n: number;
  /** Records held in total by their owners (the members' heartbeats); l of SPEC §9 once built. */
  readonly l: number;
  /** The first prime above 2l (SPEC §9); null while l is 0. */
  readonly s: number | null;
  readonly leader: string;
  /** False while it is being set up (the manager awaits dht-complete). */
  readonly complete: boolean;
  /** R, the copies of every record it keeps. */
  readonly replicas: number;
  /** In id order: members[i] is node i, members[0] the leader. */
  readonly members: readonly ViewMember[];
}

export interface ViewEvent {
  /** When the manager saw it, in ms since the epoch. */
  readonly at: number;
  readonly kind: ViewEventKind;
  readonly text: string;
}

export interface ViewState {
  /** The manager's mode: Idle, or what it awaits (AwaitDhtComplete, …). */
  readonly mode: string;
  /** What it waits for, e.g. "dht-complete from alice", or null in Idle. */
  readonly waitingFor: string | null;
  /** The manager's R for every DHT it sets up. */
  readonly replicas: number;
  /** Every registered peer, in registration order. */
  readonly peers: readonly ViewPeer[];
  readonly dht: ViewDht | null;
  /** Peers the failure detector declared dead lately and evicted (no longer registered). */
  readonly departed: readonly string[];
  /** The event log, oldest first: the last EVENT_LOG_SIZE entries. */
  readonly events: readonly ViewEvent[];
}
