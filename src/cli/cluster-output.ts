// What the cluster prints: every line of a child process in §14's human format under its label
// (`[alice  ] register SUCCESS`), and the cluster's own lines (echoed commands, notes, errors).
import { COLOURS, painter, peerColour, type Paint } from './colour.js';
import { eventLines, resultLines } from './peer-output.js';
import type { JsonLine } from './processes.js';

/** The manager's label; peer names are letters only, so no peer's label can be mistaken for it. */
export const MANAGER_LABEL = 'manager';

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

export class LabelledOutput {
  /** Labels are padded to one width so that the texts line up: at least `manager`'s. */
  private readonly width: number;
  private readonly paint: Paint;
  private readonly labelColour = new Map<string, string>();
  private readonly addresses = new PeerAddresses();

  constructor(
    names: readonly string[],
    colour: boolean,
    private readonly write: (text: string) => void,
  ) {
    this.width = Math.max(MANAGER_LABEL.length, ...names.map((n) => n.length));
    this.paint = painter(colour);
    this.labelColour.set(MANAGER_LABEL, COLOURS.bold);
    names.forEach((name, i) => this.labelColour.set(name, peerColour(i)));
  }

  /** Prints a child's JSON line as its human lines, each under the child's label. */
  child(label: string, line: JsonLine): void {
    const texts = humanLines(this.addresses.named(line));
    const tag = this.paint(this.labelColour.get(label) ?? COLOURS.bold, `[${label.padEnd(this.width)}]`);
    texts.forEach((text, i) => {
      // The last line of a result is `<command> SUCCESS` or `<command> FAILURE (reason)`.
      const verdict = line.type === 'result' && i === texts.length - 1 ? (line.ok === true ? COLOURS.green : COLOURS.red) : null;
      this.write(`${tag} ${verdict ? this.paint(verdict, text) : text}`);
    });
  }

  /** A line as if typed at `prompt` (scripts and the demo echo what they run). */
  echo(line: string, prompt: string = PROMPT): void {
    this.write(this.paint(COLOURS.bold, `${prompt}${line}`));
  }

  /** The cluster's own text (help, peers, notes), unlabelled. */
  plain(text: string): void {
    for (const line of text.split('\n')) this.write(line);
  }

  /** An error of the cluster itself: an unknown peer, a script's failed expectation. */
  error(text: string): void {
    this.write(this.paint(COLOURS.red, `cluster: ${text}`));
  }

  /** A headline: the demo's steps and its verdict. */
  announce(text: string): void {
    this.write('');
    this.write(this.paint(COLOURS.bold, text));
  }
}
