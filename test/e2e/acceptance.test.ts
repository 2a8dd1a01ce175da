// The acceptance script as one test: a manager and EIGHT `stormdht peer --json` processes
// through registration, bad commands, a 1996 DHT of 5 with dozens of queries, a leave by the
// leader, a join, teardown, a second DHT (1952, n = 7), teardown and deregistration. Exactly
// SPEC's counts (§13) and the file's rows at every step. Ports 25000-25999.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { skipUnlessYear } from '../helpers/shared-data.js';
import {
  absentIds,
  assertQuery,
  assertSetup,
  assertSuccess,
  expectedCounts,
  pickIds,
  ringAfterLeave,
  show,
  withCluster,
  type Cluster,
} from './cluster.js';

const PORTS = '25000-25999';
const EIGHT = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

/** Queries every id from the Free peers in turn; each answer must be the file's row or the exact not-found line. */
async function queryAll(c: Cluster, free: readonly string[], year: string, n: number, ids: readonly number[], idOf: Map<string, number>): Promise<void> {
  for (const [i, id] of ids.entries()) {
    const who = free[i % free.length]!;
    assertQuery(year, id, n, await c.query(who, `query-dht ${who} ${id}`), idOf);
  }
}

test('acceptance: eight peers, 1996 n = 5, leave, join, teardown, 1952 n = 7, teardown, deregister', { skip: skipUnlessYear('1996', '1952') }, async () => {
  await withCluster({ portRange: PORTS }, async (c) => {
    const outside = (ring: readonly string[]) => EIGHT.filter((n) => !ring.includes(n));
    const rng = mulberry32(20250434);

    // Registration, with bad commands in between.
    c.spawn('alice');
    await c.fails('alice', 'setup-dht alice 5 1996', 'not registered');
    await c.fails('alice', 'register peer1', 'peer name "peer1" is invalid');
    await c.fails('alice', 'hello', 'unknown command');
    assertSuccess(await c.run('alice', 'register alice'), 'register');
    for (const name of EIGHT.slice(1)) c.spawn(name);
    await c.fails('bob', 'register alice', 'peer "alice" is already registered');
    for (const name of EIGHT.slice(1)) assertSuccess(await c.run(name, `register ${name}`), 'register');
    await c.fails('bob', 'register bob', 'already registered as bob');
    await c.fails('bob', 'query-dht bob 5536849', 'no DHT exists');
    await c.fails('bob', 'setup-dht bob 2 1996', 'n must be an integer of at least 3');
    await c.fails('bob', 'setup-dht bob 9 1996', 'only 8 Free peers, fewer than n = 9');
    await c.assertFree(EIGHT);

    // 1996, n = 5.
    let ring = assertSetup(await c.run('alice', 'setup-dht alice 5 1996'), 'alice', '1996', 5);
    let idOf = await c.assertRing(ring, '1996', ring);
    await c.assertFree(outside(ring));
    await c.fails(ring[1]!, `deregister ${ring[1]}`, 'peer is InDHT; only a Free peer may deregister');
    await c.fails(outside(ring)[0]!, `setup-dht ${outside(ring)[0]} 3 1952`, 'a DHT already exists');
    await queryAll(c, outside(ring), '1996', 5, [...pickIds('1996', 36, rng), ...absentIds('1996', 6, rng), 5536849, 2402920, 5539287, 55770111], idOf);

    // The leader leaves: its right neighbour leads a ring of 4.
    const left = await c.run('alice', 'leave-dht alice');
    assertSuccess(left, 'leave-dht');
    assert.equal(left.newLeader, ring[1], show(left));
    assert.deepEqual(left.recordsPerNode, expectedCounts('1996', 4), show(left));
    ring = ringAfterLeave(ring, 'alice');
    idOf = await c.assertRing(ring, '1996', ring);
    await c.assertFree(outside(ring));
    await queryAll(c, outside(ring), '1996', 4, [...pickIds('1996', 12, rng), ...absentIds('1996', 2, rng), 5536849, 2402920], idOf);

    // A Free peer other than alice joins as id 4; the leader stays.
    const joiner = outside(ring).find((n) => n !== 'alice')!;
    const joined = await c.run(joiner, `join-dht ${joiner}`);
    assertSuccess(joined, 'join-dht');
    assert.equal(joined.newLeader, ring[0], show(joined));
    assert.deepEqual(joined.recordsPerNode, expectedCounts('1996', 5), show(joined));
    ring = [...ring, joiner];
    idOf = await c.assertRing(ring, '1996', ring);
    assert.equal(idOf.get(joiner), 4);
    await c.assertFree(outside(ring));
    await queryAll(c, outside(ring), '1996', 5, [...pickIds('1996', 12, rng), ...absentIds('1996', 2, rng), 5539287], idOf);

    // Teardown by the current leader.
    await c.fails(ring[1]!, `teardown-dht ${ring[1]}`, 'is not the leader of the DHT');
    assertSuccess(await c.run(ring[0]!, `teardown-dht ${ring[0]}`), 'teardown-dht');
    await c.assertFree(EIGHT);
    await c.fails('alice', 'query-dht alice 5536849', 'no DHT exists');

    // A second DHT on another year and size: 1952, n = 7.
    ring = assertSetup(await c.run('heidi', 'setup-dht heidi 7 1952'), 'heidi', '1952', 7);
    idOf = await c.assertRing(ring, '1952', ring);
    await queryAll(c, outside(ring), '1952', 7, [...pickIds('1952', 12, rng), ...absentIds('1952', 3, rng)], idOf);
    await c.fails(ring[3]!, `deregister ${ring[3]}`, 'peer is InDHT; only a Free peer may deregister');
    assertSuccess(await c.run('heidi', 'teardown-dht heidi'), 'teardown-dht');
    await c.assertFree(EIGHT);

    // Deregistration: every peer gets SUCCESS and exits 0.
    for (const name of EIGHT) {
      assertSuccess(await c.run(name, `deregister ${name}`), 'deregister');
      assert.equal(await c.peer(name).exited, 0, `${name} exit status after deregister`);
    }
    assert.equal(await c.manager.proc.stop('SIGINT'), 0, 'manager exit status on SIGINT');
  });
});
