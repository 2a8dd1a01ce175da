// A process's output lines, written to the stream once per turn of the event loop instead of one
// write per line: a peer that forwards a query prints its trace lines after the datagram has
// left, in one system call, and whoever reads its output (a terminal, the cluster, a benchmark)
// wakes up once. Order is kept; nothing is lost on exit (the 'exit' hook writes what is left).
//
// On a terminal it also keeps a footer: a few lines at the bottom (a progress bar, the manager's
// live summary) that stay below the scrolling output. Each write erases the footer, prints the
// new lines, and draws the footer again. Off a terminal the footer is never drawn.

/** ANSI: erase the line the cursor is on, and go to its start. */
const ERASE_LINE = '\r\x1b[2K';
/** ANSI: up one line. */
const UP = '\x1b[1A';

export interface WriterStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export class CoalescedWriter {
  private buffered: string[] = [];
  private scheduled = false;
  private footer: readonly string[] = [];
  private footerChanged = false;
  /** Footer lines on the screen now. */
  private drawn = 0;

  constructor(
    private readonly stream: WriterStream,
    exitHook = true,
  ) {
    if (exitHook) {
      process.on('exit', () => {
        this.footer = [];
        this.footerChanged = true;
        this.flush();
      });
    }
  }

  /** True when the stream is a terminal, where a footer is drawn. */
  get live(): boolean {
    return this.stream.isTTY === true;
  }

  /** Queues one line (without its newline). */
  line(text: string): void {
    this.buffered.push(text);
    this.schedule();
  }

  /** The footer to keep under the output (none: []). Ignored off a terminal. */
  setFooter(lines: readonly string[]): void {
    if (!this.live) return;
    const width = Math.max((this.stream.columns || 80) - 1, 1);
    // A wrapped line could not be erased line by line: cut each to the terminal's width.
    this.footer = lines.map((l) => (l.length > width ? l.slice(0, width) : l));
    this.footerChanged = true;
    this.schedule();
  }

  /** Writes every queued line, and the footer, now. */
  flush(): void {
    this.scheduled = false;
    if (this.buffered.length === 0 && !this.footerChanged) return;
    let text = this.drawn > 0 ? erase(this.drawn) : '';
    if (this.buffered.length > 0) text += `${this.buffered.join('\n')}\n`;
    this.buffered = [];
    text += this.footer.join('\n');
    this.drawn = this.footer.length;
    this.footerChanged = false;
    if (text !== '') this.stream.write(text);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }
}

/** Erases `lines` footer lines, the cursor being at the end of the last; ends at the first's start. */
function erase(lines: number): string {
  return ERASE_LINE + `${UP}${ERASE_LINE}`.repeat(lines - 1);
}
