// One endpoint per socket: it owns request ids, retransmission with backoff, the retry budget, the
// reply cache that makes repeated requests take effect once, and the decoding of every datagram.
// The layer above sees only whole, valid messages: requests through onRequest, and answers as the
// resolution of the promise that request() returned.
import { AsyncResource } from 'node:async_hooks';
import { decode, encode, MAX_DATAGRAM_BYTES } from '../wire/codec.js';
import {
  ANSWER_TYPES,
  REPLY_ANSWERED_TYPES,
  type Message,
  type Reply,
  type ReplyPayload,
  type Request,
  type Unsent,
} from '../wire/messages.js';
import { realClock, type Clock, type Timer } from './clock.js';
import { TransportError } from './errors.js';
import { ExpiringMap } from './expiring-map.js';
import { formatAddress, type Address, type DatagramSocket } from './udp-socket.js';
import { RttEstimator } from './rtt.js';
import { INITIAL_RETRY_TIMEOUT_MS, REPLY_CACHE_TTL_MS, REQUEST_BUDGET_MS } from './timing.js';

export type TransportEvent =
  | { readonly kind: 'send'; readonly msg: Message; readonly to: Address }
  | { readonly kind: 'recv'; readonly msg: Message; readonly from: Address }
  | { readonly kind: 'retransmit'; readonly msg: Message; readonly to: Address; readonly attempt: number }
  /** A repeated request, answered from the reply cache and not executed again. */
  | { readonly kind: 'duplicate'; readonly msg: Message; readonly from: Address }
  | { readonly kind: 'malformed'; readonly reason: string; readonly from: Address; readonly type?: string }
  /** An answer whose rid is unknown or already finished. */
  | { readonly kind: 'stray'; readonly msg: Message; readonly from: Address }
  | { readonly kind: 'timeout'; readonly msg: Message; readonly to: Address };

export interface EndpointStats {
  sent: number;
  received: number;
  retransmits: number;
  duplicates: number;
  malformed: number;
  stray: number;
  timeouts: number;
}

/** The body of a reply: SUCCESS with its payload, or FAILURE with its reason. */
export type ReplyBody = ({ ok: true } & ReplyPayload) | { ok: false; error: string; forgotten?: boolean };

export interface RequestOptions {
  /** Give up after this long without an answer. */
  readonly budgetMs?: number;
  /** Who is asked, for the timeout error: `no response from <who>`. */
  readonly who?: string;
  /**
   * The round-trip estimate this request samples and times out by, when its path differs from
   * the endpoint's usual one (stores to one owner cross their own number of hops).
   */
  readonly rtt?: RttEstimator;
  /** Told the request's rid as soon as it is assigned (for retransmitNow). */
  readonly onRid?: (rid: string) => void;
  /**
   * Builds the datagram for the request with its rid, when the caller can do it faster than the
   * generic encoder (store batches made of records serialised once). Must equal encode(msg).
   */
  readonly encode?: (rid: string) => Buffer;
  /**
   * Send one copy and wait out the budget without retransmitting, and give up without a
   * 'timeout' event (a heartbeat: the next one follows anyway). Its timer is a background one.
   */
  readonly once?: boolean;
  /**
   * The shortest time to wait before sending it again, whatever the round-trip estimate says: a
   * query's answer crosses several processes, any of which a busy machine may leave unscheduled
   * for tens of milliseconds (issue 14), and an early copy only doubles the work. A function is
   * asked again when the timer fires, so that a wait set while the load was light (the first of a
   * burst of pipelined queries) grows with the load before a copy goes.
   */
  readonly minTimeoutMs?: number | (() => number);
  /**
   * The rid to send it under instead of a new one: a request the manager journaled before a
   * restart goes out again as the same request (issue 13), which its receiver's reply cache
   * recognises.
   */
  readonly rid?: string;
}

export interface EndpointOptions {
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly onEvent?: (event: TransportEvent) => void;
  /** Shared by the endpoints of one process, so that each starts from what the others measured. */
  readonly rtt?: RttEstimator;
  /**
   * Sees every datagram before it is decoded; true when it has dealt with it (a store passed on
   * by its header alone), which then goes no further.
   */
  readonly intercept?: (buf: Buffer, from: Address) => boolean;
  /** Authentication of the layer above (peer/ring-auth.ts): signs what request() and send() send. */
  readonly seal?: (buf: Buffer, msg: Message) => Buffer;
  /** ... and admits a decoded datagram; one it refuses is dropped before anything else sees it. */
  readonly admit?: (msg: Message, raw: Buffer, from: Address) => boolean;
  /**
   * Runs the handling of each request (its 'recv' event, then onRequest), so that the layer above
   * may hold the output it causes until what the handler sends has left (HeldOutput, issue 14).
   */
  readonly hold?: (work: () => void) => void;
}

interface Pending {
  readonly msg: Message;
  readonly buf: Buffer;
  readonly to: Address;
  readonly deadline: number;
  readonly who: string;
  /** When the first copy was sent; a round trip is sampled only for requests sent once (Karn). */
  readonly firstSent: number;
  readonly rtt: RttEstimator;
  rto: number;
  readonly minRto: () => number;
  /** When the latest copy was sent. */
  lastSent: number;
  readonly once: boolean;
  attempt: number;
  timer: Timer | null;
  /**
   * The async context of the code that made the request. An answer arrives in a socket callback,
   * which belongs to no one: its receipt (the 'recv' event) and the request's settling run in the
   * requester's context instead (runInAsyncScope), so that what the layer above keeps per context
   * (the CLI's output of each of several commands in flight) follows the request. Its retransmit
   * timers keep that context by themselves (Node carries it to timers). An AsyncResource rather
   * than AsyncLocalStorage.snapshot(), which costs about 12 µs a call on Node 20, 75 ns this.
   */
  readonly requester: AsyncResource;
  resolve(msg: Message): void;
  reject(err: Error): void;
}

interface Waiter {
  timer: Timer;
  resolve(msg: Message): void;
  reject(err: Error): void;
}

export class Endpoint {
  readonly stats: EndpointStats = { sent: 0, received: 0, retransmits: 0, duplicates: 0, malformed: 0, stray: 0, timeouts: 0 };
  private readonly clock: Clock;
  private readonly onEvent: (event: TransportEvent) => void;
  private readonly ridPrefix: string;
  private ridCounter = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Map<string, Waiter>();
  /** Replies sent, by (source address, rid): a repeated request is answered from here. */
  private readonly replies: ExpiringMap<string, Buffer>;
  /**
   * Requests being executed, by the same key: a copy that arrives meanwhile is dropped. Entries
   * expire like cached replies, so a handler that never answers cannot silence a sender forever.
   */
  private readonly executing: ExpiringMap<string, true>;
  /** Round trips of answered requests, for the adaptive timeout. */
  readonly rtt: RttEstimator;
  private state: 'open' | 'closed' = 'open';
  private readonly intercept: ((buf: Buffer, from: Address) => boolean) | null;
  private readonly seal: (buf: Buffer, msg: Message) => Buffer;
  private readonly admit: (msg: Message, raw: Buffer, from: Address) => boolean;
  private readonly hold: (work: () => void) => void;

  constructor(
    private readonly socket: DatagramSocket,
    /** Every valid request; `raw` is its datagram, for forwarding it unchanged. */
    private readonly onRequest: (msg: Request, from: Address, raw: Buffer) => void,
    options: EndpointOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.onEvent = options.onEvent ?? (() => {});
    const random = options.random ?? Math.random;
    // A random prefix keeps rids unique across restarts of a process on the same address.
    this.ridPrefix = Math.floor(random() * 36 ** 6)
      .toString(36)
      .padStart(6, '0');
    this.replies = new ExpiringMap(this.clock, REPLY_CACHE_TTL_MS);
    this.executing = new ExpiringMap(this.clock, REPLY_CACHE_TTL_MS);
    this.rtt = options.rtt ?? new RttEstimator();
    this.intercept = options.intercept ?? null;
    this.seal = options.seal ?? ((buf) => buf);
    this.admit = options.admit ?? (() => true);
    this.hold = options.hold ?? ((work) => work());
    socket.onDatagram((buf, from) => this.receive(buf, from));
  }

  get local(): Address {
    return this.socket.local;
  }

  /** A request id never used before by this endpoint. */
  nextRid(): string {
    return `${this.ridPrefix}.${(this.ridCounter++).toString(36)}`;
  }

  /**
   * Sends a request and resolves with the message that answers it: a reply, store-ack or
   * find-result with its rid, or whatever the layer above passes to complete(). Retransmits the
   * identical datagram with a doubling timeout; rejects with ETIMEDOUT after the budget.
   */
  request(to: Address, msg: Unsent<Request>, options: RequestOptions = {}): Promise<Message> {
    const full = { ...msg, rid: options.rid ?? this.nextRid() } as Request;
    if (this.state === 'closed') return Promise.reject(new TransportError('ECLOSED', 'endpoint closed'));
    const buf = this.seal(options.encode ? options.encode(full.rid) : encode(full), full);
    if (buf.length > MAX_DATAGRAM_BYTES) {
      return Promise.reject(new TransportError('ETOOBIG', `${full.type} of ${buf.length} bytes exceeds ${MAX_DATAGRAM_BYTES}`));
    }
    return new Promise((resolve, reject) => {
      const p: Pending = {
        msg: full,
        buf,
        to,
        who: options.who ?? formatAddress(to),
        deadline: this.clock.now() + (options.budgetMs ?? REQUEST_BUDGET_MS),
        firstSent: this.clock.now(),
        rtt: options.rtt ?? this.rtt,
        rto: (options.rtt ?? this.rtt).timeout(),
        minRto: minTimeoutOf(options.minTimeoutMs),
        lastSent: this.clock.now(),
        once: options.once === true,
        attempt: 0,
        timer: null,
        requester: new AsyncResource('stormdht.request'),
        resolve,
        reject,
      };
      this.pending.set(full.rid, p);
      options.onRid?.(full.rid);
      this.transmit(p);
    });
  }

  /** Completes a pending request with a message the layer above recognised as its answer. */
  complete(rid: string, msg: Message): boolean {
    const p = this.pending.get(rid);
    if (!p) return false;
    p.requester.runInAsyncScope(() => this.settle(p, msg));
    return true;
  }

  /**
   * Sends a pending request again now, without waiting for its timer (a fast retransmit, when
   * the layer above has evidence that it was lost). False when it is no longer pending.
   */
  retransmitNow(rid: string): boolean {
    const p = this.pending.get(rid);
    if (!p) return false;
    p.timer?.cancel();
    this.transmit(p);
    return true;
  }

  /** Withdraws a pending request: no more retransmissions; it rejects with ECANCELED. */
  cancel(rid: string, reason: string): boolean {
    const p = this.pending.get(rid);
    if (!p) return false;
    this.finish(rid, p);
    p.reject(new TransportError('ECANCELED', reason));
    return true;
  }

  /**
   * Withdraws every pending request and wait (the layer above's work was abandoned as a whole: a
   * dht-reset of the ring the requests belong to), but the requests `spare` keeps. Each rejects
   * with ECANCELED and `reason`.
   */
  cancelAll(reason: string, spare: (msg: Message) => boolean = () => false): void {
    for (const [rid, p] of [...this.pending]) if (!spare(p.msg)) this.cancel(rid, reason);
    for (const [key, w] of [...this.waiters]) {
      this.waiters.delete(key);
      w.timer.cancel();
      w.reject(new TransportError('ECANCELED', reason));
    }
  }

  /** True while a request with this rid waits for its answer. */
  isPending(rid: string): boolean {
    return this.pending.has(rid);
  }

  /**
   * Sends one datagram once, without retransmission (forwarding, answers). `encoded`, when the
   * caller has built the datagram itself (a packed page of records), must decode to `msg`.
   */
  send(to: Address, msg: Message, encoded?: Buffer): void {
    if (this.state === 'closed') return;
    this.sendBuf(this.seal(encoded ?? encode(msg), msg), to, msg);
  }

  /**
   * Passes a received datagram on unchanged (a store on its way round the ring): its bytes are
   * sent as they came, without encoding the message again.
   */
  forward(to: Address, msg: Message, raw: Buffer): void {
    if (this.state === 'closed') return;
    this.sendBuf(raw, to, msg);
  }

  /** Passes on the bytes of a datagram that was never decoded (see EndpointOptions.intercept). */
  relay(to: Address, raw: Buffer): void {
    if (this.state === 'closed') return;
    this.stats.sent++;
    this.socket.send(raw, to);
  }

  /** Answers a request with a reply and remembers it for repeats of that request. */
  reply(to: Address, rid: string, body: ReplyBody): void {
    const { msg, buf } = this.remember(to, rid, body);
    if (this.state === 'open') this.sendBuf(buf, to, msg);
  }

  /**
   * Remembers a reply for repeats of its request without sending it: one sent before a restart,
   * from the manager's journal (issue 13), so that a repeat is answered and not executed again.
   */
  remember(to: Address, rid: string, body: ReplyBody): { msg: Reply; buf: Buffer } {
    const msg: Reply = { type: 'reply', rid, ...body };
    const buf = encode(msg);
    const key = cacheKey(to, rid);
    this.executing.delete(key);
    this.replies.set(key, buf);
    return { msg, buf };
  }

  /**
   * Waits for a message that the layer above will deliver() under `key` (for example the
   * rebuild-done a leaver waits for). Rejects with ETIMEDOUT after budgetMs.
   */
  awaitMessage(key: string, budgetMs: number, who: string): Promise<Message> {
    if (this.state === 'closed') return Promise.reject(new TransportError('ECLOSED', 'endpoint closed'));
    const previous = this.waiters.get(key);
    if (previous) {
      this.waiters.delete(key);
      previous.timer.cancel();
      previous.reject(new TransportError('ECLOSED', `superseded wait for ${key}`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        timer: this.clock.setTimer(budgetMs, () => {
          if (this.waiters.get(key) !== waiter) return;
          this.waiters.delete(key);
          this.stats.timeouts++;
          reject(new TransportError('ETIMEDOUT', `no response from ${who}`));
        }),
        resolve,
        reject,
      };
      this.waiters.set(key, waiter);
    });
  }

  /** Hands a message to whoever awaits `key`; false when nobody does. */
  deliver(key: string, msg: Message): boolean {
    const w = this.waiters.get(key);
    if (!w) return false;
    this.waiters.delete(key);
    w.timer.cancel();
    w.resolve(msg);
    return true;
  }

  /** Fails every pending request and wait, clears every timer, closes the socket. Safe twice. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const [rid, p] of this.pending) {
      this.finish(rid, p);
      p.reject(new TransportError('ECLOSED', 'endpoint closed'));
    }
    for (const [key, w] of this.waiters) {
      this.waiters.delete(key);
      w.timer.cancel();
      w.reject(new TransportError('ECLOSED', 'endpoint closed'));
    }
    await this.socket.close();
  }

  /** True when a request with this rid from this source was answered or is being executed. */
  private known(from: Address, rid: string): boolean {
    const key = cacheKey(from, rid);
    return this.replies.has(key) || this.executing.has(key);
  }

  private transmit(p: Pending): void {
    if (p.attempt > 0) {
      this.stats.retransmits++;
      this.onEvent({ kind: 'retransmit', msg: p.msg, to: p.to, attempt: p.attempt });
    }
    this.sendBuf(p.buf, p.to, p.msg);
    p.attempt++;
    p.lastSent = this.clock.now();
    this.armRetry(p, p.once ? Number.POSITIVE_INFINITY : Math.max(p.rto, p.minRto()));
  }

  /** Arms the retry timer `wait` ms after the latest copy, but not beyond the deadline. */
  private armRetry(p: Pending, wait: number): void {
    const now = this.clock.now();
    const left = Math.max(0, p.deadline - now);
    const delay = Math.min(Math.max(0, p.lastSent + wait - now), left);
    // A once-only request is a background chore (a heartbeat), not work in flight.
    p.timer = this.clock.setTimer(delay, () => this.onRetryTimer(p), p.once);
  }

  private onRetryTimer(p: Pending): void {
    p.timer = null;
    if (this.pending.get(p.msg.rid) !== p) return;
    // A once-only request ends at its one timer, even one that fires a hair before the deadline.
    if (p.once || this.clock.now() >= p.deadline) {
      this.finish(p.msg.rid, p);
      this.stats.timeouts++;
      if (!p.once) this.onEvent({ kind: 'timeout', msg: p.msg, to: p.to });
      p.reject(new TransportError('ETIMEDOUT', `no response from ${p.who}`));
      return;
    }
    // The load grew since the copy went (more queries in flight): wait the longer minimum out.
    const min = p.minRto();
    if (this.clock.now() < p.lastSent + min) {
      this.armRetry(p, min);
      return;
    }
    // Until a round trip has been measured, resend every INITIAL_RETRY_TIMEOUT_MS (SPEC §1.4's
    // 500 ms), without SPEC's doubling: at 30 % loss each way a request gets through one attempt
    // in two, and the 7 attempts that doubling to 2 s leaves in a 10 s budget fail about once in
    // a hundred requests, 20 attempts about once in a million. Once a round trip has been
    // measured, resend on it: on a lossy path a request that crosses several hops fails most
    // attempts, and only many quick attempts get it through within the budget. A store path that
    // starts from another path's estimate backs off until it has measured its own (rtt.ts).
    if (p.rtt.smoothed === null) {
      p.rto = INITIAL_RETRY_TIMEOUT_MS;
    } else {
      p.rtt.backoff(this.clock.now());
      p.rto = p.rtt.timeout();
    }
    this.transmit(p);
  }

  /** Resolves a pending request with its answer (in the requester's context: see Pending.requester). */
  private settle(p: Pending, msg: Message): void {
    if (p.attempt === 1) p.rtt.sample(this.clock.now() - p.firstSent);
    this.finish(p.msg.rid, p);
    p.resolve(msg);
  }

  private finish(rid: string, p: Pending): void {
    p.timer?.cancel();
    p.timer = null;
    this.pending.delete(rid);
  }

  /** Sends, then tells the layer above: the datagram does not wait for its trace line (issue 14). */
  private sendBuf(buf: Buffer, to: Address, msg: Message): void {
    this.stats.sent++;
    this.socket.send(buf, to);
    this.onEvent({ kind: 'send', msg, to });
  }

  private receive(buf: Buffer, from: Address): void {
    if (this.state === 'closed') return;
    if (this.intercept?.(buf, from)) {
      this.stats.received++;
      return;
    }
    const decoded = decode(buf);
    if (!decoded.ok) {
      this.stats.malformed++;
      this.onEvent({ kind: 'malformed', reason: decoded.reason, from, ...(decoded.type ? { type: decoded.type } : {}) });
      // A malformed request that carries a rid is told so; answers are never answered (no loops),
      // and a rid already answered or in execution keeps its real reply.
      const rid = decoded.rid;
      if (rid !== undefined && !ANSWER_TYPES.has(decoded.type as Message['type']) && !this.known(from, rid)) {
        this.reply(from, rid, { ok: false, error: 'malformed request' });
      }
      return;
    }
    const msg = decoded.msg;
    this.stats.received++;
    if (ANSWER_TYPES.has(msg.type)) {
      if (!this.admit(msg, buf, from)) return;
      const p = this.pending.get(msg.rid);
      if (p === undefined) {
        // Not traced as received: a late copy of an answer already taken (its request was sent
        // again meanwhile) is no message the user need see; the layer above may count it.
        this.stats.stray++;
        this.onEvent({ kind: 'stray', msg, from });
      } else {
        p.requester.runInAsyncScope(() => {
          this.onEvent({ kind: 'recv', msg, from });
          if (this.pending.get(msg.rid) === p) this.settle(p, msg);
        });
      }
      // A store-ack may acknowledge further stores of the same origin (StoreAck.also).
      if (msg.type === 'store-ack' && msg.also !== undefined) for (const rid of msg.also) this.complete(rid, msg);
      return;
    }
    if (REPLY_ANSWERED_TYPES.has(msg.type)) {
      const key = cacheKey(from, msg.rid);
      const cached = this.replies.get(key);
      if (cached !== undefined || this.executing.has(key)) {
        this.stats.duplicates++;
        this.onEvent({ kind: 'duplicate', msg, from });
        if (cached !== undefined) this.socket.send(cached, from);
        return;
      }
      // After the cache: a repeat of a request admitted once is answered even when the layer
      // above would no longer admit it (a leaver that has dropped the ring's key).
      if (!this.admit(msg, buf, from)) return;
      this.executing.set(key, true);
    } else if (!this.admit(msg, buf, from)) {
      return;
    }
    this.hold(() => {
      this.onEvent({ kind: 'recv', msg, from });
      this.onRequest(msg as Request, from, buf);
    });
  }
}

function minTimeoutOf(option: number | (() => number) | undefined): () => number {
  if (typeof option === 'function') return option;
  const ms = option ?? 0;
  return () => ms;
}

function cacheKey(from: Address, rid: string): string {
  return `${from.ip}:${from.port}|${rid}`;
}
