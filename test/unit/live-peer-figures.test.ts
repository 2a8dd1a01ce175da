// Peers report their figures on their heartbeats (issue 16): over a memory network on virtual
// time, the manager's figures follow each node's table, count the traffic of a query and not the
// heartbeats, and show an idle peer at 0 datagrams/s; a peer without heartbeats reports nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagerLiveView } from '../../src/live/manager-live.js';
import { memoryCluster } from './peer-fixtures.js';

test("the manager's figures follow each node's records, count a query's datagrams and not the heartbeats", async () => {
  const live = new ManagerLiveView();
  const c = await memoryCluster(['alice', 'bob', 'carol', 'dave'], {}, { observer: live.observer });
  try {
    await c.ok('alice', 'setup-dht alice 3 1950');
    await c.settle(300); // a few heartbeats
    const members = [...c.nodes].filter(([, node]) => node.ring !== null);
    assert.equal(members.length, 3);
    for (const [name, node] of c.nodes) {
      const figure = c.manager.figures.get(name);
      assert.ok(figure !== null, `${name} reported no figures`);
      assert.equal(figure.figures.records, node.table.size, `${name}'s records`);
      assert.equal(figure.figures.replicas, undefined, 'no copies with R = 1');
    }
    const view = new ManagerLiveView().view(c.manager);
    assert.deepEqual(
      view.dht!.members.map((m) => m.records),
      view.dht!.members.map((m) => c.nodes.get(m.name)!.table.size),
    );
    assert.equal(view.dht!.l, members.reduce((sum, [, node]) => sum + node.table.size, 0));

    // Idle for two seconds: twenty heartbeats each way, and no datagram counted.
    const free = [...c.nodes.keys()].find((name) => c.nodes.get(name)!.ring === null)!;
    const before = c.manager.figures.get(free)!.figures;
    await c.settle(2_000);
    const idle = c.manager.figures.get(free)!;
    assert.deepEqual(idle.figures, before);
    assert.equal(idle.datagramsPerSecond, 0);

    // A query: the querier's query-dht and find-event go out, their answers come in.
    await c.ok(free, `query-dht ${free} 123`);
    await c.settle(300);
    const after = c.manager.figures.get(free)!.figures;
    assert.ok(after.sent! >= before.sent! + 2, `sent ${before.sent} → ${after.sent}`);
    assert.ok(after.received! >= before.received! + 2, `received ${before.received} → ${after.received}`);
    assert.equal(after.retransmits, 0);
    assert.equal(after.dropped, 0);
    // The query itself rode on the heartbeats: the manager's log names its event id, once.
    const path = c.nodes.get(free)!.queryReports.current(c.clock.now())[0]!.path;
    const lines = live.view(c.manager).events.filter((e) => e.kind === 'query').map((e) => e.text);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, new RegExp(`^query from ${free} → first node [a-z]+$`));
    assert.equal(lines[1], `query 123 from ${free}: not found after visiting nodes ${path.join(', ')}`);
  } finally {
    await c.close();
  }
});

test('a peer without heartbeats reports no figures', async () => {
  const c = await memoryCluster(['alice', 'bob', 'carol'], { heartbeatMs: null });
  try {
    await c.settle(500);
    for (const name of c.nodes.keys()) assert.equal(c.manager.figures.get(name), null);
  } finally {
    await c.close();
  }
});
