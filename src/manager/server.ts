// The manager's UDP adapter: one endpoint (which answers repeated requests from its reply cache
// before anything else, SPEC §1.4 item 3) in front of the pure state machine of handle.ts, and the
// failure detector (issue 11). Every datagram the manager sends is a reply to a request (§1.2),
// but for dht-reset and repair-dht, which it sends when it gave up on a peer or evicted a dead one.
// With a state directory (issue 13), every change is written and fsynced, with its reply and the
// requests it sends, before any of them leaves (durability.ts); a restart takes it all back.
import { realClock, type Clock, type Timer } from '../transport/clock.js';
import { errorMessage } from '../peer/errors.js';
import { DEFAULT_AWAIT_TIMEOUT_MS, MANAGER_SOURCE_BURST, MANAGER_SOURCE_RATE_PER_S } from '../transport/timing.js';
import { NoteLimiter } from '../transport/note-limiter.js';
import { RateLimitedSocket } from '../transport/rate-limit.js';
import { AuthenticatedSocket } from '../transport/authenticated-socket.js';
import { Endpoint, type ReplyBody, type TransportEvent } from '../transport/endpoint.js';
import { bindUdp, formatAddress, type Address, type DatagramSocket } from '../transport/udp-socket.js';
import { commandLine, replySummary } from '../wire/describe.js';
import { MANAGER_COMMANDS, type HeartbeatRequest, type ManagerRequest, type QueryReport, type Request, type Tuple } from '../wire/messages.js';
import { DEFAULT_DETECTOR, FailureDetector, type DetectorEvent, type DetectorSettings } from '../membership/failure-detector.js';
import { HeldOutput } from '../transport/held-output.js';
import { ExpiringMap } from '../transport/expiring-map.js';
import { EVICTED_MEMORY_MS, REQUEST_BUDGET_MS, RESTART_GRACE_MS } from '../transport/timing.js';
import { Durability, sendsStillDue, type Restored, type SavedSend, type StateStore } from './durability.js';
import { evictDead } from './eviction.js';
import { senderError } from './authenticate.js';
import { giveUp } from './give-up.js';
import { cryptoKeys, type KeySource } from './keys.js';
import { handleCommand } from './handle.js';
import { initialState, type ManagerState, type Mode, type PeerEntry } from './state.js';
import { PeerFigures } from './peer-figures.js';

export type ManagerEvent =
  | { readonly kind: 'trace'; readonly from: string; readonly to: string; readonly text: string }
  | { readonly kind: 'note'; readonly level: 'info' | 'warn'; readonly text: string }
  /** The state after a command changed it (for live views). */
  | { readonly kind: 'state'; readonly state: ManagerState }
  /** The state directory cannot be written: the manager has stopped answering, and must exit. */
  | { readonly kind: 'fatal'; readonly text: string };

/**
 * What a live view is told besides the state (issue 16): each command answered, and what the
 * failure detector and the give-up did, each with the state after it. Told after the reply left.
 */
export type ManagerObservation =
  | { readonly kind: 'command'; readonly request: ManagerRequest; readonly reply: ReplyBody; readonly state: ManagerState }
  | { readonly kind: 'suspect' | 'alive'; readonly name: string; readonly silentMs: number }
  | { readonly kind: 'evicted'; readonly name: string; readonly reason: string; readonly state: ManagerState }
  | { readonly kind: 'abandoned'; readonly reason: string; readonly state: ManagerState }
  | { readonly kind: 'query-answered'; readonly name: string; readonly report: QueryReport };

export interface ManagerServerOptions {
  readonly host: string;
  readonly port: number;
  readonly clock?: Clock;
  readonly random?: () => number;
  /**
   * The draws of the manager's picks alone (a setup's ring, a query's first node), when they must
   * repeat (`--seed`, issue 15) while everything else stays random (default: `random`).
   */
  readonly picks?: () => number;
  readonly bind?: (ip: string, port: number) => Promise<DatagramSocket>;
  readonly onEvent?: (event: ManagerEvent) => void;
  /** Give up on an awaited peer after this long (SPEC §1.4 item 7). */
  readonly awaitTimeoutMs?: number;
  /** Where peers' and DHTs' keys come from (default: the operating system's random bytes). */
  readonly keys?: KeySource;
  /** The system secret (--secret): every datagram is authenticated with it (authenticated-socket.ts). */
  readonly secret?: string;
  /** Wall-clock ms for the secret's replay window (default Date.now; the simulation's virtual time). */
  readonly wallClock?: () => number;
  /** The failure detector's timing (issue 11), or false for none: peers are then never evicted. */
  readonly detector?: DetectorSettings | false;
  /** R, the copies of every record for every DHT it sets up (issue 12; --replicas). Default 1. */
  readonly replicas?: number;
  /**
   * The durable state (issue 13; --state-dir): where every change is written, and what was there
   * at start (durability.ts). Without it the state lives in memory only.
   */
  readonly durable?: { readonly store: StateStore; readonly restored: Restored };
  /** Told of every command answered and every verdict of the detector (the live view, issue 16). */
  readonly observer?: (observation: ManagerObservation) => void;
}

/** Why an evicted peer was evicted, and from which address it spoke, to tell it when it calls in. */
interface EvictedPeer {
  readonly ip: string;
  readonly mPort: number;
  readonly reason: string;
}

const COMMANDS: ReadonlySet<string> = new Set(MANAGER_COMMANDS);
/** Evicted peers a heartbeat's answer names at most (about 16 bytes each). */
const MAX_EVICTED_LISTED = 100;

export class ManagerServer {
  private current: ManagerState;
  private readonly endpoint: Endpoint;
  private readonly random: () => number;
  private readonly picks: () => number;
  private readonly keys: KeySource;
  private readonly sink: (event: ManagerEvent) => void;
  /** Holds the trace of a command until its reply has left (issue 14). */
  private readonly output = new HeldOutput();
  private readonly clock: Clock;
  private readonly awaitTimeoutMs: number;
  /** Armed while the manager is in an Await mode; fires the give-up. */
  private awaitTimer: { mode: Mode; timer: Timer } | null = null;
  /** Notes about dropped input (malformed, forged, over the rate limit), summarised in a flood. */
  private readonly drops: NoteLimiter;
  /** Notes about repeats answered from the reply cache, likewise. */
  private readonly repeats: NoteLimiter;
  /** Drops what one source sends beyond its token bucket, before it is decoded. */
  private readonly limiter: RateLimitedSocket;
  /** Watches every registered peer's heartbeats; null when switched off. */
  private readonly detector: FailureDetector | null;
  /** Peers evicted lately, by name. */
  private readonly evicted: ExpiringMap<string, EvictedPeer>;
  /** Writes every change before it is announced; null without a state directory. */
  private readonly durability: Durability | null;
  /** Set when a change could not be written: nothing more is answered. */
  private failed = false;
  /** The figures peers report on their heartbeats (issue 16): kept in memory, never journaled. */
  readonly figures = new PeerFigures();
  private readonly observe: ((observation: ManagerObservation) => void) | undefined;

  private constructor(socket: DatagramSocket, options: ManagerServerOptions) {
    const restored = options.durable?.restored;
    this.current = restored?.state ?? initialState(options.replicas ?? 1);
    this.random = options.random ?? Math.random;
    this.picks = options.picks ?? this.random;
    this.keys = options.keys ?? cryptoKeys;
    this.sink = options.onEvent ?? (() => {});
    this.observe = options.observer;
    this.clock = options.clock ?? realClock;
    this.awaitTimeoutMs = options.awaitTimeoutMs ?? DEFAULT_AWAIT_TIMEOUT_MS;
    this.drops = new NoteLimiter(this.clock, (text) => this.onEvent({ kind: 'note', level: 'warn', text }));
    this.repeats = new NoteLimiter(this.clock, (text) => this.onEvent({ kind: 'note', level: 'info', text }));
    const authed =
      options.secret === undefined
        ? socket
        : new AuthenticatedSocket(socket, options.secret, options.wallClock, this.clock, (_why, from, detail) =>
            this.drops.note('datagrams without the secret', `dropped a datagram from ${formatAddress(from)}: ${detail}`),
          );
    this.limiter = new RateLimitedSocket(
      authed,
      this.clock,
      { perSecond: MANAGER_SOURCE_RATE_PER_S, burst: MANAGER_SOURCE_BURST },
      { onDrop: (from) => this.drops.note('datagrams over the rate limit', `dropped a datagram from ${formatAddress(from)}: over its rate limit`) },
    );
    this.endpoint = new Endpoint(this.limiter, (msg, from) => this.onRequest(msg, from), {
      clock: this.clock,
      random: this.random,
      onEvent: (e) => this.onTransportEvent(e),
      hold: (work) => this.output.hold(work),
    });
    this.evicted = new ExpiringMap(this.clock, EVICTED_MEMORY_MS);
    const settings = options.detector ?? DEFAULT_DETECTOR;
    this.detector = settings === false ? null : new FailureDetector(this.clock, settings, (e) => this.onDetectorEvent(e));
    this.detector?.start();
    this.durability = options.durable === undefined ? null : new Durability(options.durable.store, options.durable.restored, options.wallClock ?? Date.now);
    if (restored !== undefined) this.resume(restored);
  }

  /**
   * Carries on from a restored state (issue 13): the replies already sent answer their repeats,
   * every peer gets a grace period (the manager's own absence is no one's silence), the give-up
   * timer runs again for the mode it was in, and the requests the state still calls for, which
   * the crash may have cut short, go out again under their rids.
   */
  private resume(restored: Restored): void {
    for (const r of restored.replies) this.endpoint.remember(r.to, r.rid, r.body);
    for (const name of this.current.peers.keys()) this.detector?.track(name, RESTART_GRACE_MS);
    this.armAwaitTimer();
    for (const send of sendsStillDue(this.current, restored.sends)) this.dispatch(send, 'sent again after the restart');
  }

  /** Binds host:port (port 0: any free port) and starts serving. */
  static async start(options: ManagerServerOptions): Promise<ManagerServer> {
    const socket = await (options.bind ?? bindUdp)(options.host, options.port);
    return new ManagerServer(socket, options);
  }

  get address(): Address {
    return this.endpoint.local;
  }

  get state(): ManagerState {
    return this.current;
  }

  /** The peers the detector declared dead lately (see deadMembers), for a live view. */
  get dead(): readonly string[] {
    return this.deadMembers();
  }

  get stats() {
    return { ...this.endpoint.stats, rateLimited: this.limiter.stats.dropped };
  }

  close(): Promise<void> {
    this.durability?.close();
    this.detector?.close();
    this.awaitTimer?.timer.cancel();
    this.awaitTimer = null;
    this.drops.flush();
    this.repeats.flush();
    return this.endpoint.close();
  }

  private onRequest(msg: Request, from: Address): void {
    if (this.failed) return;
    if (msg.type === 'heartbeat') {
      this.onHeartbeat(msg, from);
      return;
    }
    if (!COMMANDS.has(msg.type)) {
      this.endpoint.reply(from, msg.rid, { ok: false, error: `${msg.type} is not a manager command` });
      return;
    }
    const req = msg as ManagerRequest;
    const forged = senderError(this.current, req, from);
    if (forged !== null) {
      // Refused by handleCommand without a change. Not traced line by line: a flood of forgeries
      // becomes a few notes and a summary.
      this.endpoint.reply(from, req.rid, handleCommand(this.current, req, from, this.picks, this.keys).reply);
      this.drops.note('forged commands', `refused ${req.type} from ${formatAddress(from)}: ${forged}`);
      return;
    }
    const who = req.name || formatAddress(from);
    this.detector?.heard(req.name);
    this.trace(who, 'manager', () => commandLine(req));
    const outcome = handleCommand(this.current, req, from, this.picks, this.keys);
    const changed = outcome.state !== this.current;
    const resets = outcome.reset === undefined ? [] : this.resetSends(outcome.reset.notify, outcome.reset.reason, outcome.state.dhts);
    if (!this.persist(outcome.state, { to: { ip: from.ip, port: from.port }, rid: req.rid, body: outcome.reply }, resets)) return;
    this.current = outcome.state;
    this.endpoint.reply(from, req.rid, outcome.reply);
    this.trace('manager', who, () => `${req.type} ${replySummary({ type: 'reply', rid: req.rid, ...outcome.reply })}`);
    if (changed) this.changed();
    this.observe?.({ kind: 'command', request: req, reply: outcome.reply, state: this.current });
    if (req.type === 'dht-repaired' && req.lost !== undefined && outcome.reply.ok) {
      // SPEC §6.5 step 5 after a repair: the ring is whole, but empty. Said, not hidden.
      this.onEvent({ kind: 'note', level: 'warn', text: `the repaired DHT holds no records (${req.lost}); its leader ${req.name} may tear it down` });
    }
    if (req.type === 'dht-repaired' && req.lostRecords !== undefined && req.lostRecords > 0 && outcome.reply.ok) {
      // Below R (issue 12): more members died at once than the DHT keeps copies.
      this.onEvent({ kind: 'note', level: 'warn', text: `the repaired DHT lost every copy of ${req.lostRecords} records; a query for one fails, saying so` });
    }
    if (outcome.reset) {
      this.onEvent({ kind: 'note', level: 'warn', text: `abandoned the DHT: ${outcome.reset.reason}` });
      this.observe?.({ kind: 'abandoned', reason: outcome.reset.reason, state: this.current });
      for (const send of resets) this.dispatch(send);
    }
  }

  /**
   * Writes the change to `next`, with its reply and the requests it sends, before any of them
   * leaves. True when it is durable (or there is no state directory). A manager that cannot write
   * stops answering and says why: a reply would announce a change that a restart would not know.
   */
  private persist(next: ManagerState, reply?: { to: Address; rid: string; body: ReplyBody }, sends: readonly SavedSend[] = []): boolean {
    if (this.durability === null) return true;
    try {
      this.durability.record(this.current, next, reply, sends);
      return true;
    } catch (err) {
      this.failed = true;
      this.onEvent({ kind: 'fatal', text: `cannot write the state directory (${errorMessage(err)}): the manager stops rather than answer with a change it could not keep` });
      return false;
    }
  }

  /** After the state changed: the detector follows the registry, the give-up timer the mode. */
  private changed(): void {
    if (this.detector !== null) {
      // A name new to the registry has just registered: it is not heard from until the answer
      // reaches it, so it gets the register's retry budget before its silence counts.
      for (const name of this.current.peers.keys()) if (!this.detector.isTracked(name)) this.detector.track(name, REQUEST_BUDGET_MS);
      for (const name of [...this.detector.tracked()]) if (!this.current.peers.has(name)) this.detector.forget(name);
    }
    this.figures.keepOnly(this.current.peers);
    this.armAwaitTimer();
    this.onEvent({ kind: 'state', state: this.current });
  }

  /**
   * A heartbeat: the peer is alive, and learns which members are suspected or dead. A sender the
   * manager does not know under that name (evicted, or a manager that lost its state) is told so.
   * Not traced: ten a second per peer would drown the trace.
   */
  private onHeartbeat(msg: HeartbeatRequest, from: Address): void {
    const entry = this.current.peers.get(msg.name);
    if (entry !== undefined && entry.ip === from.ip && entry.mPort === from.port) {
      this.detector?.heard(msg.name);
      this.figures.record(msg.name, msg, this.clock.now());
      if (this.observe !== undefined) for (const report of this.figures.newQueries(msg.name, msg.queries)) this.observe({ kind: 'query-answered', name: msg.name, report });
      const suspects = [...this.current.suspects];
      const dead = this.deadMembers();
      this.endpoint.send(from, { type: 'heartbeat-ack', rid: msg.rid, ok: true, ...(suspects.length > 0 ? { suspects } : {}), ...(dead.length > 0 ? { dead } : {}) });
      return;
    }
    const gone = this.evicted.get(msg.name);
    const error =
      gone !== undefined && gone.ip === from.ip && gone.mPort === from.port
        ? `evicted: ${gone.reason}`
        : `the manager does not know ${msg.name} at ${formatAddress(from)}`;
    this.endpoint.send(from, { type: 'heartbeat-ack', rid: msg.rid, ok: false, error });
  }

  /**
   * Peers declared dead that the ring may still count on while it is being repaired; then the
   * peers evicted lately that have not registered again (the latest MAX_EVICTED_LISTED). A peer
   * evicted while it was stopped carries on when it wakes, before its heartbeat's answer tells it:
   * its join-request must find the leader knowing that this join is over.
   */
  private deadMembers(): readonly string[] {
    const mode = this.current.mode;
    const repairing = mode.kind === 'AwaitDhtRepaired' ? mode.dead : [];
    const evicted = this.evicted.keys().filter((name) => !this.current.peers.has(name) && !repairing.includes(name));
    return [...repairing, ...evicted.slice(-MAX_EVICTED_LISTED)];
  }

  private onDetectorEvent(e: DetectorEvent): void {
    switch (e.kind) {
      case 'stalled':
        this.onEvent({ kind: 'note', level: 'warn', text: `failure detector: the manager did not run for ${seconds(e.lostMs)}; that time is not counted as anyone's silence` });
        return;
      case 'suspect':
      case 'refuted': {
        const suspects = new Set(this.current.suspects);
        if (e.kind === 'suspect') suspects.add(e.name);
        else suspects.delete(e.name);
        this.current = { ...this.current, suspects };
        const text = e.kind === 'suspect' ? `suspect ${e.name}: no heartbeat for ${seconds(e.silentMs)}` : `${e.name} is alive: heard again after ${seconds(e.silentMs)}`;
        this.onEvent({ kind: 'note', level: e.kind === 'suspect' ? 'warn' : 'info', text: `failure detector: ${text}` });
        this.onEvent({ kind: 'state', state: this.current });
        this.observe?.({ kind: e.kind === 'suspect' ? 'suspect' : 'alive', name: e.name, silentMs: e.silentMs });
        return;
      }
      case 'dead':
        this.onDead(e.name, `no heartbeat for ${seconds(e.silentMs)}`);
        return;
    }
  }

  /** Evicts a peer declared dead and heals the DHT. */
  private onDead(name: string, why: string): void {
    const entry = this.current.peers.get(name);
    if (entry === undefined || this.failed) return;
    const eviction = evictDead(this.current, name, why);
    const sends = this.resetSends(eviction.notify, eviction.reason, eviction.state.dhts);
    if (eviction.repair !== null) sends.push(this.repairSend(eviction.repair.leader, eviction.repair.ring, eviction.repair.year, eviction.reason));
    if (!this.persist(eviction.state, undefined, sends)) return;
    this.evicted.set(name, { ip: entry.ip, mPort: entry.mPort, reason: eviction.reason });
    this.current = eviction.state;
    this.onEvent({ kind: 'note', level: 'warn', text: `failure detector: evicted ${eviction.reason}` });
    this.changed();
    this.observe?.({ kind: 'evicted', name, reason: eviction.reason, state: this.current });
    for (const send of sends) this.dispatch(send);
  }

  /** The repair-dht that tells the first survivor to rebuild the ring of the survivors (issue 11). */
  private repairSend(leader: PeerEntry, ring: readonly Tuple[], year: string, reason: string): SavedSend {
    return { to: { ip: leader.ip, port: leader.mPort }, who: leader.name, msg: { type: 'repair-dht', rid: this.endpoint.nextRid(), reason, year, ring } };
  }

  /** Starts the give-up timer on entering an Await mode, and stops it on leaving one. */
  private armAwaitTimer(): void {
    const mode = this.current.mode;
    if (this.awaitTimer?.mode === mode) return;
    this.awaitTimer?.timer.cancel();
    this.awaitTimer = null;
    if (mode.kind === 'Idle') return;
    this.awaitTimer = { mode, timer: this.clock.setTimer(this.awaitTimeoutMs, () => this.onAwaitTimeout(mode)) };
  }

  private onAwaitTimeout(mode: Mode): void {
    if (this.current.mode !== mode || this.failed) return;
    this.awaitTimer = null;
    const gaveUp = giveUp(this.current, this.awaitTimeoutMs);
    if (gaveUp === null) return;
    const sends = this.resetSends(gaveUp.notify, gaveUp.reason, gaveUp.state.dhts);
    if (!this.persist(gaveUp.state, undefined, sends)) return;
    this.onEvent({ kind: 'note', level: 'warn', text: `gave up: ${gaveUp.reason}` });
    this.current = gaveUp.state;
    this.changed();
    this.observe?.({ kind: 'abandoned', reason: gaveUp.reason, state: this.current });
    for (const send of sends) this.dispatch(send);
  }

  /**
   * The dht-resets that tell the peers of an abandoned DHT to drop its ring state and records (or
   * a leaver or joiner whose procedure a repair replaced to stop). The DHT is always the last one
   * set up: its serial goes along, so that they refuse a late grant of it.
   */
  private resetSends(notify: readonly PeerEntry[], reason: string, serial: number): SavedSend[] {
    return notify.map((peer) => ({ to: { ip: peer.ip, port: peer.mPort }, who: peer.name, msg: { type: 'dht-reset', rid: this.endpoint.nextRid(), reason, serial } }));
  }

  /** Sends a dht-reset or repair-dht, retransmitted until answered or out of budget. */
  private dispatch(send: SavedSend, why?: string): void {
    const { msg } = send;
    const text = msg.type === 'repair-dht' ? `repair-dht ring=[${msg.ring.map((t) => t.name).join(', ')}] (${msg.reason})` : `dht-reset (${msg.reason})`;
    this.onEvent({ kind: 'trace', from: 'manager', to: send.who, text: why === undefined ? text : `${text}, ${why}` });
    const { rid, ...unsent } = msg;
    this.endpoint
      .request(send.to, unsent, { who: send.who, rid })
      .catch((err) => this.onEvent({ kind: 'note', level: 'warn', text: `${msg.type} to ${send.who}: ${errorMessage(err)}` }));
  }

  /** An event for the layer above; while a command is handled, shown once its reply has left. */
  private onEvent(event: ManagerEvent): void {
    this.output.run(() => this.sink(event));
  }

  /** A trace line, formatted when it is shown. */
  private trace(from: string, to: string, text: () => string): void {
    this.output.run(() => this.sink({ kind: 'trace', from, to, text: text() }));
  }

  private onTransportEvent(e: TransportEvent): void {
    if (e.kind === 'malformed') this.drops.note('malformed datagrams', `dropped a malformed datagram from ${formatAddress(e.from)}: ${e.reason}`);
    else if (e.kind === 'duplicate') this.repeats.note('repeated requests', `repeated ${e.msg.type} from ${formatAddress(e.from)} answered from the reply cache`);
  }
}

/** A span of ms as the manager's lines say it, e.g. "2.5 s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
