// A counting semaphore that bounds how many requests one sender has in flight, so a burst never
// overruns a receiver's buffer (SPEC §1.4 item 5).

export class SendWindow {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`window must be a positive integer, got ${limit}`);
  }

  /** Resolves when a slot is free; the caller must release() it exactly once. */
  acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    // A waiting sender inherits the slot, so inFlight stays the same.
    if (next) next();
    else this.inFlight--;
  }

  /** Runs task inside a slot. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }
}
