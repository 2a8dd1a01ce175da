// Issue 11 with real processes: the manager's failure detector (heartbeats every 100 ms, suspect
// after 1 s, dead after 2.5 s) evicts a SIGKILLed peer, frees its name, and heals the DHT: a
// member's death has the first survivor rebuild the ring without it (SPEC §13's counts for the
// smaller ring, queries never wrong meanwhile), a leader's death makes the next member Leader, and
// a ring of 3 that loses a member is torn down. `members` shows the registry and the ring, in JSON
// and as a table in human mode. No process prints a stack trace. Ports 30000-30999.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test, type TestContext } from 'node:test';
import { skipUnlessYear, SHARED_DATA_DIR } from '../helpers/shared-data.js';
import { registeredAddress } from './faults-demo.js';
import { isTrace, timeOf } from './faults-fleet.js';
import { assertFailure } from './cluster.js';
import { assertQuery, assertSetup, assertSuccess, sampleIds, show, SPEC12 } from './faults-oracle.js';
import {
  assertEvicted,
  assertMembers,
  assertNoStackTraces,
  awaitRepaired,
  checkQueryDuringRepair,
  sigkill,
  statesOf,
  withFleet,
} from './failure-support.js';
import { HumanPeer } from './human-peer.js';

/** SPEC §13, typed in: the 1996 file (l = 48,561) stored on rings of 5 and 4. */
const SPEC13_1996_N5 = [9710, 9720, 9714, 9700, 9717];
const SPEC13_1996_N4 = [12169, 12144, 12128, 12120];
const L_1996 = 48_561;

const FOUR = ['alice', 'bob', 'carol', 'dave'];
const FIVE = [...FOUR, 'erin'];
const SIX = [...FIVE, 'frank'];

const idsOf = (ring: readonly string[]) => new Map(ring.map((name, id) => [name, id]));

describe('issue 11: the failure detector evicts dead peers and heals the DHT', () => {
  test('a SIGKILLed Free peer is evicted, its name is free again, and setup-dht with every live peer works (1950)', { skip: skipUnlessYear('1950'), timeout: 60_000 }, async (t: TestContext) => {
    await withFleet({ managerPort: 30000, portRange: '30100-30139', group: 'fd-free' }, FOUR, async (fleet) => {
      const old = registeredAddress(fleet.peer('dave').lines, 'dave');
      const killedAt = await sigkill(fleet.peer('dave'));
      // Until the detector declares it dead, the manager still holds the name.
      const again = fleet.respawn('dave');
      assertFailure(await again.run('register dave 127.0.0.1 30138 30139', 15_000), 'register', 'is already registered');
      const { afterKillMs } = await assertEvicted(fleet, 'dave', killedAt);
      t.diagnostic(`Free peer: kill → evicted ${afterKillMs} ms`);
      await assertMembers(fleet, 'alice', statesOf([], ['alice', 'bob', 'carol']), null);

      // A new process takes the name on other ports.
      assert.notDeepEqual([old.mPort, old.pPort], [30138, 30139]);
      assertSuccess(await again.run('register dave 127.0.0.1 30138 30139', 15_000), 'register');
      const listed = await fleet.run('bob', 'members bob');
      assert.deepEqual(
        (listed.peers as Array<{ name: string; port: number }>).find((p) => p.name === 'dave'),
        { name: 'dave', state: 'Free', ip: '127.0.0.1', port: 30139 },
        show(listed),
      );

      const ring = assertSetup(await fleet.run('alice', 'setup-dht alice 4 1950', 30_000), 'alice', '1950', 4);
      assert.deepEqual([...ring].sort(), [...FOUR].sort(), 'every live peer is in the ring, the new dave too');
      await fleet.assertRing(ring, '1950', 'after the setup with the new dave');
      await assertMembers(fleet, 'dave', statesOf(ring, []), ring, '1950');
      await fleet.ok('alice', 'teardown-dht alice', 20_000);
      await fleet.assertFree(FOUR, 'after teardown');
    });
  });

  test('SIGKILL of node 2 of a 1996 ring of 5: the ring of 4 is repaired to 12169/12144/12128/12120; queries are never wrong', { skip: skipUnlessYear('1996'), timeout: 90_000 }, async (t: TestContext) => {
    await withFleet({ managerPort: 30001, portRange: '30200-30239', group: 'fd-member' }, SIX, async (fleet) => {
      const setup = await fleet.run('alice', 'setup-dht alice 5 1996', 60_000);
      const ring = assertSetup(setup, 'alice', '1996', 5);
      assert.deepEqual(setup.recordsPerNode, SPEC13_1996_N5, show(setup));
      const outside = SIX.find((n) => !ring.includes(n))!;
      const victim = ring[2]!;
      const survivors = ring.filter((n) => n !== victim);
      // §12's ids (2402920 is owned by the victim, node 2 of 5) and seeded ids of the file and not.
      const ids = [...SPEC12.map((r) => r.id), ...sampleIds('1996', 4, 1102)];

      const killedAt = await sigkill(fleet.peer(victim));
      let repairedSeen = false;
      const repaired = awaitRepaired(fleet, survivors[0]!, survivors, 30_000).finally(() => (repairedSeen = true));
      repaired.catch(() => {}); // awaited below; the loop must not leave it unhandled meanwhile
      // Queries from the Free peer, one after another, from the kill until the repair is done.
      const during: Array<{ id: number; error: string | null }> = [];
      for (let i = 0; !repairedSeen && i < 200; i++) {
        const id = ids[i % ids.length]!;
        const q = await fleet.query(outside, id, 30_000);
        during.push({ id, error: checkQueryDuringRepair('1996', id, q.result, [5, 4], victim) });
        await sleep(40);
      }
      const { done, counts } = await repaired;
      const { afterKillMs } = await assertEvicted(fleet, victim, killedAt, new RegExp(`: ${survivors[0]} rebuilds the ring of 4 without it$`));
      const repairMs = timeOf(done) - killedAt;
      const failed = during.filter((d) => d.error !== null);
      t.diagnostic(`member of 5 (1996): kill → evicted ${afterKillMs} ms, kill → dht-repaired ${repairMs} ms (repair ${repairMs - afterKillMs} ms)`);
      t.diagnostic(`${during.length} queries during: ${during.length - failed.length} answered, ${failed.length} failed: ${[...new Set(failed.map((d) => d.error))].join(' | ')}`);
      assert.ok(during.length > 0, 'at least one query ran during the repair');

      // The repair's counts are SPEC §13's for n = 4, and sum to l.
      assert.deepEqual(counts.recordsPerNode, SPEC13_1996_N4, show(counts));
      assert.equal(counts.records, L_1996, show(counts));
      await assertMembers(fleet, outside, statesOf(survivors, [outside]), survivors, '1996');
      let sum = 0;
      for (const [id, name] of survivors.entries()) {
        const st = await fleet.status(name);
        assert.deepEqual(
          { state: st.state, id: st.id, ringSize: st.ringSize, records: st.records },
          { state: id === 0 ? 'Leader' : 'InDHT', id, ringSize: 4, records: SPEC13_1996_N4[id] },
          `${name} as node ${id} of the repaired ring: ${show(st)}`,
        );
        sum += st.records as number;
      }
      assert.equal(sum, L_1996, 'nothing lost, nothing stored twice');

      // After the repair every query answers from the file over the ring of 4.
      for (const row of SPEC12) {
        const q = await fleet.query(outside, row.id, 20_000);
        assertQuery('1996', row.id, 4, q, idsOf(survivors));
        assert.equal(q.result.found, row.found, show(q.result));
        assert.equal((q.result.path as number[]).at(-1), row.owner4, `SPEC §12: ${row.id} ends at node ${row.owner4} of 4: ${show(q.result)}`);
      }
      for (const id of sampleIds('1996', 6, 1103)) assertQuery('1996', id, 4, await fleet.query(outside, id, 20_000), idsOf(survivors));
    });
  });

  test("SIGKILL of the leader: the next member leads the repaired ring, the only Leader; its teardown-dht frees everyone; members as a table in human mode (1950)", { skip: skipUnlessYear('1950'), timeout: 60_000 }, async (t: TestContext) => {
    await withFleet({ managerPort: 30002, portRange: '30300-30339', group: 'fd-leader' }, FIVE, async (fleet) => {
      const ring = assertSetup(await fleet.run('alice', 'setup-dht alice 5 1950', 30_000), 'alice', '1950', 5);
      const survivors = ring.slice(1);
      const killedAt = await sigkill(fleet.peer('alice'));
      const { afterKillMs } = await assertEvicted(fleet, 'alice', killedAt, new RegExp(`: ${ring[1]} rebuilds the ring of 4 without it$`));
      const { done, counts } = await awaitRepaired(fleet, ring[1]!, survivors);
      t.diagnostic(`leader: kill → evicted ${afterKillMs} ms, kill → dht-repaired ${timeOf(done) - killedAt} ms`);
      assert.deepEqual(counts.recordsPerNode, [56, 53, 57, 57], `SPEC §13, 1950, n = 4: ${show(counts)}`);
      await fleet.assertRing(survivors, '1950', 'after the leader died');
      const states = await Promise.all(survivors.map(async (n) => (await fleet.status(n)).state));
      assert.deepEqual(states.filter((s) => s === 'Leader').length, 1, `exactly one Leader: ${states.join(', ')}`);
      await assertMembers(fleet, ring[2]!, statesOf(survivors, []), survivors, '1950');

      // members in human mode: a table, one row per registered peer, then the DHT's line.
      const human = HumanPeer.start(fleet.managerProcess, SHARED_DATA_DIR, '30330-30339');
      try {
        human.send('register hal');
        await human.waitFor('manager → hal: register SUCCESS', 0, 15_000);
        const from = human.lines.length;
        human.send('members hal');
        const end = await human.waitFor('members SUCCESS', from, 15_000);
        const header = human.lines.findIndex((l, i) => i >= from && /^name +state +id +address$/.test(l));
        assert.ok(header >= 0 && header < end, `a table header: ${human.lines.slice(from).join('\n')}`);
        const rows = human.lines.slice(header + 1, end).filter((l) => !l.startsWith('dht: ') && !l.includes('→'));
        const expected = [...survivors.map((n, id) => [n, id === 0 ? 'Leader' : 'InDHT', String(id)]), ['hal', 'Free', '-']];
        assert.equal(rows.length, expected.length, `one row per peer: ${rows.join('\n')}`);
        for (const [name, state, id] of expected) {
          assert.ok(rows.some((r) => new RegExp(`^${name} +${state} +${id} +127\\.0\\.0\\.1:\\d+$`).test(r)), `a row for ${name} (${state}, id ${id}): ${rows.join('\n')}`);
        }
        assert.ok(!rows.some((r) => r.startsWith('alice ')), 'the dead leader is not listed');
        assert.ok(
          human.lines.slice(from, end).includes(`dht: year 1950, 4 members in id order: ${survivors.join(', ')} (leader ${survivors[0]})`),
          human.lines.slice(from).join('\n'),
        );
        human.send('deregister hal');
        assert.equal(await human.exited, 0, 'hal deregisters and exits 0');
        assertNoStackTraces([{ label: 'hal', lines: human.lines, stderr: human.stderr }]);
      } finally {
        await human.stop();
      }

      await fleet.ok(survivors[0]!, `teardown-dht ${survivors[0]}`, 20_000);
      await fleet.assertFree(survivors, 'after the new leader tore the DHT down');
      await assertMembers(fleet, survivors[0]!, statesOf([], survivors), null);
    });
  });

  test('a ring of 3 that loses a member is torn down: the survivors get dht-reset and are Free (1950)', { skip: skipUnlessYear('1950'), timeout: 60_000 }, async (t: TestContext) => {
    await withFleet({ managerPort: 30003, portRange: '30400-30439', group: 'fd-three' }, FOUR, async (fleet) => {
      const ring = assertSetup(await fleet.run('alice', 'setup-dht alice 3 1950', 30_000), 'alice', '1950', 3);
      const outside = FOUR.find((n) => !ring.includes(n))!;
      const victim = ring[1]!;
      const survivors = ring.filter((n) => n !== victim);
      const killedAt = await sigkill(fleet.peer(victim));
      const { afterKillMs } = await assertEvicted(fleet, victim, killedAt, /: 2 members would be left, fewer than 3; the DHT is torn down and its members are Free$/);
      t.diagnostic(`ring of 3: kill → evicted ${afterKillMs} ms`);
      const m = fleet.manager.proc;
      for (const name of survivors) {
        await m.waitForLine((l) => isTrace(l, 'manager', name, /^dht-reset \(/), 5_000);
        await fleet.peer(name).waitForLine((l) => isTrace(l, 'manager', name, /^dht-reset \(/), 10_000);
      }
      const resets = m.lines.filter((l) => isTrace(l, 'manager', null, /^dht-reset \(/)).map((l) => l.to);
      assert.deepEqual([...resets].sort(), [...survivors].sort(), 'dht-reset to each survivor, once');
      await fleet.assertFree([...survivors, outside], 'after the ring of 3 lost a member');
      await assertMembers(fleet, outside, statesOf([], [...survivors, outside]), null);
      assertFailure(await fleet.run(outside, `query-dht ${outside} 10096222`, 15_000), 'query-dht', 'no DHT exists');
      // Usable again: the three survivors set up a new ring.
      const again = assertSetup(await fleet.run(outside, `setup-dht ${outside} 3 1950`, 30_000), outside, '1950', 3);
      await fleet.assertRing(again, '1950', 'the new ring of the survivors');
      await fleet.ok(outside, `teardown-dht ${outside}`, 20_000);
    });
  });
});
