// A peer's output while several of its commands run at once (stormdht peer --pipeline): each
// command's lines (its trace, notes and result line) come out together and in command order,
// exactly as if the commands had run one after another (SPEC §14).
//
// Every command that runs beside others runs in an AsyncLocalStorage context of its own, its
// slot. An event emitted in that context (synchronously, after an await, in a timer the command
// set, or when an answer to one of its requests arrives: the transport runs that in the
// requester's context) belongs to it. The oldest command in flight prints live; a younger one
// keeps its lines until every older one has printed its result, then prints them at once. An
// event of no command (a dht-reset from the manager, a note about dropped datagrams, one after
// its command's result, or any of a command that runs alone) prints live.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CommandResult, PeerEvent } from '../peer/events.js';
import type { PeerOutput } from './peer-output.js';

/** One command's place in the order, and what it printed while it waited for its turn. */
interface Slot {
  state: 'running' | 'done';
  readonly held: PeerEvent[];
  result: CommandResult | null;
}

export class OrderedOutput {
  private readonly context = new AsyncLocalStorage<Slot>();
  /** Commands not yet printed to the end, oldest first: the first one prints live. */
  private readonly order: Slot[] = [];

  constructor(private readonly out: PeerOutput) {}

  /** How many commands have started and not printed their result yet. */
  get inFlight(): number {
    return this.order.length;
  }

  /**
   * Runs one command after every command started before it (in output order, not in time): fn runs
   * at once, in a context of its own; its events and its result (printed here, not by the caller)
   * come out after the lines of every earlier command. Resolves with the result once printed.
   */
  async command(fn: () => Promise<CommandResult>): Promise<CommandResult> {
    const slot: Slot = { state: 'running', held: [], result: null };
    this.order.push(slot);
    try {
      // The oldest command prints live, as events of no command do: it needs no context. So
      // queries typed one at a time never switch AsyncLocalStorage on (see alone()).
      slot.result = await (this.order.length === 1 ? fn() : this.context.run(slot, fn));
      return slot.result;
    } finally {
      // A command that threw (runCommand never does) has no result line, but must not hold back
      // the lines of the commands after it.
      slot.state = 'done';
      this.printReady();
    }
  }

  /**
   * Runs a command while no other is in flight, and prints its result. It needs no context: its
   * events print live, as those of no command do. So a peer that never pipelines never switches
   * AsyncLocalStorage on, and pays nothing for it (once on, its hooks run for every promise made,
   * which a leader's distribution makes by the thousand).
   */
  async alone(fn: () => Promise<CommandResult>): Promise<CommandResult> {
    if (this.order.length > 0) throw new Error(`a command runs alone only when none is in flight (${this.order.length} are)`);
    const result = await fn();
    this.out.result(result);
    return result;
  }

  /** Prints an event now, or keeps it for its command's turn. */
  event(e: PeerEvent): void {
    const slot = this.context.getStore();
    // A progress bar is no line: it is drawn at once, whoever draws it.
    if (slot === undefined || slot.state === 'done' || slot === this.order[0] || e.kind === 'progress') this.out.event(e);
    else slot.held.push(e);
  }

  /** Prints the oldest commands that are done, and the held lines of the next one, which goes live. */
  private printReady(): void {
    for (;;) {
      const head = this.order[0];
      if (head === undefined) return;
      for (const e of head.held.splice(0)) this.out.event(e);
      if (head.state === 'running') return;
      if (head.result !== null) this.out.result(head.result);
      this.order.shift();
    }
  }
}
