// The live view's stream of states (issue 16), as server-sent events: each client gets the view
// at once, then a `state` event whenever the view changed, at most every MIN_PUSH_INTERVAL_MS,
// and at least every MAX_PUSH_INTERVAL_MS even when nothing changed (the page shows it is live),
// with a comment line now and then that keeps idle proxies from closing the connection. The view
// is built only while someone watches. Over an injected clock, so tests run it on virtual time.
import type { Clock, Timer } from '../transport/clock.js';

/** At most five state events a second: a burst of queries is drawn, not replayed. */
export const MIN_PUSH_INTERVAL_MS = 200;
/** At least one state event a second. */
export const MAX_PUSH_INTERVAL_MS = 1_000;
/** A comment line this often (ms). */
export const PING_INTERVAL_MS = 10_000;
/** A client that has not read this many bytes of events is too slow, and is let go. */
export const MAX_UNREAD_BYTES = 4 * 1024 * 1024;
/** How long (ms) a browser waits before it connects again after losing the stream. */
export const RECONNECT_MS = 1_000;

/** What the stream writes to (a node ServerResponse is one). */
export interface StreamClient {
  write(chunk: string): unknown;
  end(): unknown;
  /** Bytes written and not yet sent. */
  readonly writableLength: number;
}

export class StateStream {
  private readonly clients = new Set<StreamClient>();
  private timer: Timer | null = null;
  private lastJson = '';
  private lastPushAt = Number.NEGATIVE_INFINITY;
  private lastPingAt = 0;

  /** `view` gives the current view as JSON text. */
  constructor(
    private readonly clock: Clock,
    private readonly view: () => string,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** A new client: told how soon to reconnect, and given the view now. */
  add(client: StreamClient): void {
    this.clients.add(client);
    client.write(`retry: ${RECONNECT_MS}\n\n`);
    const json = this.view();
    client.write(stateEvent(json));
    if (this.timer === null) {
      this.lastJson = json;
      this.lastPushAt = this.lastPingAt = this.clock.now();
      this.schedule();
    }
  }

  remove(client: StreamClient): void {
    this.clients.delete(client);
    if (this.clients.size === 0) this.stop();
  }

  /** Ends every client's stream. Safe twice. */
  close(): void {
    for (const client of this.clients) client.end();
    this.clients.clear();
    this.stop();
  }

  /** One look at the view: sent when it changed, or when the last one is a second old. */
  private tick(): void {
    const now = this.clock.now();
    const json = this.view();
    // Half a tick early rather than a tick late: a timer may fire a fraction of a ms before its time.
    if (json !== this.lastJson || now - this.lastPushAt >= MAX_PUSH_INTERVAL_MS - MIN_PUSH_INTERVAL_MS / 2) {
      this.broadcast(stateEvent(json));
      this.lastJson = json;
      this.lastPushAt = now;
    }
    if (now - this.lastPingAt >= PING_INTERVAL_MS) {
      this.broadcast(': ping\n\n');
      this.lastPingAt = now;
    }
  }

  private broadcast(chunk: string): void {
    for (const client of [...this.clients]) {
      if (client.writableLength > MAX_UNREAD_BYTES) {
        this.clients.delete(client);
        client.end();
      } else client.write(chunk);
    }
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(
      MIN_PUSH_INTERVAL_MS,
      () => {
        this.timer = null;
        if (this.clients.size === 0) return;
        this.tick();
        if (this.clients.size > 0) this.schedule();
      },
      true,
    );
  }

  private stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}

/** One `state` event: the JSON is one line (JSON.stringify escapes newlines inside strings). */
export function stateEvent(json: string): string {
  return `event: state\ndata: ${json}\n\n`;
}
