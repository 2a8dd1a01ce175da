// The cluster's live view in a real browser (issue 16 §2 and §5): `stormdht cluster --json --http`
// with five peers over a synthetic 1996, its page loaded once in Debian's Chromium before anyone
// registers. Then, without a reload: a setup, queries from the Free peer, a leave, a join, a
// member killed and repaired, and a teardown. After each query the path drawn on the ring (data-query and its
// attributes) must be the querier's own --json result: its event id, found, the ids visited, and
// the route they make through the setup's ring. After each command the sequence chart
// (data-sequence) must hold exactly the datagrams that the cluster's --json lines traced for it,
// and its result. The query list works by keyboard. Any console error, uncaught exception or
// request off the cluster's address fails the test. Skips, saying so, without Chromium.
// Ports 26600-26699.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { chromiumMissing, keepScreenshot, openLivePage, type LivePage, type PageWindow } from '../helpers/browser.js';
import { syntheticData, type TempData } from './cluster-cli.js';
import { JsonCluster, type ClusterJsonLine } from './json-cluster.js';

const HTTP_PORT = 26600;
const PEER_PORTS = '26610-26699';
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin'];
const YEAR = '1996';
/** How long the page may take to show a command's last datagrams (it follows within 1 s). */
const WITHIN_MS = 5_000;
/** A command's datagrams are all traced once the processes have printed nothing for this long. */
const QUIET_MS = 400;
const MISSING = chromiumMissing();
const SKIP = MISSING === null ? false : `${MISSING}: the cluster's live view browser test is skipped`;

/** What the page shows of the cluster's part, read from its data attributes. */
interface ClusterShown {
  readonly queries: ReadonlyArray<{ eventId: string | null; querier: string | null; found: string | null; route: string | null; path: string | null }>;
  readonly charts: ReadonlyArray<{ command: string | null; messages: string[]; results: string[] }>;
  /** The query buttons: data-select-query and aria-pressed, in page order. */
  readonly buttons: ReadonlyArray<{ at: string | null; pressed: string | null }>;
}

/** Run in the page. */
function readCluster(): ClusterShown {
  const w = globalThis as unknown as PageWindow;
  const all = (selector: string) => [...w.document.querySelectorAll(selector)];
  return {
    queries: all('[data-query]').map((e) => ({
      eventId: e.getAttribute('data-event-id'),
      querier: e.getAttribute('data-querier'),
      found: e.getAttribute('data-found'),
      route: e.getAttribute('data-route'),
      path: e.getAttribute('data-path'),
    })),
    charts: all('[data-sequence]').map((chart) => {
      const inside = [...(chart as unknown as { querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null }> }).querySelectorAll('[data-from], [data-result]')];
      return {
        command: chart.getAttribute('data-command'),
        messages: inside.filter((m) => m.getAttribute('data-from') !== null).map((m) => `${m.getAttribute('data-from')}>${m.getAttribute('data-to')} ${m.getAttribute('data-message')}`),
        results: inside.filter((m) => m.getAttribute('data-result') !== null).map((m) => `${m.getAttribute('data-process')} ${m.getAttribute('data-result')}`),
      };
    }),
    buttons: all('[data-select-query]').map((b) => ({ at: b.getAttribute('data-select-query'), pressed: b.getAttribute('aria-pressed') })),
  };
}

describe("the cluster's live view in a real browser: each query's path and each command's datagrams, without a reload", { skip: SKIP }, () => {
  let data: TempData;
  let cluster: JsonCluster;
  let live: LivePage;
  const navigations: string[] = [];
  /** ip:port → name, learnt from the register traces, as the cluster names them. */
  const addresses = new Map<string, string>();
  /** The ring's names by id, from the latest result that made it. */
  let ring: string[] = [];

  function named(who: unknown): string {
    return addresses.get(String(who)) ?? String(who);
  }

  /**
   * The datagrams the cluster's --json lines traced since `from` (each once: its sender's line, or
   * its receiver's when the sender is not one of the cluster's processes), as the chart's
   * `from>to type`, in no particular order.
   */
  function tracedSince(from: number): string[] {
    const processes = new Set(['manager', ...NAMES]);
    const out: string[] = [];
    for (const l of cluster.lines.slice(from)) {
      if (l.event !== 'trace') continue;
      const m = /^register (\S+) (\S+) ([0-9]+) ([0-9]+)$/.exec(String(l.text));
      if (m !== null) for (const port of [m[3], m[4]]) addresses.set(`${m[2]}:${port}`, m[1]!);
      const [f, t] = [named(l.from), named(l.to)];
      const bySender = l.process === f;
      if (bySender || (!processes.has(f) && l.process === t)) out.push(`${f}>${t} ${String(l.text).split(' ')[0]}`);
    }
    return out.sort();
  }

  /** Resolves once no process has printed for QUIET_MS. */
  async function quiet(): Promise<void> {
    for (let seen = -1; seen !== cluster.lines.length; ) {
      seen = cluster.lines.length;
      await sleep(QUIET_MS);
    }
  }

  /** Runs a peer's command, checks it succeeded, and checks the chart against the --json traces. */
  async function run(line: string): Promise<ClusterJsonLine> {
    const from = cluster.lines.length;
    const result = await cluster.run(line);
    assert.equal(result.ok, true, `${line}: ${JSON.stringify(result)}`);
    await chartShows(line, from, [`${line.split(' ')[1]} ok`]);
    return result;
  }

  /** The page's chart is `line`'s, with every datagram traced since `from` and these results, within WITHIN_MS. */
  async function chartShows(line: string, from: number, results: string[]): Promise<ClusterShown> {
    await quiet();
    const expected = { command: line, messages: tracedSince(from), results };
    const deadline = Date.now() + WITHIN_MS;
    for (;;) {
      assert.deepEqual(live.problems, [], 'the page had problems');
      const shown = await live.page.evaluate(readCluster);
      const chart = shown.charts.map((c) => ({ ...c, messages: [...c.messages].sort() }));
      if (isDeepStrictEqual(chart, [expected])) return shown;
      if (Date.now() > deadline) {
        const shot = await keepScreenshot(live.page, 'cluster-live-view-failed.png');
        assert.deepEqual(chart, [expected], `the chart of "${line}" against the cluster's --json traces (screenshot ${shot})`);
      }
      await sleep(100);
    }
  }

  before(async () => {
    data = syntheticData(YEAR, 900);
    cluster = new JsonCluster(['--peers', String(NAMES.length), '--data-dir', data.dir, '--port-range', PEER_PORTS, '--http', String(HTTP_PORT)]);
    const announced = await cluster.waitFor((l) => l.process === 'cluster' && l.event === 'live-view', 'the live view line', 0, 15_000);
    assert.equal(announced.url, `http://127.0.0.1:${HTTP_PORT}/`);
    live = await openLivePage(String(announced.url));
    live.page.on('framenavigated', (frame) => navigations.push(frame.url()));
  });

  after(async () => {
    await live?.close();
    await cluster?.stop();
    data?.remove();
  });

  test('before any command: no chart, no query', async () => {
    const shown = await live.page.evaluate(readCluster);
    assert.deepEqual(shown, { queries: [], charts: [], buttons: [] });
  });

  test('register and setup: each chart holds the datagrams its command traced', async () => {
    for (const name of NAMES) await run(`register ${name}`);
    const setup = await run(`setup-dht alice 4 ${YEAR}`);
    ring = (setup.ring as Array<{ name: string }>).map((m) => m.name);
    assert.equal(ring.length, 4);
  });

  test("queries from the Free peer: each path drawn is the querier's own result, and its chart its datagrams", async () => {
    const querier = NAMES.find((n) => !ring.includes(n))!;
    let longest = 0;
    for (const record of data.data.records.slice(0, 12)) {
      const line = `query-dht ${querier} ${record.eventId}`;
      const result = await run(line);
      const visited = result.path as number[];
      assert.equal(result.found, true, JSON.stringify(result));
      const expected = {
        eventId: String(record.eventId),
        querier,
        found: 'true',
        // The querier hands it to the first node, each node to the next, the last one answers home.
        route: [querier, ...visited.map((id) => ring[id]!), querier].join(' '),
        path: visited.join(','),
      };
      const shown = await live.page.evaluate(readCluster);
      assert.deepEqual(shown.queries, [expected], `the path drawn for ${line}`);
      // The newest query is the one drawn, and its button says so.
      assert.equal(shown.buttons.filter((b) => b.pressed === 'true').length, 1);
      assert.equal(shown.buttons[0]!.pressed, 'true');
      longest = Math.max(longest, visited.length);
      if (longest >= 2 && shown.buttons.length >= 2) break;
    }
    assert.ok(longest >= 2, 'no query of 12 went past its first node');
  });

  test('the query list works by keyboard: Enter on an older query draws its path, and it stays chosen', async () => {
    const before = await live.page.evaluate(readCluster);
    const older = before.buttons[1]!;
    await live.page.focus(`[data-select-query="${older.at}"]`);
    await live.page.keyboard.press('Enter');
    const deadline = Date.now() + WITHIN_MS;
    let shown = await live.page.evaluate(readCluster);
    while (shown.buttons[1]?.pressed !== 'true' && Date.now() < deadline) {
      await sleep(50);
      shown = await live.page.evaluate(readCluster);
    }
    assert.deepEqual(shown.buttons.map((b) => b.pressed), shown.buttons.map((_, i) => String(i === 1)));
    assert.notEqual(shown.queries[0]!.eventId, before.queries[0]!.eventId, 'another path is drawn');
    const focused = await live.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('data-select-query') ?? null);
    assert.equal(focused, older.at, 'the focus stays on the chosen query');
    // Two more states (at least one a second): the choice holds.
    await sleep(2_200);
    assert.deepEqual((await live.page.evaluate(readCluster)).queries, shown.queries);
  });

  test('a leave: its chart holds the rebuild', async () => {
    const leaver = ring[1]!;
    const result = await run(`leave-dht ${leaver}`);
    ring = (result.ring as Array<{ name: string }> | undefined)?.map((m) => m.name) ?? ring.filter((n) => n !== leaver);
    assert.equal(ring.length, 3);
  });

  test('a join: its chart holds the rebuild with the joiner', async () => {
    const joiner = NAMES.find((n) => !ring.includes(n))!;
    const result = await run(`join-dht ${joiner}`);
    ring = (result.ring as Array<{ name: string }> | undefined)?.map((m) => m.name) ?? [...ring, joiner];
    assert.equal(ring.length, 4);
  });

  test("a member killed: the kill's chart holds the failure detector's repair as it happens", async (t) => {
    const victim = ring[2]!;
    const from = cluster.lines.length;
    const answer = await cluster.builtin(`kill ${victim}`);
    assert.match(String(answer.text), new RegExp(`^${victim}: process \\d+ killed with SIGKILL`));
    // The repair's counts, printed by the first survivor once the ring is whole again.
    const counts = await cluster.waitFor((l) => l.event === 'counts' && l.reason === 'repair', 'the repair', from, 30_000);
    ring = (counts.ring as Array<{ name: string }>).map((m) => m.name);
    assert.ok(!ring.includes(victim));
    const shown = await chartShows(`kill ${victim}`, from, []);
    assert.ok(shown.charts[0]!.messages.length > 0, 'the repair sent datagrams');
    t.diagnostic(`screenshot: ${await keepScreenshot(live.page, 'cluster-live-view.png')}`);
  });

  test('teardown', async () => {
    await run(`teardown-dht ${ring[0]!}`);
  });

  test("all along: one page load, no console error, no uncaught exception, no request off the cluster's address", () => {
    assert.deepEqual(navigations, []);
    assert.deepEqual(live.problems, []);
  });
});
