// A running local cluster with its two ways of taking lines: a script (a pipe, --script FILE,
// the demo) or the interactive prompt. `stormdht cluster` and `stormdht demo` both open one.
import { colourWanted } from './colour.js';
import { ANSWER_PROMPT, LabelledOutput } from './cluster-output.js';
import { ClusterSession } from './cluster-session.js';
import { ClusterShell } from './cluster-shell.js';
import { historyFile, PromptTerminal } from './cluster-terminal.js';
import { yearsIn } from './demo-data.js';
import type { LineReader } from './line-reader.js';
import type { OutputMode } from './output-mode.js';

export interface ClusterOptions {
  readonly names: readonly string[];
  readonly dataDir: string;
  readonly portRange?: string;
  /** The manager's --replicas (issue 12); its default when absent. */
  readonly replicas?: number;
  /** The manager's --seed: its picks repeat (issue 15). */
  readonly seed?: number;
  /** The manager's --http (and --http-host): the live view (issue 16). */
  readonly http?: { readonly port: number; readonly host?: string };
  /** human (the default), quiet (--quiet: results only) or json (--json: a JSON object per line). */
  readonly mode?: OutputMode;
  /** Hold each line this long (ms) to print the processes' lines in the order they happened (the demo); 0: as they come. */
  readonly holdMs?: number;
}

/** Exit statuses after a signal: 128 + its number. */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export class ClusterApp {
  /** Set while the interactive prompt runs: output is written above it. */
  private terminal: PromptTerminal | null = null;
  /** Set once a signal or Ctrl-C has begun stopping everything; this process then exits by it. */
  private interrupted: Promise<never> | null = null;

  private constructor(
    readonly shell: ClusterShell,
    readonly output: LabelledOutput,
  ) {}

  /**
   * Starts the manager and the peers. From here on a signal (SIGINT, SIGTERM, SIGHUP), or Ctrl-C
   * at the prompt, stops every process before this one exits.
   */
  static async open(options: ClusterOptions): Promise<ClusterApp> {
    let app: ClusterApp | null = null;
    const write = (text: string) => (app?.terminal ? app.terminal.write(text) : process.stdout.write(`${text}\n`));
    // --quiet: a process's warnings go to stderr, or above the prompt on a terminal.
    const warn = (text: string) => (app?.terminal ? app.terminal.write(text) : process.stderr.write(`${text}\n`));
    const output = new LabelledOutput(options.names, colourWanted(process.stdout), write, {
      warn,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      ...(options.holdMs === undefined ? {} : { holdMs: options.holdMs }),
    });
    const session = await ClusterSession.start({ ...options, onLine: (label, line) => output.child(label, line) });
    const opened = new ClusterApp(new ClusterShell(session, output, () => yearsIn(options.dataDir)), output);
    const liveUrl = session.liveViewUrl;
    if (liveUrl !== null) output.liveView(liveUrl);
    app = opened;
    for (const signal of Object.keys(SIGNAL_EXIT)) process.on(signal, () => opened.interrupt(signal));
    return opened;
  }

  get session(): ClusterSession {
    return this.shell.session;
  }

  /**
   * Runs every line of `source` in order, each after the previous one's result, echoing each as
   * if typed. Resolves 0 at the end (or at quit), or 1 at the first line that went wrong: a
   * refused line, a failure not marked `!`, a success marked `!`. The lines after it do not run.
   */
  async runScript(source: LineReader, name: string): Promise<number> {
    let lineNumber = 0;
    const next = async () => {
      const line = await source.next();
      if (line !== null) lineNumber++;
      return line;
    };
    // A line a peer asks for (D1) is the script's next line, shown as the answer it is.
    const answer = async () => {
      const line = await next();
      if (line !== null) this.output.echo(line.trim(), ANSWER_PROMPT);
      return line;
    };
    for (let line = await next(); line !== null; line = await next()) {
      const outcome = await this.shell.execute(line, answer, true);
      if (outcome.kind === 'quit') break;
      if (outcome.kind === 'done' && !outcome.ok) {
        process.stderr.write(`stormdht cluster: ${name} line ${lineNumber}: ${outcome.error}; the script stops here\n`);
        return 1;
      }
    }
    return 0;
  }

  /** The interactive prompt, until quit, exit or Ctrl-D. */
  async runPrompt(): Promise<void> {
    const terminal = new PromptTerminal({
      completer: this.shell.completer,
      historyFile: historyFile(),
      onInterrupt: () => this.interrupt('SIGINT'),
    });
    this.terminal = terminal;
    this.output.note('type help for the commands, quit or Ctrl-D to stop the cluster');
    // In --json every line run is in the output (a command event), typed or not.
    const echo = this.output.mode === 'json';
    for (let line = await terminal.next(); line !== null; line = await terminal.next()) {
      const outcome = await this.shell.execute(line, () => terminal.next(ANSWER_PROMPT), echo);
      if (outcome.kind === 'quit') break;
    }
    this.terminal = null;
    terminal.close();
    if (this.interrupted) await this.interrupted;
  }

  /**
   * Stops every process and exits with `status`; after an interrupt, with the interrupt's status
   * instead (its commands failed only because their processes were stopped).
   */
  async exit(status: number, lastWords?: string): Promise<never> {
    if (this.interrupted) return this.interrupted;
    await this.session.close();
    // After every process has stopped, so that no late line of theirs comes after it.
    if (lastWords !== undefined) this.output.announce(lastWords);
    this.output.flush();
    process.exit(status);
  }

  /** Ctrl-C or a signal: stop every process, then exit with 128 + the signal's number. */
  private interrupt(signal: string): void {
    if (this.interrupted) return;
    const atPrompt = this.terminal !== null;
    this.terminal?.close(); // ends runPrompt's loop
    this.terminal = null;
    this.output.plain(`${atPrompt ? '\n' : ''}${signal === 'SIGINT' ? 'interrupted' : signal}: stopping the manager and every peer`);
    this.interrupted = this.session.close().then(() => {
      this.output.flush();
      return process.exit(SIGNAL_EXIT[signal] ?? 1);
    });
  }
}
