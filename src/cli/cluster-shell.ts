// Runs one line of the cluster prompt: the router says where it goes, the session runs it, the
// output prints it. The interactive prompt, scripts and the guided demo all run lines through here.
import { errorMessage } from '../peer/errors.js';
import type { AskLine } from '../peer/procedures/query.js';
import { complete, helpText, route, type Route } from './cluster-router.js';
import { MANAGER_LABEL, type LabelledOutput } from './cluster-output.js';
import { SessionError, type ClusterSession } from './cluster-session.js';
import type { JsonLine } from './processes.js';
import type { MemberEntry } from '../wire/messages.js';

/**
 * What a line did. `ok` is false when the line went wrong: a refused line (unknown command or
 * peer), a command that failed although not marked `!`, or one marked `!` that succeeded.
 */
export type Outcome =
  | { readonly kind: 'skip' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'done'; readonly ok: true; readonly result: JsonLine | null; readonly statuses: ReadonlyMap<string, JsonLine> }
  | { readonly kind: 'done'; readonly ok: false; readonly error: string };

export class ClusterShell {
  constructor(
    readonly session: ClusterSession,
    readonly output: LabelledOutput,
    /** The years present in the data directory, for completion. */
    private readonly years: () => readonly string[],
  ) {}

  /**
   * Runs one line; `ask` gives the line a peer prompts for. With `echo` the line is printed first
   * as if typed at the prompt (scripts and the demo), unless it is blank or a comment. Never throws.
   */
  async execute(line: string, ask: AskLine, echo = false): Promise<Outcome> {
    const r = route(line, this.session.names);
    if (echo && r.kind !== 'skip') this.output.echo(line.trim());
    if (r.kind === 'peer' || r.kind === 'builtin') this.session.commandStarted(line.trim());
    switch (r.kind) {
      case 'skip':
        return { kind: 'skip' };
      case 'error':
        return this.fail(r.message);
      case 'builtin':
        return this.builtin(r, ask);
      case 'peer':
        return this.peerCommand(r, ask);
    }
  }

  /** node:readline's completer. */
  completer = (line: string): [string[], string] => complete(line, this.session.names, this.years());

  private async peerCommand(r: Extract<Route, { kind: 'peer' }>, ask: AskLine): Promise<Outcome> {
    let result: JsonLine;
    try {
      result = await this.session.run(r.peer, r.line, ask);
    } catch (err) {
      return this.fail(err instanceof SessionError ? err.message : `${r.peer}: ${errorMessage(err)}`);
    }
    if (r.expectFailure && result.ok === true) return this.fail(`"${r.line}" was expected to fail, but it succeeded`);
    if (!r.expectFailure && result.ok !== true) return { kind: 'done', ok: false, error: `"${r.line}" failed: ${String(result.error)}` };
    return { kind: 'done', ok: true, result, statuses: new Map() };
  }

  private async builtin(r: Extract<Route, { kind: 'builtin' }>, ask: AskLine): Promise<Outcome> {
    // The cluster's own commands cannot fail (a kill of a process that has exited is refused, as
    // an unknown peer is), so "!" before one is always a failed expectation; but restart's
    // register can.
    if (r.expectFailure && r.builtin !== 'restart') return this.fail(`"${r.builtin}" cannot fail; "!" does not apply to it`);
    switch (r.builtin) {
      case 'quit':
      case 'exit':
        return { kind: 'quit' };
      case 'help':
        this.output.plain(helpText(this.session.names));
        return { kind: 'done', ok: true, result: null, statuses: new Map() };
      case 'peers':
        this.output.plain(peersText(this.session, await this.registry()));
        return { kind: 'done', ok: true, result: null, statuses: new Map() };
      case 'status':
        return this.status(r.peer === null ? this.session.names : [r.peer], ask);
      case 'kill':
        return this.kill(r.peer!);
      case 'restart':
        return this.restart(r.peer!, ask, r.expectFailure);
    }
  }

  /**
   * Starts the peer again, killing a running process first, and registers it under its name: a
   * manager that has not evicted the killed process yet refuses the name, which is shown as the
   * register's failure (try again once the eviction note has come).
   */
  private async restart(name: string, ask: AskLine, expectFailure: boolean): Promise<Outcome> {
    let restarted: Awaited<ReturnType<ClusterSession['restart']>>;
    try {
      restarted = await this.session.restart(name, ask);
    } catch (err) {
      return this.fail(err instanceof SessionError ? err.message : `${name}: ${errorMessage(err)}`);
    }
    const { killed, result } = restarted;
    const pid = this.session.process(name).child.pid;
    const was = killed === undefined ? '' : `process ${killed} killed with SIGKILL, `;
    this.output.plain(`${name}: ${was}started again as process ${pid ?? '-'}; register ${result.ok === true ? 'SUCCESS' : `FAILURE (${String(result.error)})`}`);
    if (expectFailure && result.ok === true) return this.fail(`"restart ${name}" was expected to fail, but its register succeeded`);
    if (!expectFailure && result.ok !== true) return { kind: 'done', ok: false, error: `"register ${name}" failed: ${String(result.error)}` };
    return { kind: 'done', ok: true, result, statuses: new Map() };
  }

  /** SIGKILLs the peer's process, as a crash would end it, and waits for its exit. */
  private async kill(name: string): Promise<Outcome> {
    let pid: number | undefined;
    try {
      pid = await this.session.kill(name);
    } catch (err) {
      return this.fail(errorMessage(err));
    }
    this.output.plain(`${name}: process ${pid ?? '-'} killed with SIGKILL, as in a crash: no more heartbeats, no deregister, no goodbye to its ring`);
    return { kind: 'done', ok: true, result: null, statuses: new Map() };
  }

  /** Runs `status` on each peer whose process runs; each prints its own status line. */
  private async status(names: readonly string[], ask: AskLine): Promise<Outcome> {
    const statuses = new Map<string, JsonLine>();
    for (const name of names) {
      const exit = this.session.exitStatus(name);
      if (exit !== undefined) {
        this.output.plain(`${name}: the process has exited (status ${exit}); "register ${name}" starts it again`);
        continue;
      }
      try {
        statuses.set(name, await this.session.run(name, 'status', ask));
      } catch (err) {
        return this.fail(`${name}: ${errorMessage(err)}`);
      }
    }
    return { kind: 'done', ok: true, result: null, statuses };
  }

  /**
   * The manager's registry, asked (quietly) through the first running peer it knows: each peer's
   * state and p-port by name. Empty when no running peer is registered.
   */
  private async registry(): Promise<ReadonlyMap<string, MemberEntry>> {
    for (const name of this.session.names) {
      let result: JsonLine | null = null;
      try {
        result = await this.session.members(name);
      } catch {
        continue;
      }
      if (result !== null) return new Map(((result.peers ?? []) as MemberEntry[]).map((p) => [p.name, p]));
    }
    return new Map();
  }

  private fail(error: string): Outcome {
    this.output.error(error);
    return { kind: 'done', ok: false, error };
  }
}

/** `peers`: every process, its pid and whether it runs; each peer's state and p-port from the manager's registry. */
export function peersText(session: Pick<ClusterSession, 'names' | 'manager' | 'pids'>, registry: ReadonlyMap<string, MemberEntry>): string {
  const m = session.manager;
  const rows = session.pids().map(({ label, pid, exit }) => {
    const proc = `pid ${String(pid ?? '-').padEnd(8)}${(exit === undefined ? 'running' : `exited (status ${exit})`).padEnd(23)} `;
    if (label === MANAGER_LABEL) return `  ${label.padEnd(16)}${proc}listening on ${m.ip}:${m.port}`;
    const entry = registry.get(label);
    const where = entry === undefined ? 'not registered' : `${entry.state.padEnd(7)}${entry.ip}:${entry.port}`;
    return `  ${label.padEnd(16)}${proc}${where}`;
  });
  const registered = session.names.filter((n) => registry.has(n)).length;
  return [`${session.names.length} peers (${registered} registered) and the manager:`, ...rows].join('\n');
}
