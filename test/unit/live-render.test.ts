// The live view's drawing (view-render.ts, page-html.ts): the test contract of issue 16 §3 read
// from the HTML a ViewState draws — one element per registered peer with data-peer and
// data-state, data-id and data-records on members, data-dht/data-year/data-size while a DHT
// exists, data-events holding the log — plus the ring's order, the text alternatives, escaping,
// and a page that asks for nothing from elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageHtml, PAGE_SCRIPT_PATH, PAGE_STYLE, STYLE_PATH } from '../../src/live/page-html.js';
import { CLUSTER_SECTION_IDS, grouped, renderSections, SECTION_IDS } from '../../src/live/view-render.js';
import type { ViewMember, ViewPeer, ViewState } from '../../src/live/view-types.js';

const UTC = { timeText: (at: number) => new Date(at).toISOString().slice(11, 23) };

/** The attributes of every element that has `name`, in document order. */
function elementsWith(html: string, name: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const tag of html.matchAll(/<[a-z]+\b([^>]*)>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of tag[1]!.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) attrs[a[1]!] = a[2] ?? '';
    if (name in attrs) out.push(attrs);
  }
  return out;
}

/** The text of the element whose opening tag holds `marker`, up to its closing tag. */
function textOf(html: string, marker: string, tag: string): string {
  const start = html.indexOf(marker);
  assert.ok(start >= 0, `no ${marker}`);
  const end = html.indexOf(`</${tag}>`, start);
  return html.slice(start, end).replace(/<[^>]*>/g, '');
}

function peer(name: string, state: ViewPeer['state'], id: number | null, records: number | null, more: Partial<ViewPeer> = {}): ViewPeer {
  return { name, state, ip: '127.0.0.1', mPort: 7000 + 2 * name.length, pPort: 7001 + 2 * name.length, liveness: 'alive', id, records, replicas: null, traffic: null, ...more };
}

const MEMBERS: ViewMember[] = [
  { id: 0, name: 'carol', records: 72, replicas: null, liveness: 'alive' },
  { id: 1, name: 'alice', records: 75, replicas: null, liveness: 'suspect' },
  { id: 2, name: 'bob', records: 76, replicas: null, liveness: 'alive' },
];

const VIEW: ViewState = {
  mode: 'Idle',
  waitingFor: null,
  replicas: 1,
  peers: [
    peer('alice', 'InDHT', 1, 75, { liveness: 'suspect', traffic: { sent: 1234, received: 1200, retransmits: 3, dropped: 1, datagramsPerSecond: 12.5 } }),
    peer('bob', 'InDHT', 2, 76),
    peer('carol', 'Leader', 0, 72),
    peer('dave', 'Free', null, 0),
  ],
  dht: { year: '1950', n: 3, l: 223, s: 449, leader: 'carol', complete: true, replicas: 1, members: MEMBERS },
  departed: ['erin'],
  events: [
    { at: Date.UTC(2026, 0, 1, 12, 0, 0, 5), kind: 'register', text: 'dave registered at 127.0.0.1 (m-port 7007, p-port 7008)' },
    { at: Date.UTC(2026, 0, 1, 12, 0, 1, 250), kind: 'query', text: 'query from dave → first node bob' },
  ],
};

function page(view: ViewState): string {
  return Object.values(renderSections(view, UTC)).join('\n');
}

test('every registered peer has exactly one element with data-peer and data-state; members add data-id and data-records', () => {
  const html = page(VIEW);
  const peers = elementsWith(html, 'data-peer');
  assert.deepEqual(peers.map((p) => p['data-peer']).sort(), ['alice', 'bob', 'carol', 'dave']);
  const byName = new Map(peers.map((p) => [p['data-peer'], p]));
  for (const m of MEMBERS) {
    const e = byName.get(m.name)!;
    assert.equal(e['data-state'], m.id === 0 ? 'Leader' : 'InDHT', m.name);
    assert.equal(e['data-id'], String(m.id), m.name);
    assert.equal(e['data-records'], String(m.records), m.name);
  }
  assert.equal(byName.get('dave')!['data-state'], 'Free');
  assert.equal(byName.get('dave')!['data-id'], undefined, 'a Free peer has no ring id');
  // The departed peer is shown, but it is no registered peer: no data-peer.
  assert.ok(html.includes('Evicted lately') && html.includes('erin'));
});

test('the ring: members in id order clockwise from the top, the leader marked, suspects greyed, with a title and a table', () => {
  const ring = renderSections(VIEW, UTC).ring;
  const nodes = [...ring.matchAll(/<g class="([^"]*)" data-peer="(\w+)"[^>]*><title>[^<]*<\/title><circle cx="([\d.]+)" cy="([\d.]+)"/g)];
  assert.deepEqual(
    nodes.map((m) => m[2]),
    ['carol', 'alice', 'bob'],
  );
  // Node 0 at the top, node 1 to the right of the centre and below it (clockwise): 120° apart.
  const [top, second] = nodes.map((m) => ({ x: Number(m[3]), y: Number(m[4]) }));
  assert.equal(top!.x, 210);
  assert.ok(top!.y < 210 && second!.x > 210 && second!.y > 210);
  assert.match(nodes[0]![1]!, /\bleader\b/);
  assert.match(nodes[1]![1]!, /\bsuspect\b/);
  assert.match(ring, /<title id="ring-title">The ring of 3 nodes for 1950, in id order clockwise from the top; the leader, carol, is node 0/);
  assert.match(ring, /<desc id="ring-desc">carol: node 0, the leader, 72 records; alice: node 1, 75 records, suspect; bob: node 2, 76 records<\/desc>/);
  const table = renderSections(VIEW, UTC)['ring-table'];
  assert.match(table, /<caption>The ring in id order<\/caption>/);
  assert.deepEqual(
    [...table.matchAll(/<tr class="(\w+)"><td>(\d)<\/td><th scope="row">(\w+)<\/th>/g)].map((m) => `${m[2]} ${m[3]} ${m[1]}`),
    ['0 carol alive', '1 alice suspect', '2 bob alive'],
  );
});

test('one element has data-dht, data-year and data-size (n) while a DHT exists, and none without', () => {
  const dht = elementsWith(page(VIEW), 'data-dht');
  assert.equal(dht.length, 1);
  assert.equal(dht[0]!['data-year'], '1950');
  assert.equal(dht[0]!['data-size'], '3');
  assert.match(textOf(page(VIEW), 'data-dht', 'dl'), /year1950.*nodes \(n\)3.*records \(l\)223.*table size \(s\)449.*leadercarol.*statecomplete/);
  const none: ViewState = { ...VIEW, dht: null, peers: VIEW.peers.map((p) => ({ ...p, state: 'Free', id: null })) };
  const html = page(none);
  assert.equal(elementsWith(html, 'data-dht').length, 0);
  assert.equal(elementsWith(html, 'data-peer').length, 4, 'every peer is Free, beside an empty ring');
  assert.match(html, /No DHT/);
});

test('one element has data-events and holds the log as text, newest first, each entry with its time', () => {
  const html = page(VIEW);
  assert.equal(elementsWith(html, 'data-events').length, 1);
  const text = textOf(html, 'data-events', 'ol');
  assert.ok(text.indexOf('12:00:01.250 query query from dave → first node bob') < text.indexOf('12:00:00.005 register dave registered'), text);
  assert.match(html, /<time datetime="2026-01-01T12:00:01.250Z">/);
  const empty = page({ ...VIEW, events: [] });
  assert.match(textOf(empty, 'data-events', 'ol'), /No events yet/);
});

test('records per member as bars, as long as their share of the largest', () => {
  const bars = renderSections(VIEW, UTC).bars;
  const widths = [...bars.matchAll(/<rect x="\d+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.equal(widths.length, 3);
  assert.equal(widths[2], 230, 'the largest fills the bar');
  assert.ok(Math.abs(widths[0]! - (72 / 76) * 230) < 0.1);
  assert.match(bars, /<title id="bars-title">Records per member: carol 72, alice 75, bob 76<\/title>/);
});

test("each peer's traffic: datagrams/s, sent, received, retransmissions and drops; unknown until reported", () => {
  const traffic = renderSections(VIEW, UTC).traffic;
  assert.match(traffic, /<th scope="row">alice<\/th><td>InDHT \(suspect\)<\/td><td class="num">13<\/td><td class="num">1,234<\/td><td class="num">1,200<\/td><td class="num">3<\/td><td class="num">1<\/td>/);
  assert.match(traffic, /<th scope="row">bob<\/th><td>InDHT<\/td><td class="num" colspan="5">no figures yet<\/td>/);
  assert.equal(grouped(48561), '48,561');
  assert.equal(grouped(97127000), '97,127,000');
});

test('text from the network is escaped', () => {
  const view: ViewState = { ...VIEW, events: [{ at: 0, kind: 'query', text: '<script>alert("x")</script> & more' }] };
  const html = page(view);
  assert.ok(!html.includes('<script>'));
  assert.ok(html.includes('&lt;script&gt;alert("x")&lt;/script&gt; &amp; more'));
});

test('the page: every section drawn in place, its own style and script only, readable in light and dark', () => {
  const html = pageHtml(VIEW, UTC);
  // The manager's view has no `cluster` key: the cluster's sections are not in its page.
  for (const id of SECTION_IDS) assert.equal(new RegExp(`id="${id}"`).test(html), !CLUSTER_SECTION_IDS.includes(id), id);
  for (const [id, content] of Object.entries(renderSections(VIEW, UTC))) assert.ok(html.includes(content), `section ${id} drawn in the page`);
  assert.match(html, new RegExp(`<script type="module" src="${PAGE_SCRIPT_PATH}"></script>`));
  assert.match(html, new RegExp(`<link rel="stylesheet" href="${STYLE_PATH}">`));
  // Nothing from another origin: every src and href is this server's, or a data: URL.
  for (const m of html.matchAll(/(?:src|href)="([^"]*)"/g)) assert.match(m[1]!, /^(\/|#|data:)/, m[1]);
  assert.match(html, /<html lang="en">/);
  assert.match(html, /<meta name="color-scheme" content="light dark">/);
  assert.match(PAGE_STYLE, /@media \(prefers-color-scheme: dark\)/);
  assert.match(PAGE_STYLE, /:focus-visible/);
  assert.ok(!/url\(|@import|https?:/.test(PAGE_STYLE), 'the style sheet loads nothing');
});
