// Driving stormdht programs as real child processes in --json mode: the demo and the end-to-end
// tests both start a manager and peers through these, type commands and read result lines.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tiedChildEnv } from './parent-watch.js';

/** The compiled CLI entry point, run with this same Node binary. */
export const MAIN_SCRIPT = fileURLToPath(new URL('./main.js', import.meta.url));

export type JsonLine = Readonly<Record<string, unknown>> & { readonly type: string };

export interface ChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Every JSON line the process prints, as it arrives. */
  readonly onLine?: (label: string, line: JsonLine) => void;
  /** A command the program runs under, e.g. `['ip', 'netns', 'exec', 'ns1']` for another network namespace. */
  readonly prefix?: readonly string[];
}

/**
 * A stormdht process whose stdout is JSON lines. It is tied to this process (parent-watch.ts): it
 * stops when this process ends, even by SIGKILL, so that no manager or peer is left running.
 */
export class JsonChild {
  readonly child: ChildProcess;
  readonly lines: JsonLine[] = [];
  private stderrText = '';
  private readonly results: JsonLine[] = [];
  private readonly resultWaiters: Array<(line: JsonLine | null) => void> = [];
  private readonly lineWaiters: Array<{ test: (l: JsonLine) => boolean; resolve: (l: JsonLine | null) => void }> = [];
  private closed = false;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;

  constructor(
    readonly label: string,
    args: readonly string[],
    options: ChildOptions = {},
  ) {
    const [command, ...prefixArgs] = [...(options.prefix ?? []), process.execPath, ...nodeArgs()];
    this.child = spawn(command!, [...prefixArgs, MAIN_SCRIPT, ...args], {
      // The fourth pipe is the tie to this process: the child stops when it closes.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: tiedChildEnv(options.env ?? process.env),
      cwd: options.cwd,
    });
    this.child.stdin!.on('error', () => {}); // writing to a process that just exited is not our crash
    (this.child.stdio[3] as NodeJS.ReadableStream).on('error', () => {});
    this.child.stderr!.on('data', (d: Buffer) => (this.stderrText += d.toString()));
    readline.createInterface({ input: this.child.stdout! }).on('line', (text) => {
      let line: JsonLine;
      try {
        line = JSON.parse(text) as JsonLine;
      } catch {
        line = { type: 'text', text };
      }
      this.lines.push(line);
      options.onLine?.(label, line);
      if (line.type === 'result') {
        const w = this.resultWaiters.shift();
        if (w) w(line);
        else this.results.push(line);
      }
      for (const w of [...this.lineWaiters]) {
        if (w.test(line)) {
          this.lineWaiters.splice(this.lineWaiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.closed = true;
        for (const w of this.resultWaiters.splice(0)) w(null);
        for (const w of this.lineWaiters.splice(0)) w.resolve(null);
        resolve(code ?? signal ?? 'unknown');
      });
    });
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** The first line (already printed or still to come) that passes `test`. */
  waitForLine(test: (l: JsonLine) => boolean, timeoutMs = 30_000): Promise<JsonLine> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    if (this.closed) return Promise.reject(new Error(`${this.label} has exited${this.tail()}`));
    return this.withTimeout(new Promise((resolve) => this.lineWaiters.push({ test, resolve })), timeoutMs, 'expected line');
  }

  /** The next result line not yet taken. */
  nextResult(timeoutMs = 120_000): Promise<JsonLine> {
    const ready = this.results.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closed) return Promise.reject(new Error(`${this.label} has exited${this.tail()}`));
    return this.withTimeout(new Promise((resolve) => this.resultWaiters.push(resolve)), timeoutMs, 'result');
  }

  /** Types one line on the process's stdin. */
  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Types a command and resolves with its result line. */
  run(line: string, timeoutMs?: number): Promise<JsonLine> {
    this.send(line);
    return this.nextResult(timeoutMs);
  }

  /** Closes stdin (end of input). */
  endInput(): void {
    this.child.stdin!.end();
  }

  /**
   * Sends a signal (default SIGTERM) if still running, and waits for the exit; with `killAfterMs`,
   * a process still running that long after the signal gets SIGKILL.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs?: number): Promise<number | string> {
    if (this.closed) return this.exited;
    this.child.kill(signal);
    if (killAfterMs === undefined) return this.exited;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), killAfterMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private withTimeout(p: Promise<JsonLine | null>, ms: number, what: string): Promise<JsonLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: no ${what} within ${ms} ms${this.tail()}`)), ms);
      p.then((line) => {
        clearTimeout(timer);
        if (line === null) reject(new Error(`${this.label} exited before ${what}${this.tail()}`));
        else resolve(line);
      });
    });
  }

  private tail(): string {
    const err = this.stderrText.trim();
    return err ? `; stderr: ${err.slice(-2000)}` : '';
  }
}

export interface ManagerProcess {
  readonly proc: JsonChild;
  readonly ip: string;
  readonly port: number;
}

/** Starts `stormdht manager` on host (default 127.0.0.1), port 0 unless given; waits until it listens. */
export async function startManager(
  options: ChildOptions & { host?: string; port?: number; extraArgs?: readonly string[] } = {},
): Promise<ManagerProcess> {
  const host = options.host ?? '127.0.0.1';
  const proc = new JsonChild('manager', ['manager', String(options.port ?? 0), '--host', host, '--json', ...(options.extraArgs ?? [])], options);
  let listening: JsonLine;
  try {
    listening = await proc.waitForLine((l) => l.event === 'listening', 15_000);
  } catch (err) {
    // The manager's own one-line reason (a port in use, a bad --http), said as the starter's.
    const reason = proc.stderr.trim().split('\n').at(-1)?.replace(/^stormdht manager: /, '');
    if (reason) throw new Error(`the manager did not start: ${reason}`);
    throw err;
  }
  return { proc, ip: String(listening.ip), port: Number(listening.port) };
}

export interface PeerProcessOptions extends ChildOptions {
  readonly dataDir?: string;
  readonly portRange?: string;
  readonly extraArgs?: readonly string[];
}

/** Starts `stormdht peer <manager> --json` with the given data directory and port range. */
export function startPeer(label: string, manager: ManagerProcess, options: PeerProcessOptions = {}): JsonChild {
  const args = ['peer', manager.ip, String(manager.port), '--json'];
  if (options.dataDir !== undefined) args.push('--data-dir', options.dataDir);
  if (options.portRange !== undefined) args.push('--port-range', options.portRange);
  args.push(...(options.extraArgs ?? []));
  return new JsonChild(label, args, options);
}

/**
 * Node options for every child process, from $STORMDHT_NODE_ARGS (space-separated), e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile every process of a benchmark (issue 14).
 */
function nodeArgs(): string[] {
  return (process.env.STORMDHT_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
}
