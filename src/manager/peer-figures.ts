// The figures each peer reports on its heartbeats (issue 16): records held, and traffic counters
// since it registered. The manager keeps the latest ones for its live view, in memory only: they
// are not part of its state (nothing is decided on them, and the journal must not grow ten times a
// second per peer). From successive counters it works out each peer's datagrams per second.
import type { HeartbeatFigures, QueryReport } from '../wire/messages.js';

/** The shortest span (ms) a rate is measured over: heartbeats come every 100 ms, too jumpy alone. */
export const RATE_WINDOW_MS = 1_000;

/** A peer's latest figures, and its traffic rate over the last window. */
export interface PeerFigure {
  readonly figures: HeartbeatFigures;
  /** Datagrams sent and received per second, over about the last second; null until measured. */
  readonly datagramsPerSecond: number | null;
}

interface Sample {
  readonly at: number;
  readonly datagrams: number;
}

interface Entry {
  figures: HeartbeatFigures;
  /** The sample the current window started at. */
  base: Sample;
  rate: number | null;
}

export class PeerFigures {
  private readonly peers = new Map<string, Entry>();
  /** The highest query serial logged of each peer (its reports ride on about ten heartbeats each). */
  private readonly lastQuery = new Map<string, number>();

  /** The reports of `name`'s heartbeat not seen on an earlier one, oldest first. */
  newQueries(name: string, reports: readonly QueryReport[] | undefined): QueryReport[] {
    if (reports === undefined || reports.length === 0) return [];
    const last = this.lastQuery.get(name) ?? 0;
    const fresh = reports.filter((r) => r.n > last);
    this.lastQuery.set(name, Math.max(last, ...reports.map((r) => r.n)));
    return fresh;
  }

  /** A heartbeat's figures from `name`, at `atMs` (any clock: only differences count). */
  record(name: string, heartbeat: HeartbeatFigures, atMs: number): void {
    if (heartbeat.records === undefined && heartbeat.sent === undefined) return; // a heartbeat without figures
    const figures = figuresOf(heartbeat);
    const sample: Sample = { at: atMs, datagrams: (figures.sent ?? 0) + (figures.received ?? 0) };
    const entry = this.peers.get(name);
    if (entry === undefined || sample.datagrams < entry.base.datagrams) {
      // New, or its counters started again (it registered again): measure from here.
      this.peers.set(name, { figures, base: sample, rate: null });
      return;
    }
    entry.figures = figures;
    const spanMs = sample.at - entry.base.at;
    if (spanMs >= RATE_WINDOW_MS) {
      entry.rate = ((sample.datagrams - entry.base.datagrams) * 1000) / spanMs;
      entry.base = sample;
    }
  }

  get(name: string): PeerFigure | null {
    const entry = this.peers.get(name);
    return entry === undefined ? null : { figures: entry.figures, datagramsPerSecond: entry.rate };
  }

  /** Forgets every peer not in `names` (deregistered, evicted). */
  keepOnly(names: { has(name: string): boolean }): void {
    for (const name of [...this.peers.keys()]) if (!names.has(name)) this.peers.delete(name);
    // A peer evicted and started again counts its queries from 1.
    for (const name of [...this.lastQuery.keys()]) if (!names.has(name)) this.lastQuery.delete(name);
  }
}

/** The figures of a heartbeat, without its other keys (type, rid, name). */
function figuresOf(h: HeartbeatFigures): HeartbeatFigures {
  const { records, replicas, sent, received, retransmits, dropped } = h;
  const all = { records, replicas, sent, received, retransmits, dropped };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}
