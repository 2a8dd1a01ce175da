// The live view from a cluster (issue 16 §2): `stormdht cluster --http PORT` serves the manager's
// view with the cluster's part added, says where, and follows what is typed at the cluster: each
// query's hot-potato walk (against the querier's own result) and the current command's datagrams.
// Real processes over a synthetic 1950; ports 26500-26599 on 127.0.0.1 (HTTP 26500, 26501).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ViewState } from '../../src/live/view-types.js';
import { PipedCluster, runToEnd, syntheticData, textsOf, type TempData } from './cluster-cli.js';

const HTTP_PORT = 26500;
const BUSY_HTTP_PORT = 26501;
const PORTS = '26510-26599';

async function fetchState(): Promise<ViewState> {
  return (await (await fetch(`http://127.0.0.1:${HTTP_PORT}/state`)).json()) as ViewState;
}

/** The state once `ready` holds of it (within 5 s: the view follows within 1 s). */
async function stateWhen(ready: (v: ViewState) => boolean, what: string): Promise<ViewState> {
  let state = await fetchState();
  for (let tries = 0; tries < 50 && !ready(state); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await fetchState();
  }
  assert.ok(ready(state), `${what}: ${JSON.stringify(state)}`);
  return state;
}

describe("cluster --http: the cluster serves the manager's view and its own part", () => {
  let data: TempData;
  let c: PipedCluster;
  before(() => {
    data = syntheticData('1950');
    c = new PipedCluster(['--peers', '4', '--data-dir', data.dir, '--port-range', PORTS, '--http', String(HTTP_PORT)]);
  });
  after(() => {
    c?.kill();
    data?.remove();
  });

  test('it says where the view is, and /state follows register and setup-dht', async () => {
    for (const name of ['alice', 'bob', 'carol', 'dave']) await c.run(`register ${name}`);
    assert.ok(c.lines.includes(`live view at http://127.0.0.1:${HTTP_PORT}/`), c.lines.join('\n'));
    // The manager's own view, which the cluster follows, is not the user's address.
    assert.deepEqual(textsOf(c.lines, 'manager').filter((t) => t.startsWith('live view')), []);
    const setup = await c.run('setup-dht alice 3 1950');
    assert.ok(textsOf(setup, 'alice').includes('setup-dht SUCCESS'), setup.join('\n'));
    const state = await stateWhen((v) => v.dht?.year === '1950' && v.dht.complete, 'the DHT of 1950');
    assert.deepEqual(state.peers.map((p) => p.name).sort(), ['alice', 'bob', 'carol', 'dave']);
    assert.equal(state.peers.find((p) => p.name === 'alice')?.state, 'Leader');
    assert.deepEqual(state.cluster?.processes, ['manager', 'alice', 'bob', 'carol', 'dave']);
  });

  test("each query's walk on the ring matches the querier's own result, and the chart holds its datagrams", async () => {
    const members = (await fetchState()).dht!.members.map((m) => m.name);
    const querier = ['alice', 'bob', 'carol', 'dave'].find((n) => !members.includes(n))!;
    // Queries until one walks past its first node (each is checked): the first node is the manager's random pick.
    let longest = 0;
    for (const record of data.data.records.slice(0, 12)) {
      const eventId = record.eventId;
      await c.run(`query-dht ${querier} ${eventId}`);
      const state = await stateWhen(
        (v) =>
          v.cluster?.queries.some((q) => q.eventId === eventId && q.ok !== null && q.hops.some((h) => h.kind === 'find-result')) === true &&
          // The manager's log has it from the querier's heartbeats.
          v.events.some((e) => e.kind === 'query' && e.text.startsWith(`query ${eventId} from ${querier}: `)),
        `query ${eventId} in the cluster's view and in the log`,
      );
      const q = [...state.cluster!.queries].reverse().find((x) => x.eventId === eventId)!;
      assert.deepEqual([q.querier, q.ok, q.found], [querier, true, true], JSON.stringify(q));
      // The walk: from the querier to node path[0], on through the rest of the path, and the answer home.
      const ids = new Map(state.dht!.members.map((m) => [m.name, m.id]));
      const walk = q.hops.filter((h) => h.kind === 'find-event');
      assert.equal(walk[0]!.from, querier);
      assert.deepEqual(walk.map((h) => ids.get(h.to)), q.path, JSON.stringify(q));
      const home = q.hops.at(-1)!;
      assert.deepEqual([home.kind, home.from, home.to, q.by], ['find-result', walk.at(-1)!.to, querier, walk.at(-1)!.to]);
      // The log names the event id, which the protocol's query-dht never carries.
      assert.ok(state.events.some((e) => e.kind === 'query' && e.text.startsWith(`query ${eventId} from ${querier}: found by ${q.by}`)), JSON.stringify(state.events));
      // The chart of the command: ask the manager, its answer, the walk, the result.
      const cmd = state.cluster!.command!;
      assert.equal(cmd.line, `query-dht ${querier} ${eventId}`);
      const said = cmd.steps.map((s) => (s.kind === 'message' ? `${s.from}>${s.to} ${s.text.split(' ')[0]}` : `${s.kind} ${s.process}`));
      const expected = [`${querier}>manager query-dht`, `manager>${querier} query-dht`, ...q.hops.map((h) => `${h.from}>${h.to} ${h.kind}`), `result ${querier}`];
      assert.deepEqual(said.filter((x) => expected.includes(x)), expected, said.join('\n'));
      // Every datagram between two of the cluster's processes is traced by both: each step has both times.
      for (const s of cmd.steps) if (s.kind === 'message') assert.ok(s.sentAt !== null && s.receivedAt !== null, JSON.stringify(s));
      longest = Math.max(longest, q.path.length);
      if (longest >= 2) break;
    }
    assert.ok(longest >= 2, 'no query of 12 went past its first node');
  });

  test('the page the cluster serves has the chart and the walk', async () => {
    const html = await (await fetch(`http://127.0.0.1:${HTTP_PORT}/`)).text();
    assert.match(html, /data-sequence/);
    assert.match(html, /data-query/);
  });
});

test('cluster --http on a port in use: one line, exit 1, and no process left', async () => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(BUSY_HTTP_PORT, '127.0.0.1', resolve));
  try {
    const data = syntheticData('1950');
    try {
      const r = await runToEnd(['cluster', '--peers', '3', '--data-dir', data.dir, '--port-range', PORTS, '--http', String(BUSY_HTTP_PORT)], '');
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, `stormdht cluster: cannot serve the live view on 127.0.0.1:${BUSY_HTTP_PORT} (EADDRINUSE)\n`);
    } finally {
      data.remove();
    }
  } finally {
    busy.close();
  }
});

test('cluster --http-host without --http, and a bad --http, are usage errors (exit 2)', async () => {
  for (const [args, message] of [
    [['--http-host', '127.0.0.1'], /^stormdht: --http-host needs --http <port>$/],
    [['--http', 'x'], /^stormdht: .*--http/],
  ] as const) {
    const r = await runToEnd(['cluster', ...args], '');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.split('\n')[0]!, message);
  }
});
