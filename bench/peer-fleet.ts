// Many registered peers in the benchmark's own process, for the restart scenario (issue 13): each
// one is an m-port socket bound on 127.0.0.1 with its own transport Endpoint, registers with the
// manager as a peer process does (from the m-port it names, retransmitted until answered), and
// from its register's SUCCESS on sends the peer's own Heartbeat (src/peer/liveness/heartbeat.ts)
// every HEARTBEAT_INTERVAL_MS, so the manager carries the load of that many real peers: a
// heartbeat in and an ack out per peer every 100 ms. The p-ports are only named: register needs
// a number distinct from every registered peer's ports, and nothing sends to a p-port here (no
// DHT is ever set up). Unlike a peer process, a fleet peer told `ok:false` keeps beating: the
// scenario counts those answers, and a peer that dropped out would hide the next ones.
import { peerName } from '../src/cluster/local-cluster.js';
import { Heartbeat } from '../src/peer/liveness/heartbeat.js';
import { realClock } from '../src/transport/clock.js';
import { Endpoint } from '../src/transport/endpoint.js';
import { HEARTBEAT_INTERVAL_MS } from '../src/transport/timing.js';
import { bindUdp, type Address } from '../src/transport/udp-socket.js';
import type { MemberEntry, Reply } from '../src/wire/messages.js';

/** One fleet peer as it registers: its name and the two ports it names. */
export interface FleetPeer {
  readonly name: string;
  readonly ip: string;
  readonly mPort: number;
  readonly pPort: number;
}

/** `count` peers named peera, peerb, … (letters only, as names must be) with m-port mBase + i and p-port pBase + i. */
export function fleetLayout(count: number, ip: string, mBase: number, pBase: number): FleetPeer[] {
  return Array.from({ length: count }, (_, i) => ({ name: peerName(i), ip, mPort: mBase + i, pPort: pBase + i }));
}

/**
 * Why `reply` is not the page from `from` of a registry holding exactly `expected`, in that order,
 * every peer Free and no DHT (the state a manager restored from it must have); null when it is.
 * `perPage` is the manager's page size (MEMBERS_PER_PAGE).
 */
export function membersPageProblem(reply: Partial<Reply>, expected: readonly FleetPeer[], from: number, perPage: number): string | null {
  if (reply.ok !== true) return `ok:false (${String(reply.error)})`;
  if (reply.total !== expected.length) return `total ${String(reply.total)}, expected ${expected.length}`;
  if (reply.dht !== null) return `dht ${JSON.stringify(reply.dht)}, expected none`;
  const want = expected.slice(from, from + perPage);
  const got: readonly MemberEntry[] = Array.isArray(reply.peers) ? reply.peers : [];
  if (got.length !== want.length) return `${got.length} peers from ${from}, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (g.name !== w.name || g.ip !== w.ip || g.port !== w.pPort || g.state !== 'Free') {
      return `entry ${from + i} is ${JSON.stringify(g)}, expected ${w.name} Free at ${w.ip}:${w.pPort}`;
    }
  }
  return null;
}

/** A heartbeat-ack with ok:false: which peer, when (performance.now()), and what the manager said. */
export interface Refusal {
  readonly t: number;
  readonly name: string;
  readonly error: string;
}

/** The first right answer of a members poll: when it came, how many requests were sent, the wrong answers before it. */
export interface FirstAnswer {
  readonly at: number;
  readonly sent: number;
  readonly wrong: readonly string[];
}

/** How long one members request of a poll waits for its answer (it is sent once, never again). */
const POLL_REQUEST_BUDGET_MS = 1_000;
/** Registers in flight at once (the manager fsyncs each before its reply; the rest wait in its socket). */
const REGISTER_WINDOW = 50;

export class PeerFleet {
  /** Every heartbeat-ack with ok:false, in arrival order. */
  readonly refusals: Refusal[] = [];
  /** performance.now() of each peer's latest ok:true heartbeat-ack (NaN before the first). */
  readonly lastOkAt: Float64Array;
  /** Requests the manager sent to a fleet m-port (dht-reset, repair-dht): none are expected without a DHT. */
  unexpectedRequests = 0;
  private readonly heartbeats: (Heartbeat | null)[];
  private state: 'open' | 'closed' = 'open';

  private constructor(
    readonly peers: readonly FleetPeer[],
    private readonly endpoints: readonly Endpoint[],
    private readonly manager: Address,
  ) {
    this.lastOkAt = new Float64Array(peers.length).fill(Number.NaN);
    this.heartbeats = peers.map(() => null);
  }

  /** Binds every peer's m-port; on any failure (a port in use) closes those bound and rejects, naming the port. */
  static async bind(peers: readonly FleetPeer[], manager: Address): Promise<PeerFleet> {
    const endpoints: Endpoint[] = [];
    const holder: { fleet: PeerFleet | null } = { fleet: null };
    try {
      for (const p of peers) {
        const socket = await bindUdp(p.ip, p.mPort).catch((err: NodeJS.ErrnoException) => {
          throw new Error(`cannot bind the m-port of fleet peer ${p.name} at ${p.ip}:${p.mPort} (${err.code ?? err.message})`);
        });
        const ep: Endpoint = new Endpoint(socket, (msg, from) => {
          if (holder.fleet) holder.fleet.unexpectedRequests++;
          ep.reply(from, msg.rid, { ok: false, error: `${msg.type} sent to a benchmark fleet peer, which serves no ring` });
        });
        endpoints.push(ep);
      }
    } catch (err) {
      await Promise.all(endpoints.map((e) => e.close()));
      throw err;
    }
    holder.fleet = new PeerFleet(peers, endpoints, manager);
    return holder.fleet;
  }

  /** Registers every peer, REGISTER_WINDOW at a time; each starts its heartbeat on SUCCESS. Rejects on the first FAILURE. */
  async registerAll(): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.peers.length && this.state === 'open') {
        const i = next++;
        const p = this.peers[i]!;
        const answer = await this.endpoints[i]!.request(this.manager, { type: 'register', name: p.name, ip: p.ip, mPort: p.mPort, pPort: p.pPort }, { who: 'manager' });
        if (answer.type !== 'reply' || (answer as Reply).ok !== true) throw new Error(`register ${p.name} from ${p.ip}:${p.mPort}: ${JSON.stringify(answer).slice(0, 300)}`);
        this.startHeartbeat(i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(REGISTER_WINDOW, this.peers.length) }, worker));
  }

  private startHeartbeat(i: number): void {
    const p = this.peers[i]!;
    const hb = new Heartbeat(realClock, this.endpoints[i]!, this.manager, p.name, HEARTBEAT_INTERVAL_MS, {
      onView: () => {
        this.lastOkAt[i] = performance.now();
      },
      onForgotten: (error) => {
        this.refusals.push({ t: performance.now(), name: p.name, error });
      },
    });
    this.heartbeats[i] = hb;
    hb.start();
  }

  /** How many peers had an ok:true heartbeat-ack at or after `since` (performance.now()). */
  ackedSince(since: number): number {
    let n = 0;
    for (const t of this.lastOkAt) if (t >= since) n++;
    return n;
  }

  /** One members request from peer i, retransmitted as any manager command is; resolves with the reply. */
  async members(i: number, from: number): Promise<Partial<Reply>> {
    const answer = await this.endpoints[i]!.request(this.manager, { type: 'members', name: this.peers[i]!.name, from }, { who: 'manager' });
    if (answer.type !== 'reply') throw new Error(`members from ${this.peers[i]!.name}: answered by a ${answer.type}`);
    return answer as Reply;
  }

  /**
   * Peer i asks `members` every `everyMs`, each request sent once under a new rid, until an answer
   * passes `check` (null: right), or rejects after `timeoutMs` or when `signal` aborts. A manager
   * that is not up yet drops them (the port is closed); the first one it reads after it binds is
   * answered.
   */
  firstRightMembers(i: number, everyMs: number, timeoutMs: number, check: (reply: Partial<Reply>) => string | null, signal?: AbortSignal): Promise<FirstAnswer> {
    const ep = this.endpoints[i]!;
    const name = this.peers[i]!.name;
    const wrong: string[] = [];
    const started = performance.now();
    let sent = 0;
    let settled = false;
    return new Promise((resolve, reject) => {
      const end = () => {
        settled = true;
        clearInterval(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        if (settled) return;
        end();
        reject(new Error(`members poll from ${name} aborted`));
      };
      const ask = () => {
        if (settled) return;
        if (performance.now() - started > timeoutMs) {
          end();
          reject(new Error(`no right answer to members from ${name} within ${timeoutMs} ms (${sent} sent; ${wrong.length} wrong${wrong.length > 0 ? `, first: ${wrong[0]}` : ''})`));
          return;
        }
        sent++;
        ep.request(this.manager, { type: 'members', name }, { once: true, budgetMs: POLL_REQUEST_BUDGET_MS, who: 'manager' }).then(
          (answer) => {
            if (settled) return;
            const at = performance.now();
            const problem = answer.type === 'reply' ? check(answer as Reply) : `answered by a ${answer.type}`;
            if (problem !== null) {
              wrong.push(problem);
              return;
            }
            end();
            resolve({ at, sent, wrong });
          },
          () => {}, // unanswered within its budget: the next poll is on its way
        );
      };
      const timer = setInterval(ask, everyMs);
      signal?.addEventListener('abort', onAbort);
      ask();
    });
  }

  /** Stops every heartbeat and closes every socket; safe twice. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const hb of this.heartbeats) hb?.stop();
    await Promise.all(this.endpoints.map((e) => e.close()));
  }
}
