// What the cluster prints: every line of a child process in §14's human format under its label
// (`[alice  ] register SUCCESS`), and the cluster's own lines (echoed commands, notes, errors).
// --quiet keeps the labelled result lines and the cluster's answers and errors; --json prints
// every line as one JSON object that names its process (cluster-json.ts). The demo also orders
// the lines of its processes by when they happened (time-order.ts).
import { COLOURS, painter, peerColour, type Paint } from './colour.js';
import { clusterJson, childJson, CLUSTER_PROCESS, type ClusterEvent } from './cluster-json.js';
import type { OutputMode } from './output-mode.js';
import { eventLines, quietLines, resultLines } from './peer-output.js';
import type { JsonLine } from './processes.js';
import { lineTime, TimeOrder } from './time-order.js';
import { realClock, type Clock } from '../transport/clock.js';

/** The manager's label; peer names are letters only, so no peer's label can be mistaken for it. */
export const MANAGER_LABEL = 'manager';

/** Labels no peer may take: the manager's, and the cluster's own in --json. */
export const RESERVED_LABELS: readonly string[] = [MANAGER_LABEL, CLUSTER_PROCESS];

/** The prompt of the interactive cluster, also put before every command a script or the demo runs. */
export const PROMPT = 'stormdht> ';

/** The prompt for a line a peer asks for (D1: an event id), also put before a script's answer. */
export const ANSWER_PROMPT = 'answer> ';

/** The human lines of one JSON line of a child process (§14's formats). */
export function humanLines(line: JsonLine): string[] {
  return line.type === 'result' ? resultLines(line) : line.type === 'event' ? eventLines(line) : [String(line.text)];
}

/** A peer's trace of its register request: `register <name> <ip> <m-port> <p-port>` (wire/describe.ts). */
const REGISTER_TRACE = /^register (\S+) (\S+) ([0-9]+) ([0-9]+)$/;

/**
 * The peers' addresses, learnt from their register traces. A peer names another only once it has
 * learnt that peer's tuple; a querier outside the ring never has the owner's, so its trace of the
 * find-result reads `127.0.0.1:7010 → carol`. The cluster has seen every peer register, and puts
 * the name in place of the address.
 */
export class PeerAddresses {
  private readonly names = new Map<string, string>();

  /** The line with every address it knows in its trace named; learns from a register trace first. */
  named(line: JsonLine): JsonLine {
    if (line.type !== 'event' || line.event !== 'trace') return line;
    const m = line.to === MANAGER_LABEL ? REGISTER_TRACE.exec(String(line.text)) : null;
    if (m !== null) for (const port of [m[3], m[4]]) this.names.set(`${m[2]}:${port}`, m[1]!);
    const from = this.names.get(String(line.from));
    const to = this.names.get(String(line.to));
    return from === undefined && to === undefined ? line : { ...line, from: from ?? line.from, to: to ?? line.to };
  }
}

export interface LabelledOutputOptions {
  /** human (the default), quiet (results only) or json. */
  readonly mode?: OutputMode;
  /** Where --quiet puts a process's warnings (stderr); by default with the rest. */
  readonly warn?: (text: string) => void;
  /** Hold every line this long (ms) and write the lines in the order they happened; 0: as they come. */
  readonly holdMs?: number;
  /** The clock of the processes' `at` (lineTime) and its timers. */
  readonly clock?: Clock;
}

/** The clock the processes stamp their lines with. */
const LINE_CLOCK: Clock = { now: lineTime, setTimer: (ms, fn) => realClock.setTimer(ms, fn) };

export class LabelledOutput {
  readonly mode: OutputMode;
  /** Labels are padded to one width so that the texts line up: at least `manager`'s. */
  private readonly width: number;
  private readonly paint: Paint;
  private readonly labelColour = new Map<string, string>();
  private readonly addresses = new PeerAddresses();
  private readonly warn: (text: string) => void;
  private readonly order: TimeOrder;
  private readonly clock: Clock;

  constructor(
    names: readonly string[],
    colour: boolean,
    private readonly write: (text: string) => void,
    options: LabelledOutputOptions = {},
  ) {
    this.mode = options.mode ?? 'human';
    this.width = Math.max(MANAGER_LABEL.length, ...names.map((n) => n.length));
    this.paint = painter(colour && this.mode !== 'json');
    this.labelColour.set(MANAGER_LABEL, COLOURS.bold);
    names.forEach((name, i) => this.labelColour.set(name, peerColour(i)));
    this.warn = options.warn ?? write;
    this.clock = options.clock ?? LINE_CLOCK;
    this.order = new TimeOrder(this.clock, options.holdMs ?? 0);
  }

  /** Prints a child's JSON line: its human lines, each under the child's label (quiet: the results only), or the object naming the child. */
  child(label: string, line: JsonLine): void {
    const at = typeof line.at === 'number' ? line.at : undefined;
    if (this.mode === 'json') return this.order.add(label, at, () => this.write(JSON.stringify(childJson(label, line))));
    const named = this.addresses.named(line);
    const q = this.mode === 'quiet' ? quietLines(named) : null;
    const texts = q?.out ?? humanLines(named);
    const tag = `[${label.padEnd(this.width)}]`;
    const painted = this.paint(this.labelColour.get(label) ?? COLOURS.bold, tag);
    if (texts.length === 0 && (q === null || q.warn.length === 0)) return;
    this.order.add(label, at, () => {
      texts.forEach((text, i) => {
        // The last line of a result is `<command> SUCCESS` or `<command> FAILURE (reason)`.
        const verdict = line.type === 'result' && i === texts.length - 1 ? (line.ok === true ? COLOURS.green : COLOURS.red) : null;
        this.write(`${painted} ${verdict ? this.paint(verdict, text) : text}`);
      });
      for (const text of q?.warn ?? []) this.warn(`${tag} ${text}`);
    });
  }

  /** A line as if typed at `prompt` (scripts and the demo echo what they run); not in quiet. */
  echo(line: string, prompt: string = PROMPT): void {
    if (this.mode === 'quiet') return;
    this.own({ event: prompt === ANSWER_PROMPT ? 'answer' : 'command', line }, [this.paint(COLOURS.bold, `${prompt}${line}`)]);
  }

  /** The cluster's own answer to a command (help, peers, kill, restart), unlabelled: kept in quiet. */
  plain(text: string): void {
    this.own({ event: 'message', text }, text.split('\n'));
  }

  /** The cluster's own commentary (the data it runs on, hints): not in quiet. */
  note(text: string): void {
    if (this.mode === 'quiet') return;
    this.own({ event: 'note', level: 'info', text }, text.split('\n'));
  }

  /** Where the cluster's live view is (--http): kept in quiet, as the address is what --http asked for. */
  liveView(url: string): void {
    this.own({ event: 'live-view', url }, [`live view at ${url}`]);
  }

  /** An error of the cluster itself: an unknown peer, a script's failed expectation. */
  error(text: string): void {
    this.own({ event: 'error', text }, [this.paint(COLOURS.red, `cluster: ${text}`)]);
  }

  /** A headline: the demo's steps and its verdict. */
  announce(text: string): void {
    this.own({ event: 'announce', text }, ['', this.paint(COLOURS.bold, text)]);
  }

  /** Writes every line still held for its turn (before the program exits). */
  flush(): void {
    this.order.flush();
  }

  /** One of the cluster's own lines: its JSON object in json mode, else its human lines. */
  private own(event: ClusterEvent, lines: readonly string[]): void {
    const at = this.clock.now();
    this.order.add(CLUSTER_PROCESS, at, () => {
      if (this.mode === 'json') this.write(JSON.stringify(clusterJson(event, at)));
      else lines.forEach((l) => this.write(l));
    });
  }
}
