// A manager that lost its state (issue 13: restarted without --state-dir) knows no peer. A peer
// learns it from the first reply to a command (the `forgotten` key), or by asking when it is told
// to register while it thinks it is registered: it says so in one line, drops its registration and
// ring state, and registers again. Heartbeats are off here, so the replies alone must do it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagerServer } from '../../src/manager/server.js';
import type { PeerEvent } from '../../src/peer/events.js';
import { MANAGER_AT, memoryCluster } from './peer-fixtures.js';

test('a peer the restarted manager does not know is told so, drops its ring state, and registers again', async () => {
  const notes: string[] = [];
  const c = await memoryCluster(['alice', 'bob', 'carol', 'dave'], { heartbeatMs: null, onEvent: (e: PeerEvent) => void (e.kind === 'note' && notes.push(e.text)) });
  try {
    await c.ok('alice', 'setup-dht alice 3 1950');
    const free = [...c.nodes.keys()].find((name) => c.nodes.get(name)!.ring === null)!;
    const member = [...c.nodes.keys()].find((name) => name !== 'alice' && c.nodes.get(name)!.ring !== null)!;
    // Known to the manager: register is refused, as before.
    const again = await c.run(free, `register ${free}`);
    assert.equal(again.ok, false);
    assert.equal(again.error, `already registered as ${free}`);

    await c.manager.close(); // the manager's process dies, and a new one starts empty
    const fresh = await ManagerServer.start({ host: MANAGER_AT.ip, port: MANAGER_AT.port, clock: c.clock, bind: (ip, port) => c.net.bind(ip, port) });
    try {
      // A command: the reply says the manager does not know the peer, which drops its registration.
      const query = await c.run(free, `query-dht ${free} 10096222`);
      assert.equal(query.ok, false);
      assert.match(query.error ?? '', new RegExp(`the manager does not know ${free} at 10\\.0\\.0\\.2:\\d+: register again`));
      assert.equal(c.nodes.get(free)!.name, null);
      assert.equal(notes.filter((n) => n.startsWith(`the manager no longer knows ${free} `)).length, 1, 'said once');
      await c.ok(free, `register ${free}`);

      // A member told to register asks the manager first, drops its ring and records, and registers.
      const node = c.nodes.get(member)!;
      assert.ok(node.table.size > 0);
      await c.ok(member, `register ${member}`);
      assert.equal(node.ring, null);
      assert.equal(node.table.size, 0);
      assert.ok(notes.some((n) => n.startsWith(`the manager no longer knows ${member} `) && n.includes('its ring state')));
      assert.deepEqual([...fresh.state.peers.keys()].sort(), [free, member].sort());
    } finally {
      await fresh.close();
    }
  } finally {
    await c.close();
  }
});
