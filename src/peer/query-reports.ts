// The queries a peer reports on its heartbeats (issue 16): each answered query, with its event id
// and the ids it visited, for the manager's event log (the manager only ever sees "query-dht
// <name>"). A report rides on every heartbeat for REPORT_WINDOW_MS, about ten of them, so a lost
// heartbeat loses nothing; the manager logs each serial number once. Pure: the time is handed in.
import { MAX_QUERY_REPORTS, type QueryReport } from '../wire/messages.js';

/** How long an answered query is reported, in ms. */
export const REPORT_WINDOW_MS = 1_000;

export class QueryReports {
  private serial = 0;
  private readonly recent: Array<{ readonly report: QueryReport; readonly at: number }> = [];

  /** An answered query, at `nowMs`. */
  add(answer: Omit<QueryReport, 'n'>, nowMs: number): void {
    this.recent.push({ report: { n: ++this.serial, ...answer }, at: nowMs });
    if (this.recent.length > MAX_QUERY_REPORTS) this.recent.shift();
  }

  /** What a heartbeat sent at `nowMs` carries: the newest answered within the window, oldest first. */
  current(nowMs: number): QueryReport[] {
    while (this.recent.length > 0 && nowMs - this.recent[0]!.at > REPORT_WINDOW_MS) this.recent.shift();
    return this.recent.map((r) => r.report);
  }
}
