// Data files at the edges (SPEC §8, D1, D18, §6.5 step 5): a bad file fails setup-dht before the
// manager is contacted and changes nothing; a peer without the year's file is prompted for an id;
// a new leader without the file fails the rebuild cleanly. Real processes, ports 24000-24999.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { skipUnlessYear } from '../helpers/shared-data.js';
import { assertQuery, assertSetup, assertSuccess, Cluster, fileRows, pickedNode, SHARED_DATA_DIR, SHARED_VARIANTS_DIR, show } from './cluster.js';
import type { JsonChild } from '../../src/cli/processes.js';

const PORTS = '24000-24999';
const HEADER = 'EVENT_ID,STATE,YEAR,MONTH_NAME,EVENT_TYPE,CZ_TYPE,CZ_NAME,INJURIES_DIRECT,INJURIES_INDIRECT,DEATHS_DIRECT,DEATHS_INDIRECT,DAMAGE_PROPERTY,DAMAGE_CROPS,TOR_F_SCALE';
const GOOD = '9000001,TEXAS,1999,May,Hail,C,TRAVIS,0,0,0,0,1K,,';

/** Lines of `child` printed from index `start` on that pass `test`. */
function waitAfter(child: JsonChild, start: number, test: (l: Record<string, unknown>) => boolean) {
  return child.waitForLine((l) => child.lines.indexOf(l) >= start && test(l), 30_000);
}

describe('data files: bad files, missing files, the D1 prompt', { skip: skipUnlessYear('1950') }, () => {
  let c: Cluster;
  let withBadFiles = ''; // alice's data dir: bad 1997/1998/1999 files and a byte copy of 1950
  let empty = ''; // dora's data dir: no files at all

  before(async () => {
    withBadFiles = mkdtempSync(path.join(tmpdir(), 'stormdht-e2e-bad-'));
    empty = mkdtempSync(path.join(tmpdir(), 'stormdht-e2e-empty-'));
    // Line 3 has 13 fields instead of 14.
    writeFileSync(path.join(withBadFiles, 'details-1999.csv'), `${HEADER}\r\n${GOOD}\r\n9000002,TEXAS,1999,May,Hail,C,TRAVIS,0,0,0,0,1K,\r\n${GOOD.replace('9000001', '9000003')}`);
    // Line 3 repeats line 2's event id.
    writeFileSync(path.join(withBadFiles, 'details-1998.csv'), `${HEADER}\n${GOOD}\n${GOOD}\n`);
    // Line 3's event id is not a decimal integer.
    writeFileSync(path.join(withBadFiles, 'details-1997.csv'), `${HEADER}\r${GOOD}\r${GOOD.replace('9000001', '90x0002')}`);
    copyFileSync(path.join(SHARED_DATA_DIR, 'details-1950.csv'), path.join(withBadFiles, 'details-1950.csv'));
    c = await Cluster.start({ portRange: PORTS });
    c.spawn('alice', { dataDir: withBadFiles });
    assertSuccess(await c.run('alice', 'register alice'), 'register');
    await c.addRegistered(['bob', 'carol']);
  });
  after(async () => {
    await c?.close();
    for (const dir of [withBadFiles, empty]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a bad details-1999.csv (line 3 has 13 fields) fails setup-dht naming the file and line 3; nothing changes', async () => {
    const alice = c.peer('alice');
    const start = alice.lines.length;
    await c.fails('alice', 'setup-dht alice 3 1999', /details-1999\.csv line 3: expected 14 fields, found 13/);
    await c.fails('alice', 'setup-dht alice 3 1998', /details-1998\.csv line 3: duplicate event_id 9000001/);
    await c.fails('alice', 'setup-dht alice 3 1997', /details-1997\.csv line 3: event_id "90x0002" is not a decimal integer/);
    const contacted = alice.lines.slice(start).filter((l) => l.event === 'trace' && l.to === 'manager');
    assert.deepEqual(contacted, [], `the manager must not be contacted for a bad file: ${show(contacted)}`);
    await c.assertFree(['alice', 'bob', 'carol']);
    await c.fails('bob', 'query-dht bob 9000001', 'no DHT exists');
  });

  test('after the bad files, a valid setup-dht (1950, n = 3) from the same peer works', async () => {
    const ring = assertSetup(await c.run('alice', 'setup-dht alice 3 1950'), 'alice', '1950', 3);
    await c.assertRing(ring, '1950', ring);
  });

  test('D1: without the year file, query-dht <name> prompts; an id line completes it, "abc" fails it', async () => {
    c.spawn('dora', { dataDir: empty });
    assertSuccess(await c.run('dora', 'register dora'), 'register');
    const dora = c.peer('dora');
    const idOf = await c.assertRing(['alice', 'bob', 'carol'], '1950');
    const id = fileRows('1950').data.records[100]!.eventId;

    let start = dora.lines.length;
    dora.send('query-dht dora');
    const prompt = await waitAfter(dora, start, (l) => l.type === 'event' && l.event === 'prompt');
    assert.match(String(prompt.text), /details-1950\.csv/, show(prompt));
    const answered = await dora.run(String(id));
    const q = { result: answered, picked: pickedNode(dora.lines.slice(start)) };
    assertQuery('1950', id, 3, q, idOf);
    assert.equal(answered.found, true);
    // The answer belonged to query-dht: the next command's result is its own.
    dora.send('# a comment is no command');
    assert.equal((await c.status('dora')).state, 'Free');

    start = dora.lines.length;
    dora.send('query-dht dora');
    await waitAfter(dora, start, (l) => l.event === 'prompt');
    const bad = await dora.run('abc');
    assert.deepEqual([bad.command, bad.ok], ['query-dht', false], show(bad));
    assert.match(String(bad.error), /invalid event id "abc"/, show(bad));

    // An absent id typed at the prompt gives the not-found sentence.
    start = dora.lines.length;
    dora.send('query-dht dora');
    await waitAfter(dora, start, (l) => l.event === 'prompt');
    const absent = await dora.run('123');
    assertQuery('1950', 123, 3, { result: absent, picked: null });

    // With an id on the command line there is no prompt.
    start = dora.lines.length;
    assertQuery('1950', id, 3, await c.query('dora', `query-dht dora ${id}`), idOf);
    assert.equal(dora.lines.slice(start).filter((l) => l.event === 'prompt').length, 0);

  });

  test('§6.5 step 5: a new leader without the year file fails the rebuild; the ring stays, empty, and can be torn down', async () => {
    assertSuccess(await c.run('alice', 'teardown-dht alice'), 'teardown-dht');
    await c.assertFree(['alice', 'bob', 'carol', 'dora']);
    const ring = assertSetup(await c.run('alice', 'setup-dht alice 4 1950'), 'alice', '1950', 4);
    const doraId = ring.indexOf('dora');
    assert.ok(doraId >= 1, show(ring));
    const leaver = ring[doraId - 1]!; // dora, without details-1950.csv, becomes the new leader
    const left = await c.run(leaver, `leave-dht ${leaver}`);
    assert.deepEqual([left.command, left.ok, left.newLeader], ['leave-dht', false, 'dora'], show(left));
    assert.match(String(left.error), /details-1950\.csv/, show(left));
    const members = ring.filter((n) => n !== leaver);
    for (const name of members) {
      const st = await c.status(name);
      assert.equal(st.ringSize, 3, show(st));
      assert.equal(st.records, 0, `the failed rebuild must leave no records: ${show(st)}`);
    }
    assert.equal((await c.status('dora')).state, 'Leader');
    // alice, member or leaver, no longer leads: only dora may tear the ring down.
    await c.fails('alice', 'teardown-dht alice', 'alice is not the leader of the DHT');
    assertSuccess(await c.run('dora', 'teardown-dht dora'), 'teardown-dht');
    await c.assertFree(['alice', 'bob', 'carol', 'dora']);
  });

  test('§6.6 step 4: a leader whose file now gives another s fails a join; the ring of 4 stays, empty, and can be torn down', async () => {
    const ring = assertSetup(await c.run('alice', 'setup-dht alice 3 1950'), 'alice', '1950', 3);
    const joiner = ['bob', 'carol', 'dora'].find((n) => !ring.includes(n))!;
    const real = path.join(SHARED_DATA_DIR, 'details-1950.csv');
    const mine = path.join(withBadFiles, 'details-1950.csv');
    // The first 10 records only: l = 10, so s = 23 instead of the ring's 449.
    const lines = readFileSync(real, 'utf8').split('\r');
    writeFileSync(mine, lines.slice(0, 11).join('\r'));
    try {
      const joined = await c.run(joiner, `join-dht ${joiner}`);
      assert.deepEqual([joined.command, joined.ok, joined.newLeader], ['join-dht', false, 'alice'], show(joined));
      assert.match(String(joined.error), /s = 23.*s = 449/, show(joined));
      const members = [...ring, joiner];
      for (const name of members) {
        const st = await c.status(name);
        assert.equal(st.ringSize, 4, show(st));
        assert.equal(st.id, members.indexOf(name), show(st));
        assert.equal(st.records, 0, `the failed rebuild must leave no records: ${show(st)}`);
      }
      // The manager took the joiner in (dht-rebuilt was sent): it is no longer Free.
      await c.fails(joiner, `query-dht ${joiner} 1`, 'peer is InDHT; only a Free peer may query the DHT');
      assertSuccess(await c.run('alice', 'teardown-dht alice'), 'teardown-dht');
      await c.assertFree(['alice', 'bob', 'carol', 'dora']);
    } finally {
      copyFileSync(real, mine);
    }
  });

  test('the 1996 variant edition (lower-case header, CRLF + final newline, other values, 27 events fewer) is read, stored and queried as itself', { skip: skipUnlessYear('1996') || (existsSync(path.join(SHARED_VARIANTS_DIR, 'details-1996.csv')) ? false : 'variants/details-1996.csv absent') }, async () => {
    const vera = c.spawn('vera', { dataDir: SHARED_VARIANTS_DIR });
    assertSuccess(await c.run('vera', 'register vera'), 'register');
    // The variants README: 48,534 records, s = 97,073. Counts are computed from the file's own ids
    // with §9's formula (SPEC §13 covers only the reference files).
    const variant = fileRows('1996', SHARED_VARIANTS_DIR);
    const l = 48534;
    const s = 97073;
    assert.equal(variant.data.records.length, l, 'the variant file read by the oracle');
    const counts = [0, 0, 0];
    for (const r of variant.data.records) counts[(r.eventId % s) % 3]! += 1;
    const result = await c.run('vera', 'setup-dht vera 3 1996');
    assertSuccess(result, 'setup-dht');
    assert.deepEqual([result.records, result.s, result.recordsPerNode], [l, s, counts], show(result));
    const ring = (result.ring as Array<{ name: string }>).map((t) => t.name);
    const idOf = new Map(ring.map((name, id) => [name, id] as [string, number]));
    for (const name of ring) {
      const st = await c.status(name);
      assert.deepEqual([st.id, st.ringSize, st.records], [idOf.get(name), 3, counts[idOf.get(name)!]], show(st));
    }
    const free = ['alice', 'bob', 'carol', 'dora'].find((n) => !ring.includes(n))!;
    // Rows that differ from the reference, and reference ids the variant lacks.
    const reference = fileRows('1996');
    const differing = variant.data.records.filter((r) => JSON.stringify(variant.byId.get(r.eventId)) !== JSON.stringify(reference.byId.get(r.eventId)));
    const missing = reference.data.records.filter((r) => !variant.byId.has(r.eventId));
    assert.equal(missing.length, 27, 'the variants README says 27 events are absent');
    const ids = [...differing.slice(0, 6), ...missing.slice(0, 4)].map((r) => r.eventId);
    for (const id of ids) {
      const q = await c.query(free, `query-dht ${free} ${id}`);
      assertSuccess(q.result, 'query-dht');
      const probed = q.result.path as number[];
      assert.equal(probed.at(-1), (id % s) % 3, show(q.result));
      assert.equal(probed[0], idOf.get(q.picked!), show(q.result));
      const row = variant.byId.get(id);
      if (row) assert.deepEqual(q.result.record, row, show(q.result));
      else assert.deepEqual([q.result.found, q.result.message], [false, `Storm event ${id} not found in the DHT.`], show(q.result));
    }
    assertSuccess(await c.run('vera', 'teardown-dht vera'), 'teardown-dht');
    assertSuccess(await c.run('vera', 'deregister vera'), 'deregister');
    assert.equal(await vera.exited, 0);
  });

  test('D1: end of input at the prompt fails the query; the registered peer keeps running (§14)', async () => {
    // All four registered peers are drawn into the ring, so the newcomer eve is the one Free peer.
    const ring = assertSetup(await c.run('bob', 'setup-dht bob 4 1950'), 'bob', '1950', 4);
    await c.assertRing(ring, '1950', ring);
    const eve = c.spawn('eve', { dataDir: empty });
    assertSuccess(await c.run('eve', 'register eve'), 'register');
    const start = eve.lines.length;
    eve.send('query-dht eve');
    await waitAfter(eve, start, (l) => l.event === 'prompt');
    eve.endInput();
    const ended = await eve.nextResult();
    assert.deepEqual([ended.command, ended.ok], ['query-dht', false], show(ended));
    assert.match(String(ended.error), /end of input/, show(ended));
    const outcome = await Promise.race([eve.exited.then(() => 'exited'), sleep(300).then(() => 'running')]);
    assert.equal(outcome, 'running', 'a registered peer must keep running at end of input');
    assert.equal(await eve.stop('SIGTERM'), 0, 'exit status on SIGTERM');
    assertSuccess(await c.run('bob', 'teardown-dht bob'), 'teardown-dht');
  });
});
