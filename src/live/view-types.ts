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
  /** Only in the cluster's view (`stormdht cluster --http`): what the cluster saw in every process's trace. */
  readonly cluster?: ViewCluster;
}

// The cluster's part of the view (`stormdht cluster --http`, issue 16 §2): the cluster runs every
// process and reads every trace line, so it can say what the manager cannot: each query's
// hot-potato path, and the datagrams of the command being run. The manager's view has no
// `cluster` key; the cluster's has one.

/** One hop of a query's hot potato: a find-event handed on, or the find-result sent home. */
export interface ViewHop {
  readonly from: string;
  readonly to: string;
  /** find-event: the query moving around the ring; find-result: the answer to the querier. */
  readonly kind: 'find-event' | 'find-result';
  /** When it was sent (or, when only the receiver told, received), ms since the epoch. */
  readonly at: number;
}

export interface ViewQuery {
  /**
   * When its walk was first seen: the first trace of its first find-event (or its result, for one
   * that never got that far). Fixed once set: the page picks a query by it.
   */
  readonly at: number;
  readonly querier: string;
  /** Null when it failed before asking the ring (e.g. no DHT). */
  readonly eventId: number | null;
  /** Null until the querier's result is in. */
  readonly ok: boolean | null;
  /** Whether the record was found; null until the result is in, or when the query failed. */
  readonly found: boolean | null;
  /** The ring ids visited, from the querier's result (SPEC's id-seq); empty until then. */
  readonly path: readonly number[];
  /** The node that answered (the result's `by`), or null. */
  readonly by: string | null;
  /** The query's reason for failing, or null. */
  readonly error: string | null;
  /** The datagrams of the walk, in the order they were sent: querier → first node → … → owner → querier. */
  readonly hops: readonly ViewHop[];
  /** The ring's members in id order when the query began (as the manager showed it then; `path` counts in it); empty when unknown. */
  readonly ring: readonly string[];
}

/** One step of the sequence chart of the current command. */
export type ViewStep =
  | {
      readonly kind: 'message';
      readonly from: string;
      readonly to: string;
      /** The trace's text: the message's type first (`find-event eventId=… path=[2]`). */
      readonly text: string;
      /** When the sender sent it (null: only the receiver's trace came), ms since the epoch. */
      readonly sentAt: number | null;
      /** When the receiver took it (null: not (yet) told by the receiver). */
      readonly receivedAt: number | null;
    }
  | { readonly kind: 'note'; readonly process: string; readonly at: number; readonly text: string }
  | { readonly kind: 'result'; readonly process: string; readonly at: number; readonly ok: boolean; readonly text: string };

/** The command the cluster ran last, and every datagram, note and result seen since it began. */
export interface ViewCommand {
  /** The line as run, e.g. "query-dht dave 10096222". */
  readonly line: string;
  readonly at: number;
  /** In time order; the first MAX_SEQUENCE_STEPS only. */
  readonly steps: readonly ViewStep[];
  /** Steps seen beyond MAX_SEQUENCE_STEPS and not kept. */
  readonly omitted: number;
}

export interface ViewCluster {
  /** Every process of the cluster: "manager", then the peers in the cluster's order. */
  readonly processes: readonly string[];
  /** Null before the first command. */
  readonly command: ViewCommand | null;
  /** The latest queries, oldest first (MAX_QUERIES at most). */
  readonly queries: readonly ViewQuery[];
}
