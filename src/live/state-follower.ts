// Following a live view's stream of states from node (issue 16): the cluster's view is the
// manager's with the cluster's own part added, so the cluster reads the manager's `GET /events`
// (server-sent events, state-stream.ts) and keeps its latest state. A lost stream is opened again
// after RETRY_MS, as a browser's EventSource would.
import http from 'node:http';
import type { ViewState } from './view-types.js';

/** How long after a lost stream it is opened again, in ms (the stream's own `retry:`). */
export const RETRY_MS = 1_000;

/**
 * The events of a server-sent event stream, from its text as it comes: `feed` takes each chunk
 * and returns the events completed by it (name and data). Comments and `retry:` are skipped.
 */
export class EventStreamParser {
  private pending = '';

  feed(chunk: string): Array<{ event: string; data: string }> {
    this.pending += chunk.replace(/\r\n?/g, '\n');
    const out: Array<{ event: string; data: string }> = [];
    for (let end = this.pending.indexOf('\n\n'); end >= 0; end = this.pending.indexOf('\n\n')) {
      const block = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue; // a comment (": ping")
        const [field, value] = colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) out.push({ event, data: data.join('\n') });
    }
    return out;
  }
}

export class StateFollower {
  private latestState: ViewState | null = null;
  private request: http.ClientRequest | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly firstWaiters: Array<() => void> = [];

  /** @param url the live view's address, e.g. http://127.0.0.1:41234/ (its /events is followed) */
  constructor(
    private readonly url: string,
    private readonly onState: (state: ViewState) => void = () => {},
  ) {
    this.open();
  }

  /** The latest state, or null before the first. */
  get latest(): ViewState | null {
    return this.latestState;
  }

  /** Resolves with the first state, or null when none came within `timeoutMs`. */
  first(timeoutMs: number): Promise<ViewState | null> {
    if (this.latestState !== null) return Promise.resolve(this.latestState);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.latestState), timeoutMs);
      this.firstWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.latestState);
      });
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.request?.destroy();
  }

  private open(): void {
    const parser = new EventStreamParser();
    const request = http.get(new URL('events', this.url), { headers: { Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        this.retry();
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const e of parser.feed(chunk)) if (e.event === 'state') this.onData(e.data);
      });
      res.on('end', () => this.retry());
      res.on('error', () => this.retry());
    });
    request.on('error', () => this.retry());
    this.request = request;
  }

  private onData(data: string): void {
    let state: ViewState;
    try {
      state = JSON.parse(data) as ViewState;
    } catch {
      return; // a broken event: the next one (at most a second away) brings the state
    }
    this.latestState = state;
    for (const w of this.firstWaiters.splice(0)) w();
    this.onState(state);
  }

  private retry(): void {
    if (this.closed || this.timer !== null) return;
    this.request?.destroy();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closed) this.open();
    }, RETRY_MS);
    this.timer.unref();
  }
}
