// The processes of a local cluster: one manager and one peer process per name on 127.0.0.1,
// started with processes.ts's helpers in --json mode. A command runs on the process of the peer
// it names; the session answers that peer's D1 prompt with the next line the user gives.
import { tokenize } from '../peer/commands.js';
import type { AskLine } from '../peer/procedures/query.js';
import { ClusterLiveView } from './cluster-live.js';
import { MANAGER_LABEL } from './cluster-output.js';
import { startManager, startPeer, type JsonChild, type JsonLine, type ManagerProcess } from './processes.js';

export interface SessionOptions {
  /** The peers' names, one process each. */
  readonly names: readonly string[];
  /** Where every peer reads details-YYYY.csv. */
  readonly dataDir: string;
  /** The peers' --port-range (their default when absent). */
  readonly portRange?: string;
  /** The manager's --replicas: how many copies of every record a DHT keeps (its default, 1, when absent). */
  readonly replicas?: number;
  /** The manager's --seed: its picks (rings, queries' first nodes) repeat run after run. */
  readonly seed?: number;
  /**
   * --http and --http-host: the cluster serves its live view (issue 16) there. Its manager serves
   * its own on 127.0.0.1, any free port, which the cluster follows (cluster-live.ts).
   */
  readonly http?: { readonly port: number; readonly host?: string };
  /** Every JSON line of every process, as it arrives, with the process's label. */
  readonly onLine: (label: string, line: JsonLine) => void;
}

/** How long a process may take to exit after SIGTERM or SIGINT before it gets SIGKILL, in ms. */
export const STOP_GRACE_MS = 10_000;

/** A command the session cannot hand to a process (the process has exited). */
export class SessionError extends Error {
  override name = 'SessionError';
}

/** The exit of a process: its code, or the signal's name. */
export type ExitStatus = number | string;

/** The cluster's own members request being hidden: its peer, the manager's trace lines still to come. */
interface Hiding {
  readonly peer: string;
  managerLines: number;
  until: number;
  resultSeen?: boolean;
}

/** How long after the cluster's own members request its late trace lines are still hidden, in ms. */
const HIDE_MS = 1_000;

export class ClusterSession {
  private readonly peers = new Map<string, JsonChild>();
  /** The cluster's own members request, whose lines are not shown. */
  private hiding: Hiding | null = null;
  private readonly exits = new Map<string, ExitStatus>();
  /** The peer whose command is running, and how to ask the user for a line it prompts for. */
  private asking: { readonly name: string; readonly ask: AskLine } | null = null;
  private closing: Promise<void> | null = null;
  /** When the last line of any process arrived (Date.now()). */
  private lastLineAt = Date.now();
  /** The cluster's live view (--http), fed every line shown and every command run. */
  private liveView: ClusterLiveView | null = null;

  private constructor(
    readonly manager: ManagerProcess,
    private readonly options: SessionOptions,
  ) {}

  /**
   * Starts the manager on a free port, then (with --http) the live view, then every peer; resolves
   * once the manager listens. A live view that cannot listen stops the manager and rejects with
   * one line: `cannot serve the live view on 127.0.0.1:8080 (EADDRINUSE)`.
   */
  static async start(options: SessionOptions): Promise<ClusterSession> {
    const extraArgs = [
      ...(options.replicas === undefined ? [] : ['--replicas', String(options.replicas)]),
      ...(options.seed === undefined ? [] : ['--seed', String(options.seed)]),
      ...(options.http === undefined ? [] : ['--http', '0']),
    ];
    let session: ClusterSession | null = null;
    const onLine = (label: string, line: JsonLine) => {
      if (session !== null) session.lastLineAt = Date.now();
      // The manager's own view is the cluster's source, not the user's address: its line is not shown.
      if (label === MANAGER_LABEL && line.type === 'event' && line.event === 'live-view') return;
      if (session?.hidden(label, line)) return;
      session?.liveView?.line(label, line);
      options.onLine(label, line);
    };
    const manager = await startManager({ onLine, extraArgs });
    session = new ClusterSession(manager, { ...options, onLine });
    if (options.http !== undefined) session.liveView = await session.serveLiveView(options.http);
    for (const name of options.names) session.spawn(name);
    return session;
  }

  /** The address of the cluster's live view (--http), or null. */
  get liveViewUrl(): string | null {
    return this.liveView?.url ?? null;
  }

  /** A command line begins: the live view's sequence chart starts again from it. */
  commandStarted(line: string): void {
    this.liveView?.command(line);
  }

  private async serveLiveView(http: { readonly port: number; readonly host?: string }): Promise<ClusterLiveView> {
    const host = http.host ?? '127.0.0.1';
    try {
      const announced = await this.manager.proc.waitForLine((l) => l.type === 'event' && l.event === 'live-view', 15_000);
      return await ClusterLiveView.start({ managerUrl: String(announced.url), host, port: http.port, processes: [MANAGER_LABEL, ...this.names] });
    } catch (err) {
      await this.manager.proc.stop('SIGINT', STOP_GRACE_MS);
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(code === undefined ? `the live view did not start: ${(err as Error).message}` : `cannot serve the live view on ${host}:${http.port} (${code})`);
    }
  }

  get names(): readonly string[] {
    return this.options.names;
  }

  /** The peer's process (its latest, if it was restarted). */
  process(name: string): JsonChild {
    const child = this.peers.get(name);
    if (!child) throw new SessionError(`no peer "${name}" in this cluster`);
    return child;
  }

  /** How the peer's process ended; undefined while it runs. */
  exitStatus(name: string): ExitStatus | undefined {
    return this.exits.get(name);
  }

  /**
   * Types `line` on the peer's process and resolves with its result line. A peer whose process
   * has exited (after deregister) takes only `register`, which starts a new process for it.
   */
  async run(name: string, line: string, ask: AskLine): Promise<JsonLine> {
    let child = this.process(name);
    const exit = this.exits.get(name);
    if (exit !== undefined) {
      if (tokenize(line)?.[0] !== 'register') {
        throw new SessionError(`${name}'s process has exited (status ${exit}); "register ${name}" starts it again`);
      }
      child = this.spawn(name);
    }
    this.asking = { name, ask };
    try {
      const result = await child.run(line);
      // A peer exits right after a successful deregister: once run resolves, its exit is known.
      if (result.command === 'deregister' && result.ok === true) await child.exited;
      return result;
    } finally {
      this.asking = null;
    }
  }

  /**
   * Resolves once no process has printed a line for `quietMs`, or after `maxMs` at most. A process
   * prints what a datagram did after sending it on, so the next process may answer, and the
   * command end, before the lines of the hops before it have come through their pipes.
   */
  async settled(quietMs: number, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    for (;;) {
      const wait = Math.min(this.lastLineAt + quietMs, deadline) - Date.now();
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /**
   * SIGKILLs the peer's process (a crash: it neither deregisters nor says anything to anyone) and
   * resolves with its pid once it has exited.
   */
  async kill(name: string): Promise<number | undefined> {
    const child = this.process(name);
    const exit = this.exits.get(name);
    if (exit !== undefined) throw new SessionError(`${name}'s process has already exited (status ${exit})`);
    await child.stop('SIGKILL');
    return child.child.pid;
  }

  /**
   * Starts the peer's process again: a running one is SIGKILLed first (a crash), then a new one
   * registers under the same name. Resolves with the killed process's pid (undefined when it had
   * exited already) and the register's result line.
   */
  async restart(name: string, ask: AskLine): Promise<{ killed: number | undefined; result: JsonLine }> {
    const killed = this.exits.get(name) === undefined ? await this.kill(name) : undefined;
    // run() starts a new process for a peer whose process has exited, for its register.
    return { killed, result: await this.run(name, `register ${name}`, ask) };
  }

  /** Stops every peer (SIGTERM: it leaves its sockets without deregistering) and then the manager. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.peers.values()].map((p) => p.stop('SIGTERM', STOP_GRACE_MS)));
      await this.manager.proc.stop('SIGINT', STOP_GRACE_MS);
      await this.liveView?.close();
    })();
    return this.closing;
  }

  /** Every process's id, the manager's first. */
  pids(): Array<{ label: string; pid: number | undefined; exit: ExitStatus | undefined }> {
    return [
      { label: MANAGER_LABEL, pid: this.manager.proc.child.pid, exit: undefined },
      ...this.names.map((name) => ({ label: name, pid: this.process(name).child.pid, exit: this.exits.get(name) })),
    ];
  }

  /**
   * Runs `members <name>` on the peer for the cluster's own use (the `peers` command), without
   * printing its lines or the manager's trace of it. Null when the peer's process has exited or
   * the manager refused (the peer is not registered).
   */
  async members(name: string): Promise<JsonLine | null> {
    if (this.exits.get(name) !== undefined) return null;
    const hiding: Hiding = { peer: name, managerLines: 2, until: Date.now() + HIDE_MS };
    this.hiding = hiding;
    try {
      const result = await this.process(name).run(`members ${name}`);
      return result.ok === true ? result : null;
    } finally {
      hiding.until = Math.min(hiding.until, Date.now() + HIDE_MS);
      hiding.resultSeen = true;
    }
  }

  /** True for a line of the cluster's own `members` request, which is not shown. */
  private hidden(label: string, line: JsonLine): boolean {
    const h = this.hiding;
    if (h === null) return false;
    if (Date.now() > h.until || (h.resultSeen === true && h.managerLines <= 0)) {
      this.hiding = null;
      return false;
    }
    const isMembersTrace = line.type === 'event' && line.event === 'trace' && String(line.text).startsWith('members') && (line.from === h.peer || line.to === h.peer);
    if (label === MANAGER_LABEL && isMembersTrace) {
      h.managerLines--;
      return true;
    }
    if (label !== h.peer) return false;
    return isMembersTrace || (line.type === 'result' && line.command === 'members' && h.resultSeen !== true);
  }

  private spawn(name: string): JsonChild {
    this.exits.delete(name);
    const child = startPeer(name, this.manager, {
      dataDir: this.options.dataDir,
      ...(this.options.portRange === undefined ? {} : { portRange: this.options.portRange }),
      onLine: (label, line) => this.onPeerLine(label, line),
    });
    this.peers.set(name, child);
    void child.exited.then((status) => {
      if (this.peers.get(name) === child) this.exits.set(name, status);
    });
    return child;
  }

  private onPeerLine(name: string, line: JsonLine): void {
    this.options.onLine(name, line);
    // D1: a peer without a readable copy of the year asks for the event id; the answer is the
    // user's next line, typed on that peer's stdin (end of input ends the peer's command).
    if (line.type === 'event' && line.event === 'prompt' && this.asking?.name === name) {
      const child = this.process(name);
      void this.asking.ask(String(line.text)).then((answer) => (answer === null ? child.endInput() : child.send(answer)));
    }
  }
}
