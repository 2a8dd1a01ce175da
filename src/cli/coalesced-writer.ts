// A process's output lines, written to the stream once per turn of the event loop instead of one
// write per line: a peer that forwards a query prints its trace lines after the datagram has
// left, in one system call, and whoever reads its output (a terminal, the cluster, a benchmark)
// wakes up once. Order is kept; nothing is lost on exit (the 'exit' hook writes what is left).
export class CoalescedWriter {
  private buffered: string[] = [];
  private scheduled = false;

  constructor(private readonly stream: NodeJS.WritableStream) {
    process.on('exit', () => this.flush());
  }

  /** Queues one line (without its newline). */
  line(text: string): void {
    this.buffered.push(text);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes every queued line now. */
  flush(): void {
    this.scheduled = false;
    if (this.buffered.length === 0) return;
    const text = `${this.buffered.join('\n')}\n`;
    this.buffered = [];
    this.stream.write(text);
  }
}
