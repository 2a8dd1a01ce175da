// Every datagram stormdht sends, as TypeScript types. SPEC.md §7 is the inventory; docs/protocol.md
// describes what each receiver does. Every message carries `v` (the protocol version, added by the
// codec), `type`, and a request id `rid` (the answers carry the rid of the request they answer).

import type { Grant, NamedGrant } from './grant.js';

/** Bumped whenever a message changes incompatibly; a datagram of another version is refused. */
export const PROTOCOL_VERSION = 1;

/** A peer's public identity on the ring: its name, IPv4 and p-port (SPEC "tuple"). */
export interface Tuple {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
}

/** A record on the wire: its table position and its 14 field strings, verbatim. */
export interface WireRecord {
  readonly pos: number;
  readonly fields: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Peer → manager (SPEC §7.1). Each is answered by one `reply`.

export interface RegisterRequest {
  readonly type: 'register';
  readonly rid: string;
  readonly name: string;
  readonly ip: string;
  readonly mPort: number;
  readonly pPort: number;
}
export interface SetupDhtRequest {
  readonly type: 'setup-dht';
  readonly rid: string;
  readonly name: string;
  readonly n: number;
  readonly year: string;
}
export interface DhtRebuiltRequest {
  readonly type: 'dht-rebuilt';
  readonly rid: string;
  readonly name: string;
  readonly newLeader: string;
  /** See NameOnlyRequest.failed. */
  readonly failed?: string;
}
/**
 * The leader, during its setup, asks for the grants of members from…from+count−1 (ring ids) that
 * setup-dht's reply had no room for: a ring of a thousand names and grants does not fit one
 * datagram (an extension for issue 5's grants).
 */
export interface DhtGrantsRequest {
  readonly type: 'dht-grants';
  readonly rid: string;
  readonly name: string;
  readonly from: number;
  readonly count: number;
}
/**
 * The new leader of a ring the manager repaired (issue 11) reports that the repair has ended:
 * `failed` as on the other completions; `lost` when the ring is whole but holds no records because
 * this node has no valid copy of the year (SPEC §6.5 step 5), with the reason.
 */
export interface DhtRepairedRequest {
  readonly type: 'dht-repaired';
  readonly rid: string;
  readonly name: string;
  readonly failed?: string;
  readonly lost?: string;
  /**
   * With replicas (issue 12): how many of the DHT's records had lost every copy when the repaired
   * ring was rebuilt from its members' copies (absent when none).
   */
  readonly lostRecords?: number;
}
/** Any registered peer asks for the registry and the DHT; `from` pages a registry too big for one reply. */
export interface MembersRequest {
  readonly type: 'members';
  readonly rid: string;
  readonly name: string;
  readonly from?: number;
}
/** The manager commands that carry only the caller's name. */
export type NameOnlyCommand =
  | 'dht-complete'
  | 'query-dht'
  | 'leave-dht'
  | 'join-dht'
  | 'deregister'
  | 'teardown-dht'
  | 'teardown-complete';
export interface NameOnlyRequest {
  readonly type: NameOnlyCommand;
  readonly rid: string;
  readonly name: string;
  /**
   * Only on the completions (dht-complete, teardown-complete, and dht-rebuilt): the procedure failed
   * in a way that may have left the ring's states or tables inconsistent (the network defeated a
   * step), with the reason. The manager then tears the DHT down and resets its members (an
   * extension of SPEC §6.2 step 5, §6.5 step 5 and §6.7).
   */
  readonly failed?: string;
  /** Only on query-dht: members the querier found silent; the manager starts it at another (issue 11). */
  readonly avoid?: readonly string[];
}

/**
 * Manager → a peer's m-port: the manager gave up waiting on a peer and tore the DHT down; drop any
 * ring state and records of it. The manager's only message that is not a reply (an extension of
 * SPEC §1.2, for §1.4 item 7). Answered by a reply.
 */
export interface DhtResetRequest {
  readonly type: 'dht-reset';
  readonly rid: string;
  readonly reason: string;
  /**
   * The serial of the DHT the peer is reset out of: from now on it refuses grants of it, so that a
   * set-id of that DHT still on its way (from a leader evicted while stopped, which wakes and
   * carries on) does not put it back in a ring the manager has given up.
   */
  readonly serial?: number;
}

/**
 * Manager → the new leader's m-port (issue 11): members died; rebuild the ring as `ring` (the
 * survivors, leader first) from your copy of the year, then report with dht-repaired. Like
 * dht-reset, a message the manager sends on its own initiative. Answered by a reply.
 */
export interface RepairDhtRequest {
  readonly type: 'repair-dht';
  readonly rid: string;
  readonly reason: string;
  readonly year: string;
  readonly ring: readonly Tuple[];
}

/**
 * A registered peer's heartbeat, from its m-port to the manager every HEARTBEAT_INTERVAL_MS (the
 * failure detector, issue 11). Not cached and not retransmitted: the next one follows anyway.
 */
export interface HeartbeatRequest extends HeartbeatFigures {
  readonly type: 'heartbeat';
  readonly rid: string;
  readonly name: string;
}
/**
 * What a peer reports of itself on its heartbeats (issue 16), for the manager's live view. Every
 * key is optional: a peer may send none (a heartbeat that confirms a registration carries none).
 * The counters run from the peer's registration, over both of its sockets, heartbeats not counted.
 */
export interface HeartbeatFigures {
  /** Records it holds as their owner. */
  readonly records?: number;
  /** With R ≥ 2 (issue 12): the copies it keeps of the records of the nodes before it. */
  readonly replicas?: number;
  /** Datagrams sent and received. */
  readonly sent?: number;
  readonly received?: number;
  /** Requests sent again for want of an answer. */
  readonly retransmits?: number;
  /** Datagrams dropped: malformed, unauthenticated, without the secret, over a rate limit. */
  readonly dropped?: number;
  /**
   * The queries it asked that were answered in about the last second, newest last (at most
   * MAX_QUERY_REPORTS): each is on about ten heartbeats, so a lost one loses none; the manager
   * tells them apart by `n`.
   */
  readonly queries?: readonly QueryReport[];
}

/** Most query reports one heartbeat carries (about 60 bytes each). */
export const MAX_QUERY_REPORTS = 8;

/** A query a peer asked and had answered (issue 16): the manager never sees the event id otherwise. */
export interface QueryReport {
  /** The peer's serial number of its answered queries, from 1: the manager logs each n once. */
  readonly n: number;
  readonly eventId: number;
  readonly found: boolean;
  /** The ids visited (SPEC's id-seq). */
  readonly path: readonly number[];
  /** The node that answered, when the find-result named it. */
  readonly by?: string;
}
/**
 * The manager's answer to a heartbeat. ok:false when the manager does not know the sender under
 * that name (evicted, or a manager that lost its state), with the reason. `suspects` names the
 * peers the detector suspects (Free ones too), and `dead` the members it has declared dead while
 * the ring is repaired without them: nodes route their queries around them. `dead` also names
 * the peers evicted lately that have not registered again: a leader refuses their join-request.
 */
export interface HeartbeatAck {
  readonly type: 'heartbeat-ack';
  readonly rid: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly suspects?: readonly string[];
  readonly dead?: readonly string[];
}

export type ManagerRequest =
  | RegisterRequest
  | SetupDhtRequest
  | DhtRebuiltRequest
  | DhtGrantsRequest
  | DhtRepairedRequest
  | MembersRequest
  | NameOnlyRequest;
export type ManagerCommand = ManagerRequest['type'];

export const MANAGER_COMMANDS: readonly ManagerCommand[] = [
  'register',
  'setup-dht',
  'dht-complete',
  'query-dht',
  'leave-dht',
  'join-dht',
  'dht-rebuilt',
  'deregister',
  'teardown-dht',
  'teardown-complete',
  'dht-grants',
  'dht-repaired',
  'members',
];

/** One peer as `members` lists it: its state at the manager and its tuple's address. */
export interface MemberEntry {
  readonly name: string;
  readonly state: 'Free' | 'Leader' | 'InDHT';
  readonly ip: string;
  readonly port: number;
}
/** The DHT as `members` shows it: the members' names in id order. */
export interface DhtSummary {
  readonly year: string;
  readonly ring: readonly string[];
  readonly leader: string;
}

/** What an ok reply may carry besides ok (SPEC §7.1 "extra payload"). */
export interface ReplyPayload {
  /** register: this peer's own key P (issue 5), base64url; setup-dht, join-dht: the DHT's key K. */
  readonly key?: string;
  /** setup-dht, join-dht: the DHT's number, which its grants carry. */
  readonly serial?: number;
  /** setup-dht: K sealed for each member but the leader, for the leader to put in its set-ids. */
  readonly grants?: readonly NamedGrant[];
  /** setup-dht: the n tuples, leader first; join-done also carries the rebuilt ring. */
  readonly ring?: readonly Tuple[];
  /** query-dht: the member the query starts at. */
  readonly node?: Tuple;
  /** query-dht: the DHT's year. */
  readonly year?: string;
  /** join-dht: the current leader. */
  readonly leader?: Tuple;
  /** members: a page of the registry, in registration order, and how many peers it holds in all. */
  readonly peers?: readonly MemberEntry[];
  readonly total?: number;
  /** members: the DHT, or null when there is none. */
  readonly dht?: DhtSummary | null;
  /** setup-dht (issue 12): R, the copies the DHT keeps of every record; absent when 1 (SPEC's DHT). */
  readonly replicas?: number;
}

/** SUCCESS (ok:true) or FAILURE (ok:false, with error) to any request answered by `reply`. */
export interface Reply extends ReplyPayload {
  readonly type: 'reply';
  readonly rid: string;
  readonly ok: boolean;
  readonly error?: string;
  /**
   * FAILURE because the manager does not know the peer that named itself (issue 13): it restarted
   * without its state, or evicted the peer. The peer drops its registration and may register again.
   */
  readonly forgotten?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Peer ↔ peer (SPEC §7.2), p-port to p-port.

/**
 * Leader → node i (setup and join): your id and the ring. `epoch` names this build of the ring.
 * At setup it carries the member's grant, from which the member learns the DHT's key (grant.ts).
 */
export interface SetIdRequest {
  readonly grant?: Grant;
  readonly type: 'set-id';
  readonly rid: string;
  readonly id: number;
  readonly n: number;
  readonly s: number;
  readonly year: string;
  readonly ring: readonly Tuple[];
  readonly epoch: string;
  /**
   * Replication (issue 12), absent in SPEC's DHT of one copy: R, the copies of every record; l,
   * the records the DHT was set up with; and the records it has lost every copy of, with the
   * names of the dead that took them.
   */
  readonly replicas?: number;
  readonly l?: number;
  readonly lost?: LostRecords;
}

/** Records of which no copy survived (issue 12): how many, and whose deaths took them. */
export interface LostRecords {
  readonly count: number;
  readonly dead: readonly string[];
}

/**
 * Records for one owner, forwarded hop by hop around the ring. With R copies (issue 12) the owner
 * keeps them and passes the same datagram on to the R − 1 nodes after it, each keeping a copy;
 * the last of them acknowledges to origin (chain replication). With R = 1 that is the owner.
 */
export interface StoreRequest {
  readonly type: 'store';
  readonly rid: string;
  readonly origin: Tuple;
  readonly owner: number;
  readonly epoch: string;
  readonly records: readonly WireRecord[];
  /**
   * Only in a sender's own copy, never on the wire: a distributor that packs a batch from the
   * file's lines (store-batches.ts) sends it with its own encoder and leaves `records` empty here;
   * `count` then says how many the datagram carries (storeCount).
   */
  readonly count?: number;
}

/** How many records a store carries. */
export function storeCount(msg: StoreRequest): number {
  return msg.count ?? msg.records.length;
}
export interface StoreAck {
  readonly type: 'store-ack';
  readonly rid: string;
  /**
   * Further stores from the same origin that this one datagram acknowledges (an owner acknowledges
   * the stores it kept in one turn of its event loop together; at most MAX_ACKED_TOGETHER rids
   * in all).
   */
  readonly also?: readonly string[];
}

/** The most store rids one store-ack names (its rid and `also`): a datagram of about 1 KB. */
export const MAX_ACKED_TOGETHER = 32;

/** The rids a store-ack acknowledges. */
export function ackedRids(msg: StoreAck): readonly string[] {
  return msg.also === undefined ? [msg.rid] : [msg.rid, ...msg.also];
}

/** Collects every node's record count around the ring (D7); its return to origin is its answer. */
export interface CountRequest {
  readonly type: 'count';
  readonly rid: string;
  readonly origin: Tuple;
  readonly epoch: string;
  readonly counts: readonly number[];
  /** With replicas (issue 12): each node's count of the copies it holds for the nodes before it. */
  readonly copies?: readonly number[];
  /** With replicas: the records the ring has lost every copy of, for every node to know. */
  readonly lost?: LostRecords;
}

/** A query travelling by hot potato; the deciding node answers the querier with find-result. */
export interface FindEventRequest {
  readonly type: 'find-event';
  readonly rid: string;
  readonly eventId: number;
  readonly querier: Tuple;
  readonly path: readonly number[];
  /** stormdht's option: 'direct' asks the first node to pass the query straight to the owner. */
  readonly routing?: 'direct';
  /**
   * With replicas (issue 12): `copy` asks a node holding a copy of the owner's records to answer
   * from it rather than pass the query on to the owner, which did not answer or is suspected;
   * `held` asks the receiver to look in the build of the ring with that epoch, which a rebuild is
   * replacing, because the new build's owner does not hold the record yet.
   */
  readonly copy?: boolean;
  readonly held?: string;
}
export interface FindResult {
  readonly type: 'find-result';
  readonly rid: string;
  readonly eventId: number;
  readonly found: boolean;
  readonly path: readonly number[];
  readonly fields?: readonly string[];
  readonly error?: string;
  /** True when a node holding a copy answered, not the owner (issue 12). */
  readonly copy?: boolean;
  /**
   * The answering peer's name (issue 15): a Free querier knows the node it asked first, not the
   * one that decides, and its trace would name that one by its address.
   */
  readonly by?: string;
}

/** Empties every table around the ring; `final` also dissolves the ring. Returns to origin. */
export interface TeardownRequest {
  readonly type: 'teardown';
  readonly rid: string;
  readonly origin: Tuple;
  readonly final: boolean;
  /**
   * The epoch of the build the round tears down (absent when its originator had none). A node of
   * another build drops it: a round held up at a stopped node, and let go when it wakes, must not
   * empty the ring that a repair has built meanwhile (issue 11).
   */
  readonly epoch?: string;
}

/** Renumbers the ring after a leave: new[k] takes id k; the last node returns it to origin (D15). */
export interface ResetIdRequest {
  readonly type: 'reset-id';
  readonly rid: string;
  readonly origin: Tuple;
  readonly id: number;
  readonly n: number;
  readonly ring: readonly Tuple[];
  readonly epoch: string;
}

/** Leaver → new leader: rebuild the DHT from your own copy of the year's file. */
export interface RebuildDhtRequest {
  readonly type: 'rebuild-dht';
  readonly rid: string;
  readonly origin: Tuple;
  readonly year: string;
  readonly s: number;
}

/** The outcome of a rebuild, sent by the (new) leader to the leaver or joiner. */
export interface RebuildOutcome {
  readonly ok: boolean;
  readonly error?: string;
  /**
   * With ok:false: true when the failure may have left the ring inconsistent (a store, set-id or
   * teardown ran out of its retry budget), so the DHT must be torn down; absent when the ring is
   * whole and empty (the leader's file failed its checks before any record was sent, §6.5 step 5).
   */
  readonly broken?: boolean;
  readonly records: number;
  readonly recordsPerNode: readonly number[];
  /** With replicas (issue 12): the copies each node holds, and the records no copy was left of. */
  readonly replicasPerNode?: readonly number[];
  readonly lostRecords?: number;
}
export interface RebuildDoneRequest extends RebuildOutcome {
  readonly type: 'rebuild-done';
  readonly rid: string;
}
export interface JoinRequest {
  readonly type: 'join-request';
  readonly rid: string;
  readonly joiner: Tuple;
}
export interface JoinDoneRequest extends RebuildOutcome {
  readonly type: 'join-done';
  readonly rid: string;
  readonly ring: readonly Tuple[];
}

/**
 * With replicas (issue 12), the leader of a rebuild asks each member for page `page` of the records
 * it held in the ring's last counted build (its own and its copies): the rebuild's records come
 * from the ring, not from a file. `epoch` is the rebuild's, which the member has taken already.
 * Answered by fetch-result.
 */
export interface FetchRequest {
  readonly type: 'fetch';
  readonly rid: string;
  readonly origin: Tuple;
  readonly epoch: string;
  readonly page: number;
}
/** A page of a member's records (packed like a store's), and whether it is the last. */
export interface FetchResult {
  readonly type: 'fetch-result';
  readonly rid: string;
  readonly page: number;
  readonly end: boolean;
  readonly records: readonly WireRecord[];
  /** See StoreRequest.count: only in the sender's own copy of a packed page. */
  readonly count?: number;
}

export type PeerRequest =
  | FetchRequest
  | SetIdRequest
  | StoreRequest
  | CountRequest
  | FindEventRequest
  | TeardownRequest
  | ResetIdRequest
  | RebuildDhtRequest
  | RebuildDoneRequest
  | JoinRequest
  | JoinDoneRequest;

/** Messages that answer a request: they complete the sender's pending request with that rid. */
export type Answer = Reply | StoreAck | FindResult | HeartbeatAck | FetchResult;

export type Message = ManagerRequest | PeerRequest | DhtResetRequest | RepairDhtRequest | HeartbeatRequest | Answer;
export type MessageType = Message['type'];

/** The message with a given type. */
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

/** A request before the transport gives it a rid. */
export type Unsent<M extends { rid: string }> = M extends unknown ? Omit<M, 'rid'> : never;

/** Answer types: they complete the pending request with their rid and are never answered. */
export const ANSWER_TYPES: ReadonlySet<MessageType> = new Set<MessageType>(['reply', 'store-ack', 'find-result', 'heartbeat-ack', 'fetch-result']);

/**
 * Requests answered by a `reply` from their receiver. Their replies are cached, so that a repeated
 * request gets the remembered reply and is not executed again (SPEC §1.4 item 3). The forwarded
 * messages (store, count, find-event, teardown, reset-id) are answered elsewhere and not cached.
 */
export const REPLY_ANSWERED_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  ...MANAGER_COMMANDS,
  'set-id',
  'rebuild-dht',
  'rebuild-done',
  'join-request',
  'join-done',
  'dht-reset',
  'repair-dht',
]);

export type Request = ManagerRequest | PeerRequest | DhtResetRequest | RepairDhtRequest | HeartbeatRequest;
