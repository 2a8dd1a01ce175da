// A peer: its registration and two endpoints (m-port for the manager, p-port for the ring), its
// ring state and local table. Incoming peer-to-peer requests go to one handler per message type
// (handlers/); the user's commands run as procedures (procedures/). Sockets, clock and randomness
// are injected, so the same code runs over real UDP and in tests.
import type { LoadResult } from '../data/csv.js';
import { YearCache } from '../data/year-cache.js';
import { LocalTable } from '../data/local-table.js';
import { realClock, type Clock } from '../transport/clock.js';
import { Endpoint, type ReplyBody, type RequestOptions, type TransportEvent } from '../transport/endpoint.js';
import { HeldOutput } from '../transport/held-output.js';
import { ExpiringMap } from '../transport/expiring-map.js';
import { NoteLimiter } from '../transport/note-limiter.js';
import { RetransmitNotes } from '../transport/retransmit-notes.js';
import { RttEstimator } from '../transport/rtt.js';
import { CONFIRM_BUDGET_MS, DEFAULT_BATCH_BYTES, FORWARD_MEMORY_MS, HEARTBEAT_INTERVAL_MS, SEEN_TTL_MS } from '../transport/timing.js';
import { Heartbeat } from './liveness/heartbeat.js';
import { startRepair } from './procedures/repair.js';
import { bindUdp, formatAddress, type Address, type DatagramSocket } from '../transport/udp-socket.js';
import { commandLine, describe, replySummary } from '../wire/describe.js';
import { QueryReports } from './query-reports.js';
import type { HeartbeatAck, HeartbeatFigures, ManagerRequest, Message, PeerRequest, Reply, Request, Tuple, Unsent } from '../wire/messages.js';
import { RESET_DURING_DISTRIBUTION } from './errors.js';
import type { PeerEvent } from './events.js';
import { dispatchPeerRequest } from './handlers/dispatch.js';
import { interceptStore } from './handlers/store.js';
import type { StoreEncoding } from './procedures/store-batches.js';
import { addressOf, type PeerStateName, type RingState } from './ring-state.js';
import type { HeldBuild } from './held-build.js';
import { StoreTraffic } from './store-traffic.js';
import { StoreAcks } from './store-acks.js';
import { guardPeerSocket } from './socket-guards.js';
import { noKeys, ringGuard, type PeerKeys } from './ring-auth.js';

export interface PortRange {
  readonly lo: number;
  readonly hi: number;
}

export const DEFAULT_PORT_RANGE: PortRange = { lo: 7001, hi: 7499 };

/** Query routing: `hot-potato` is SPEC §6.3; `direct` lets the first node send the query to the owner. */
export type Routing = 'hot-potato' | 'direct';
/** Record placement: `ring` is SPEC §6.2 (via the right neighbour); `direct` sends each batch to its owner. */
export type Placement = 'ring' | 'direct';

export interface PeerOptions {
  readonly manager: Address;
  readonly dataDir: string;
  readonly portRange?: PortRange;
  /** Byte budget of one batched store datagram. */
  readonly batchBytes?: number;
  /** How this peer's queries travel: the protocol's hot potato (default), or straight to the owner. */
  readonly routing?: Routing;
  /** How this peer, as a leader, places records: round the ring (default), or straight to each owner. */
  readonly placement?: Placement;
  /** How its store datagrams carry records: deflated (default) or SPEC's plain JSON array. */
  readonly storeEncoding?: StoreEncoding;
  /**
   * After a build, pack in the background the batches of the rebuild this node would lead next
   * (procedures/standby.ts). Default true.
   */
  readonly standby?: boolean;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly bind?: (ip: string, port: number) => Promise<DatagramSocket>;
  readonly onEvent?: (event: PeerEvent) => void;
  /** The system secret (--secret): every datagram is authenticated with it (authenticated-socket.ts). */
  readonly secret?: string;
  /** Wall-clock ms for the secret's replay window (default Date.now; the simulation's virtual time). */
  readonly wallClock?: () => number;
  /**
   * The heartbeat period of the failure detector (issue 11), or null for no heartbeats: the
   * manager then evicts this peer after its detector's dead time. Default HEARTBEAT_INTERVAL_MS.
   */
  readonly heartbeatMs?: number | null;
}

/** What the manager's heartbeat answers last said of the other peers (issue 11). */
export interface LivenessView {
  /** Peers the manager suspects: not chosen as a hot-potato hop while another one is left. */
  suspects: ReadonlySet<string>;
  /** Members declared dead that the ring still lists: a query they own fails at once, saying so. */
  dead: ReadonlySet<string>;
}

interface Registration {
  readonly name: string;
  readonly ip: string;
  readonly m: Endpoint;
  readonly p: Endpoint;
}

export interface PeerStatus {
  readonly name: string | null;
  readonly state: PeerStateName;
  readonly id: number | null;
  readonly ringSize: number | null;
  readonly records: number;
  /** With R ≥ 2 copies (issue 12): the copies this node keeps of the records of the nodes before it. */
  readonly replicas?: number;
  /** Datagrams dropped since start, by why (issue 5; keys added to SPEC §14's status). */
  readonly malformed: number;
  readonly unauthenticated: number;
  readonly badSecret: number;
  readonly rateLimited: number;
}

/** Datagrams a peer dropped, by why: shown by `status`. */
export interface DropCounts {
  malformed: number;
  /** Ring control messages without a valid MAC under the ring's key. */
  unauthenticated: number;
  /** Datagrams without the system secret's valid tag, or outside its replay window. */
  badSecret: number;
  rateLimited: number;
}

export class PeerNode {
  readonly manager: Address;
  readonly dataDir: string;
  readonly portRange: PortRange;
  readonly batchBytes: number;
  readonly routing: Routing;
  readonly placement: Placement;
  readonly storeEncoding: StoreEncoding;
  readonly standby: boolean;
  readonly clock: Clock;
  readonly random: () => number;
  readonly bind: (ip: string, port: number) => Promise<DatagramSocket>;
  readonly secret: string | undefined;
  readonly wallClock: () => number;
  /** The records this node owns in the current build. */
  table = new LocalTable();
  /** With R ≥ 2 (issue 12): the copies it keeps of the records of the R − 1 nodes before it. */
  copies = new LocalTable();
  /** With R ≥ 2: the last whole build, which a rebuild in progress replaces (held-build.ts). */
  held: HeldBuild | null = null;
  /** Years read from the data directory, kept while their files are unchanged. */
  private readonly years: YearCache;
  /** Store datagrams handled since the last count passed: summarised, not traced one by one. */
  readonly storeTraffic = new StoreTraffic();
  /** The acknowledgements of the stores this node keeps, sent together per turn (store-acks.ts). */
  readonly storeAcks: StoreAcks;
  /** Queries this node passed on, by (querier, rid) → the ids their copies went to (find-event.ts). */
  readonly forwards: ExpiringMap<string, number[]>;
  /** First copies of forwarded teardown/reset-id, by (origin name, rid) → where they went next. */
  readonly seen: ExpiringMap<string, Tuple | null>;
  #ring: RingState | null = null;
  /** This peer's own key and what it needs to take the DHT's key (ring-auth.ts). */
  keys: PeerKeys = noKeys();
  /** Set while this node distributes records: withdraws the distribution's stores (on a dht-reset). */
  cancelDistribution: ((reason: string) => void) | null = null;
  private registration: Registration | null = null;
  /** Names of addresses seen in tuples, so traces can say "bob" instead of an address. */
  private readonly names = new Map<string, string>();
  private readonly onEvent: (event: PeerEvent) => void;
  /** Holds the trace of a request until the handler's datagrams have left (issue 14). */
  private readonly output = new HeldOutput();
  readonly dropped: DropCounts = { malformed: 0, unauthenticated: 0, badSecret: 0, rateLimited: 0 };
  readonly heartbeatMs: number | null;
  private heartbeat: Heartbeat | null = null;
  /** The failure detector's view, from the latest heartbeat answer. */
  liveness: LivenessView = { suspects: new Set(), dead: new Set() };
  /** Told of the next liveness view from the manager (nextView). */
  private viewWaiters: Array<() => void> = [];
  /**
   * The epoch whose count has passed this node: its table then holds every record it owns in that
   * build. Until then a record it lacks may still be on its way, so it says so instead of "not found".
   */
  countedEpoch: string | null = null;
  /**
   * The leaver whose reset-id gave this node its ring, and the epoch it gave: as the new leader,
   * the node rebuilds for that leaver's rebuild-dht only while the ring is still that build.
   */
  renumberedBy: { readonly leaver: string; readonly epoch: string } | null = null;
  /** Queries this peer has in flight (its own, as a querier): their retransmission waits with them (query.ts). */
  queriesInFlight = 0;
  /** Its answered queries, reported on its heartbeats for the manager's live view (issue 16). */
  readonly queryReports = new QueryReports();
  /** When a query last passed this node (clock ms): standby waits for a quiet ring (standby.ts). */
  lastQueryAt = Number.NEGATIVE_INFINITY;
  /** Counts the repairs this node was asked to lead: a newer one supersedes a running one. */
  repairs = 0;
  /** Counts the manager's dht-resets, and the last one's reason: a procedure reset meanwhile ends with it. */
  resets = 0;
  lastReset: string | null = null;
  /**
   * Set while this peer's deregister is in flight: the manager may have acted on it and lost the
   * reply, and a heartbeat answer that it does not know this peer is then no eviction.
   */
  deregistering = false;
  /** Told when the manager turned out not to know this peer any more (evicted): it is Unregistered now. */
  onForgotten: (() => void) | null = null;
  /** Notes about dropped input, summarised in a flood; and about repeats answered from the cache. */
  private readonly drops: NoteLimiter;
  private readonly repeats: NoteLimiter;
  /** Notes about requests sent again: a line per request per 5 s and a last one (issue 15). */
  private readonly retransmits: RetransmitNotes;

  constructor(options: PeerOptions) {
    this.manager = options.manager;
    this.dataDir = options.dataDir;
    this.portRange = options.portRange ?? DEFAULT_PORT_RANGE;
    this.batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
    this.routing = options.routing ?? 'hot-potato';
    this.placement = options.placement ?? 'ring';
    this.storeEncoding = options.storeEncoding ?? 'deflate';
    this.standby = options.standby ?? true;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.bind = options.bind ?? bindUdp;
    this.secret = options.secret;
    this.wallClock = options.wallClock ?? Date.now;
    this.heartbeatMs = options.heartbeatMs === undefined ? HEARTBEAT_INTERVAL_MS : options.heartbeatMs;
    this.onEvent = options.onEvent ?? (() => {});
    this.seen = new ExpiringMap(this.clock, SEEN_TTL_MS);
    this.forwards = new ExpiringMap(this.clock, FORWARD_MEMORY_MS);
    this.storeAcks = new StoreAcks(this.clock, (to, ack) => this.sendTo(to, ack));
    this.years = new YearCache(this.dataDir);
    this.drops = new NoteLimiter(this.clock, (text) => this.note(text, 'warn'));
    this.repeats = new NoteLimiter(this.clock, (text) => this.note(text));
    this.retransmits = new RetransmitNotes(this.clock, (text, level) => this.note(text, level));
  }

  get name(): string | null {
    return this.registration?.name ?? null;
  }

  /** The ring this node belongs to, or null. */
  get ring(): RingState | null {
    return this.#ring;
  }

  /**
   * Takes a ring. A new member list never holds a peer the manager has declared dead: a name in it
   * that the last heartbeat answer still called dead has registered again since, and is dropped
   * from the view, so that a query it owns is not failed as a dead node's before the next answer.
   */
  set ring(r: RingState | null) {
    const before = this.#ring;
    this.#ring = r;
    if (r === null || before?.ring === r.ring || this.liveness.dead.size === 0) return;
    if (!r.ring.some((t) => this.liveness.dead.has(t.name))) return;
    const dead = new Set([...this.liveness.dead].filter((name) => !r.ring.some((t) => t.name === name)));
    this.liveness = { suspects: this.liveness.suspects, dead };
  }

  /** This peer's tuple (name, IPv4, p-port); null before register. */
  get self(): Tuple | null {
    const r = this.registration;
    return r ? { name: r.name, ip: r.ip, port: r.p.local.port } : null;
  }

  /** The ring endpoint. Only handlers and procedures of a registered peer use it. */
  get p(): Endpoint {
    if (!this.registration) throw new Error('peer is not registered');
    return this.registration.p;
  }

  get mPort(): number | null {
    return this.registration?.m.local.port ?? null;
  }

  stateName(): PeerStateName {
    if (!this.registration) return 'Unregistered';
    if (!this.ring) return 'Free';
    return this.ring.id === 0 ? 'Leader' : 'InDHT';
  }

  status(): PeerStatus {
    return {
      name: this.name,
      state: this.stateName(),
      id: this.ring?.id ?? null,
      ringSize: this.ring?.n ?? null,
      records: this.table.size,
      ...(this.ring !== null && this.ring.replicas >= 2 ? { replicas: this.copies.size } : {}),
      ...this.dropped,
    };
  }

  /**
   * What the heartbeats report (issue 16): the records of status(), and the traffic of both
   * endpoints since the registration, without the heartbeats themselves (an idle peer shows none).
   */
  figures(): HeartbeatFigures {
    const r = this.registration;
    if (r === null) return {};
    const { records, replicas, malformed, unauthenticated, badSecret, rateLimited } = this.status();
    const [m, p] = [r.m.stats, r.p.stats];
    const queries = this.queryReports.current(this.clock.now());
    return {
      records,
      ...(replicas === undefined ? {} : { replicas }),
      sent: Math.max(0, m.sent + p.sent - (this.heartbeat?.beats ?? 0)),
      received: Math.max(0, m.received + p.received - (this.heartbeat?.answers ?? 0)),
      retransmits: m.retransmits + p.retransmits,
      dropped: malformed + unauthenticated + badSecret + rateLimited,
      ...(queries.length === 0 ? {} : { queries }),
    };
  }

  /** A note about dropped input of `kind` (e.g. "malformed datagrams"): rate-limited, then summarised. */
  dropNote(kind: string, text: string): void {
    this.drops.note(kind, text);
  }

  emit(event: PeerEvent): void {
    this.output.run(() => this.onEvent(event));
  }

  note(text: string, level: 'info' | 'warn' = 'info'): void {
    this.emit({ kind: 'note', level, text });
  }

  /** Reads details-<year>.csv from this peer's own data directory (D18). */
  loadYear(year: string): LoadResult {
    return this.years.load(year);
  }

  /** Takes the two bound sockets as this peer's m-port and p-port. */
  attach(name: string, ip: string, mSocket: DatagramSocket, pSocket: DatagramSocket): void {
    const rtt = new RttEstimator();
    const m = new Endpoint(guardPeerSocket(this, mSocket, 'm-port'), (msg, from) => this.onManagerSideRequest(msg, from), {
      clock: this.clock,
      random: this.random,
      rtt,
      onEvent: (e) => this.onTransportEvent('manager', e),
      hold: (work) => this.output.hold(work),
    });
    const p = new Endpoint(guardPeerSocket(this, pSocket, 'p-port'), (msg, from, raw) => dispatchPeerRequest(this, msg as PeerRequest, from, raw), {
      clock: this.clock,
      random: this.random,
      rtt,
      ...ringGuard(this),
      onEvent: (e) => this.onTransportEvent('ring', e),
      hold: (work) => this.output.hold(work),
      intercept: (buf) => interceptStore(this, buf),
    });
    this.registration = { name, ip, m, p };
    this.names.set(formatAddress(this.manager), 'manager');
  }

  /**
   * Resolves once `views` more liveness views have come from the manager, or after `maxMs` at the
   * latest; at once when this peer sends no heartbeats (no view would come).
   */
  async nextViews(views: number, maxMs: number): Promise<void> {
    if (this.heartbeat === null) return;
    const deadline = this.clock.now() + maxMs;
    for (let i = 0; i < views; i++) {
      const left = deadline - this.clock.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = this.clock.setTimer(left, () => {
          this.viewWaiters = this.viewWaiters.filter((w) => w !== done);
          resolve();
        });
        const done = (): void => {
          timer.cancel();
          resolve();
        };
        this.viewWaiters.push(done);
      });
    }
  }

  /** Starts the heartbeats to the manager, once the manager has registered this peer. */
  startHeartbeat(): void {
    const r = this.registration;
    if (r === null || this.heartbeatMs === null || this.heartbeat !== null) return;
    this.heartbeat = new Heartbeat(this.clock, r.m, this.manager, r.name, this.heartbeatMs, {
      onView: (suspects, dead) => {
        this.liveness = { suspects: new Set(suspects), dead: new Set(dead) };
        for (const waiter of this.viewWaiters.splice(0)) waiter();
      },
      onForgotten: (reason) => void this.forgotten(reason),
      figures: () => this.figures(),
    });
    this.heartbeat.start();
  }

  /**
   * The manager no longer knows this peer (it was evicted while stopped or cut off, or the manager
   * lost its state): drop the ring state and the registration, say so in one line, and be ready to
   * register again.
   */
  private async forgotten(reason: string, certain = false): Promise<void> {
    const name = this.name;
    if (name === null || (this.deregistering && !certain)) return;
    const held = this.table.size;
    const ring = this.ring !== null ? ` and its ring state` : '';
    this.note(`the manager no longer knows ${name} (${reason}): dropped the registration${ring} and ${held} records; register again to rejoin`, 'warn');
    await this.detach();
    this.onForgotten?.();
  }

  /** Closes both sockets and forgets registration and ring. Safe twice. */
  async detach(): Promise<void> {
    const r = this.registration;
    this.registration = null;
    this.heartbeat?.stop();
    this.heartbeat = null;
    this.liveness = { suspects: new Set(), dead: new Set() };
    this.dropRing();
    this.keys = noKeys();
    this.drops.flush();
    this.repeats.flush();
    if (r) await Promise.all([r.m.close(), r.p.close()]);
  }

  /**
   * Forgets the ring state and every record held: the node is Free. With a reason, a distribution
   * this node is running is withdrawn too (the DHT it was building is gone).
   */
  dropRing(cancelReason?: string): void {
    this.ring = null;
    this.countedEpoch = null;
    this.table.clear();
    this.copies.clear();
    this.held = null;
    if (cancelReason !== undefined) this.cancelDistribution?.(cancelReason);
  }

  /** Sends a command to the manager and traces it and its reply in the §14 form. */
  async managerRequest(req: Unsent<ManagerRequest>, options: RequestOptions = {}): Promise<Reply> {
    // A procedure may go on after the peer was dropped (the manager evicted it while it was stopped).
    if (this.registration === null) throw new Error(`${req.type}: this peer is no longer registered`);
    const me = this.name ?? req.name;
    this.emit({ kind: 'trace', from: me, to: 'manager', text: commandLine({ ...req, rid: '' } as ManagerRequest) });
    const answer = await this.registration.m.request(this.manager, req, { who: 'manager', ...options });
    if (answer.type !== 'reply') throw new Error(`manager answered ${req.type} with ${answer.type}`);
    this.emit({ kind: 'trace', from: 'manager', to: me, text: `${req.type} ${replySummary(answer)}` });
    // The manager does not know this peer (issue 13): it restarted without its state.
    if (!answer.ok && answer.forgotten === true && req.type !== 'register') await this.forgotten(answer.error ?? 'the manager does not know this peer', true);
    return answer;
  }

  /**
   * Asks the manager whether it still knows this peer (a `register` typed by a peer that thinks it
   * is registered): false, after dropping the registration, when the manager says it does not.
   * No answer leaves the registration as it is.
   */
  async confirmRegistration(): Promise<boolean> {
    const r = this.registration;
    if (r === null) return false;
    try {
      const answer = await r.m.request(this.manager, { type: 'heartbeat', name: r.name }, { who: 'manager', budgetMs: CONFIRM_BUDGET_MS });
      if (answer.type !== 'heartbeat-ack' || (answer as HeartbeatAck).ok) return true;
      await this.forgotten((answer as HeartbeatAck).error ?? 'the manager does not know this peer', true);
      return this.registration !== null;
    } catch {
      return this.registration !== null;
    }
  }

  /** Sends a request to another peer's p-port with retransmission; resolves with its answer. */
  peerRequest(to: Tuple, msg: Unsent<PeerRequest>, options: RequestOptions = {}): Promise<Message> {
    this.learn(to);
    return this.p.request(addressOf(to), msg, { who: to.name, ...options });
  }

  /** Sends one datagram to a peer (forwarding, answers); the transport traces it. */
  sendTo(to: Tuple | Address, msg: Message): void {
    if ('name' in to) this.learn(to);
    this.p.send({ ip: to.ip, port: to.port }, msg);
  }

  /** Answers a peer's request. */
  reply(to: Address, rid: string, body: ReplyBody): void {
    this.p.reply(to, rid, body);
  }

  /** Remembers a tuple's name for the traces. */
  learn(t: Tuple): void {
    this.names.set(formatAddress(t), t.name);
  }

  /** Learns the names of every tuple a message carries, so its own trace line names the sender. */
  private learnTuplesOf(msg: Message, from: Address): void {
    // A find-result names the peer that decided (issue 15), whom a Free querier has not met.
    if (msg.type === 'find-result' && msg.by !== undefined && !this.names.has(formatAddress(from))) this.names.set(formatAddress(from), msg.by);
    if ('ring' in msg && Array.isArray(msg.ring)) for (const t of msg.ring) this.learn(t);
    if ('origin' in msg) this.learn(msg.origin);
    if ('querier' in msg) this.learn(msg.querier);
    if ('joiner' in msg) this.learn(msg.joiner);
  }

  nameOf(a: Address): string {
    return this.names.get(formatAddress(a)) ?? formatAddress(a);
  }

  /**
   * The m-port receives replies, and two requests from the manager: dht-reset after it gave up on
   * a peer, and repair-dht after members died (issue 11). Anything else is refused, so that its
   * sender stops retrying.
   */
  private onManagerSideRequest(msg: Request, from: Address): void {
    if (msg.type === 'dht-reset' && formatAddress(from) === formatAddress(this.manager)) {
      this.emit({ kind: 'trace', from: 'manager', to: this.name ?? 'peer', text: `dht-reset (${msg.reason})` });
      const held = this.table.size;
      this.repairs++; // a repair this node runs is over too
      this.resets++;
      this.lastReset = msg.reason;
      // No grant of the DHT it was reset out of is taken any more (a set-id of it may be late).
      if (msg.serial !== undefined) this.keys.newestSerial = Math.max(this.keys.newestSerial, msg.serial);
      this.dropRing(RESET_DURING_DISTRIBUTION);
      // Whatever this node was doing for the ring (a leave, a join, a setup) is over: its requests
      // would only disturb the ring the manager has moved on to, and a joiner's key goes too, so
      // that a set-id of the abandoned join still on its way is not taken.
      // A query this peer makes is its own, not the ring's: it goes on (a Free peer may be sent a
      // late reset of a join it gave up, issue 13).
      this.registration?.p.cancelAll(`the manager reset the DHT: ${msg.reason}`, (m) => m.type === 'find-event');
      this.keys.lingering = null;
      this.note(`the manager reset the DHT: dropped the ring state and ${held} records`, 'warn');
      this.registration?.m.reply(from, msg.rid, { ok: true });
      return;
    }
    if (msg.type === 'repair-dht' && formatAddress(from) === formatAddress(this.manager)) {
      this.emit({ kind: 'trace', from: 'manager', to: this.name ?? 'peer', text: describe(msg) });
      this.registration?.m.reply(from, msg.rid, { ok: true });
      // After the reply has left (as rebuild-dht does).
      this.clock.setTimer(0, () => startRepair(this, msg));
      return;
    }
    this.dropNote('requests to the m-port', `refused ${msg.type} from ${formatAddress(from)} on the m-port`);
    this.registration?.m.reply(from, msg.rid, { ok: false, error: `${msg.type} sent to a peer's m-port, which takes only the manager's replies` });
  }

  /** Turns transport events into traces. Bulk store traffic is counted, not traced. */
  private onTransportEvent(side: 'manager' | 'ring', e: TransportEvent): void {
    const me = this.name ?? 'peer';
    switch (e.kind) {
      case 'send':
      case 'recv': {
        const msg = e.msg;
        // The answer to a request sent again ends its retransmission notes.
        if (e.kind === 'recv' && this.retransmits.size > 0) this.retransmits.answered(msg.rid);
        // A rebuild's fetches (issue 12) are summarised by the leader that collects them (gather.ts).
        if (msg.type === 'fetch' || msg.type === 'fetch-result') return;
        if (msg.type === 'store' || msg.type === 'store-ack') {
          // Only a store sent is counted by its next hop's name (nameOf formats an address).
          this.storeTraffic.record(e.kind, msg, e.kind === 'send' && msg.type === 'store' ? this.nameOf(e.to) : '');
          return;
        }
        // Manager commands and replies are traced by managerRequest in the §14 form.
        if (side === 'manager') return;
        if (e.kind === 'recv') this.learnTuplesOf(msg, e.from);
        // Formatted when shown: after the datagrams of the request being handled have left.
        this.output.run(() => {
          if (e.kind === 'send') this.onEvent({ kind: 'trace', from: me, to: this.nameOf(e.to), text: describe(msg) });
          else this.onEvent({ kind: 'trace', from: this.nameOf(e.from), to: me, text: describe(msg) });
        });
        return;
      }
      case 'retransmit':
        if (e.msg.type === 'store' || e.msg.type === 'fetch') this.storeTraffic.retransmits++;
        else this.retransmits.resent(e.msg.rid, e.msg.type, this.nameOf(e.to), e.attempt + 1);
        return;
      case 'timeout':
        this.retransmits.timedOut(e.msg.rid, e.msg.type, side === 'manager' ? 'manager' : this.nameOf(e.to));
        return;
      case 'malformed':
        this.dropped.malformed++;
        this.dropNote('malformed datagrams', `dropped a malformed datagram from ${formatAddress(e.from)}: ${e.reason}`);
        return;
      case 'duplicate':
        this.repeats.note('repeated requests', `repeated ${e.msg.type} from ${this.nameOf(e.from)} answered from the reply cache`);
        return;
      case 'stray':
        // A second answer to a query (or command) whose first answer was taken: said once in a
        // while, never as a trace line of its own (issue 14).
        if (e.msg.type === 'find-result' || e.msg.type === 'reply') this.repeats.note('late answers', `ignored a late ${e.msg.type} from ${this.nameOf(e.from)}: its request was answered already`);
        // A heartbeat's answer after its budget: left out of the traffic figures like the others.
        else if (e.msg.type === 'heartbeat-ack' && this.heartbeat !== null) this.heartbeat.answers++;
        return;
    }
  }
}
