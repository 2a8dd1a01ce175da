// The cluster's part of the live view (cluster-render.ts, through renderSections and pageHtml):
// the paths section (each query's hot-potato walk on the ring) and the sequence section (the
// current command's message-sequence chart), read through their test contract — data-query,
// data-event-id, data-querier, data-found, data-route, data-path, data-hop; data-sequence,
// data-command, data-from/data-to/data-message, data-result/data-process, data-note — plus the
// selection, the text alternatives, escaping, and a page that asks for nothing from elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageHtml, PAGE_STYLE } from '../../src/live/page-html.js';
import { CLUSTER_SECTION_IDS, renderSections, ringPoint, type RenderOptions } from '../../src/live/view-render.js';
import type { ViewCluster, ViewCommand, ViewHop, ViewMember, ViewPeer, ViewQuery, ViewState, ViewStep } from '../../src/live/view-types.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0, 0);
const UTC: RenderOptions = { timeText: (at: number) => new Date(at).toISOString().slice(11, 23) };

/** The attributes (decoded) of every element that has `name`, in document order. */
function elementsWith(html: string, name: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const tag of html.matchAll(/<[a-zA-Z]+\b([^>]*)>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of tag[1]!.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) attrs[a[1]!] = decode(a[2] ?? '');
    if (name in attrs) out.push(attrs);
  }
  return out;
}

function decode(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The text of the HTML, tags dropped and entities decoded. */
function textOf(html: string): string {
  return decode(html.replace(/<[^>]*>/g, ''));
}

/** The items of the first `<ol class="…">` as text. */
function listItems(html: string, cls: string): string[] {
  const start = html.indexOf(`<ol class="${cls}">`);
  assert.ok(start >= 0, `no <ol class="${cls}">`);
  const list = html.slice(start, html.indexOf('</ol>', start));
  return [...list.matchAll(/<li[^>]*>(.*?)<\/li>/g)].map((m) => textOf(m[1]!));
}

function peer(name: string, state: ViewPeer['state'], id: number | null): ViewPeer {
  return { name, state, ip: '127.0.0.1', mPort: 7000 + 2 * name.length, pPort: 7001 + 2 * name.length, liveness: 'alive', id, records: 10, replicas: null, traffic: null };
}

const MEMBERS: ViewMember[] = [
  { id: 0, name: 'carol', records: 72, replicas: null, liveness: 'alive' },
  { id: 1, name: 'alice', records: 75, replicas: null, liveness: 'alive' },
  { id: 2, name: 'bob', records: 76, replicas: null, liveness: 'alive' },
];

function hop(from: string, to: string, kind: ViewHop['kind'], at: number): ViewHop {
  return { from, to, kind, at };
}

function query(at: number, more: Partial<ViewQuery>): ViewQuery {
  return { at, querier: 'dave', eventId: 10096222, ok: true, found: true, path: [], by: null, error: null, hops: [], ring: [], ...more };
}

/** Found by carol over three hops: dave → bob → carol, and the result home. */
const FOUND = query(T0 + 1_000, {
  path: [2, 0],
  by: 'carol',
  hops: [hop('dave', 'bob', 'find-event', T0 + 1_000), hop('bob', 'carol', 'find-event', T0 + 1_002), hop('carol', 'dave', 'find-result', T0 + 1_004)],
});
const NOT_FOUND = query(T0 + 2_000, {
  eventId: 5,
  found: false,
  path: [1, 2, 0],
  hops: [hop('dave', 'alice', 'find-event', T0 + 2_000), hop('alice', 'bob', 'find-event', T0 + 2_001), hop('bob', 'carol', 'find-event', T0 + 2_002), hop('carol', 'dave', 'find-result', T0 + 2_003)],
});
const FAILED = query(T0 + 3_000, { eventId: null, ok: false, found: null, error: 'no DHT' });

const PROCESSES = ['manager', 'alice', 'bob', 'carol', 'dave', 'erin'];

function message(from: string, to: string, text: string, sentAt: number | null, receivedAt: number | null = sentAt): ViewStep {
  return { kind: 'message', from, to, text, sentAt, receivedAt };
}

const COMMAND: ViewCommand = {
  line: 'query-dht dave 10096222',
  at: T0 + 999,
  steps: [
    message('dave', '127.0.0.1:7010', 'query-dht name=dave', T0 + 1_000, null),
    message('127.0.0.1:7010', 'dave', 'query-dht-ok first=bob', null, T0 + 1_001),
    { kind: 'note', process: 'dave', at: T0 + 1_001, text: 'asking bob' },
    message('dave', 'bob', 'find-event eventId=10096222 querier=dave path=[2]', T0 + 1_002),
    message('bob', 'carol', 'find-event eventId=10096222 querier=dave path=[2,0]', T0 + 1_003),
    message('carol', 'carol', 'self-check', T0 + 1_004),
    message('carol', 'dave', 'find-result eventId=10096222 found=true', T0 + 1_005),
    { kind: 'result', process: 'dave', at: T0 + 1_006, ok: true, text: 'query-dht SUCCESS' },
    { kind: 'result', process: 'manager', at: T0 + 1_007, ok: false, text: 'members FAILURE (no DHT)' },
  ],
  omitted: 0,
};

function clusterView(cluster: Partial<ViewCluster>, more: Partial<ViewState> = {}): ViewState {
  return {
    mode: 'Idle',
    waitingFor: null,
    replicas: 1,
    peers: [peer('alice', 'InDHT', 1), peer('bob', 'InDHT', 2), peer('carol', 'Leader', 0), peer('dave', 'Free', null)],
    dht: { year: '1950', n: 3, l: 223, s: 449, leader: 'carol', complete: true, replicas: 1, members: MEMBERS },
    departed: [],
    events: [],
    cluster: { processes: PROCESSES, command: COMMAND, queries: [FOUND, NOT_FOUND, FAILED], ...cluster },
    ...more,
  };
}

function paths(view: ViewState, options: RenderOptions = {}): string {
  return renderSections(view, { ...UTC, ...options }).paths;
}

function sequence(view: ViewState): string {
  return renderSections(view, UTC).sequence;
}

/** The one element with data-query. */
function drawnQuery(html: string): Record<string, string> {
  const found = elementsWith(html, 'data-query');
  assert.equal(found.length, 1, 'exactly one data-query');
  return found[0]!;
}

test('without a cluster key: no paths or sequence container in the page, and both sections empty', () => {
  const { cluster: _, ...manager } = clusterView({});
  const sections = renderSections(manager, UTC);
  for (const id of CLUSTER_SECTION_IDS) assert.equal(sections[id], '', id);
  const html = pageHtml(manager, UTC);
  assert.ok(!html.includes('id="paths"') && !html.includes('id="sequence"'));
  assert.ok(!html.includes('Queries on the ring') && !html.includes('Skip to the current command'));
  assert.equal(elementsWith(html, 'data-query').length + elementsWith(html, 'data-sequence').length, 0);

  // With one: both, after the ring and before the records, under their headings.
  const cluster = pageHtml(clusterView({}), UTC);
  const at = (marker: string) => cluster.indexOf(marker);
  assert.ok(at('id="ring"') < at('<h2 id="h-paths">Queries on the ring</h2><div id="paths">'));
  assert.ok(at('id="paths"') < at('<h2 id="h-sequence">The current command, message by message</h2><div id="sequence">'));
  assert.ok(at('id="sequence"') < at('id="bars"'));
  assert.ok(cluster.includes(renderSections(clusterView({}), UTC).paths));
  assert.match(cluster, /<a class="skip" href="#sequence">Skip to the current command<\/a>/);
});

test('a query found over three hops: the data-* contract, the numbered arrows, the list and the sentence', () => {
  const html = paths(clusterView({ queries: [FOUND] }));
  const q = drawnQuery(html);
  assert.equal(q['data-event-id'], '10096222');
  assert.equal(q['data-querier'], 'dave');
  assert.equal(q['data-found'], 'true');
  assert.equal(q['data-route'], 'dave bob carol dave');
  assert.equal(q['data-path'], '2,0');
  // Each hop an arrow, numbered in hop order, find-events in one class, the result in another.
  assert.deepEqual(
    [...html.matchAll(/<g class="hop ([a-z-]+)" data-hop="(\d+)"><title>([^<]*)<\/title><path d="[^"]*" marker-end="url\(#arrow-([a-z-]+)\)"/g)].map((m) => `${m[2]} ${m[1]} ${m[4]} ${textOf(m[3]!)}`),
    ['1 find-event find-event 1. dave → bob: find-event', '2 find-event find-event 2. bob → carol: find-event', '3 find-result find-result 3. carol → dave: find-result'],
  );
  assert.match(html, /<marker id="arrow-find-event" class="find-event"[^>]*>/);
  assert.match(html, /<marker id="arrow-find-result" class="find-result"[^>]*>/);
  assert.match(PAGE_STYLE, /\.hop\.find-result path \{[^}]*stroke-dasharray/);
  assert.deepEqual(listItems(html, 'hops'), ['dave → bob: find-event', 'bob → carol: find-event', 'carol → dave: find-result']);
  assert.match(html, /<figcaption>query 10096222 from dave: found by carol after visiting nodes 2, 0<\/figcaption>/);
});

test('the walk is drawn on the ring: members where the ring draws them, the querier at the centre', () => {
  const view = clusterView({ queries: [FOUND] });
  const html = paths(view);
  const circles = [...html.matchAll(/<g class="path-node([^"]*)"><circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"\/>/g)].map((m) => ({ cls: m[1]!.trim(), x: Number(m[2]), y: Number(m[3]) }));
  assert.equal(circles.length, 4, 'three members and the querier');
  for (const m of MEMBERS) {
    const p = ringPoint(m.id, MEMBERS.length);
    assert.deepEqual({ x: circles[m.id]!.x, y: circles[m.id]!.y }, { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 }, m.name);
  }
  // The same places as in the ring section: node 0 at the top, at x = 210.
  const ring = renderSections(view, UTC).ring;
  assert.match(ring, new RegExp(`data-peer="carol"[^>]*><title>[^<]*</title><circle cx="${circles[0]!.x}" cy="${circles[0]!.y}"`));
  assert.deepEqual(circles[3], { cls: 'querier', x: 210, y: 210 });
  // Alice took no part: not marked visited; bob and carol did.
  assert.deepEqual(
    circles.slice(0, 3).map((c) => c.cls),
    ['visited', '', 'visited'],
  );
  // The first arrow leaves the centre (the querier's circle edge, 20 from it) for bob's circle.
  const first = /data-hop="1"><title>[^<]*<\/title><path d="M([\d.]+) ([\d.]+) Q/.exec(html)!;
  assert.ok(Math.abs(Math.hypot(Number(first[1]) - 210, Number(first[2]) - 210) - 20) < 0.2, first[0]);
  // Nothing in the drawing claims to be a registered peer (data-peer is the ring's and the list's).
  assert.equal(elementsWith(html, 'data-peer').length, 0);
});

test('a query is drawn on the ring it was asked of, not on a ring that changed since', () => {
  // Asked of a ring of four, in which erin was node 3; today's ring (MEMBERS) has three, without erin.
  const asked = query(T0 + 1_000, {
    path: [3],
    by: 'erin',
    ring: ['carol', 'alice', 'bob', 'erin'],
    hops: [hop('dave', 'erin', 'find-event', T0 + 1_000), hop('erin', 'dave', 'find-result', T0 + 1_001)],
  });
  const html = paths(clusterView({ queries: [asked] }));
  const circles = [...html.matchAll(/<g class="path-node[^"]*"><circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.equal(circles.length, 5, 'four members and the querier');
  const erin = ringPoint(3, 4);
  assert.deepEqual(circles[3], [Math.round(erin.x * 10) / 10, Math.round(erin.y * 10) / 10]);
  assert.equal(elementsWith(html, 'data-hop').length, 2, 'both hops drawn: erin is on the ring of the query');
  assert.match(html, /<title id="paths-title">[^<]*on the ring of 4 it was asked of/);
  // Without the query's ring, today's is used, and said to be today's: erin is not on it.
  const html2 = paths(clusterView({ queries: [{ ...asked, ring: [] }] }));
  assert.equal(elementsWith(html2, 'data-hop').length, 0);
  assert.match(html2, /on today&#39;s ring of 3|on today's ring of 3/);
});

test('a query not found, and one that failed before asking the ring (no event id, no hops)', () => {
  const notFound = paths(clusterView({ queries: [NOT_FOUND] }));
  const q = drawnQuery(notFound);
  assert.deepEqual([q['data-event-id'], q['data-found'], q['data-route'], q['data-path']], ['5', 'false', 'dave alice bob carol dave', '1,2,0']);
  assert.equal(elementsWith(notFound, 'data-hop').length, 4);
  assert.match(notFound, /<figcaption>query 5 from dave: not found after visiting nodes 1, 2, 0<\/figcaption>/);

  const failed = paths(clusterView({ queries: [FAILED] }));
  const f = drawnQuery(failed);
  assert.deepEqual([f['data-event-id'], f['data-querier'], f['data-found'], f['data-route'], f['data-path']], ['', 'dave', '', 'dave', '']);
  assert.equal(elementsWith(failed, 'data-hop').length, 0);
  assert.match(failed, /<figcaption>query from dave: failed: no DHT<\/figcaption>/);
  assert.match(failed, /No datagrams of this query seen/);

  const running = paths(clusterView({ queries: [query(T0, { ok: null, found: null, hops: [hop('dave', 'bob', 'find-event', T0)] })] }));
  assert.equal(drawnQuery(running)['data-found'], '');
  assert.match(running, /<figcaption>query 10096222 from dave: in progress<\/figcaption>/);
});

test('the list of queries: newest first, one pressed button each; the newest drawn by default, another by its at', () => {
  const view = clusterView({});
  const byDefault = paths(view);
  const buttons = elementsWith(byDefault, 'data-select-query');
  assert.deepEqual(
    buttons.map((b) => `${b['data-select-query']} ${b['aria-pressed']} ${b.type}`),
    [`${FAILED.at} true button`, `${NOT_FOUND.at} false button`, `${FOUND.at} false button`],
  );
  assert.deepEqual(
    [...byDefault.matchAll(/<button[^>]*>(.*?)<\/button>/g)].map((m) => textOf(m[1]!)),
    ['12:00:03.000 dave –: failed', '12:00:02.000 dave 5: not found', '12:00:01.000 dave 10096222: found'],
  );
  assert.equal(drawnQuery(byDefault)['data-event-id'], '', 'the newest (the failed one) by default');

  const chosen = paths(view, { selectedQuery: FOUND.at });
  assert.equal(drawnQuery(chosen)['data-route'], 'dave bob carol dave');
  assert.deepEqual(
    elementsWith(chosen, 'data-select-query').map((b) => b['aria-pressed']),
    ['false', 'false', 'true'],
  );
  // A selection no longer among the queries (shifted out): the newest again.
  assert.equal(paths(view, { selectedQuery: 42 }), byDefault);
  assert.match(paths(clusterView({ queries: [] })), /^<p>No queries yet\.<\/p>$/);
});

test('a hop with an end neither on the ring nor the querier is left out of the drawing but kept in the list', () => {
  const strayed = query(T0, {
    path: [0],
    by: 'carol',
    hops: [hop('dave', 'erin', 'find-event', T0), hop('erin', 'carol', 'find-event', T0 + 1), hop('carol', 'dave', 'find-result', T0 + 2)],
  });
  const html = paths(clusterView({ queries: [strayed] }));
  assert.deepEqual(
    elementsWith(html, 'data-hop').map((h) => h['data-hop']),
    ['3'],
  );
  assert.equal(drawnQuery(html)['data-route'], 'dave erin carol dave');
  assert.deepEqual(listItems(html, 'hops'), [
    'dave → erin: find-event (not on the ring: not drawn)',
    'erin → carol: find-event (not on the ring: not drawn)',
    'carol → dave: find-result',
  ]);
  assert.match(html, /<title id="paths-title">[^<]*: 1 of 3 hops drawn/);
});

test('without a DHT the queries are still listed, with no ring to draw', () => {
  const html = paths(clusterView({}, { dht: null }));
  assert.equal(elementsWith(html, 'data-select-query').length, 3);
  assert.match(html, /No DHT: no ring to draw\./);
  assert.ok(!html.includes('<svg'));
  assert.equal(drawnQuery(html)['data-querier'], 'dave');
  const found = paths(clusterView({}, { dht: null }), { selectedQuery: FOUND.at });
  assert.deepEqual(listItems(found, 'hops'), ['dave → bob: find-event', 'bob → carol: find-event', 'carol → dave: find-result']);
});

test('the sequence chart: lifelines of the processes that took part in the cluster order, then others; one row per step in order', () => {
  const html = sequence(clusterView({}));
  const chart = elementsWith(html, 'data-sequence');
  assert.equal(chart.length, 1);
  assert.equal(chart[0]!['data-command'], 'query-dht dave 10096222');
  assert.match(html, /<figcaption><code>query-dht dave 10096222<\/code>, run at <time datetime="2026-01-01T12:00:00.999Z">12:00:00.999<\/time>: 9 steps<\/figcaption>/);
  // Lifelines, left to right: alice and erin took no part.
  const heads = [...html.matchAll(/<g class="participant"><title>([^<]*)<\/title><rect x="([\d.]+)"/g)].map((m) => ({ name: m[1]!, x: Number(m[2]) }));
  assert.deepEqual(
    heads.map((h) => h.name),
    ['manager', 'bob', 'carol', 'dave', '127.0.0.1:7010'],
  );
  assert.ok(heads.every((h, i) => i === 0 || h.x > heads[i - 1]!.x));
  // Every message, in step order, from its sender's lifeline to its receiver's.
  const lifeline = new Map([...html.matchAll(/<g class="participant"><title>([^<]*)<\/title>.*?<line class="lifeline" x1="([\d.]+)"/g)].map((m) => [m[1]!, Number(m[2])]));
  const messages = [...html.matchAll(/<g class="msg" data-from="([^"]*)" data-to="([^"]*)" data-message="([^"]*)"><title>[^<]*<\/title>(<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)"|<path d="M([\d.]+) ([\d.]+))/g)];
  assert.deepEqual(
    messages.map((m) => `${m[1]} ${m[2]} ${m[3]}`),
    ['dave 127.0.0.1:7010 query-dht', '127.0.0.1:7010 dave query-dht-ok', 'dave bob find-event', 'bob carol find-event', 'carol carol self-check', 'carol dave find-result'],
  );
  for (const m of messages) {
    const from = lifeline.get(m[1]!)!;
    const to = lifeline.get(m[2]!)!;
    if (m[5] === undefined) assert.equal(Number(m[8]), from, 'a message to itself loops from its lifeline');
    else {
      assert.equal(Number(m[5]), from, `${m[1]} → ${m[2]} starts on the sender's lifeline`);
      assert.ok(Math.abs(Number(m[7]) - to) <= 2, `${m[1]} → ${m[2]} ends on the receiver's lifeline`);
    }
  }
  // Notes and results: a box across their process's lifeline.
  const boxes = [...html.matchAll(/<g class="(?:note|result [a-z]+)"[^>]*data-process="([^"]*)"><title>[^<]*<\/title><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)];
  assert.deepEqual(
    boxes.map((b) => b[1]),
    ['dave', 'dave', 'manager'],
  );
  for (const b of boxes) {
    const [left, width, line] = [Number(b[2]), Number(b[3]), lifeline.get(b[1]!)!];
    // Centred on its lifeline unless that would cover the times in the gutter (72 px): then it starts just right of them.
    const centred = Math.abs(left + width / 2 - line) < 0.2;
    assert.ok(centred || (left === 74 && left < line && line < left + width), `${b[1]}'s box across its lifeline (${left}, ${width}, ${line})`);
    assert.ok(left >= 74, `${b[1]}'s box clear of the gutter`);
  }
  // Rows top to bottom in step order.
  const ys = messages.filter((m) => m[6] !== undefined).map((m) => Number(m[6]));
  assert.deepEqual(
    ys,
    [...ys].sort((a, b) => a - b),
  );
  assert.match(html, /<text class="offset" x="64" y="[\d.]+">\+1 ms<\/text>/);
});

test('the sequence chart: results coloured by ok, notes on their lifeline, long texts cut, omitted steps said, a list with times', () => {
  const long = `store ${'x'.repeat(100)}`;
  const command: ViewCommand = { ...COMMAND, steps: [...COMMAND.steps, message('dave', 'bob', long, T0 + 1_010)], omitted: 12 };
  const html = sequence(clusterView({ command }));
  assert.deepEqual(
    elementsWith(html, 'data-result').map((r) => `${r['data-result']} ${r['data-process']} ${r.class}`),
    ['ok dave result ok', 'failed manager result failed'],
  );
  assert.deepEqual(
    elementsWith(html, 'data-note').map((n) => n['data-process']),
    ['dave'],
  );
  assert.match(PAGE_STYLE, /\.result\.ok rect \{ fill: var\(--ok-bg\)/);
  assert.match(PAGE_STYLE, /@media \(prefers-color-scheme: dark\) \{[^@]*--ok-bg: #173a22;/);
  // The label cut to 56 characters, the last '…'; the whole text in the title.
  const label = new RegExp(`<title>dave → bob: ${long}</title><line[^>]*/><text[^>]*>(store x+…)</text>`).exec(html);
  assert.ok(label !== null, 'the long message');
  assert.equal([...label[1]!].length, 56);
  assert.match(html, /<p class="omitted">12 more steps came after these and are neither drawn nor listed\.<\/p>/);
  assert.match(html, /<div id="sequence-chart" class="scroll chart" tabindex="0" role="region"/);
  const items = listItems(html.slice(html.indexOf('<details><summary>The messages as a list</summary>')), 'steps');
  assert.equal(items.length, command.steps.length);
  assert.deepEqual(items.slice(0, 3), ['12:00:01.000 dave → 127.0.0.1:7010: query-dht name=dave', '12:00:01.001 127.0.0.1:7010 → dave: query-dht-ok first=bob', '12:00:01.001 dave notes: asking bob']);
  assert.equal(items[8], '12:00:01.007 manager: members FAILURE (no DHT)');

  assert.equal(sequence(clusterView({ command: null })), '<p>No command run yet.</p>');
  assert.ok(!sequence(clusterView({ command: { ...COMMAND, omitted: 0 } })).includes('class="omitted"'));
});

test('hostile text is escaped in the text and in every attribute', () => {
  const evil = '<script>alert("x")</script> & "more"';
  const command: ViewCommand = {
    line: `query-dht ${evil}`,
    at: T0,
    steps: [message(evil, 'bob', `${evil} tail`, T0), { kind: 'result', process: evil, at: T0, ok: false, text: evil }],
    omitted: 0,
  };
  const q = query(T0, { querier: evil, error: evil, ok: false, found: null, hops: [hop(evil, 'bob', 'find-event', T0)] });
  const view = clusterView({ command, queries: [q], processes: ['manager', 'bob'] });
  const html = pageHtml(view, UTC);
  assert.ok(!html.includes('<script>alert'), 'no script element from the data');
  assert.equal(elementsWith(html, 'data-sequence')[0]!['data-command'], `query-dht ${evil}`);
  assert.deepEqual(
    elementsWith(html, 'data-from').map((m) => [m['data-from'], m['data-message']]),
    [[evil, '<script>alert("x")</script>']],
  );
  assert.equal(elementsWith(html, 'data-result')[0]!['data-process'], evil);
  assert.equal(drawnQuery(html)['data-querier'], evil);
  assert.equal(drawnQuery(html)['data-route'], `${evil} bob`);
  assert.ok(textOf(html).includes(`failed: ${evil}`));
});

test('the page with the cluster\'s sections asks for nothing off this machine', () => {
  const html = pageHtml(clusterView({}), UTC);
  assert.ok(html.includes('data-sequence') && html.includes('data-query'));
  assert.ok(!/https?:|\/\//.test(html), 'no URL of another origin');
  for (const m of html.matchAll(/(?:src|href)="([^"]*)"/g)) assert.match(m[1]!, /^(\/[^/]|#|data:)/, m[1]);
  // Markers are referenced within the page only.
  for (const m of html.matchAll(/url\(([^)]*)\)/g)) assert.match(m[1]!, /^#arrow-[a-z-]+$/);
  assert.ok(!/url\(|@import|https?:/.test(PAGE_STYLE), 'the style sheet loads nothing');
});
