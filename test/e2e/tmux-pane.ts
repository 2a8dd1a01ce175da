// A pseudo-terminal for the end-to-end tests of stormdht's prompts: one tmux server of the test's
// own (its own socket), one session, one pane running a command, typed at with send-keys and read
// with capture-pane. Tests skip, saying so, when tmux is not installed. Not a test file itself.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** tmux's path, or null when it is not installed. */
export const TMUX = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((p) => existsSync(p)) ?? null;

/** `s` quoted for sh. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class Pane {
  private readonly socket = `stormdht-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  /** Starts `command` (a sh command line) in a pane of 200 × 50. */
  constructor(command: string) {
    this.tmux('new-session', '-d', '-x', '200', '-y', '50', '-s', 'pane', command);
  }

  /** Sends keys (tmux key names or literal text); each call is one write to the terminal. */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'pane', ...keys);
  }

  /** Sends `text` literally (-l): a word such as "Enter" or "C-d" is typed, not pressed. */
  literal(text: string): void {
    this.tmux('send-keys', '-t', 'pane', '-l', text);
  }

  /** The pane's text, with its scrollback; `escapes` keeps the colour codes. */
  text(escapes = false): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-2000', '-t', 'pane', ...(escapes ? ['-e'] : []));
  }

  /** The last non-blank line: the prompt and what is typed after it (with -J, trailing spaces kept). */
  lastLine(): string {
    return this.text().split('\n').filter((l) => l.trim() !== '').at(-1) ?? '';
  }

  /** Polls the pane until `test` passes; fails with the pane's text after `timeoutMs`. */
  async waitFor(what: string, test: (pane: Pane) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test(this)) {
      if (Date.now() > deadline) assert.fail(`no ${what} within ${timeoutMs} ms; the pane reads:\n${this.text()}`);
      await sleep(50);
    }
  }

  waitForText(text: string, timeoutMs?: number): Promise<void> {
    return this.waitFor(JSON.stringify(text), (p) => p.text().includes(text), timeoutMs);
  }

  /** Ends the tmux server, and with it the pane's processes. */
  kill(): void {
    spawnSync(TMUX!, ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
  }

  private tmux(...args: string[]): string {
    return execFileSync(TMUX!, ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
}
