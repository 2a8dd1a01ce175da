// A manager and `stormdht peer --json` processes on 127.0.0.1 for the benchmark: one process per
// peer, each with its own slice of ports in 45000-49999. Commands are timed from writing the line
// on the peer's stdin to the arrival of its result line on stdout, as a user at a terminal sees it.
import { JsonChild, startPeer, type JsonLine, type ManagerProcess } from '../src/cli/processes.js';
import { peerName } from '../src/cluster/local-cluster.js';
import { stopChild, track, withStarted } from './children.js';

/** Hands out port ranges of `size` ports within lo-hi, round-robin, for `--port-range`. */
export class PortSlices {
  private next = 0;

  constructor(
    readonly lo = 45_000,
    readonly hi = 49_999,
    readonly size = 10,
  ) {}

  take(): string {
    const count = Math.floor((this.hi - this.lo + 1) / this.size);
    const start = this.lo + (this.next % count) * this.size;
    this.next++;
    return `${start}-${start + this.size - 1}`;
  }
}

export interface ProcClusterOptions {
  /** How many peer processes (named peera, peerb, …). */
  readonly peers: number;
  readonly dataDir: string;
  readonly ports: PortSlices;
  /** Extra command-line options of peer i (e.g. --batch-bytes 8000). */
  readonly peerArgs?: (i: number) => readonly string[];
  /** How many of them register at once (the first ones); default all. */
  readonly register?: number;
  /** Extra command-line options of the manager (e.g. --faults). */
  readonly managerArgs?: readonly string[];
  /** The manager's UDP port (default 0: one the system picks). */
  readonly managerPort?: number;
  /** Every line a peer prints, as it arrives (the latency scenario counts retransmissions with it). */
  readonly onLine?: (label: string, line: JsonLine) => void;
}

export interface Timed {
  readonly ms: number;
  readonly result: JsonLine;
}

/** Throws when a result line is not ok, with the line itself in the message. */
export function expectOk(result: JsonLine, what: string): JsonLine {
  if (result.ok !== true) throw new Error(`${what} failed: ${JSON.stringify(result).slice(0, 500)}`);
  return result;
}

/**
 * `stormdht manager <port> --host 127.0.0.1 --json` (port 0 unless given), as startManager does,
 * but tracked from its spawn, so that it is stopped even when it never says it listens. `onLine`
 * sees every line as it arrives (the restart scenario times them).
 */
export async function startTrackedManager(extraArgs: readonly string[] = [], port = 0, onLine?: (line: JsonLine) => void): Promise<ManagerProcess> {
  const proc = track(new JsonChild('manager', ['manager', String(port), '--host', '127.0.0.1', '--json', ...extraArgs], onLine ? { onLine: (_label, line) => onLine(line) } : {}));
  try {
    const listening = await proc.waitForLine((l) => l.event === 'listening', 15_000);
    return { proc, ip: String(listening.ip), port: Number(listening.port) };
  } catch (err) {
    await stopChild(proc);
    throw err;
  }
}

export class ProcCluster {
  /** performance.now() when each peer's latest result line arrived. */
  private readonly resultAt = new Map<string, number>();
  /** performance.now() when each peer last printed its own find-event trace (sending a query). */
  private readonly findSentAt = new Map<string, number>();

  private constructor(
    readonly manager: ManagerProcess,
    readonly peers: ReadonlyMap<string, JsonChild>,
  ) {}

  static async start(options: ProcClusterOptions): Promise<ProcCluster> {
    const manager = await startTrackedManager(options.managerArgs, options.managerPort);
    const peers = new Map<string, JsonChild>();
    const holder: { cluster: ProcCluster | null } = { cluster: null };
    try {
      for (let i = 0; i < options.peers; i++) {
        const name = peerName(i);
        const child = startPeer(name, manager, {
          dataDir: options.dataDir,
          portRange: options.ports.take(),
          extraArgs: options.peerArgs?.(i) ?? [],
          onLine: (label, line) => {
            holder.cluster?.observe(label, line);
            options.onLine?.(label, line);
          },
        });
        peers.set(name, track(child));
      }
      const cluster = new ProcCluster(manager, peers);
      holder.cluster = cluster;
      const toRegister = [...peers.keys()].slice(0, options.register ?? options.peers);
      await Promise.all(toRegister.map((name) => cluster.register(name)));
      return cluster;
    } catch (err) {
      await Promise.all([...peers.values(), manager.proc].map((c) => stopChild(c)));
      throw err;
    }
  }

  private observe(label: string, line: JsonLine): void {
    const now = performance.now();
    if (line.type === 'result') this.resultAt.set(label, now);
    else if (line.event === 'trace' && line.from === label && typeof line.text === 'string' && line.text.startsWith('find-event ')) {
      if (!this.findSentAt.has(label)) this.findSentAt.set(label, now);
    }
  }

  get names(): string[] {
    return [...this.peers.keys()];
  }

  peer(name: string): JsonChild {
    const p = this.peers.get(name);
    if (!p) throw new Error(`no peer process ${name}`);
    return p;
  }

  pid(name: string): number | undefined {
    return this.peer(name).child.pid;
  }

  async register(name: string): Promise<void> {
    expectOk(await this.peer(name).run(`register ${name}`, 30_000), `register ${name}`);
  }

  /** Types `line` at peer `name`; the time is from the write to the arrival of the result line. */
  async run(name: string, line: string, timeoutMs = 120_000): Promise<Timed> {
    const child = this.peer(name);
    this.findSentAt.delete(name);
    const t0 = performance.now();
    child.send(line);
    const result = await child.nextResult(timeoutMs);
    const t1 = this.resultAt.get(name) ?? performance.now();
    return { ms: t1 - t0, result };
  }

  /**
   * For the last command run at `name`: ms from its find-event trace line to its result line, i.e.
   * the find-event round trip without the manager's query-dht (both lines cross the same pipe).
   */
  findPartMs(name: string): number | null {
    const sent = this.findSentAt.get(name);
    const done = this.resultAt.get(name);
    return sent === undefined || done === undefined || done < sent ? null : done - sent;
  }

  /**
   * Pipelining: writes every line to the peer's stdin in one write (the peer runs queries with an
   * id up to --pipeline at a time, 32 by default, and prints their results in order) and resolves
   * with all their results, in order, with performance.now() of the write (start) and of the last
   * result line's arrival (end).
   */
  async pipeline(name: string, lines: readonly string[], timeoutMs = 300_000): Promise<{ start: number; end: number; results: JsonLine[] }> {
    const child = this.peer(name);
    const start = performance.now();
    child.child.stdin!.write(lines.map((l) => `${l}\n`).join(''));
    const results = await Promise.all(lines.map(() => child.nextResult(timeoutMs)));
    const end = this.resultAt.get(name) ?? performance.now();
    return { start, end, results };
  }

  async status(name: string): Promise<JsonLine> {
    return expectOk(await this.peer(name).run('status', 30_000), `status at ${name}`);
  }

  /** Names of the peers whose own state is Free. */
  async freeNames(): Promise<string[]> {
    const states = await Promise.all(this.names.map(async (n) => [n, (await this.status(n)).state] as const));
    return states.filter(([, s]) => s === 'Free').map(([n]) => n);
  }

  /** Drops the lines kept so far (JsonChild keeps every line; long runs would only grow). */
  forgetLines(): void {
    for (const c of [...this.peers.values(), this.manager.proc]) c.lines.length = 0;
  }

  /** Every line the peers printed since the last forgetLines(), by peer. */
  linesByPeer(): Map<string, readonly JsonLine[]> {
    return new Map([...this.peers].map(([n, c]) => [n, c.lines]));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.peers.values()].map((c) => stopChild(c)));
    await stopChild(this.manager.proc);
  }
}

/** Starts a cluster, runs fn, and always stops every process of it. */
export function withProcCluster<T>(options: ProcClusterOptions, fn: (c: ProcCluster) => Promise<T>): Promise<T> {
  return withStarted(ProcCluster.start(options), fn);
}
