// How `stormdht peer` talks with whoever feeds its stdin (issue 15): a person at a terminal, a
// script, or a program reading --json. The decisions are pure; runLine runs a line's command, and
// peer-main.ts and peer-terminal.ts do the I/O.
//
//   input      | prompt drawn | D1 asks for an id      | exit status
//   terminal   | yes          | yes, on the terminal   | SPEC §14 (0)
//   script     | no           | no: the query fails    | 1 if a command failed, else SPEC §14's
//   program    | no           | yes, a prompt event    | SPEC §14 (0)
//
// A script is human mode with stdin not a terminal (`stormdht peer … < commands.txt`): nobody sees
// a prompt, so the next line is the next command, never an answer, and the exit status is its only
// summary. --json is for programs (the cluster, the demo, tests): they read each command's result
// line, and answer a D1 prompt event with a line (SPEC D1, §14), so both stay as SPEC has them.
// Nor does --json draw a prompt: its stdout is JSON lines only. help, quit and exit are commands
// there like any other, each answered by one result line (help's carries the text as keys).
import { runCommand } from '../peer/commands.js';
import { failure, success, type CommandResult } from '../peer/events.js';
import type { PeerNode } from '../peer/node.js';
import type { AskLine } from '../peer/procedures/query.js';
import type { PeerOutput, Write } from './peer-output.js';
import { CONSOLE_USAGE, helpLines, helpResult } from './peer-help.js';

export type PeerInput = 'terminal' | 'script' | 'program';

export function peerInput(stdinIsTerminal: boolean, json: boolean): PeerInput {
  if (json) return 'program';
  return stdinIsTerminal ? 'terminal' : 'script';
}

/** True when a query without an id may ask for one (D1): someone is there to answer. */
export function asksForEventId(input: PeerInput): boolean {
  return input !== 'script';
}

/** The prompt before a command: the peer's name once registered. */
export function commandPrompt(name: string | null): string {
  return name === null ? 'stormdht peer> ' : `${name}> `;
}

/** The prompt before the line D1 asks for, after the line that says why. */
export const EVENT_ID_PROMPT = 'event id> ';

/**
 * The error of a query without an id in a script, when the peer has no copy of the year to pick
 * one from. `asked` is D1's prompt text: why it would have asked.
 */
export function missingEventId(asked: string): string {
  const why = asked.replace(/;?\s*enter an event id:?\s*$/, '');
  return `event id missing: ${why}, so there is none to pick; a script is not asked for one: give it as query-dht <name> <event-id>`;
}

/** What a terminal is told at Ctrl-D: what the peer does now (peer-main.ts does just that). */
export function endOfInputMessage(name: string | null): string {
  if (name === null) return 'end of input (Ctrl-D): not registered, so the peer exits';
  return `end of input (Ctrl-D): ${name} stays registered and keeps serving the DHT until Ctrl-C, which stops it without deregistering`;
}

/** quit and exit: leave as Ctrl-C does. */
export function isQuit(command: string): boolean {
  return command === 'quit' || command === 'exit';
}

/** The console's own command, or null when `tokens` is a command for the peer (peer/commands.ts). */
export function consoleCommand(tokens: readonly string[]): 'help' | 'quit' | null {
  const [command = ''] = tokens;
  if (command === 'help') return 'help';
  return isQuit(command) ? 'quit' : null;
}

/**
 * Runs one typed line's tokens: help and quit here, every other command at the peer. quit closes
 * the peer's sockets, as Ctrl-C does, before its result prints; the caller then exits.
 */
export async function runLine(node: PeerNode, tokens: readonly string[], ask: AskLine): Promise<CommandResult> {
  switch (consoleCommand(tokens)) {
    case 'help':
      return helpResult(tokens.slice(1));
    case 'quit': {
      const result = quitResult(tokens, node.name);
      if (result.ok) await node.detach();
      return result;
    }
    case null:
      return runCommand(node, tokens, ask);
  }
}

/**
 * quit's result, for the peer `name` (null: unregistered), before it goes. Extra words fail it:
 * a line that is not quite quit must not end the peer.
 */
export function quitResult(tokens: readonly string[], name: string | null): CommandResult {
  const [command = 'quit'] = tokens;
  if (tokens.length > 1) return failure(command, `usage: ${CONSOLE_USAGE[command]}`);
  if (name === null) return success(command);
  return success(command, { message: `${name} stops without deregistering: the manager drops it once its heartbeats stop (deregister ${name} leaves cleanly)` });
}

/**
 * The human output, with the console's commands printed as text: help's list rather than a
 * `help SUCCESS` line, quit's one sentence. Every other result, and every failure, as before.
 */
export function consoleOutput(base: PeerOutput, write: Write): PeerOutput {
  return {
    event: (e) => base.event(e),
    result: (r) => {
      if (r.ok && r.command === 'help') helpLines(r.data ?? {}).forEach(write);
      else if (r.ok && isQuit(r.command)) (typeof r.data?.message === 'string' ? [r.data.message] : []).forEach(write);
      else base.result(r);
    },
  };
}

/** A script's failed commands: the exit status says whether there were any, stderr which was first. */
export class FailureTally {
  private failed = 0;
  private first: { readonly line: number; readonly text: string; readonly error: string } | null = null;

  /** Counts `result` of the command on input line `line` (1-based), when it failed. */
  record(line: number, text: string, result: CommandResult): void {
    if (result.ok) return;
    this.failed++;
    // Pipelined queries finish in any order: the first is the one on the earliest line.
    if (this.first === null || line < this.first.line) this.first = { line, text: text.trim(), error: result.error ?? 'failed' };
  }

  /** 1 once a command failed, else 0. */
  get exitCode(): number {
    return this.failed > 0 ? 1 : 0;
  }

  /** The line for stderr at exit, or null when every command succeeded. */
  summary(): string | null {
    if (this.first === null) return null;
    const { line, text, error } = this.first;
    const count = this.failed === 1 ? '1 command' : `${this.failed} commands`;
    return `stormdht peer: ${count} failed; the first, stdin line ${line} "${text}": ${error}`;
  }
}
