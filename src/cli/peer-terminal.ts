// A peer's prompt on a terminal (issue 15): `stormdht peer> `, then `<name>> ` once registered,
// with the cluster's line editing, history and Tab completion (cluster-terminal.ts). The peer's
// output goes through a CoalescedWriter as off a terminal; while the prompt waits, each write
// goes above it and the prompt is drawn again with what was typed so far.
//
// A progress bar (the writer's footer) is drawn only while a command runs: the footer is erased
// before the prompt is drawn, and one that a distribution asks for while the prompt waits (this
// peer leading a rebuild that another peer started) is not drawn, so the prompt is always the
// last line on the screen.
import { historyFile, PromptTerminal } from './cluster-terminal.js';
import { CoalescedWriter } from './coalesced-writer.js';
import { completePeerLine } from './peer-help.js';
import type { ProgressFooter } from './peer-output.js';

export interface PeerTerminalOptions {
  /** The peer's name, for Tab to complete (null: unregistered). */
  readonly name: () => string | null;
  /** Ctrl-C, typed at the prompt or while a command runs. */
  readonly onInterrupt: () => void;
}

export class PeerTerminal {
  /** Where every line of the peer's output goes. */
  readonly output: CoalescedWriter;
  /** The progress bar's place, for humanOutput. */
  readonly footer: ProgressFooter;
  private readonly terminal: PromptTerminal;
  /** True from drawing a prompt until its line arrives. */
  private prompting = false;
  private closed = false;

  constructor(options: PeerTerminalOptions) {
    this.terminal = new PromptTerminal({
      completer: (line) => completePeerLine(line, options.name()),
      historyFile: historyFile(),
      onInterrupt: options.onInterrupt,
    });
    this.output = new CoalescedWriter({
      isTTY: true,
      get columns() {
        return process.stdout.columns;
      },
      write: (text: string) => {
        if (!this.prompting) return process.stdout.write(text);
        // No footer is drawn while prompting, so every write is whole lines.
        this.terminal.write(text.endsWith('\n') ? text.slice(0, -1) : text);
        return true;
      },
    });
    this.footer = {
      set: (lines) => {
        if (!this.prompting || lines.length === 0) this.output.setFooter(lines);
      },
      columns: () => process.stdout.columns || 80,
    };
  }

  /** Draws `prompt` below everything printed so far and resolves with the line typed; null after Ctrl-D. */
  async next(prompt: string): Promise<string | null> {
    this.output.setFooter([]);
    this.output.flush();
    this.prompting = true;
    try {
      return await this.terminal.next(prompt);
    } finally {
      this.prompting = false;
    }
  }

  /** Gives the terminal back (line editing off). Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.terminal.close();
  }
}
