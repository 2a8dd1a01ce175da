// The manager's UDP adapter: one endpoint (which answers repeated requests from its reply cache
// before anything else, SPEC §1.4 item 3) in front of the pure state machine of handle.ts.
// Every datagram the manager sends is a reply to a request (§1.2).
import { realClock, type Clock, type Timer } from '../transport/clock.js';
import { errorMessage } from '../peer/errors.js';
import { DEFAULT_AWAIT_TIMEOUT_MS, MANAGER_SOURCE_BURST, MANAGER_SOURCE_RATE_PER_S } from '../transport/timing.js';
import { NoteLimiter } from '../transport/note-limiter.js';
import { RateLimitedSocket } from '../transport/rate-limit.js';
import { AuthenticatedSocket } from '../transport/authenticated-socket.js';
import { Endpoint, type TransportEvent } from '../transport/endpoint.js';
import { bindUdp, formatAddress, type Address, type DatagramSocket } from '../transport/udp-socket.js';
import { commandLine, replySummary } from '../wire/describe.js';
import { MANAGER_COMMANDS, type ManagerRequest, type Request } from '../wire/messages.js';
import { senderError } from './authenticate.js';
import { giveUp } from './give-up.js';
import { cryptoKeys, type KeySource } from './keys.js';
import { handleCommand } from './handle.js';
import { initialState, type ManagerState, type Mode, type PeerEntry } from './state.js';

export type ManagerEvent =
  | { readonly kind: 'trace'; readonly from: string; readonly to: string; readonly text: string }
  | { readonly kind: 'note'; readonly level: 'info' | 'warn'; readonly text: string }
  /** The state after a command changed it (for live views). */
  | { readonly kind: 'state'; readonly state: ManagerState };

export interface ManagerServerOptions {
  readonly host: string;
  readonly port: number;
  readonly clock?: Clock;
  readonly random?: () => number;
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
}

const COMMANDS: ReadonlySet<string> = new Set(MANAGER_COMMANDS);

export class ManagerServer {
  private current: ManagerState = initialState();
  private readonly endpoint: Endpoint;
  private readonly random: () => number;
  private readonly keys: KeySource;
  private readonly onEvent: (event: ManagerEvent) => void;
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

  private constructor(socket: DatagramSocket, options: ManagerServerOptions) {
    this.random = options.random ?? Math.random;
    this.keys = options.keys ?? cryptoKeys;
    this.onEvent = options.onEvent ?? (() => {});
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
    });
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

  get stats() {
    return { ...this.endpoint.stats, rateLimited: this.limiter.stats.dropped };
  }

  close(): Promise<void> {
    this.awaitTimer?.timer.cancel();
    this.awaitTimer = null;
    this.drops.flush();
    this.repeats.flush();
    return this.endpoint.close();
  }

  private onRequest(msg: Request, from: Address): void {
    if (!COMMANDS.has(msg.type)) {
      this.endpoint.reply(from, msg.rid, { ok: false, error: `${msg.type} is not a manager command` });
      return;
    }
    const req = msg as ManagerRequest;
    const forged = senderError(this.current, req, from);
    if (forged !== null) {
      // Refused by handleCommand without a change. Not traced line by line: a flood of forgeries
      // becomes a few notes and a summary.
      this.endpoint.reply(from, req.rid, handleCommand(this.current, req, from, this.random, this.keys).reply);
      this.drops.note('forged commands', `refused ${req.type} from ${formatAddress(from)}: ${forged}`);
      return;
    }
    const who = req.name || formatAddress(from);
    this.onEvent({ kind: 'trace', from: who, to: 'manager', text: commandLine(req) });
    const outcome = handleCommand(this.current, req, from, this.random, this.keys);
    const changed = outcome.state !== this.current;
    this.current = outcome.state;
    this.endpoint.reply(from, req.rid, outcome.reply);
    this.onEvent({ kind: 'trace', from: 'manager', to: who, text: `${req.type} ${replySummary({ type: 'reply', rid: req.rid, ...outcome.reply })}` });
    if (changed) {
      this.armAwaitTimer();
      this.onEvent({ kind: 'state', state: this.current });
    }
    if (outcome.reset) {
      this.onEvent({ kind: 'note', level: 'warn', text: `abandoned the DHT: ${outcome.reset.reason}` });
      this.reset(outcome.reset.notify, outcome.reset.reason);
    }
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
    if (this.current.mode !== mode) return;
    this.awaitTimer = null;
    const gaveUp = giveUp(this.current, this.awaitTimeoutMs);
    if (gaveUp === null) return;
    this.onEvent({ kind: 'note', level: 'warn', text: `gave up: ${gaveUp.reason}` });
    this.current = gaveUp.state;
    this.onEvent({ kind: 'state', state: this.current });
    this.reset(gaveUp.notify, gaveUp.reason);
  }

  /** Tells the peers of an abandoned DHT to drop its ring state and records. */
  private reset(notify: readonly PeerEntry[], reason: string): void {
    for (const peer of notify) {
      this.onEvent({ kind: 'trace', from: 'manager', to: peer.name, text: `dht-reset (${reason})` });
      this.endpoint
        .request({ ip: peer.ip, port: peer.mPort }, { type: 'dht-reset', reason }, { who: peer.name })
        .catch((err) => this.onEvent({ kind: 'note', level: 'warn', text: `dht-reset to ${peer.name}: ${errorMessage(err)}` }));
    }
  }

  private onTransportEvent(e: TransportEvent): void {
    if (e.kind === 'malformed') this.drops.note('malformed datagrams', `dropped a malformed datagram from ${formatAddress(e.from)}: ${e.reason}`);
    else if (e.kind === 'duplicate') this.repeats.note('repeated requests', `repeated ${e.msg.type} from ${formatAddress(e.from)} answered from the reply cache`);
  }
}
