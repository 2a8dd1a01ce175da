// SPEC §11.2's full demo script, step by step, on the real 1996 file with a manager and six real
// peer processes on 127.0.0.1 (ports 20000-20999). Expected figures: §12 and §13.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { skipUnlessYear } from '../helpers/shared-data.js';
import {
  assertQuery,
  assertSetup,
  assertSuccess,
  Cluster,
  expectedCounts,
  fileRows,
  registeredAddress,
  ringAfterLeave,
  show,
  SPEC_RECORD_5536849,
} from './cluster.js';

const PORTS = '20000-20999';
const SIX = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];

describe('SPEC §11.2 full demo on 1996 with six peers', { skip: skipUnlessYear('1996') }, () => {
  let c: Cluster;
  let ring: string[] = []; // names in id order
  let x = ''; // the Free peer after setup
  let y = ''; // the leaver
  let idOf = new Map<string, number>();

  before(async () => {
    c = await Cluster.start({ portRange: PORTS });
  });
  after(async () => {
    await c?.close();
  });

  test('step 1: six peers register', async () => {
    for (const name of SIX) {
      c.spawn(name);
      assertSuccess(await c.run(name, `register ${name}`), 'register');
    }
    for (const name of SIX) {
      const st = await c.status(name);
      assert.equal(st.state, 'Free', show(st));
    }
  });

  test('step 2: setup-dht alice 5 1996 stores 9710/9720/9714/9700/9717 (l 48561, s 97127)', async () => {
    const result = await c.run('alice', 'setup-dht alice 5 1996');
    ring = assertSetup(result, 'alice', '1996', 5);
    assert.ok(ring.every((n) => SIX.includes(n)), show(result));
    // Each tuple carries the member's address and p-port, as it registered them.
    for (const t of result.ring as Array<{ name: string; ip: string; port: number }>) {
      const a = registeredAddress(c.peer(t.name));
      assert.deepEqual([t.ip, t.port], [a.ip, a.pPort], `tuple of ${t.name}: ${show(result)}`);
    }
    idOf = await c.assertRing(ring, '1996', ring);
    assert.equal(idOf.get('alice'), 0);
  });

  test('step 2: the peer left out is found by its status reading Free', async () => {
    const free: string[] = [];
    for (const name of SIX) if ((await c.status(name)).state === 'Free') free.push(name);
    assert.equal(free.length, 1, `exactly one Free peer expected, got ${free.join(', ')}`);
    x = free[0]!;
    assert.ok(!ring.includes(x));
    await c.assertFree([x]);
  });

  test('step 3: X queries 5536849, 2402920, 5539287, 55770111 (SPEC §12, n = 5)', async () => {
    const expectations: Array<[number, boolean, number]> = [
      [5536849, true, 0],
      [2402920, false, 2],
      [5539287, true, 3],
      [55770111, false, 3],
    ];
    for (const [id, found, owner] of expectations) {
      const q = await c.query(x, `query-dht ${x} ${id}`);
      assertQuery('1996', id, 5, q, idOf);
      assert.equal(q.result.found, found, show(q.result));
      assert.equal((q.result.path as number[]).at(-1), owner, `§12 owner for ${id}: ${show(q.result)}`);
      if (id === 5536849) assert.equal(JSON.stringify(q.result.record), SPEC_RECORD_5536849, show(q.result));
      if (id === 2402920) assert.equal(q.result.message, 'Storm event 2402920 not found in the DHT.');
      if (id === 5539287) {
        const r = q.result.record as Record<string, string>;
        assert.deepEqual(
          [r.state, r.year, r.month_name, r.event_type, r.cz_type, r.cz_name, r.injuries_direct, r.injuries_indirect, r.deaths_direct, r.deaths_indirect, r.damage_property, r.damage_crops, r.tor_f_scale],
          ['ARIZONA', '1996', 'January', 'Dust Storm', 'Z', 'NORTHERN GREENLEE', '17', '0', '0', '0', '', '', ''],
          show(q.result),
        );
      }
    }
  });

  test('step 4: the leader leaves; its right neighbour leads a ring of 4 with 12169/12144/12128/12120', async () => {
    y = ring[0]!;
    const expectedRing = ringAfterLeave(ring, y);
    const result = await c.run(y, `leave-dht ${y}`);
    assertSuccess(result, 'leave-dht');
    assert.equal(result.newLeader, ring[1], `the new leader must be the leaver's right neighbour ${ring[1]}: ${show(result)}`);
    assert.deepEqual(result.recordsPerNode, expectedCounts('1996', 4), show(result));
    ring = expectedRing;
    idOf = await c.assertRing(ring, '1996', ring);
    await c.assertFree([x, y]);
  });

  test('step 5: the leaver queries 5536849: found, path ends at 2 (n = 4)', async () => {
    const q = await c.query(y, `query-dht ${y} 5536849`);
    assertQuery('1996', 5536849, 4, q, idOf);
    assert.equal((q.result.path as number[]).at(-1), 2, show(q.result));
    assert.equal(JSON.stringify(q.result.record), SPEC_RECORD_5536849, show(q.result));
  });

  test('step 6: X joins: id 4, leader unchanged, counts again 9710/9720/9714/9700/9717', async () => {
    const leader = ring[0]!;
    const result = await c.run(x, `join-dht ${x}`);
    assertSuccess(result, 'join-dht');
    assert.equal(result.newLeader, leader, `the leader must stay ${leader}: ${show(result)}`);
    assert.deepEqual(result.recordsPerNode, expectedCounts('1996', 5), show(result));
    ring = [...ring, x];
    idOf = await c.assertRing(ring, '1996', ring);
    assert.equal(idOf.get(x), 4);
  });

  test('step 7: the other outside peer queries 5539287: found, path ends at 3', async () => {
    const q = await c.query(y, `query-dht ${y} 5539287`);
    assertQuery('1996', 5539287, 5, q, idOf);
    assert.equal(q.result.found, true);
    assert.equal((q.result.path as number[]).at(-1), 3, show(q.result));
    assert.deepEqual(q.result.record, fileRows('1996').byId.get(5539287));
  });

  test('step 8: the current leader tears down; all six are Free with no records', async () => {
    const leader = ring[0]!;
    assertSuccess(await c.run(leader, `teardown-dht ${leader}`), 'teardown-dht');
    await c.assertFree(SIX);
  });

  test('step 9: every peer deregisters, gets SUCCESS and exits 0; the manager exits 0 on SIGINT', async () => {
    for (const name of SIX) {
      const result = await c.run(name, `deregister ${name}`);
      assertSuccess(result, 'deregister');
      assert.equal(await c.peer(name).exited, 0, `${name} exit status`);
    }
    assert.equal(await c.manager.proc.stop('SIGINT'), 0, 'manager exit status on SIGINT');
  });
});
