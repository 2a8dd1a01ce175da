// What only the cluster sees (issue 16 §2): every process's trace. From the JSON lines of all its
// processes this keeps the two pictures the cluster's live view adds to the manager's:
//
//  * the command being run, step by step: each datagram once (a datagram is traced twice, by its
//    sender and by its receiver, each through its own pipe and in its own time: the two copies
//    are matched), each note and each result, in the order they happened — a sequence chart;
//  * the latest queries, each with its hot-potato walk: the find-event handed from the querier to
//    the first node and on around the ring, and the find-result sent home.
//
// Pure: lines in, a ViewCluster out; the clock (for lines that carry no `at`) is injected.
import type { ViewCluster, ViewCommand, ViewHop, ViewStep } from '../live/view-types.js';
import { causalOrder, type Happening } from './causal-order.js';
import { PeerAddresses } from './cluster-output.js';
import type { JsonLine } from './processes.js';

/** The queries kept: the newest ones. */
export const MAX_QUERIES = 20;

/** The steps of one command kept for its chart; the rest are only counted (a setup traces a few dozen). */
export const MAX_SEQUENCE_STEPS = 400;

/**
 * The receiver's trace of a datagram is matched with the sender's when it comes within this long
 * of it (ms). Beyond it they are two datagrams: a copy sent again, whose first copy was lost.
 */
const MATCH_WINDOW_MS = 2_000;

/** A find-event or find-result belongs to a query of the same event id and querier begun within this long (ms). */
const QUERY_WINDOW_MS = 10_000;

const FIND_EVENT = /^find-event eventId=([0-9]+) querier=(\S+)/;
const FIND_RESULT = /^find-result eventId=([0-9]+)/;

type Message = Extract<ViewStep, { kind: 'message' }>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A step, or a hop, and what it was to the processes that printed it: its send, then its receipt. */
interface Traced<T> {
  readonly value: T;
  send: Happening | null;
  recv: Happening | null;
}

function happenings(t: Traced<unknown>): Happening[] {
  return [t.send, t.recv].filter((h): h is Happening => h !== null);
}

interface QueryRecord {
  at: number;
  readonly querier: string;
  eventId: number | null;
  ok: boolean | null;
  found: boolean | null;
  path: readonly number[];
  by: string | null;
  error: string | null;
  readonly hops: Array<Traced<Mutable<ViewHop>>>;
  readonly ring: readonly string[];
}

interface CommandRecord {
  readonly line: string;
  readonly at: number;
  readonly steps: Array<Traced<Mutable<ViewStep>>>;
  omitted: number;
  /** Messages traced by one side only, by `from>to>text`: the other side's trace may still come. */
  readonly unmatched: Map<string, Array<Traced<Mutable<Message>>>>;
}

export class ClusterTrace {
  private readonly addresses = new PeerAddresses();
  private current: CommandRecord | null = null;
  private readonly queries: QueryRecord[] = [];
  /** How many lines each process has printed: a line's place in its process's order. */
  private readonly printed = new Map<string, number>();
  /** The ring's members in id order, as the manager shows it now (setRing). */
  private currentRing: readonly string[] = [];

  /**
   * @param processes the cluster's processes: the manager's label, then the peers in order
   * @param now the time of a line that carries no `at` (a result line), comparable with the lines' `at`
   */
  constructor(
    private readonly processes: readonly string[],
    private readonly now: () => number,
  ) {}

  /** The ring as the manager shows it now (its members in id order; none without a DHT): each new query is drawn on it. */
  setRing(names: readonly string[]): void {
    this.currentRing = names;
  }

  /** A command begins: the chart starts again from it. */
  command(line: string): void {
    this.current = { line, at: this.now(), steps: [], omitted: 0, unmatched: new Map() };
  }

  /** One JSON line of the process `label` (the manager's or a peer's). */
  line(label: string, raw: JsonLine): void {
    const line = this.addresses.named(raw);
    const at = typeof line.at === 'number' ? line.at : this.now();
    const seq = (this.printed.get(label) ?? 0) + 1;
    this.printed.set(label, seq);
    const h: Happening = { process: label, seq, at };
    if (line.type === 'event' && line.event === 'trace') {
      const message = { from: String(line.from), to: String(line.to), text: String(line.text) };
      this.onMessage(h, message);
      this.onQueryHop(h, message);
    } else if (line.type === 'event' && line.event === 'note') {
      this.add({ value: { kind: 'note', process: label, at, text: String(line.text) }, send: h, recv: null });
    } else if (line.type === 'result') {
      const ok = line.ok === true;
      const text = `${String(line.command)} ${ok ? 'SUCCESS' : `FAILURE (${String(line.error)})`}`;
      this.add({ value: { kind: 'result', process: label, at, ok, text }, send: h, recv: null });
      if (line.command === 'query-dht') this.onQueryResult(label, line, at);
    }
  }

  view(): ViewCluster {
    return {
      processes: this.processes,
      command: this.current === null ? null : commandView(this.current),
      queries: this.queries.map((q) => ({ ...q, hops: causalOrder(q.hops, happenings).map((t) => ({ ...t.value })) })),
    };
  }

  /** A datagram's trace, by its sender (the line's process is `from`) or by its receiver. */
  private onMessage(h: Happening, m: { from: string; to: string; text: string }): void {
    const c = this.current;
    if (c === null) return;
    const bySender = h.process === m.from;
    const key = `${m.from}>${m.to}>${m.text}`;
    const waiting = c.unmatched.get(key) ?? [];
    // The other side's copy of the same datagram: the oldest one within the window that lacks this side.
    const other = waiting.find((t) => (bySender ? t.send === null : t.recv === null) && Math.abs(timeOf(t.value) - h.at) <= MATCH_WINDOW_MS);
    if (other !== undefined) {
      if (bySender) [other.send, other.value.sentAt] = [h, h.at];
      else [other.recv, other.value.receivedAt] = [h, h.at];
      waiting.splice(waiting.indexOf(other), 1);
      if (waiting.length === 0) c.unmatched.delete(key);
      return;
    }
    const step: Traced<Mutable<Message>> = {
      value: { kind: 'message', ...m, sentAt: bySender ? h.at : null, receivedAt: bySender ? null : h.at },
      send: bySender ? h : null,
      recv: bySender ? null : h,
    };
    if (!this.add(step)) return;
    // Only a datagram between two of the cluster's processes is traced twice.
    if (this.processes.includes(m.from) && this.processes.includes(m.to) && m.from !== m.to) {
      for (const stale of waiting.filter((t) => h.at - timeOf(t.value) > MATCH_WINDOW_MS)) waiting.splice(waiting.indexOf(stale), 1);
      waiting.push(step);
      c.unmatched.set(key, waiting);
    }
  }

  /** Keeps a step (put in order by the view); false when the chart is full and it is only counted. */
  private add(step: Traced<Mutable<ViewStep>>): boolean {
    const c = this.current;
    if (c === null) return false;
    if (c.steps.length >= MAX_SEQUENCE_STEPS) {
      c.omitted++;
      return false;
    }
    c.steps.push(step);
    return true;
  }

  /** A find-event or find-result: one hop of a query's walk, in whichever process's trace it came first. */
  private onQueryHop(h: Happening, m: { from: string; to: string; text: string }): void {
    const event = FIND_EVENT.exec(m.text);
    const result = event === null ? FIND_RESULT.exec(m.text) : null;
    if (event === null && result === null) return;
    const eventId = Number((event ?? result)![1]);
    const querier = event !== null ? event[2]! : m.to;
    const first = event !== null && m.from === querier;
    // The querier's own trace of its find-event, after its query was answered, begins the next
    // query of the same event (the first node's trace of it may come after the answer).
    let q = this.openQuery(eventId, querier, h.at, first && h.process === querier);
    if (q === undefined) {
      // The walk begins with the querier's own find-event; a stray hop of an old query opens nothing.
      if (!first) return;
      q = this.newQuery(querier, h.at, eventId);
    }
    const kind = event !== null ? 'find-event' : 'find-result';
    const bySender = h.process === m.from;
    // The sender's and the receiver's traces of one hop, and a copy sent again, are one hop.
    const known = q.hops.find((t) => t.value.from === m.from && t.value.to === m.to && t.value.kind === kind);
    if (known === undefined) {
      q.hops.push({ value: { from: m.from, to: m.to, kind, at: h.at }, send: bySender ? h : null, recv: bySender ? null : h });
    } else if (bySender && known.send === null) {
      known.send = h;
      known.value.at = h.at;
    } else if (!bySender && known.recv === null) {
      known.recv = h;
    }
  }

  /** The querier's result: the query is answered (or failed before it reached the ring). */
  private onQueryResult(querier: string, line: JsonLine, at: number): void {
    const eventId = typeof line.eventId === 'number' ? line.eventId : null;
    const q = (eventId === null ? undefined : this.openQuery(eventId, querier, at, true)) ?? this.newQuery(querier, at, eventId);
    q.ok = line.ok === true;
    q.found = q.ok ? line.found === true : null;
    q.path = Array.isArray(line.path) ? line.path.filter((v): v is number => typeof v === 'number') : [];
    // The answerer: the result's `by` when it names one, else the sender of the find-result that came home.
    q.by = typeof line.by === 'string' ? line.by : ([...q.hops].reverse().find((t) => t.value.kind === 'find-result')?.value.from ?? null);
    q.error = q.ok ? null : String(line.error ?? 'failed');
  }

  /** The newest query of this event id and querier begun within QUERY_WINDOW_MS (with `unanswered`, not yet answered). */
  private openQuery(eventId: number, querier: string, at: number, unanswered = false): QueryRecord | undefined {
    for (let i = this.queries.length - 1; i >= 0; i--) {
      const q = this.queries[i]!;
      if (q.eventId === eventId && q.querier === querier && at - q.at <= QUERY_WINDOW_MS && !(unanswered && q.ok !== null)) return q;
    }
    return undefined;
  }

  private newQuery(querier: string, at: number, eventId: number | null): QueryRecord {
    const q: QueryRecord = { at, querier, eventId, ok: null, found: null, path: [], by: null, error: null, hops: [], ring: this.currentRing };
    this.queries.push(q);
    if (this.queries.length > MAX_QUERIES) this.queries.shift();
    return q;
  }
}

function timeOf(step: ViewStep): number {
  return step.kind === 'message' ? (step.sentAt ?? step.receivedAt ?? 0) : step.at;
}

/** The command as the view shows it: copies of its steps, in the order they happened. */
function commandView(c: CommandRecord): ViewCommand {
  const steps = causalOrder(c.steps, happenings).map((t) => ({ ...t.value }));
  return { line: c.line, at: c.at, steps, omitted: c.omitted };
}
