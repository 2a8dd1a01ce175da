// The manager's live view in a real browser (issue 16 §5): Debian's Chromium, headless, through
// playwright-core. A manager with --http and six peers on 127.0.0.1 over a synthetic 1996; the page
// is loaded once, before anyone registers, and then follows, without a reload: register, setup,
// a query, a leave, a join, a member killed with SIGKILL (greyed while suspect, gone once evicted,
// the ring repaired without it) and teardown. After each step the page's data attributes (the test
// contract, docs/live-view.md §8) must agree within a few seconds with the peers' own --json
// results and `status`, and its event log must say what happened. Any console error, uncaught
// exception or request off the manager's HTTP address fails the test. A screenshot is kept as a
// test artefact. Skips, saying so, when Chromium is not installed. Ports 26000-26499.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { startManager, startPeer, type JsonChild, type JsonLine, type ManagerProcess } from '../../src/cli/processes.js';
import { chromiumMissing, keepScreenshot, openLivePage, type LivePage, type PageWindow } from '../helpers/browser.js';
import { syntheticData, type TempData } from './cluster-cli.js';
import { assertSuccess, pickedNode, registeredAddress, show } from './cluster.js';

const MANAGER_PORT = 26000;
const HTTP_PORT = 26001;
const PEER_PORTS = '26010-26099';
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const YEAR = '1996';
/** How long the page may take to show a step (it follows within 1 s; records come with heartbeats). */
const WITHIN_MS = 5_000;
const MISSING = chromiumMissing();
const SKIP = MISSING === null ? false : `${MISSING}: the live view's browser test is skipped`;

/** What the page shows, read from its data attributes (all strings, as in the DOM). */
interface Shown {
  /** Every element with data-peer, by name (sorted): a name twice is a failure of the contract. */
  readonly peers: ReadonlyArray<{ name: string; state: string | null; id: string | null; records: string | null; liveness: string | null }>;
  /** Every element with data-dht. */
  readonly dht: ReadonlyArray<{ year: string | null; size: string | null }>;
}

interface PageSnapshot extends Shown {
  /** The text of each element with data-events. */
  readonly events: readonly string[];
  /** The text of the list of peers evicted lately. */
  readonly departed: string;
  /** Each ring node's circle fill, by name (to see the greying). */
  readonly fills: Readonly<Record<string, string>>;
}

/** Run in the page: what it shows. */
function readPage(): PageSnapshot {
  const w = globalThis as unknown as PageWindow;
  const all = (selector: string) => [...w.document.querySelectorAll(selector)];
  const peers = all('[data-peer]').map((e) => ({
    name: e.getAttribute('data-peer') ?? '',
    state: e.getAttribute('data-state'),
    id: e.getAttribute('data-id'),
    records: e.getAttribute('data-records'),
    liveness: e.getAttribute('data-liveness'),
  }));
  peers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const fills: Record<string, string> = {};
  for (const e of all('[data-peer]')) {
    const circle = e.querySelector('circle');
    if (circle !== null) fills[e.getAttribute('data-peer') ?? ''] = w.getComputedStyle(circle).fill;
  }
  return {
    peers,
    dht: all('[data-dht]').map((e) => ({ year: e.getAttribute('data-year'), size: e.getAttribute('data-size') })),
    events: all('[data-events]').map((e) => e.textContent ?? ''),
    departed: w.document.querySelector('ul.departed')?.textContent ?? '',
    fills,
  };
}

/** A peer as its own `status` says, and for a member the records its ring's result gave its id. */
interface PeerTruth {
  readonly name: string;
  readonly state: string;
  readonly id: number | null;
  readonly records: number | null;
}

function expectedShown(truths: readonly PeerTruth[], year: string | null): Shown {
  const peers = [...truths]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((t) => ({ name: t.name, state: t.state, id: t.id === null ? null : String(t.id), records: t.records === null ? null : String(t.records), liveness: 'alive' }));
  const members = truths.filter((t) => t.id !== null).length;
  return { peers, dht: year === null ? [] : [{ year, size: String(members) }] };
}

describe('the live view in a real browser follows register, setup, a query, a leave, a join, a kill and teardown without a reload', { skip: SKIP }, () => {
  let data: TempData;
  let manager: ManagerProcess;
  let base: string;
  let live: LivePage;
  const peers = new Map<string, JsonChild>();
  /** Every line the event log must hold so far. */
  const logged: string[] = [];
  /** Every navigation after the page's load (there must be none: no reload). */
  const navigations: string[] = [];
  /** The records per ring id of the latest result that made the ring, or null without a DHT. */
  let ringCounts: readonly number[] | null = null;

  function peer(name: string): JsonChild {
    const p = peers.get(name);
    assert.ok(p !== undefined, `no peer ${name}`);
    return p;
  }

  async function run(name: string, line: string): Promise<JsonLine> {
    const result = await peer(name).run(line);
    assertSuccess(result, line.split(' ')[0]!);
    return result;
  }

  /**
   * Every registered peer as its `status` says: state and id, and for a member the records that
   * `ringCounts` (the latest setup's, leave's or join's result, or the repair's counts) give its
   * id, which its status must also report.
   */
  async function truths(): Promise<PeerTruth[]> {
    const out: PeerTruth[] = [];
    for (const name of peers.keys()) {
      const st = await run(name, 'status');
      const id = typeof st.id === 'number' ? st.id : null;
      const records = id === null ? null : ringCounts![id]!;
      if (id !== null) assert.equal(st.records, records, `${name}'s status against recordsPerNode ${show(ringCounts)}: ${show(st)}`);
      out.push({ name, state: String(st.state), id, records });
    }
    return out;
  }

  /** The page agrees with every peer's status and the latest counts, and its log has every line of `logged`. */
  async function check(what: string): Promise<PeerTruth[]> {
    const all = await truths();
    await pageShows(expectedShown(all, ringCounts === null ? null : YEAR), what);
    return all;
  }

  /** The page once it shows `expected` and its log holds every line of `logged`, within WITHIN_MS. */
  async function pageShows(expected: Shown, what: string): Promise<PageSnapshot> {
    const deadline = Date.now() + WITHIN_MS;
    for (;;) {
      assert.deepEqual(live.problems, [], 'the page had problems');
      const snap = await live.page.evaluate(readPage);
      const shown: Shown = { peers: snap.peers, dht: snap.dht };
      const missing = logged.filter((line) => !snap.events.some((text) => text.includes(line)));
      if (isDeepStrictEqual(shown, expected) && missing.length === 0 && snap.events.length === 1) return snap;
      if (Date.now() > deadline) {
        const shot = await keepScreenshot(live.page, 'live-view-failed.png');
        assert.deepEqual(shown, expected, `${what}: the page's data attributes after ${WITHIN_MS} ms (screenshot ${shot})`);
        assert.equal(snap.events.length, 1, 'one element with data-events');
        assert.deepEqual(missing, [], `${what}: lines missing from the event log, which reads:\n${snap.events.join('\n')}`);
      }
      await sleep(100);
    }
  }

  before(async () => {
    data = syntheticData(YEAR, 900);
    manager = await startManager({ port: MANAGER_PORT, extraArgs: ['--http', String(HTTP_PORT)] });
    base = String((await manager.proc.waitForLine((l) => l.event === 'live-view', 5_000)).url);
    assert.equal(base, `http://127.0.0.1:${HTTP_PORT}/`);
    // The one page load: from here on the page follows by itself.
    live = await openLivePage(base);
    live.page.on('framenavigated', (frame) => navigations.push(frame.url()));
  });

  after(async () => {
    // The browser first: the page must not see its manager go.
    await live?.close();
    await Promise.all([...peers.values()].map((p) => p.stop('SIGTERM', 5_000)));
    await manager?.proc.stop('SIGINT', 5_000);
    data?.remove();
  });

  test('the page as loaded: no peers, no DHT, an empty log', async () => {
    const snap = await pageShows({ peers: [], dht: [] }, 'before any register');
    assert.match(snap.events[0]!, /No events yet\./);
  });

  test('register: six peers appear Free, each once, and the log says each register with its address', async () => {
    for (const name of NAMES) {
      peers.set(name, startPeer(name, manager, { dataDir: data.dir, portRange: PEER_PORTS }));
      await run(name, `register ${name}`);
      const a = registeredAddress(peer(name));
      logged.push(`${name} registered at ${a.ip} (m-port ${a.mPort}, p-port ${a.pPort})`);
    }
    const all = await check('after the registers');
    assert.deepEqual(
      all.map((t) => t.state),
      NAMES.map(() => 'Free'),
    );
  });

  test("setup: the members with the ids and records of the result, the DHT's year and size", async () => {
    const result = await run('alice', `setup-dht alice 4 ${YEAR}`);
    const ring = (result.ring as Array<{ name: string }>).map((t) => t.name);
    ringCounts = result.recordsPerNode as number[];
    logged.push(`alice sets up a DHT of 4 for ${YEAR}: ${ring.join(', ')}`, `the DHT of ${YEAR} is complete: 4 nodes, leader alice`);
    const all = await check('after the setup');
    for (const t of all) assert.equal(t.id, ring.includes(t.name) ? ring.indexOf(t.name) : null, `${t.name}'s id against the ring of the result`);
  });

  test('a query from a Free peer: the log names the querier, the first node, the event id and the nodes visited', async () => {
    const querier = (await truths()).find((t) => t.state === 'Free')!.name;
    const start = peer(querier).lines.length;
    const result = await run(querier, `query-dht ${querier} ${data.data.records[7]!.eventId}`);
    assert.equal(result.found, true, show(result));
    const picked = pickedNode(peer(querier).lines.slice(start));
    assert.ok(picked !== null, `${querier} traced no node picked by the manager`);
    const path = result.path as number[];
    logged.push(`query from ${querier} → first node ${picked}`, `after visiting node${path.length === 1 ? '' : 's'} ${path.join(', ')}`, `query ${data.data.records[7]!.eventId} from ${querier}: found by `);
    await check('after the query');
  });

  test('a leave: the ring rebuilt without the leaver, who is Free again', async () => {
    const leaver = (await truths()).find((t) => t.id === 1)!.name;
    const result = await run(leaver, `leave-dht ${leaver}`);
    ringCounts = result.recordsPerNode as number[];
    assert.equal(ringCounts.length, 3, show(result));
    logged.push(`${leaver} leaves the DHT`, `the DHT is rebuilt without ${leaver}: 3 nodes, leader ${String(result.newLeader)}`);
    const all = await check('after the leave');
    assert.equal(all.find((t) => t.name === leaver)!.state, 'Free');
  });

  test('a join: the ring rebuilt with the joiner', async () => {
    const joiner = (await truths()).find((t) => t.state === 'Free')!.name;
    const result = await run(joiner, `join-dht ${joiner}`);
    ringCounts = result.recordsPerNode as number[];
    assert.equal(ringCounts.length, 4, show(result));
    logged.push(`${joiner} joins the DHT`, `${joiner} joined the DHT: 4 nodes, leader ${String(result.newLeader)}`);
    const all = await check('after the join');
    assert.notEqual(all.find((t) => t.name === joiner)!.id, null);
  });

  test('a member killed: greyed while suspect, gone once evicted, the ring repaired without it', async (t) => {
    const ring = await truths();
    const victim = ring.find((p) => p.id === 2)!.name;
    const witness = ring.find((p) => p.id === 1)!.name;
    peer(victim).child.kill('SIGKILL');
    assert.equal(await peer(victim).exited, 'SIGKILL');
    peers.delete(victim);
    // Suspect after 1 s of silence, evicted at 2.5 s: the page must show the time between.
    const deadline = Date.now() + 2_500 + WITHIN_MS;
    let suspect: PageSnapshot | null = null;
    while (suspect === null) {
      assert.deepEqual(live.problems, [], 'the page had problems');
      const snap = await live.page.evaluate(readPage);
      if (snap.peers.some((p) => p.name === victim && p.liveness === 'suspect')) suspect = snap;
      else assert.ok(Date.now() < deadline, `the page never showed ${victim} suspect: ${show(snap.peers)}`);
      await sleep(50);
    }
    assert.deepEqual(
      suspect.peers.filter((p) => p.name === victim).map((p) => [p.state, p.id]),
      [['InDHT', '2']],
      'the suspect stays in its place in the ring',
    );
    assert.notEqual(suspect.fills[victim], suspect.fills[witness], `${victim}'s node is greyed (${suspect.fills[victim]}; ${witness}'s is ${suspect.fills[witness]})`);
    // The first survivor (the leader: the victim was node 2) rebuilds the ring and prints its counts.
    const leader = ring.find((p) => p.id === 0)!.name;
    const counts = await peer(leader).waitForLine((l) => l.event === 'counts' && l.reason === 'repair', 20_000);
    ringCounts = counts.recordsPerNode as number[];
    assert.deepEqual(
      (counts.ring as Array<{ name: string }>).map((m) => m.name),
      ring.filter((p) => p.id !== null && p.name !== victim).sort((a, b) => a.id! - b.id!).map((p) => p.name),
    );
    logged.push(`suspect ${victim}: no heartbeat for`, `evicted ${victim} died`, `repair: ${leader} rebuilds the ring of 3 without ${victim}`, `the DHT is repaired: 3 nodes, leader ${leader}`);
    const repaired = await check('after the repair');
    assert.ok(!repaired.some((p) => p.name === victim));
    const snap = await live.page.evaluate(readPage);
    assert.match(snap.departed, new RegExp(`\\b${victim}\\b`), 'the evicted peer is listed as evicted lately');
    t.diagnostic(`screenshot: ${await keepScreenshot(live.page, 'live-view.png')}`);
  });

  test('teardown: no DHT, every peer Free', async () => {
    const leader = (await truths()).find((p) => p.id === 0)!.name;
    await run(leader, `teardown-dht ${leader}`);
    ringCounts = null;
    logged.push(`${leader} tears the DHT down`, 'the DHT is torn down: its members are Free');
    const all = await check('after the teardown');
    assert.ok(all.every((p) => p.state === 'Free'));
  });

  test("all along: one page load, no console error, no uncaught exception, no request off the manager's address", () => {
    assert.deepEqual(navigations, [], 'the page was never reloaded nor left');
    assert.deepEqual(live.problems, []);
  });
});
