// Setups of 1950, 1951 and 1952 with n = 3, 4 and 7 (SPEC §13), and the rebuilt counts after a
// leave and after a join, checked by the result lines and by `status` on every member.
// Eight real peers, ports 21000-21999.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { skipUnlessYear } from '../helpers/shared-data.js';
import { assertQuery, assertSetup, assertSuccess, Cluster, expectedCounts, pickIds, ringAfterLeave, show } from './cluster.js';
import { mulberry32 } from '../../src/data/seeded-random.js';

const PORTS = '21000-21999';
const EIGHT = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

/** The eight peers registered at a cluster of their own, for the enclosing describe (started before it, closed after). */
function eightRegistered(): () => Cluster {
  let cluster: Cluster | undefined;
  before(async () => {
    cluster = await Cluster.start({ portRange: PORTS });
    await cluster.addRegistered(EIGHT);
  });
  after(async () => {
    await cluster?.close();
  });
  return () => cluster!;
}

describe('ring sizes and rebuilds on the small years', { skip: skipUnlessYear('1950', '1951', '1952') }, () => {
  const c = eightRegistered();

  /** Peers not in `ring`. */
  const outside = (ring: readonly string[]) => EIGHT.filter((n) => !ring.includes(n));

  test('1950, n = 3: 72/75/76; join → n = 4: 56/53/57/57; a member leaves → n = 3 again', async () => {
    let ring = assertSetup(await c().run('alice', 'setup-dht alice 3 1950'), 'alice', '1950', 3);
    await c().assertRing(ring, '1950', ring);
    await c().assertFree(outside(ring));

    const joiner = outside(ring)[0]!;
    const joined = await c().run(joiner, `join-dht ${joiner}`);
    assertSuccess(joined, 'join-dht');
    assert.equal(joined.newLeader, 'alice', show(joined));
    assert.deepEqual(joined.recordsPerNode, expectedCounts('1950', 4), show(joined));
    ring = [...ring, joiner];
    let idOf = await c().assertRing(ring, '1950', ring);

    // Id 2 leaves: its right neighbour (id 3, the joiner) becomes the leader of the new ring.
    const leaver = ring[2]!;
    const left = await c().run(leaver, `leave-dht ${leaver}`);
    assertSuccess(left, 'leave-dht');
    assert.equal(left.newLeader, ring[3], show(left));
    assert.deepEqual(left.recordsPerNode, expectedCounts('1950', 3), show(left));
    ring = ringAfterLeave(ring, leaver);
    idOf = await c().assertRing(ring, '1950', ring);
    await c().assertFree(outside(ring));

    // 1950 has positions holding up to 5 records (SPEC §9): a few queries through the rebuilt ring.
    const rng = mulberry32(1950);
    for (const id of pickIds('1950', 8, rng)) assertQuery('1950', id, 3, await c().query(leaver, `query-dht ${leaver} ${id}`), idOf);

    assertSuccess(await c().run(ring[0]!, `teardown-dht ${ring[0]}`), 'teardown-dht');
    await c().assertFree(EIGHT);
  });

  test('1951, n = 4: 70/68/64/67; the last node leaves → n = 3: 90/89/90, leader unchanged; it rejoins → n = 4', async () => {
    let ring = assertSetup(await c().run('bob', 'setup-dht bob 4 1951'), 'bob', '1951', 4);
    await c().assertRing(ring, '1951', ring);
    await c().assertFree(outside(ring));

    const leaver = ring[3]!; // its right neighbour is node 0, so bob keeps the lead
    const left = await c().run(leaver, `leave-dht ${leaver}`);
    assertSuccess(left, 'leave-dht');
    assert.equal(left.newLeader, 'bob', show(left));
    assert.deepEqual(left.recordsPerNode, expectedCounts('1951', 3), show(left));
    ring = ringAfterLeave(ring, leaver);
    assert.equal(ring[0], 'bob');
    await c().assertRing(ring, '1951', ring);
    await c().assertFree(outside(ring));

    // The leaver joins again: it is appended as id 3 and the n = 4 counts come back.
    const rejoined = await c().run(leaver, `join-dht ${leaver}`);
    assertSuccess(rejoined, 'join-dht');
    assert.equal(rejoined.newLeader, 'bob', show(rejoined));
    assert.deepEqual(rejoined.recordsPerNode, expectedCounts('1951', 4), show(rejoined));
    ring = [...ring, leaver];
    await c().assertRing(ring, '1951', ring);

    assertSuccess(await c().run('bob', 'teardown-dht bob'), 'teardown-dht');
    await c().assertFree(EIGHT);
  });

  test('1952, n = 7: 40/40/38/36/39/40/39; the leader leaves → n = 6; a join → n = 7 again', async () => {
    let ring = assertSetup(await c().run('heidi', 'setup-dht heidi 7 1952'), 'heidi', '1952', 7);
    await c().assertRing(ring, '1952', ring);
    assert.equal(outside(ring).length, 1);

    const left = await c().run('heidi', 'leave-dht heidi');
    assertSuccess(left, 'leave-dht');
    assert.equal(left.newLeader, ring[1], show(left));
    assert.deepEqual(left.recordsPerNode, expectedCounts('1952', 6), show(left));
    ring = ringAfterLeave(ring, 'heidi');
    await c().assertRing(ring, '1952', ring);
    await c().assertFree(outside(ring));

    const joiner = outside(ring).find((n) => n !== 'heidi')!;
    const joined = await c().run(joiner, `join-dht ${joiner}`);
    assertSuccess(joined, 'join-dht');
    assert.equal(joined.newLeader, ring[0], show(joined));
    assert.deepEqual(joined.recordsPerNode, expectedCounts('1952', 7), show(joined));
    ring = [...ring, joiner];
    const idOf = await c().assertRing(ring, '1952', ring);
    assert.equal(idOf.get(joiner), 6);

    const rng = mulberry32(1952);
    for (const id of pickIds('1952', 8, rng)) assertQuery('1952', id, 7, await c().query('heidi', `query-dht heidi ${id}`), idOf);

    assertSuccess(await c().run(ring[0]!, `teardown-dht ${ring[0]}`), 'teardown-dht');
    await c().assertFree(EIGHT);
  });
});

describe('ring sizes on the 1990-1992 files (thousands of shared positions)', { skip: skipUnlessYear('1990', '1992') }, () => {
  const c = eightRegistered();

  for (const [year, n, leader] of [['1990', 6, 'carol'], ['1992', 3, 'dave']] as const) {
    test(`${year}, n = ${n}: the §13 counts, on every member`, async () => {
      const ring = assertSetup(await c().run(leader, `setup-dht ${leader} ${n} ${year}`), leader, year, n);
      const idOf = await c().assertRing(ring, year, ring);
      const free = EIGHT.filter((name) => !ring.includes(name));
      const rng = mulberry32(Number(year));
      for (const id of pickIds(year, 6, rng)) assertQuery(year, id, n, await c().query(free[0]!, `query-dht ${free[0]} ${id}`), idOf);
      assertSuccess(await c().run(leader, `teardown-dht ${leader}`), 'teardown-dht');
      await c().assertFree(EIGHT);
    });
  }
});

/** True when this host can bind a UDP socket on `ip` (Linux routes all of 127/8 to loopback). */
async function canBind(ip: string): Promise<boolean> {
  const sock = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, ip, () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    sock.close();
  }
}

test('peers on 127.0.0.1-4 with the same port numbers: D11 compares (IPv4, port) pairs; the ring works across addresses', { skip: skipUnlessYear('1950') }, async (t) => {
  if (!(await canBind('127.0.0.4'))) {
    t.skip('this host cannot bind 127.0.0.4');
    return;
  }
  const local = await Cluster.start({ portRange: PORTS });
  try {
    const ips: Record<string, string> = { alice: '127.0.0.1', bob: '127.0.0.2', carol: '127.0.0.3', dave: '127.0.0.4' };
    for (const [name, ip] of Object.entries(ips)) {
      local.spawn(name);
      assertSuccess(await local.run(name, `register ${name} ${ip} 21900 21901`), 'register');
    }
    const result = await local.run('alice', 'setup-dht alice 3 1950');
    const ring = assertSetup(result, 'alice', '1950', 3);
    for (const tuple of result.ring as Array<{ name: string; ip: string; port: number }>) {
      assert.deepEqual([tuple.ip, tuple.port], [ips[tuple.name], 21901], show(result));
    }
    let idOf = await local.assertRing(ring, '1950', ring);
    const free = Object.keys(ips).find((n) => !ring.includes(n))!;
    for (const id of pickIds('1950', 6, mulberry32(7))) assertQuery('1950', id, 3, await local.query(free, `query-dht ${free} ${id}`), idOf);
    const joined = await local.run(free, `join-dht ${free}`);
    assertSuccess(joined, 'join-dht');
    assert.deepEqual(joined.recordsPerNode, expectedCounts('1950', 4), show(joined));
    idOf = await local.assertRing([...ring, free], '1950', [...ring, free]);
    assertSuccess(await local.run('alice', 'teardown-dht alice'), 'teardown-dht');
    await local.assertFree(Object.keys(ips));
  } finally {
    await local.close();
  }
});
