// The loop of a peer's commands (SPEC §5), with pipelined queries (stormdht peer --pipeline N):
// consecutive `query-dht <name> <event-id>` lines run up to N at a time, and any other line waits
// until they have all finished. A query is latency-bound (the manager's round trip, then the
// find-event's hops), so N of them in flight keep the processes busy instead of asleep, while
// the output stays exactly that of running them one after another (ordered-output.ts).
import type { CommandResult } from '../peer/events.js';
import { tokenize } from '../peer/commands.js';
import { SendWindow } from '../transport/send-window.js';
import type { OrderedOutput } from './ordered-output.js';

/** Queries a peer runs at once by default. As many as a store window: enough to keep loopback busy. */
export const DEFAULT_PIPELINE = 32;
/** The largest --pipeline accepted. */
export const MAX_PIPELINE = 1024;

export interface CommandLoop {
  /** The next input line; null at end of input. */
  readonly next: () => Promise<string | null>;
  /** Runs one command; its events go to `output` (in the command's context). Never throws. */
  readonly run: (tokens: readonly string[]) => Promise<CommandResult>;
  readonly output: OrderedOutput;
  /** Commands of a pipelinable run in flight at most; 1 runs every command alone, as SPEC §5 says. */
  readonly window: number;
  /** True for a result after which the peer reads no more (a successful deregister). */
  readonly ends: (result: CommandResult) => boolean;
}

/**
 * True for a command that may run beside others: a query with an event id. It changes no state,
 * and never prompts (D1 asks for an id only when none is given), so it never reads a line that a
 * later command owns. Every other command waits for the queries before it and runs alone.
 */
export function isPipelinable(tokens: readonly string[]): boolean {
  return tokens.length === 3 && tokens[0] === 'query-dht';
}

/** Runs every command of the input, in order; 'ended' when a command ended the peer, else 'input'. */
export async function runCommands(loop: CommandLoop): Promise<'ended' | 'input'> {
  const window = new SendWindow(loop.window);
  const inFlight = new Set<Promise<CommandResult>>();
  for (;;) {
    const line = await loop.next();
    if (line === null) break;
    const tokens = tokenize(line);
    if (tokens === null) continue;
    if (loop.window > 1 && isPipelinable(tokens)) {
      await window.acquire();
      const running = loop.output.command(() => loop.run(tokens));
      inFlight.add(running);
      void running.finally(() => {
        inFlight.delete(running);
        window.release();
      });
      continue;
    }
    // A barrier: it runs alone, after every query before it has printed its result.
    await Promise.all(inFlight);
    if (loop.ends(await loop.output.alone(() => loop.run(tokens)))) return 'ended';
  }
  await Promise.all(inFlight);
  return 'input';
}
