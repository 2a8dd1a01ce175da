// The manager's live view over real processes (issue 16): `stormdht manager --http` and five
// peers on 127.0.0.1 play register, setup (n = 3 of a synthetic 1996), a query, a join, a leave,
// a teardown and a deregister. After each, GET /state must agree with the peers' own --json
// results (records per member equal recordsPerNode, ids equal each member's status) and the event
// log must say it; a state event of GET /events must follow each change within 1 s. GET / is the
// page with its script, anything but GET is refused, a port in use is one line and exit 1, and
// SIGINT ends the manager with its stream open. Ports 34500-34999.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { JsonChild, startManager, startPeer, type JsonLine, type ManagerProcess } from '../../src/cli/processes.js';
import type { ViewState } from '../../src/live/view-types.js';
import { syntheticData, type TempData } from './cluster-cli.js';
import { assertSuccess, pickedNode, show } from './cluster.js';

const MANAGER_PORT = 34500;
const HTTP_PORT = 34501;
const PEER_PORTS = '34510-34599';
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin'];
/** A change must reach the page within this (issue 16: "updating within 1 s"). */
const WITHIN_MS = 1_000;

/** The state events of GET /events, each with when it arrived. */
class EventStream {
  readonly states: Array<{ at: number; view: ViewState }> = [];
  comments = 0;
  ended = false;
  private readonly abort = new AbortController();

  static async open(url: string): Promise<EventStream> {
    const stream = new EventStream();
    const res = await fetch(url, { signal: stream.abort.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    void stream.read(res.body!.getReader());
    return stream;
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (block.startsWith(':')) this.comments++;
          const data = /^event: state\ndata: (.*)$/s.exec(block);
          if (data) this.states.push({ at: Date.now(), view: JSON.parse(data[1]!) as ViewState });
        }
      }
    } catch {
      // aborted
    }
    this.ended = true;
  }

  /** The first state event at or after `since` that passes `test`, within `ms` of `since`. */
  async awaitState(since: number, test: (v: ViewState) => boolean, what: string, ms = WITHIN_MS): Promise<ViewState> {
    for (;;) {
      const hit = this.states.find((s) => s.at >= since && test(s.view));
      if (hit !== undefined) {
        assert.ok(hit.at - since <= ms, `${what}: the stream said so ${hit.at - since} ms later`);
        return hit.view;
      }
      assert.ok(Date.now() - since <= ms, `${what}: no state event within ${ms} ms`);
      await sleep(20);
    }
  }

  close(): void {
    this.abort.abort();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('the live view of a manager (--http) follows register, setup, query, join, leave, teardown, deregister', () => {
  let data: TempData;
  let manager: ManagerProcess;
  let base: string;
  let stream: EventStream;
  const peers = new Map<string, JsonChild>();

  async function getState(): Promise<ViewState> {
    const res = await fetch(`${base}state`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    return (await res.json()) as ViewState;
  }

  /** /state once `test` holds, within WITHIN_MS of `since` (records come with the next heartbeats). */
  async function stateWhen(since: number, test: (v: ViewState) => boolean, what: string, ms = WITHIN_MS): Promise<ViewState> {
    for (;;) {
      const view = await getState();
      if (test(view)) return view;
      assert.ok(Date.now() - since <= ms, `${what} not in /state within ${ms} ms: ${show(view)}`);
      await sleep(25);
    }
  }

  async function run(name: string, line: string): Promise<{ result: JsonLine; at: number }> {
    const result = await peers.get(name)!.run(line);
    assertSuccess(result, line.split(' ')[0]!);
    return { result, at: Date.now() };
  }

  /** The members in /state agree with each member's status: name, id, records; and the ring's records with `counts`. */
  async function assertRing(view: ViewState, counts: readonly number[]): Promise<void> {
    const dht = view.dht!;
    assert.deepEqual(
      dht.members.map((m) => m.records),
      counts,
    );
    assert.equal(dht.n, counts.length);
    assert.equal(dht.l, counts.reduce((a, b) => a + b, 0));
    for (const m of dht.members) {
      const status = await peers.get(m.name)!.run('status');
      assert.equal(status.id, m.id, `${m.name}'s id: ${show(status)}`);
      assert.equal(status.records, m.records, `${m.name}'s records: ${show(status)}`);
      assert.equal(status.state, m.id === 0 ? 'Leader' : 'InDHT');
      const peer = view.peers.find((p) => p.name === m.name)!;
      assert.equal(peer.state, status.state);
      assert.equal(peer.id, m.id);
    }
    assert.equal(dht.leader, dht.members[0]!.name);
  }

  function eventTexts(view: ViewState): string[] {
    return view.events.map((e) => `${e.kind}: ${e.text}`);
  }

  before(async () => {
    data = syntheticData('1996', 900);
    manager = await startManager({ port: MANAGER_PORT, extraArgs: ['--http', String(HTTP_PORT)] });
    const line = await manager.proc.waitForLine((l) => l.event === 'live-view', 5_000);
    base = String(line.url);
    assert.equal(base, `http://127.0.0.1:${HTTP_PORT}/`);
    stream = await EventStream.open(`${base}events`);
  });

  after(async () => {
    stream?.close();
    await Promise.all([...peers.values()].map((p) => p.stop('SIGTERM', 5_000)));
    await manager?.proc.stop('SIGINT', 5_000);
    data?.remove();
  });

  test('register: every peer appears Free, in order, with its address; the log says each register', async () => {
    const initial = await getState();
    assert.deepEqual(initial.peers, []);
    assert.equal(initial.dht, null);
    assert.equal(initial.mode, 'Idle');
    assert.ok(stream.states.length >= 1, 'the stream gives the view at once');
    for (const name of NAMES) {
      const peer = startPeer(name, manager, { dataDir: data.dir, portRange: PEER_PORTS });
      peers.set(name, peer);
      const { at } = await run(name, `register ${name}`);
      await stream.awaitState(at - 200, (v) => v.peers.some((p) => p.name === name), `${name} registered`);
    }
    const view = await getState();
    assert.deepEqual(
      view.peers.map((p) => [p.name, p.state, p.id, p.liveness, p.ip]),
      NAMES.map((n) => [n, 'Free', null, 'alive', '127.0.0.1']),
    );
    for (const p of view.peers) {
      assert.ok(p.mPort >= 34510 && p.mPort <= 34599 && p.pPort >= 34510 && p.pPort <= 34599, show(p));
    }
    assert.deepEqual(
      view.events.map((e) => e.kind),
      NAMES.map(() => 'register'),
    );
    assert.match(view.events[0]!.text, /^alice registered at 127\.0\.0\.1 \(m-port \d+, p-port \d+\)$/);
  });

  test('setup: the ring in id order with the records of recordsPerNode, year, l and s, within 1 s', async () => {
    const { result, at } = await run('alice', 'setup-dht alice 3 1996');
    const ring = (result.ring as Array<{ name: string }>).map((t) => t.name);
    const counts = result.recordsPerNode as number[];
    const streamed = await stream.awaitState(at - 200, (v) => v.dht !== null && v.dht.complete, 'the DHT set up');
    assert.deepEqual(
      streamed.dht!.members.map((m) => m.name),
      ring,
    );
    const view = await stateWhen(at, (v) => v.dht !== null && v.dht.members.every((m, i) => m.records === counts[i]), 'the setup records');
    assert.equal(view.dht!.year, '1996');
    assert.equal(view.dht!.l, result.records);
    assert.equal(view.dht!.s, result.s);
    assert.equal(view.dht!.complete, true);
    assert.equal(view.dht!.leader, 'alice');
    await assertRing(view, counts);
    const free = NAMES.filter((n) => !ring.includes(n));
    for (const n of free) assert.equal(view.peers.find((p) => p.name === n)!.state, 'Free');
    const log = eventTexts(view);
    assert.ok(log.includes(`setup: alice sets up a DHT of 3 for 1996: ${ring.join(', ')}`), log.join('\n'));
    assert.ok(log.includes(`setup: the DHT of 1996 is complete: 3 nodes, leader alice`), log.join('\n'));
  });

  test("a query: the log names the querier, the first node the manager picked, the event id and the nodes visited; the querier's traffic counts it", async () => {
    const view0 = await getState();
    const free = view0.peers.find((p) => p.state === 'Free')!.name;
    const querier = peers.get(free)!;
    const start = querier.lines.length;
    const sentBefore = view0.peers.find((p) => p.name === free)!.traffic!.sent;
    const id = data.data.records[7]!.eventId;
    const { result, at } = await run(free, `query-dht ${free} ${id}`);
    assert.equal(result.found, true, show(result));
    const picked = pickedNode(querier.lines.slice(start));
    assert.ok(picked !== null);
    const text = `query from ${free} → first node ${picked}`;
    await stream.awaitState(at - 200, (v) => v.events.some((e) => e.kind === 'query' && e.text === text), 'the query in the log');
    // The querier's heartbeats report it answered: the log names the event id and the nodes visited.
    const path = result.path as number[];
    const answered = new RegExp(`^query ${id} from ${free}: found by [a-z]+ after visiting nodes? ${path.join(', ')}$`);
    await stream.awaitState(at - 200, (v) => v.events.some((e) => e.kind === 'query' && answered.test(e.text)), 'the answered query in the log');
    const view = await stateWhen(at, (v) => v.peers.find((p) => p.name === free)!.traffic!.sent >= sentBefore + 2, "the querier's traffic");
    const traffic = view.peers.find((p) => p.name === free)!.traffic!;
    assert.ok(traffic.received >= 2 && traffic.retransmits >= 0 && traffic.dropped === 0, show(traffic));
    // Rates are measured over a second of heartbeats: the last peer registered a moment ago.
    await stateWhen(at, (v) => v.peers.every((p) => p.traffic !== null && p.traffic.datagramsPerSecond !== null), 'every peer with a measured rate', 2_000);
  });

  test('a join and a leave: the rebuilt rings, their records and their leaders', async () => {
    const view0 = await getState();
    const joiner = view0.peers.find((p) => p.state === 'Free')!.name;
    const join = await run(joiner, `join-dht ${joiner}`);
    const joinCounts = join.result.recordsPerNode as number[];
    const joined = await stateWhen(join.at, (v) => v.dht!.n === 4 && v.dht!.members.every((m, i) => m.records === joinCounts[i]), 'the ring after the join');
    assert.equal(joined.dht!.leader, join.result.newLeader);
    assert.ok(joined.dht!.members.some((m) => m.name === joiner));
    await assertRing(joined, joinCounts);
    assert.ok(eventTexts(joined).includes(`join: ${joiner} joins the DHT`));
    assert.ok(eventTexts(joined).includes(`join: ${joiner} joined the DHT: 4 nodes, leader ${join.result.newLeader}`));

    const leaver = joined.dht!.members[1]!.name;
    const leave = await run(leaver, `leave-dht ${leaver}`);
    const leaveCounts = leave.result.recordsPerNode as number[];
    await stream.awaitState(leave.at - 200, (v) => v.dht !== null && v.dht.n === 3 && !v.dht.members.some((m) => m.name === leaver), 'the ring after the leave');
    const left = await stateWhen(leave.at, (v) => v.dht!.n === 3 && v.dht!.members.every((m, i) => m.records === leaveCounts[i]), 'the ring after the leave');
    assert.equal(left.dht!.leader, leave.result.newLeader);
    await assertRing(left, leaveCounts);
    assert.equal(left.peers.find((p) => p.name === leaver)!.state, 'Free');
    assert.ok(eventTexts(left).includes(`leave: the DHT is rebuilt without ${leaver}: 3 nodes, leader ${leave.result.newLeader}`));
  });

  test('teardown and deregister: no DHT, every peer Free, then one peer gone', async () => {
    const leader = (await getState()).dht!.leader;
    const { at } = await run(leader, `teardown-dht ${leader}`);
    const view = await stream.awaitState(at - 200, (v) => v.dht === null, 'the DHT torn down');
    assert.ok(view.peers.every((p) => p.state === 'Free' && p.id === null), show(view.peers));
    const records = await stateWhen(at, (v) => v.peers.every((p) => p.records === 0), 'no records held');
    assert.ok(eventTexts(records).includes('teardown: the DHT is torn down: its members are Free'));

    const gone = NAMES[4]!;
    const dereg = await run(gone, `deregister ${gone}`);
    const after = await stream.awaitState(dereg.at - 200, (v) => !v.peers.some((p) => p.name === gone), `${gone} deregistered`);
    assert.equal(after.peers.length, NAMES.length - 1);
    assert.equal(after.events.at(-1)!.text, `${gone} deregistered`);
    assert.deepEqual(
      [...new Set(after.events.map((e) => e.kind))],
      ['register', 'setup', 'query', 'join', 'leave', 'teardown', 'deregister'],
    );
  });

  test('a killed peer: greyed as suspect within 1 s of its silence turning suspect, then evicted and listed as departed', async () => {
    const victim = NAMES[3]!;
    const killed = Date.now();
    peers.get(victim)!.child.kill('SIGKILL');
    // The detector suspects it after 1 s of silence, and evicts it at 2.5 s.
    const suspect = await stream.awaitState(killed, (v) => v.peers.some((p) => p.name === victim && p.liveness === 'suspect'), `${victim} suspect`, 1_000 + WITHIN_MS);
    assert.ok(suspect.events.some((e) => e.kind === 'death' && e.text.startsWith(`suspect ${victim}: no heartbeat for`)));
    const evicted = await stream.awaitState(killed, (v) => !v.peers.some((p) => p.name === victim), `${victim} evicted`, 2_500 + WITHIN_MS);
    assert.deepEqual(evicted.departed, [victim]);
    assert.match(evicted.events.at(-1)!.text, new RegExp(`^evicted ${victim} died \\(no heartbeat for \\d\\.\\d s\\)`));
  });

  test('the stream: a state event at least every second, at most five a second', async () => {
    const from = stream.states.length;
    await sleep(2_300);
    // The rates still change as the last commands' traffic leaves their one-second windows.
    const quiet = stream.states.slice(from);
    assert.ok(quiet.length >= 2 && quiet.length <= 12, `${quiet.length} state events in 2.3 s`);
    for (let i = 1; i < quiet.length; i++) assert.ok(quiet[i]!.at - quiet[i - 1]!.at <= WITHIN_MS + 150, `${quiet[i]!.at - quiet[i - 1]!.at} ms without a state event`);
  });

  test('GET / is the page drawn from the state, with its style and script; anything else is 404, anything but GET 405', async () => {
    const page = await fetch(base);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await page.text();
    assert.match(html, /<ol class="log" data-events>/);
    for (const name of NAMES.slice(0, 3)) assert.match(html, new RegExp(`data-peer="${name}" data-state="Free"`));
    const script = await fetch(`${base}page/main.mjs`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    const code = await script.text();
    assert.match(code, /new EventSource\('\/events'\)/);
    // The script's own imports are served too.
    for (const m of code.matchAll(/from '(\.\.\/[\w-]+\.js)'/g)) {
      const res = await fetch(new URL(m[1]!, `${base}page/`));
      assert.equal(res.status, 200, m[1]);
      await res.arrayBuffer();
    }
    const style = await fetch(`${base}style.css`);
    assert.equal(style.status, 200);
    assert.match(await style.text(), /prefers-color-scheme: dark/);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(`${base}state`, { method, body: method === 'DELETE' ? null : '{}' });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
      await res.arrayBuffer();
    }
    for (const path of ['nothing', '../package.json', 'page/../../src/live/http-server.ts', 'view-render.ts']) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 404, path);
      await res.arrayBuffer();
    }
  });

  test('a port in use: one line, exit 1', async () => {
    const second = new JsonChild('second', ['manager', String(MANAGER_PORT + 2), '--host', '127.0.0.1', '--http', String(HTTP_PORT)]);
    assert.equal(await second.exited, 1);
    assert.equal(second.stderr, `stormdht manager: cannot serve the live view on 127.0.0.1:${HTTP_PORT} (EADDRINUSE)\n`);
  });

  test('SIGINT ends the manager at once, its open stream closed', async () => {
    const started = Date.now();
    assert.equal(await manager.proc.stop('SIGINT', 5_000), 0);
    assert.ok(Date.now() - started < 2_000, `the manager took ${Date.now() - started} ms to stop`);
    for (let i = 0; i < 50 && !stream.ended; i++) await sleep(20);
    assert.equal(stream.ended, true, 'the stream ended');
    await assert.rejects(fetch(`${base}state`));
  });
});
