// The interactive prompt: node:readline gives line editing, history and Tab completion. History
// is kept in memory and in ~/.stormdht_history ($STORMDHT_HISTORY names another file; empty: none).
// Lines the processes print while the prompt waits are written above it, and the prompt is drawn
// again with what was typed so far.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { PROMPT } from './cluster-output.js';
import { LineReader } from './line-reader.js';

/** Lines of history kept, in memory and in the file. */
export const HISTORY_SIZE = 1000;

/** The history file, or null when history is not to be saved. */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.STORMDHT_HISTORY !== undefined) return env.STORMDHT_HISTORY === '' ? null : env.STORMDHT_HISTORY;
  return path.join(os.homedir(), '.stormdht_history');
}

export interface TerminalOptions {
  readonly completer: (line: string) => [string[], string];
  readonly historyFile: string | null;
  /** Ctrl-C at the prompt. */
  readonly onInterrupt: () => void;
}

export class PromptTerminal {
  private readonly rl: readline.Interface;
  private readonly lines: LineReader;
  /** True while the prompt is drawn and waits for a line. */
  private prompting = false;

  constructor(options: TerminalOptions) {
    this.rl = readline.createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: process.stdin.isTTY === true && process.stdout.isTTY === true,
      completer: options.completer,
      history: loadHistory(options.historyFile),
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
      prompt: PROMPT,
    });
    this.lines = new LineReader(this.rl);
    this.rl.on('line', () => (this.prompting = false));
    this.rl.on('SIGINT', options.onInterrupt);
    this.rl.on('history', (history: string[]) => saveHistory(options.historyFile, history));
  }

  /** The next line typed: shows `prompt` unless a line typed earlier waits. Null after Ctrl-D. */
  next(prompt: string = PROMPT): Promise<string | null> {
    if (this.lines.pending === 0) {
      this.rl.setPrompt(prompt);
      this.prompting = true;
      this.rl.prompt();
    }
    return this.lines.next();
  }

  /** Writes one line of output, above the prompt when it is drawn. */
  write(text: string): void {
    if (!this.prompting) {
      process.stdout.write(`${text}\n`);
      return;
    }
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    process.stdout.write(`${text}\n`);
    this.rl.prompt(true);
  }

  close(): void {
    this.prompting = false;
    this.rl.close();
  }
}

/** readline wants the newest line first; the file has the oldest first, one a line. */
function loadHistory(file: string | null): string[] {
  if (file === null) return [];
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(-HISTORY_SIZE).reverse();
  } catch {
    return []; // no history yet
  }
}

function saveHistory(file: string | null, history: readonly string[]): void {
  if (file === null) return;
  try {
    writeFileSync(file, `${[...history].reverse().join('\n')}\n`, { mode: 0o600 });
  } catch {
    // History is a convenience: an unwritable home directory must not end the session.
  }
}
