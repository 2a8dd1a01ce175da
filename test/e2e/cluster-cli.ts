// Helpers of the `stormdht cluster` end-to-end tests: a small synthetic year in a temporary data
// directory, the cluster run through a pipe (all at once, or one command at a time), and the
// parsing of its labelled output. Not a test file itself.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { loadYear, type YearData } from '../../src/data/csv.js';
import { writeSyntheticYear } from '../../src/data/synthetic.js';
import { MAIN_SCRIPT } from '../../src/cli/processes.js';
import { PROMPT } from '../../src/cli/cluster-output.js';

/** A temporary data directory holding a synthetic details-<year>.csv; remove() deletes it. */
export interface TempData {
  readonly dir: string;
  readonly data: YearData;
  remove(): void;
}

export function syntheticData(year: string, records?: number): TempData {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stormdht-cluster-test-'));
  writeSyntheticYear(dir, year, records === undefined ? {} : { records });
  const loaded = loadYear(dir, year);
  if (!loaded.ok) throw new Error(loaded.error);
  return { dir, data: loaded.data, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `text` as a regular expression that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Node processes (the cluster, its peers) whose command line names `dir`, the test's own data
 * directory, from pgrep -f. The pattern starts at node's path, so the shell and the tmux server,
 * whose command lines hold the whole command, do not count.
 */
export function nodeProcessesNaming(dir: string): string {
  const pattern = `^${escapeRegExp(process.execPath)} .*${escapeRegExp(dir)}`;
  return spawnSync('pgrep', ['-af', pattern], { encoding: 'utf8' }).stdout.trim();
}

/** One line of the cluster's output: a process's line under its label, an echoed command, or the cluster's own text. */
export type OutputLine =
  | { readonly kind: 'labelled'; readonly label: string; readonly text: string }
  | { readonly kind: 'echo'; readonly command: string }
  | { readonly kind: 'plain'; readonly text: string };

export function parseLine(line: string): OutputLine {
  const labelled = /^\[([A-Za-z]+) *\] (.*)$/.exec(line);
  if (labelled) return { kind: 'labelled', label: labelled[1]!, text: labelled[2]! };
  if (line.startsWith(PROMPT)) return { kind: 'echo', command: line.slice(PROMPT.length) };
  return { kind: 'plain', text: line };
}

/** The texts printed under `label` among `lines`. */
export function textsOf(lines: readonly string[], label: string): string[] {
  return lines.map(parseLine).flatMap((l) => (l.kind === 'labelled' && l.label === label ? [l.text] : []));
}

/**
 * Every labelled trace line `A → B: …` is printed by A or by B: a process traces only what it
 * sends and receives. Returns the lines that break this (none when routing is right).
 */
export function misroutedTraces(lines: readonly string[]): string[] {
  return lines.filter((line) => {
    const l = parseLine(line);
    if (l.kind !== 'labelled') return false;
    const trace = /^([A-Za-z]+) → ([A-Za-z]+): /.exec(l.text);
    return trace !== null && l.label !== trace[1] && l.label !== trace[2];
  });
}

export interface Finished {
  readonly code: number | string;
  readonly stdout: string[];
  readonly stderr: string;
}

/** Runs `stormdht <args>` with `input` on its stdin (a pipe, closed after it) and waits for its exit. */
export function runToEnd(args: readonly string[], input: string, options: { cwd?: string; command?: readonly string[] } = {}): Promise<Finished> {
  const [command, ...prefix] = options.command ?? [process.execPath, MAIN_SCRIPT];
  const child = spawn(command!, [...prefix, ...args], { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.cwd, env: { ...process.env, NO_COLOR: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? signal ?? 'unknown', stdout: stdout.split('\n').filter((l) => l !== ''), stderr }));
  });
}

/** A cluster whose stdin is a pipe the test writes one command at a time, reading the output in between. */
export class PipedCluster {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  private stderrText = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | string>;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [MAIN_SCRIPT, 'cluster', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderrText += d.toString()));
    this.child.stdin!.on('error', () => {});
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    void this.exited.then(() => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  get stderr(): string {
    return this.stderrText;
  }

  /**
   * Types `line` (and `answers` after it) and resolves with the output from its echo to the line
   * that `done` accepts (by default: a result line `<command> SUCCESS|FAILURE` under the label of
   * the peer named).
   */
  async run(line: string, done?: (l: OutputLine) => boolean, timeoutMs = 60_000, answers: readonly string[] = []): Promise<string[]> {
    const [command, peer] = line.replace(/^!\s*/, '').split(/\s+/);
    const isDone = done ?? ((l: OutputLine) => l.kind === 'labelled' && l.label === peer && new RegExp(`^${command} (SUCCESS|FAILURE)`).test(l.text));
    const from = this.lines.length;
    // `answers` follow at once: the lines a peer will ask for while the command runs.
    this.child.stdin!.write([line, ...answers].map((l) => `${l}\n`).join(''));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const window = this.lines.slice(from);
      const start = window.findIndex((l) => l === `${PROMPT}${line.trim()}`);
      const end = start < 0 ? -1 : window.findIndex((l, i) => i > start && isDone(parseLine(l)));
      if (end >= 0) return window.slice(start, end + 1);
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`the cluster exited while running "${line}"; stderr: ${this.stderrText}\n${window.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no end of "${line}" within ${timeoutMs} ms:\n${window.join('\n')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 500).unref();
      });
    }
  }

  /** Ends stdin (the end of the script) and waits for the exit status. */
  async end(): Promise<number | string> {
    this.child.stdin!.end();
    return this.exited;
  }

  /** SIGTERM if still running (after a failed assertion): the cluster then stops its children. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }
}
