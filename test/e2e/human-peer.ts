// A raw `stormdht peer` in human mode (no --json) for the end-to-end tests that check the human
// trace: its stdout lines as they arrive, and waiting for a given line. Not a test file itself.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAIN_SCRIPT, type ManagerProcess } from '../../src/cli/processes.js';

export class HumanPeer {
  readonly lines: string[] = [];
  readonly exited: Promise<number | string>;
  private waiters: Array<() => void> = [];
  stderr = '';

  constructor(readonly child: ChildProcess) {
    child.stdin!.on('error', () => {});
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  }

  /** Starts `stormdht peer <manager> --data-dir DIR --port-range LO-HI [extra…]` in human mode. */
  static start(manager: ManagerProcess, dataDir: string, portRange: string, extraArgs: readonly string[] = []): HumanPeer {
    const args = [MAIN_SCRIPT, 'peer', manager.ip, String(manager.port), '--data-dir', dataDir, '--port-range', portRange, ...extraArgs];
    return new HumanPeer(spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Waits for a line equal to (or matching) `want`, printed at or after index `from`; returns its index. */
  async waitFor(want: string | RegExp, from: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex((l, k) => k >= from && (typeof want === 'string' ? l === want : want.test(l)));
      if (i >= 0) return i;
      if (Date.now() > deadline) throw new Error(`no line ${String(want)} within ${timeoutMs} ms; output:\n${this.lines.slice(from).join('\n')}\nstderr: ${this.stderr}`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(200)]);
    }
  }

  /** SIGTERM if it still runs, and waits for its exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
  }
}
