// The live view's drawing (issue 16): a ViewState in, the HTML of each section of the page out.
// Pure and without the DOM, so that node tests check it, the server fills the page it first sends
// with it, and the page's script (page/main.mts) only puts each changed section in place.
// Plain SVG: a ring of a few dozen circles and a bar per member need no chart library, and the
// page works offline with nothing fetched from elsewhere.
//
// The test contract (issue 16 §3), kept stable: every registered peer has one element with
// data-peer and data-state; a member's also has data-id and data-records; while a DHT exists one
// element has data-dht, data-year and data-size; one element has data-events and holds the log.
// The cluster's two sections (paths, sequence) are drawn by cluster-render.ts, which has its own.
// Both draw with render-basics.ts (the ring's geometry, escaping).
import { renderPaths, renderSequence } from './cluster-render.js';
import { attr, esc, fix, grouped, localTime, RING_CENTRE, RING_RADIUS, RING_VIEWBOX, ringPoint } from './render-basics.js';
import type { ViewEvent, ViewMember, ViewPeer, ViewState } from './view-types.js';

export { esc, grouped, localTime, ringPoint } from './render-basics.js';

/** The page's sections, by the id of the element each one fills. */
export type SectionId = 'status' | 'dht' | 'ring' | 'side' | 'paths' | 'sequence' | 'bars' | 'ring-table' | 'traffic' | 'events';
export const SECTION_IDS: readonly SectionId[] = ['status', 'dht', 'ring', 'side', 'paths', 'sequence', 'bars', 'ring-table', 'traffic', 'events'];

/** The sections only the cluster's view has (ViewState.cluster): empty, and not in the page, without it. */
export const CLUSTER_SECTION_IDS: readonly SectionId[] = ['paths', 'sequence'];

export interface RenderOptions {
  /** How an event's time is shown (default: local hh:mm:ss.mmm). */
  readonly timeText?: (atMs: number) => string;
  /** The `at` of the query whose path is drawn (the page's selection); absent or gone: the newest. */
  readonly selectedQuery?: number;
}

export function renderSections(view: ViewState, options: RenderOptions = {}): Record<SectionId, string> {
  const timeText = options.timeText ?? localTime;
  return {
    status: renderStatus(view),
    dht: renderDht(view),
    ring: renderRing(view),
    side: renderSide(view),
    bars: renderBars(view),
    paths: view.cluster === undefined ? '' : renderPaths(view, view.cluster, options.selectedQuery, timeText),
    sequence: view.cluster === undefined ? '' : renderSequence(view.cluster, timeText),
    'ring-table': renderRingTable(view),
    traffic: renderTraffic(view),
    events: renderEvents(view.events, timeText),
  };
}

function renderStatus(view: ViewState): string {
  const count = (state: string) => view.peers.filter((p) => p.state === state).length;
  const waiting = view.waitingFor === null ? 'idle' : `waiting for ${view.waitingFor}`;
  const peers = `${view.peers.length} registered (${count('Leader') + count('InDHT')} in the DHT, ${count('Free')} Free)`;
  const copies = view.replicas >= 2 ? `; every DHT keeps ${view.replicas} copies of each record` : '';
  return `<p>Manager: <strong>${esc(waiting)}</strong>. Peers: ${esc(peers)}${esc(copies)}.</p>`;
}

function renderDht(view: ViewState): string {
  const d = view.dht;
  if (d === null) return '<p>No DHT.</p>';
  const rows: Array<[string, string]> = [
    ['year', d.year],
    ['nodes (n)', String(d.n)],
    ['records (l)', grouped(d.l)],
    ['table size (s)', d.s === null ? '–' : grouped(d.s)],
    ['leader', d.leader],
    ['state', d.complete ? 'complete' : 'being set up'],
    ...(d.replicas >= 2 ? [['copies (R)', String(d.replicas)] as [string, string]] : []),
  ];
  const items = rows.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('');
  return `<dl class="dht" data-dht data-year="${attr(d.year)}" data-size="${d.n}">${items}</dl>`;
}

/** The ring as a circle of members in id order, clockwise from the top, the leader marked. */
function renderRing(view: ViewState): string {
  const d = view.dht;
  const c = RING_CENTRE;
  if (d === null) {
    return `<svg viewBox="${RING_VIEWBOX}" role="img" aria-labelledby="ring-title"><title id="ring-title">No DHT: no ring to draw</title><circle class="orbit empty" cx="${c}" cy="${c}" r="${RING_RADIUS}"/><text class="centre" x="${c}" y="${c}">no DHT</text></svg>`;
  }
  const n = d.members.length;
  const nodes = d.members.map((m) => {
    const { x, y, r, labelX: lx, labelY: ly, anchor } = ringPoint(m.id, n);
    const leader = m.id === 0;
    const cls = ['node', leader ? 'leader' : 'member', m.liveness].join(' ');
    const label = `${m.name}${leader ? ' ★' : ''}`;
    return (
      `<g class="${cls}" data-peer="${attr(m.name)}" data-state="${leader ? 'Leader' : 'InDHT'}" data-id="${m.id}" data-records="${m.records ?? ''}" data-liveness="${m.liveness}">` +
      `<title>${esc(memberSentence(m))}</title>` +
      `<circle cx="${fix(x)}" cy="${fix(y)}" r="${fix(r)}"/>` +
      (r >= 10 ? `<text class="id" x="${fix(x)}" y="${fix(y)}">${m.id}</text>` : '') +
      `<text class="name" x="${fix(lx)}" y="${fix(ly)}" text-anchor="${anchor}">${esc(label)}</text></g>`
    );
  });
  const title = `The ring of ${n} nodes for ${d.year}, in id order clockwise from the top; the leader, ${d.leader}, is node 0 (★)`;
  const centre = `<text class="centre" x="${c}" y="${c - 8}">${esc(d.year)}</text><text class="centre small" x="${c}" y="${c + 14}">l = ${grouped(d.l)}${d.s === null ? '' : `, s = ${grouped(d.s)}`}</text>`;
  return (
    `<svg viewBox="${RING_VIEWBOX}" role="img" aria-labelledby="ring-title ring-desc"><title id="ring-title">${esc(title)}</title>` +
    `<desc id="ring-desc">${esc(d.members.map(memberSentence).join('; '))}</desc>` +
    `<circle class="orbit" cx="${c}" cy="${c}" r="${RING_RADIUS}"/>${centre}${nodes.join('')}</svg>`
  );
}

/** Beside the ring: every registered peer that is not a member (the Free ones), and the departed. */
function renderSide(view: ViewState): string {
  const members = new Set(view.dht?.members.map((m) => m.name) ?? []);
  const others = view.peers.filter((p) => !members.has(p.name));
  const items = others.map(
    (p) =>
      `<li class="peer ${p.liveness}" data-peer="${attr(p.name)}" data-state="${p.state}" data-liveness="${p.liveness}">${esc(p.name)}` +
      `${p.state === 'Free' ? '' : ` (${p.state})`}${p.liveness === 'alive' ? '' : ` <em>${p.liveness}</em>`}<span class="addr">${esc(`${p.ip}:${p.pPort}`)}</span></li>`,
  );
  const free = items.length === 0 ? '<p>No Free peers.</p>' : `<ul class="free">${items.join('')}</ul>`;
  const departed = view.departed.length === 0 ? '' : `<h3>Evicted lately</h3><ul class="departed">${view.departed.map((name) => `<li class="peer dead">${esc(name)}</li>`).join('')}</ul>`;
  return `<h2>Free peers</h2>${free}${departed}`;
}

/** Records per member as horizontal bars, in id order. */
function renderBars(view: ViewState): string {
  const d = view.dht;
  if (d === null || d.members.length === 0) return '<p>No records: no DHT.</p>';
  const row = 24;
  const labelWidth = 130;
  const barWidth = 230;
  const max = Math.max(1, ...d.members.map((m) => m.records ?? 0));
  const height = row * d.members.length + 4;
  const bars = d.members.map((m, i) => {
    const y = i * row + 2;
    const w = ((m.records ?? 0) / max) * barWidth;
    return (
      `<g class="bar ${m.liveness}"><title>${esc(memberSentence(m))}</title>` +
      `<text class="label" x="${labelWidth - 6}" y="${y + row / 2}">${m.id} ${esc(m.name)}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${fix(w)}" height="${row - 6}"/>` +
      `<text class="value" x="${fix(labelWidth + w + 6)}" y="${y + row / 2}">${m.records === null ? '…' : grouped(m.records)}</text></g>`
    );
  });
  return `<svg viewBox="0 0 ${labelWidth + barWidth + 80} ${height}" role="img" aria-labelledby="bars-title"><title id="bars-title">Records per member: ${esc(d.members.map((m) => `${m.name} ${m.records ?? 'unknown'}`).join(', '))}</title>${bars.join('')}</svg>`;
}

/** The ring as a table: the text equivalent of the drawing. */
function renderRingTable(view: ViewState): string {
  const d = view.dht;
  if (d === null) return '';
  const copies = d.replicas >= 2;
  const head = `<tr><th scope="col">id</th><th scope="col">name</th><th scope="col">role</th><th scope="col">records</th>${copies ? '<th scope="col">copies</th>' : ''}<th scope="col">liveness</th></tr>`;
  const rows = d.members.map(
    (m) =>
      `<tr class="${m.liveness}"><td>${m.id}</td><th scope="row">${esc(m.name)}</th><td>${m.id === 0 ? 'leader' : 'member'}</td>` +
      `<td class="num">${m.records === null ? '…' : grouped(m.records)}</td>${copies ? `<td class="num">${m.replicas === null ? '…' : grouped(m.replicas)}</td>` : ''}<td>${m.liveness}</td></tr>`,
  );
  return `<table><caption>The ring in id order</caption><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Each peer's traffic since it registered, heartbeats not counted. */
function renderTraffic(view: ViewState): string {
  if (view.peers.length === 0) return '<p>No peers registered.</p>';
  const cells = (p: ViewPeer): string => {
    const t = p.traffic;
    if (t === null) return '<td class="num" colspan="5">no figures yet</td>';
    const rate = t.datagramsPerSecond === null ? '…' : grouped(Math.round(t.datagramsPerSecond));
    return [rate, grouped(t.sent), grouped(t.received), grouped(t.retransmits), grouped(t.dropped)].map((v) => `<td class="num">${v}</td>`).join('');
  };
  const head = '<tr><th scope="col">peer</th><th scope="col">state</th><th scope="col">datagrams/s</th><th scope="col">sent</th><th scope="col">received</th><th scope="col">retransmissions</th><th scope="col">drops</th></tr>';
  const rows = view.peers.map((p) => `<tr class="${p.liveness}"><th scope="row">${esc(p.name)}</th><td>${p.state}${p.liveness === 'alive' ? '' : ` (${p.liveness})`}</td>${cells(p)}</tr>`);
  return `<table><caption>Traffic since registering (heartbeats not counted)</caption><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The event log, newest first. */
function renderEvents(events: readonly ViewEvent[], timeText: (atMs: number) => string): string {
  if (events.length === 0) return '<ol class="log" data-events><li>No events yet.</li></ol>';
  const items = [...events].reverse().map((e) => `<li class="${e.kind}"><time datetime="${new Date(e.at).toISOString()}">${esc(timeText(e.at))}</time> <span class="kind">${e.kind}</span> ${esc(e.text)}</li>`);
  return `<ol class="log" data-events>${items.join('')}</ol>`;
}

function memberSentence(m: ViewMember): string {
  const records = m.records === null ? 'records not reported yet' : `${grouped(m.records)} records`;
  const copies = m.replicas === null ? '' : `, ${grouped(m.replicas)} copies`;
  return `${m.name}: node ${m.id}${m.id === 0 ? ', the leader' : ''}, ${records}${copies}${m.liveness === 'alive' ? '' : `, ${m.liveness}`}`;
}
