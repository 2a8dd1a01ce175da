// How a peer's events and results are printed: the human trace or one JSON object per line
// (SPEC §14). The demo renders the JSON lines of child processes with the same human format.
import type { CommandResult, PeerEvent, PrintedEvent } from '../peer/events.js';
import { renderProgress, RENDER_INTERVAL_MS } from './progress.js';

export type Write = (line: string) => void;

export interface PeerOutput {
  event(event: PeerEvent): void;
  result(result: CommandResult): void;
}

/** The JSON result line: type, command, ok, error (on failure), then the payload keys. */
export function resultJson(r: CommandResult): Record<string, unknown> {
  return {
    type: 'result',
    command: r.command,
    ok: r.ok,
    ...(r.error !== undefined ? { error: r.error } : {}),
    ...(r.data ?? {}),
  };
}

/** A JSON event line. */
export function eventJson(e: PrintedEvent): Record<string, unknown> {
  switch (e.kind) {
    case 'trace':
      return { type: 'event', event: 'trace', from: e.from, to: e.to, text: e.text };
    case 'note':
      return { type: 'event', event: 'note', level: e.level, text: e.text };
    case 'prompt':
      return { type: 'event', event: 'prompt', text: e.text };
    case 'counts':
      return {
        type: 'event',
        event: 'counts',
        reason: e.reason,
        year: e.year,
        records: e.l,
        s: e.s,
        recordsPerNode: e.counts,
        ...(e.copies === undefined ? {} : { replicasPerNode: e.copies }),
        ...(e.lost === undefined ? {} : { lostRecords: e.lost }),
        ring: e.ring.map((t, id) => ({ id, name: t.name, ip: t.ip, port: t.port })),
      };
  }
}

/**
 * The --json output. With `stamp`, every event line also has `at`: when it was printed, in ms since
 * the epoch to the µs (time-order.ts's lineTime), so that the cluster can put the lines of several
 * processes in the order they happened. Result lines stay exactly as SPEC §14 shows them.
 */
export function jsonOutput(write: Write, stamp?: () => number): PeerOutput {
  return {
    // Progress is for a terminal's eyes only: --json output has nothing of the sort.
    event: (e) => e.kind !== 'progress' && write(JSON.stringify(stamp === undefined ? eventJson(e) : { ...eventJson(e), at: stamp() })),
    result: (r) => write(JSON.stringify(resultJson(r))),
  };
}

/**
 * The --quiet output (issue 15): each command's human result lines and nothing else, as redis-cli
 * prints. No trace, no note, no counts, no progress bar. A warning still goes to `warn` (stderr,
 * or above a terminal's prompt), and a D1 prompt, a question for the user, is still asked.
 */
export function quietOutput(write: Write, warn: Write): PeerOutput {
  const print = (line: Record<string, unknown>) => {
    const q = quietLines(line);
    q.out.forEach(write);
    q.warn.forEach(warn);
  };
  return {
    event: (e) => e.kind !== 'progress' && print(eventJson(e)),
    result: (r) => print(resultJson(r)),
  };
}

/**
 * What --quiet shows of a JSON line (a peer's own, or a child's in the cluster): a result's human
 * lines and a prompt's question (out), a warning (warn), and nothing of anything else.
 */
export function quietLines(line: Record<string, unknown>): { readonly out: string[]; readonly warn: string[] } {
  if (line.type === 'result') return { out: resultLines(line), warn: [] };
  if (line.type === 'event' && line.event === 'prompt') return { out: eventLines(line), warn: [] };
  if (line.type === 'event' && line.event === 'note' && line.level === 'warn') return { out: [], warn: eventLines(line) };
  return { out: [], warn: [] };
}

/** Where the human output may draw a progress bar: a terminal's footer (see CoalescedWriter). */
export interface ProgressFooter {
  set(lines: readonly string[]): void;
  /** The terminal's width in characters. */
  columns(): number;
  /** The clock in ms (injected by tests). */
  now?(): number;
}

export function humanOutput(write: Write, footer?: ProgressFooter): PeerOutput {
  let lastDraw = Number.NEGATIVE_INFINITY;
  const progress = (e: Extract<PeerEvent, { kind: 'progress' }>) => {
    if (footer === undefined) return;
    if (e.finished) {
      footer.set([]);
      lastDraw = Number.NEGATIVE_INFINITY;
      return;
    }
    const t = footer.now?.() ?? Date.now();
    if (t - lastDraw < RENDER_INTERVAL_MS) return;
    lastDraw = t;
    footer.set([renderProgress(`distributing ${e.year} (${e.task})`, e.done, e.total, 'records', footer.columns())]);
  };
  return {
    event: (e) => (e.kind === 'progress' ? progress(e) : eventLines(eventJson(e)).forEach(write)),
    result: (r) => resultLines(resultJson(r)).forEach(write),
  };
}

/** The human lines of a JSON event line (also used for child processes' output). */
export function eventLines(e: Record<string, unknown>): string[] {
  switch (e.event) {
    case 'trace':
      return [`${e.from} → ${e.to}: ${e.text}`];
    case 'note':
      return [`${e.level === 'warn' ? 'warning' : 'note'}: ${e.text}`];
    case 'prompt':
      return [String(e.text)];
    case 'listening':
      return [`manager listening on ${e.ip}:${e.port}`];
    case 'live-view':
      return [`live view at ${e.url}`];
    case 'counts': {
      const ring = e.ring as Array<{ id: number; name: string }>;
      const counts = e.recordsPerNode as number[];
      const copies = e.replicasPerNode as number[] | undefined;
      const lost = typeof e.lostRecords === 'number' && e.lostRecords > 0 ? [`  ${e.lostRecords} records lost every copy: a query for one fails, saying so`] : [];
      return [
        `records per node after ${e.reason} of ${e.year} (l = ${e.records}, s = ${e.s}):`,
        ...ring.map((t, i) => `  node ${t.id} ${t.name}: ${counts[i]} records${copies === undefined ? '' : `, ${copies[i]} replicas`}`),
        ...lost,
      ];
    }
    default:
      return [JSON.stringify(e)];
  }
}

/** status's counts of dropped datagrams (issue 5), and how the human line names them. */
const DROP_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['malformed', 'malformed'],
  ['unauthenticated', 'unauthenticated'],
  ['badSecret', 'bad secret'],
  ['rateLimited', 'over the rate limit'],
];

/** The human lines of a JSON result line: §14's conventions, then `<command> SUCCESS|FAILURE`. */
export function resultLines(r: Record<string, unknown>): string[] {
  const lines: string[] = [];
  switch (r.command) {
    case 'query-dht':
      if (r.found === true && r.record) {
        for (const [field, value] of Object.entries(r.record as Record<string, string>)) lines.push(`${field}: ${value}`);
      } else if (typeof r.message === 'string') {
        lines.push(r.message);
      }
      if (Array.isArray(r.path)) lines.push(`id-seq: ${r.path.join(', ')}`);
      break;
    case 'leave-dht':
    case 'join-dht':
      if (r.ok === true && typeof r.newLeader === 'string') lines.push(`new leader: ${r.newLeader}`);
      if (Array.isArray(r.recordsPerNode) && r.recordsPerNode.length > 0) lines.push(`records per node: ${r.recordsPerNode.join(' / ')}`);
      lines.push(...replicaLines(r));
      break;
    case 'status':
      // A failed status (an unexpected argument) has no figures to show: its reason says why.
      if (r.ok !== true) break;
      lines.push(`status: name=${r.name ?? '-'} state=${r.state} id=${r.id ?? '-'} ringSize=${r.ringSize ?? '-'} records=${r.records}${r.replicas === undefined ? '' : ` replicas=${r.replicas}`}`);
      if (DROP_KEYS.some(([key]) => Number(r[key]) > 0)) lines.push(`dropped: ${DROP_KEYS.map(([key, what]) => `${Number(r[key]) || 0} ${what}`).join(', ')}`);
      break;
    case 'members':
      if (r.ok === true) lines.push(...membersTable(r));
      break;
    case 'setup-dht':
      if (Array.isArray(r.recordsPerNode) && r.recordsPerNode.length > 0) {
        lines.push(`stored ${r.records} records (s = ${r.s}): ${r.recordsPerNode.join(' / ')}`);
      }
      lines.push(...replicaLines(r));
      break;
  }
  lines.push(r.ok === true ? `${r.command} SUCCESS` : `${r.command} FAILURE (${r.error})`);
  return lines;
}

/** A result's replicas per node and lost records (issue 12), when it has them. */
function replicaLines(r: Record<string, unknown>): string[] {
  const lines: string[] = [];
  if (Array.isArray(r.replicasPerNode) && r.replicasPerNode.length > 0) lines.push(`replicas per node: ${r.replicasPerNode.join(' / ')}`);
  if (typeof r.lostRecords === 'number' && r.lostRecords > 0) lines.push(`lost: ${r.lostRecords} records have no copy left`);
  return lines;
}

/** members as a table: one row per peer (its ring id when a member), then the DHT in one line. */
function membersTable(r: Record<string, unknown>): string[] {
  const peers = (Array.isArray(r.peers) ? r.peers : []) as Array<{ name: string; state: string; ip: string; port: number }>;
  const dht = (r.dht ?? null) as { year: string; ring: string[]; leader: string } | null;
  const rows = [['name', 'state', 'id', 'address']];
  for (const p of peers) {
    const id = dht === null ? -1 : dht.ring.indexOf(p.name);
    rows.push([p.name, p.state, id < 0 ? '-' : String(id), `${p.ip}:${p.port}`]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const lines = rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
  lines.push(dht === null ? 'dht: none' : `dht: year ${dht.year}, ${dht.ring.length} members in id order: ${dht.ring.join(', ')} (leader ${dht.leader})`);
  return lines;
}
