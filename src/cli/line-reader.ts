// Lines from a stream, one at a time, on demand: the peer reads its next command only when the
// current one has completed (or, while queries run pipelined, when there is room for another),
// and a D1 prompt takes the very next line.
import readline from 'node:readline';

export class LineReader {
  private readonly queue: string[] = [];
  private readonly waiting: Array<(line: string | null) => void> = [];
  private ended = false;

  /** Reads `input`, or the lines of a readline interface that a prompt already owns. */
  constructor(input: NodeJS.ReadableStream | readline.Interface) {
    const rl = input instanceof readline.Interface ? input : readline.createInterface({ input, terminal: false, crlfDelay: Infinity });
    rl.on('line', (line) => {
      const w = this.waiting.shift();
      if (w) w(line);
      else this.queue.push(line);
    });
    rl.on('close', () => {
      this.ended = true;
      for (const w of this.waiting.splice(0)) w(null);
    });
  }

  /** How many lines have arrived and wait to be read. */
  get pending(): number {
    return this.queue.length;
  }

  /** The next line, or null once the input has ended and every line was read. */
  next(): Promise<string | null> {
    const line = this.queue.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
