// `stormdht cluster --json` driven through a pipe, one line at a time, for the tests that read its
// results as JSON (the cluster's live view in a browser). Not a test file.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { MAIN_SCRIPT, type JsonLine } from '../../src/cli/processes.js';

/** A line of `cluster --json`: a process's own line with `process` added, or the cluster's own event. */
export type ClusterJsonLine = JsonLine & { readonly process: string };

export class JsonCluster {
  readonly child: ChildProcess;
  readonly lines: ClusterJsonLine[] = [];
  private stderrText = '';
  private readonly waiters: Array<() => void> = [];
  readonly exited: Promise<number | string>;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [MAIN_SCRIPT, 'cluster', '--json', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderrText += d.toString()));
    this.child.stdin!.on('error', () => {});
    readline.createInterface({ input: this.child.stdout! }).on('line', (text) => {
      try {
        this.lines.push(JSON.parse(text) as ClusterJsonLine);
      } catch {
        this.lines.push({ type: 'text', text, process: '?' });
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** The first line from index `from` on that passes `test`, waiting for it up to `timeoutMs`. */
  async waitFor(test: (l: ClusterJsonLine) => boolean, what: string, from = 0, timeoutMs = 60_000): Promise<ClusterJsonLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find(test);
      if (hit !== undefined) return hit;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`the cluster exited waiting for ${what}; stderr: ${this.stderrText}`);
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 500).unref();
      });
    }
  }

  /** Types a peer's command (`<command> <peer> …`) and resolves with that peer's result line for it. */
  async run(line: string, timeoutMs = 60_000): Promise<ClusterJsonLine> {
    const [command, peer] = line.split(/\s+/);
    const from = this.lines.length;
    this.child.stdin!.write(`${line}\n`);
    const echo = await this.waitFor((l) => l.event === 'command' && l.line === line, `the echo of "${line}"`, from, timeoutMs);
    return this.waitFor((l) => l.type === 'result' && l.process === peer && l.command === command, `the result of "${line}"`, this.lines.indexOf(echo), timeoutMs);
  }

  /** Types a cluster command (kill, status, …) and resolves with the cluster's answer to it. */
  async builtin(line: string, timeoutMs = 60_000): Promise<ClusterJsonLine> {
    const from = this.lines.length;
    this.child.stdin!.write(`${line}\n`);
    return this.waitFor((l) => l.process === 'cluster' && (l.event === 'message' || l.event === 'error'), `the answer to "${line}"`, from, timeoutMs);
  }

  /** SIGTERM if still running: the cluster stops its children. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
