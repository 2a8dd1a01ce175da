// The cluster's part of the live view (issue 16 §2, `stormdht cluster --http`): two sections that
// only ViewState.cluster can feed, because only the cluster reads every process's trace.
//
//  * paths: the latest queries as buttons, newest first, and the selected one's hot-potato walk
//    drawn on the ring (the members where the ring section draws them, the querier, a Free peer,
//    at the centre), each hop a numbered arrow; the hops as a list and the outcome as a sentence;
//  * sequence: the current command's message-sequence chart, one lifeline per process that took
//    part and one row per step (a datagram, a note or a result), and the steps as a list.
//
// Pure like view-render.ts (no DOM, no node imports): the server's first page, the node tests
// and the browser's script draw with the same functions.
//
// The test contract (kept stable):
//  * paths — while there is a query, exactly one element has `data-query`, with
//    `data-event-id="<its event id, empty when it failed before asking the ring>"`,
//    `data-querier="<name>"`, `data-found="true|false|"` (empty: in progress, or failed),
//    `data-route="<the querier, then the receiver of each hop in order, space-separated>"`
//    (e.g. `dave bob carol dave`) and `data-path="<the result's path ids, comma-separated>"`;
//    each hop drawn on the ring has `data-hop="<its number in the list>"` (a hop with an end
//    neither on the ring nor the querier is not drawn, but is listed); each query of the list is
//    a `<button aria-pressed>` with `data-select-query="<its at>"`.
//  * sequence — once a command ran, exactly one element has `data-sequence` and
//    `data-command="<the command's line>"`; each message drawn has `data-from`, `data-to` and
//    `data-message="<the first word of its text>"`, in step order; each result box has
//    `data-result="ok|failed"` and `data-process`; each note box `data-note` and `data-process`.
//  All values are escaped; nothing in either section is fetched from anywhere.
import { attr, esc, fix, grouped, RING_CENTRE, RING_RADIUS, RING_VIEWBOX, ringPoint } from './render-basics.js';
import type { ViewCluster, ViewCommand, ViewDht, ViewHop, ViewQuery, ViewState, ViewStep } from './view-types.js';

type TimeText = (atMs: number) => string;

/** The querier's circle at the ring's centre (viewBox units). */
const QUERIER_RADIUS = 20;
/** A hop's arrow bends away from the straight line by this share of its length, at most HOP_BEND_MAX. */
const HOP_BEND = 0.15;
const HOP_BEND_MAX = 40;

/** The sequence chart's grid, in px: the times' gutter, a lifeline's column, the heads' band, a step's row. */
const GUTTER = 72;
const COLUMN = 170;
const HEAD = 44;
const ROW = 30;
const FOOT = 12;
/** Room right of the last lifeline for a label that runs past it. */
const RIGHT_ROOM = 240;
/** A message's label is cut to this many characters (its whole text is in its <title>); a box's to BOX_CHARS. */
const LABEL_CHARS = 56;
const BOX_CHARS = 40;
const NAME_CHARS = 20;

// ---------------------------------------------------------------- paths

/** The queries, newest first, and the selected one's walk on the ring (by default the newest). */
export function renderPaths(view: ViewState, cluster: ViewCluster, selectedAt: number | undefined, timeText: TimeText): string {
  const queries = [...cluster.queries].reverse();
  if (queries.length === 0) return '<p>No queries yet.</p>';
  const selected = queries.find((q) => q.at === selectedAt) ?? queries[0]!;
  return `<div class="paths-row">${queryList(queries, selected, timeText)}${queryFigure(ringOf(view.dht, selected), selected)}</div>`;
}

/** One button per query: a list the keyboard can walk, the drawn one pressed. */
function queryList(queries: readonly ViewQuery[], selected: ViewQuery, timeText: TimeText): string {
  const items = queries.map(
    (q) =>
      `<li><button type="button" class="query ${outcomeClass(q)}" aria-pressed="${q === selected}" data-select-query="${q.at}">` +
      `<time datetime="${isoTime(q.at)}">${esc(timeText(q.at))}</time> ${esc(q.querier)} ${q.eventId ?? '–'}: ${outcomeClass(q).replace('-', ' ')}</button></li>`,
  );
  return `<ul class="queries" aria-label="The latest queries, newest first: choose one to draw">${items.join('')}</ul>`;
}

/** The ring a query is drawn on: the one it was asked of, else (unknown) the current one. */
interface QueryRing {
  /** In id order. */
  readonly names: readonly string[];
  /** True when it is the ring of the query's time; false: today's ring, which may have changed since. */
  readonly ofTheQuery: boolean;
}

function ringOf(dht: ViewDht | null, q: ViewQuery): QueryRing | null {
  if (q.ring.length > 0) return { names: q.ring, ofTheQuery: true };
  return dht === null || dht.members.length === 0 ? null : { names: dht.members.map((m) => m.name), ofTheQuery: false };
}

function queryFigure(ring: QueryRing | null, q: ViewQuery): string {
  const route = [q.querier, ...q.hops.map((h) => h.to)].join(' ');
  const drawable = ring === null ? null : spotsOf(ring, q.querier);
  const drawing = ring === null || drawable === null ? '<p class="no-ring">No DHT: no ring to draw.</p>' : pathSvg(ring, q, drawable);
  const hops = q.hops.map((h, i) => {
    const drawn = drawable !== null && hopEnds(h, drawable) !== null;
    return `<li${drawn ? '' : ' class="off-ring"'}>${esc(hopText(h))}${drawn || drawable === null ? '' : ' (not on the ring: not drawn)'}</li>`;
  });
  const list = hops.length === 0 ? '<p>No datagrams of this query seen.</p>' : `<ol class="hops">${hops.join('')}</ol>`;
  return (
    `<figure class="query-path" data-query data-event-id="${q.eventId ?? ''}" data-querier="${attr(q.querier)}" data-found="${q.found ?? ''}" ` +
    `data-route="${attr(route)}" data-path="${attr(q.path.join(','))}">${drawing}<figcaption>${esc(querySentence(q))}</figcaption>${list}</figure>`
  );
}

/** "query 10096222 from dave: found by carol after visiting nodes 2, 0". */
export function querySentence(q: ViewQuery): string {
  const visited = q.path.length === 0 ? '' : ` after visiting node${q.path.length === 1 ? '' : 's'} ${q.path.join(', ')}`;
  const outcome =
    q.ok === null ? 'in progress' : !q.ok ? `failed: ${q.error ?? 'unknown'}` : q.found === true ? `found by ${q.by ?? 'the ring'}${visited}` : `not found${visited}`;
  return `query ${q.eventId === null ? '' : `${q.eventId} `}from ${q.querier}: ${outcome}`;
}

function outcomeClass(q: ViewQuery): 'in-progress' | 'failed' | 'found' | 'not-found' {
  if (q.ok === null) return 'in-progress';
  if (!q.ok) return 'failed';
  return q.found === true ? 'found' : 'not-found';
}

function hopText(h: ViewHop): string {
  return `${h.from} → ${h.to}: ${h.kind}`;
}

interface Spot {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}

/** Where each name is drawn: the members on the ring, the querier at the centre unless it is a member. */
function spotsOf(ring: QueryRing, querier: string): ReadonlyMap<string, Spot> {
  const n = ring.names.length;
  const spots = new Map<string, Spot>([[querier, { x: RING_CENTRE, y: RING_CENTRE, r: QUERIER_RADIUS }]]);
  ring.names.forEach((name, id) => spots.set(name, ringPoint(id, n)));
  return spots;
}

/** The two ends of a hop, or null when one is off the drawing (or it goes nowhere). */
function hopEnds(h: ViewHop, spots: ReadonlyMap<string, Spot>): [Spot, Spot] | null {
  const a = spots.get(h.from);
  const b = spots.get(h.to);
  if (a === undefined || b === undefined || (a.x === b.x && a.y === b.y)) return null;
  return [a, b];
}

function pathSvg(ring: QueryRing, q: ViewQuery, spots: ReadonlyMap<string, Spot>): string {
  const n = ring.names.length;
  const onRoute = new Set(q.hops.flatMap((h) => [h.from, h.to]));
  const nodes = ring.names.map((name, id) => {
    const p = ringPoint(id, n);
    return (
      `<g class="path-node${onRoute.has(name) ? ' visited' : ''}${name === q.querier ? ' querier' : ''}"><circle cx="${fix(p.x)}" cy="${fix(p.y)}" r="${fix(p.r)}"/>` +
      (p.r >= 10 ? `<text class="id" x="${fix(p.x)}" y="${fix(p.y)}">${id}</text>` : '') +
      `<text class="name" x="${fix(p.labelX)}" y="${fix(p.labelY)}" text-anchor="${p.anchor}">${esc(name)}</text></g>`
    );
  });
  const onRing = ring.names.includes(q.querier);
  const c = RING_CENTRE;
  const querier = onRing
    ? ''
    : `<g class="path-node querier"><circle cx="${c}" cy="${c}" r="${QUERIER_RADIUS}"/><text class="name" x="${c}" y="${c + QUERIER_RADIUS + 14}" text-anchor="middle">${esc(q.querier)}</text></g>`;
  const arrows = q.hops.map((h, i) => {
    const ends = hopEnds(h, spots);
    return ends === null ? '' : hopArrow(h, i + 1, ends[0], ends[1]);
  });
  const drawn = arrows.filter((a) => a !== '').length;
  const which = ring.ofTheQuery ? `the ring of ${n} it was asked of` : `today's ring of ${n}`;
  const title = `The walk of ${querySentence(q)}, on ${which}: ${drawn} of ${q.hops.length} hops drawn, the querier at the centre`;
  return (
    `<svg viewBox="${RING_VIEWBOX}" role="img" aria-labelledby="paths-title paths-desc"><title id="paths-title">${esc(title)}</title>` +
    `<desc id="paths-desc">${esc(q.hops.map((h, i) => `${i + 1}. ${hopText(h)}`).join('; '))}</desc>` +
    `<defs>${arrowMarker('arrow-find-event', 'find-event')}${arrowMarker('arrow-find-result', 'find-result')}</defs>` +
    `<circle class="orbit" cx="${c}" cy="${c}" r="${RING_RADIUS}"/>${nodes.join('')}${querier}${arrows.join('')}</svg>`
  );
}

/** An arrowhead; its colour comes from the page's style by its class. */
function arrowMarker(id: string, cls: string): string {
  return `<marker id="${id}" class="${cls}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker>`;
}

/** One hop: a curved arrow from edge to edge of the two circles, its number at its middle. */
function hopArrow(h: ViewHop, number: number, a: Spot, b: Spot): string {
  const [dx, dy] = [b.x - a.x, b.y - a.y];
  const length = Math.hypot(dx, dy);
  // Bent to the right of its way, so that a hop and the hop back between the same two nodes do
  // not cover each other (in SVG's y-down space the right of (dx, dy) is (-dy, dx)).
  const bend = Math.min(HOP_BEND_MAX, length * HOP_BEND);
  const control = { x: (a.x + b.x) / 2 - (dy / length) * bend, y: (a.y + b.y) / 2 + (dx / length) * bend };
  const start = towards(a, control, a.r);
  const end = towards(b, control, b.r + 2);
  // The quadratic curve's point at t = 1/2.
  const mid = { x: 0.25 * start.x + 0.5 * control.x + 0.25 * end.x, y: 0.25 * start.y + 0.5 * control.y + 0.25 * end.y };
  return (
    `<g class="hop ${h.kind}" data-hop="${number}"><title>${number}. ${esc(hopText(h))}</title>` +
    `<path d="M${fix(start.x)} ${fix(start.y)} Q${fix(control.x)} ${fix(control.y)} ${fix(end.x)} ${fix(end.y)}" marker-end="url(#arrow-${h.kind})"/>` +
    `<circle class="badge" cx="${fix(mid.x)}" cy="${fix(mid.y)}" r="9"/><text class="badge-number" x="${fix(mid.x)}" y="${fix(mid.y)}">${number}</text></g>`
  );
}

/** The point `distance` from `from` on the way to `to`. */
function towards(from: { x: number; y: number }, to: { x: number; y: number }, distance: number): { x: number; y: number } {
  const length = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return { x: from.x + ((to.x - from.x) / length) * distance, y: from.y + ((to.y - from.y) / length) * distance };
}

// ---------------------------------------------------------------- sequence

/** The current command's sequence chart, and its steps as a list. */
export function renderSequence(cluster: ViewCluster, timeText: TimeText): string {
  const command = cluster.command;
  if (command === null) return '<p>No command run yet.</p>';
  const steps = command.steps;
  const heading =
    `<figcaption><code>${esc(command.line)}</code>, run at <time datetime="${isoTime(command.at)}">${esc(timeText(command.at))}</time>: ` +
    `${grouped(steps.length)} step${steps.length === 1 ? '' : 's'}</figcaption>`;
  const chart =
    steps.length === 0
      ? '<p>No messages yet.</p>'
      : `<div id="sequence-chart" class="scroll chart" tabindex="0" role="region" aria-label="The chart (scrolls)">${sequenceSvg(command, participants(cluster.processes, steps))}</div>`;
  const omitted = command.omitted > 0 ? `<p class="omitted">${grouped(command.omitted)} more step${command.omitted === 1 ? '' : 's'} came after these and are neither drawn nor listed.</p>` : '';
  const list =
    steps.length === 0 ? '' : `<details><summary>The messages as a list</summary><ol class="steps">${steps.map((s) => `<li>${stepText(s, timeText)}</li>`).join('')}</ol></details>`;
  return `<figure class="sequence" data-sequence data-command="${attr(command.line)}">${heading}${chart}${omitted}${list}</figure>`;
}

/** The lifelines: the cluster's processes that took part, in its order, then any other name in order of appearance. */
export function participants(processes: readonly string[], steps: readonly ViewStep[]): string[] {
  const seen = new Set(steps.flatMap((s) => (s.kind === 'message' ? [s.from, s.to] : [s.process])));
  return [...processes.filter((p) => seen.has(p)), ...[...seen].filter((name) => !processes.includes(name))];
}

function sequenceSvg(command: ViewCommand, names: readonly string[]): string {
  const width = GUTTER + COLUMN * names.length + RIGHT_ROOM;
  const height = HEAD + ROW * command.steps.length + FOOT;
  const column = new Map(names.map((name, i) => [name, GUTTER + COLUMN * i + COLUMN / 2]));
  const heads = names.map((name) => {
    const x = column.get(name)!;
    return (
      `<g class="participant"><title>${esc(name)}</title><rect x="${x - COLUMN / 2 + 8}" y="6" width="${COLUMN - 16}" height="26" rx="4"/>` +
      `<text x="${x}" y="19">${esc(cut(name === '' ? '?' : name, NAME_CHARS))}</text></g>` +
      `<line class="lifeline" x1="${x}" y1="32" x2="${x}" y2="${height - FOOT / 2}"/>`
    );
  });
  const rows = command.steps.map((s, i) => stepRow(s, HEAD + ROW * i, column, command.at));
  const title = `The messages of ${command.line}, one row per step top to bottom, between ${names.join(', ')}`;
  return (
    `<svg class="sequence-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="sequence-title">` +
    `<title id="sequence-title">${esc(title)}</title><defs>${arrowMarker('arrow-message', 'message')}</defs>${heads.join('')}${rows.join('')}</svg>`
  );
}

/** One step's row, `top` px down: its time since the command began in the gutter, then the step. */
function stepRow(s: ViewStep, top: number, column: ReadonlyMap<string, number>, commandAt: number): string {
  const at = stepTime(s);
  const offset = at === null ? '' : `<text class="offset" x="${GUTTER - 8}" y="${top + 20}">${esc(sinceText(at - commandAt))}</text>`;
  if (s.kind === 'message') return offset + messageRow(s, top, column.get(s.from)!, column.get(s.to)!);
  const x = column.get(s.process)!;
  const [cls, data] = s.kind === 'note' ? ['note', 'data-note'] : [`result ${s.ok ? 'ok' : 'failed'}`, `data-result="${s.ok ? 'ok' : 'failed'}"`];
  const label = cut(s.text, BOX_CHARS);
  // About 6.6 px a character at 12 px: wide enough for the text, never wider than two columns.
  const w = Math.min(2 * COLUMN - 20, [...label].length * 6.6 + 16);
  // Centred on its lifeline, but never over the times in the gutter (the first lifeline's box).
  const left = Math.max(GUTTER + 2, x - w / 2);
  return (
    `${offset}<g class="${cls}" ${data} data-process="${attr(s.process)}"><title>${esc(`${s.process}: ${s.text}`)}</title>` +
    `<rect x="${fix(left)}" y="${top + 6}" width="${fix(w)}" height="20" rx="3"/><text x="${fix(left + w / 2)}" y="${top + 16}">${esc(label)}</text></g>`
  );
}

type Message = Extract<ViewStep, { kind: 'message' }>;

/** A horizontal arrow from the sender's lifeline to the receiver's; to itself, a small loop. */
function messageRow(m: Message, top: number, from: number, to: number): string {
  const y = top + 22;
  const shape =
    from === to
      ? `<path d="M${from} ${y - 8} h30 v12 h-28" marker-end="url(#arrow-message)"/>`
      : `<line x1="${from}" y1="${y}" x2="${to + (to > from ? -2 : 2)}" y2="${y}" marker-end="url(#arrow-message)"/>`;
  const labelX = from === to ? from + 36 : Math.min(from, to) + 8;
  const firstWord = m.text.split(/\s/, 1)[0] ?? '';
  return (
    `<g class="msg" data-from="${attr(m.from)}" data-to="${attr(m.to)}" data-message="${attr(firstWord)}"><title>${esc(messageTitle(m))}</title>` +
    `${shape}<text x="${labelX}" y="${from === to ? y : y - 7}">${esc(cut(m.text, LABEL_CHARS))}</text></g>`
  );
}

function messageTitle(m: Message): string {
  const seen = m.sentAt === null ? ' (traced by its receiver only)' : m.receivedAt === null ? ' (not traced by a receiver)' : '';
  return `${m.from} → ${m.to}: ${m.text}${seen}`;
}

/** A step as a line of the list: its time, then who said what. */
function stepText(s: ViewStep, timeText: TimeText): string {
  const at = stepTime(s);
  const time = at === null ? '' : `<time datetime="${isoTime(at)}">${esc(timeText(at))}</time> `;
  if (s.kind === 'message') return `${time}${esc(`${s.from} → ${s.to}: ${s.text}`)}`;
  if (s.kind === 'note') return `${time}${esc(`${s.process} notes: ${s.text}`)}`;
  return `${time}<span class="${s.ok ? 'ok' : 'failed'}">${esc(`${s.process}: ${s.text}`)}</span>`;
}

/** When a step happened: a message when it was sent, or else when it was received. */
function stepTime(s: ViewStep): number | null {
  return s.kind === 'message' ? (s.sentAt ?? s.receivedAt) : s.at;
}

/** "+12 ms", "+1,204 ms": a step's time from the command's start (another process's clock may make it negative). */
function sinceText(ms: number): string {
  return `${ms < 0 ? '−' : '+'}${grouped(Math.abs(Math.round(ms)))} ms`;
}

/** At most `max` characters (not UTF-16 units), the last one '…' when cut. */
function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** An ISO time for a datetime attribute; empty for a time no Date can hold (toISOString would throw). */
function isoTime(atMs: number): string {
  const t = new Date(atMs);
  return Number.isNaN(t.getTime()) ? '' : t.toISOString();
}
