// Queries on a 1996 ring of 5: every answer equals the file's row (read with loadYear), or the
// exact not-found sentence; paths are distinct ids that start at the node the manager picked and
// end at the owner (SPEC §6.3, §9, D3, D4). Seven real peers, ports 22000-22999.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { skipUnlessYear } from '../helpers/shared-data.js';
import { absentIds, assertQuery, assertSetup, Cluster, fileRows, pickIds, show } from './cluster.js';

const PORTS = '22000-22999';
const SEVEN = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];

describe('queries on 1996, n = 5', { skip: skipUnlessYear('1996') }, () => {
  let c: Cluster;
  let free: string[] = [];
  let idOf = new Map<string, number>();

  before(async () => {
    c = await Cluster.start({ portRange: PORTS });
    await c.addRegistered(SEVEN);
    const ring = assertSetup(await c.run('alice', 'setup-dht alice 5 1996'), 'alice', '1996', 5);
    idOf = await c.assertRing(ring, '1996', ring);
    free = SEVEN.filter((n) => !ring.includes(n));
    assert.equal(free.length, 2);
    await c.assertFree(free);
  });
  after(async () => {
    await c?.close();
  });

  test('48 ids picked from the file (seed 1996) are found with the file row, from both Free peers', async () => {
    const ids = pickIds('1996', 48, mulberry32(1996));
    const starts = new Set<string>();
    for (const [i, id] of ids.entries()) {
      const who = free[i % 2]!;
      const q = await c.query(who, `query-dht ${who} ${id}`);
      assertQuery('1996', id, 5, q, idOf);
      assert.equal(q.result.found, true, show(q.result));
      if (q.picked) starts.add(q.picked);
    }
    // The manager picks uniformly among 5 members: 48 picks reaching at most one of them is ~1e-32.
    assert.ok(starts.size > 1, `every query started at the same node: ${[...starts].join(', ')}`);
  });

  test('the first and last data lines of the file and the §12 ids are found / not found as the file says', async () => {
    const records = fileRows('1996').data.records;
    for (const id of [records[0]!.eventId, records.at(-1)!.eventId, 5536849, 2402920, 5539287, 55770111]) {
      assertQuery('1996', id, 5, await c.query(free[0]!, `query-dht ${free[0]} ${id}`), idOf);
    }
  });

  test('an id with leading zeros and a line with extra blanks are the same query', async () => {
    const who = free[0]!;
    const padded = await c.query(who, `query-dht ${who} 0005536849`);
    assertQuery('1996', 5536849, 5, padded, idOf);
    const spaced = await c.query(who, `   query-dht \t ${who}    5539287   `);
    assertQuery('1996', 5539287, 5, spaced, idOf);
  });

  test('14 ids absent from the file (seed 4242, plus 0 and 15 nines) give the exact not-found sentence', async () => {
    const ids = absentIds('1996', 12, mulberry32(4242));
    for (const id of ids) {
      const q = await c.query(free[1]!, `query-dht ${free[1]} ${id}`);
      assertQuery('1996', id, 5, q, idOf);
      assert.equal(q.result.message, `Storm event ${id} not found in the DHT.`, show(q.result));
    }
  });

  test('query-dht <name> without an id picks an id of the file and finds its row', async () => {
    const seen = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const q = await c.query(free[0]!, `query-dht ${free[0]}`);
      const id = q.result.eventId as number;
      assert.ok(fileRows('1996').byId.has(id), `picked id ${id} is not in the file: ${show(q.result)}`);
      assertQuery('1996', id, 5, q, idOf);
      assert.equal(q.result.found, true, show(q.result));
      seen.add(id);
    }
    assert.ok(seen.size > 1, `six random picks gave one id: ${[...seen].join(', ')}`);
  });
});
