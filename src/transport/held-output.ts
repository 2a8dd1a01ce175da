// Output that waits for the work in hand (issue 14). A datagram that a process passes on (a
// find-event forwarded, a query-dht answered) is on a query's critical path until it has been
// sent; its trace lines are not. While a request is handled, the lines it causes are queued as
// thunks, in order, and formatted and written once the handler has returned, so that what it
// sends leaves first. Nothing is dropped or reordered: only delayed to the end of the handler.

export class HeldOutput {
  private held: Array<() => void> | null = null;

  /** Runs `show` now, or, while work is held, once that work has returned (in order). */
  run(show: () => void): void {
    if (this.held === null) show();
    else this.held.push(show);
  }

  /** Runs `work` with every output it causes held until it returns (also when it throws). */
  hold(work: () => void): void {
    if (this.held !== null) {
      work();
      return;
    }
    const held: Array<() => void> = [];
    this.held = held;
    try {
      work();
    } finally {
      this.held = null;
      for (const show of held) show();
    }
  }
}
