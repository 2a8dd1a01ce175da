// Issue 12, replicas, with real processes: `stormdht manager <port> --replicas 2` keeps two copies
// of every record (its owner, pos mod n, and the node after it), and a ring outlives both its
// members and the year's file.
// * Only the first leader (alice) can read details-1996.csv; every other peer has an empty data
//   directory. setup-dht gives SPEC §13's counts, and every node keeps a copy of the records of
//   the node before it. A Free peer queries ids of the file without a pause while a member is
//   SIGKILLed, the ring repaired, and then the leader (the only one with the file) is SIGKILLed
//   and the ring repaired again: every single answer is the file's record, all 14 fields, and
//   queries are answered between each kill and its repair too. After each repair every survivor
//   holds the placement of the new ring size, computed from the file by SPEC §9's hash.
// * With the file nowhere in the ring, a join and a leave rebuild the ring from its own copies,
//   to the exact placement; queries answer from the file's rows; teardown works; and a setup by a
//   survivor fails, for want of the file (so nobody could have read it).
// * Below R: two adjacent members killed at once take both copies of the records the first of
//   them owned. The repair reports exactly that many lost (leader's note, its counts event, the
//   manager's note), the survivors hold exactly the rest, a query for a lost record fails saying
//   that the ring lost every copy, and a query for a surviving record is exact.
// * R = 1 (no --replicas) is SPEC's DHT as before: no replicasPerNode, no replicas in status.
// Expected figures come from the file (src/data/hashing.ts) and SPEC §13, never from output.
// Real processes on 127.0.0.1, ports 34000-34999.
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { skipUnlessYear } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp-dir.js';
import { isNote, type Fleet } from './faults-fleet.js';
import { assertFailure } from './cluster.js';
import { assertQuery, assertSetup, assertSuccess, fileRows, ringAfterLeave, sampleIds, show } from './faults-oracle.js';
import { assertMembers, assertNoStackTraces, EVICTED_NOT_BEFORE_MS, DEAD_AFTER_MS, statesOf } from './failure-support.js';
import { kill } from './kill-support.js';
import {
  assertFigures,
  assertPlacement,
  awaitRepair,
  filePlacement,
  ownerIn,
  placementOf,
  Querier,
  recordsOf,
  replicaFleet,
  type RepairTiming,
} from './replica-support.js';

const SIX = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const YEAR = '1996';
const R = 2;
/** The eviction is due DEAD_AFTER_MS (2.5 s) after the kill; twice that, and a little, is allowed. */
const EVICTED_WITHIN_MS = 2 * DEAD_AFTER_MS + 1_000;
/** A repair of 1996 from the ring's copies takes about a second here; ten are allowed. */
const REPAIRED_WITHIN_MS = 10_000;

/** Temporary directories of a describe block, removed by its after hook. */
function cleanups(): { after: (fn: () => void) => void; run: () => void } {
  const fns: Array<() => void> = [];
  return { after: (fn) => fns.push(fn), run: () => fns.splice(0).forEach((fn) => fn()) };
}

/** The eviction came in the detector's time after the kill, and the repair soon after it. */
function assertTiming(t: TestContext, what: string, killedAt: number, rep: RepairTiming): void {
  const evictedMs = rep.evictedAt - killedAt;
  const repairMs = rep.repairedAt - rep.evictedAt;
  assert.ok(evictedMs >= EVICTED_NOT_BEFORE_MS && evictedMs <= EVICTED_WITHIN_MS, `${what}: evicted ${evictedMs} ms after the kill`);
  assert.ok(repairMs >= 0 && repairMs <= REPAIRED_WITHIN_MS, `${what}: dht-repaired ${repairMs} ms after the eviction, later than ${REPAIRED_WITHIN_MS} ms`);
  t.diagnostic(`${what}: kill → evicted ${evictedMs} ms, evicted → dht-repaired ${repairMs} ms`);
}

describe(`--replicas ${R}: the ring survives a member's and its leader's death, and no longer needs the file`, { skip: skipUnlessYear(YEAR) }, () => {
  const dirs = cleanups();
  let fleet: Fleet;
  /** After the first test: the ring of 3 the two repairs left, and the peer that queried. */
  let ring3: string[] = [];
  let querier = '';

  before(async () => {
    fleet = await replicaFleet({ managerPort: 34000, portRange: '34010-34099', group: 'replicas-survive', replicas: R, fileHolders: ['alice'], emptyDir: tempDir(dirs, 'stormdht-replicas-') });
    await fleet.register(SIX);
  });
  after(async () => {
    await fleet?.close();
    dirs.run();
  });

  test('setup with the file at alice only; a member, then alice, SIGKILLed while a Free peer queries: every answer is the file\'s record', { timeout: 90_000 }, async (t) => {
    const l = recordsOf(YEAR);
    const setup = await fleet.run('alice', `setup-dht alice 5 ${YEAR}`, 60_000);
    const ring = assertSetup(setup, 'alice', YEAR, 5);
    const p5 = filePlacement(YEAR, 5, R);
    assertFigures(setup, p5, 'setup-dht with R = 2');
    const counts = setup.recordsPerNode as number[];
    (setup.replicasPerNode as number[]).forEach((c, i) => assert.equal(c, counts[(i + 4) % 5], `node ${i} keeps a copy of node ${(i + 4) % 5}'s records: ${show(setup)}`));
    await assertPlacement(fleet, ring, p5, l, 'after setup');
    assert.ok(fleet.manager.proc.lines.some((line) => isNote(line, new RegExp(`^every DHT keeps ${R} copies of each record$`))), 'the manager announces R');

    querier = SIX.find((n) => !ring.includes(n))!;
    const q = new Querier(fleet.peer(querier), querier, YEAR, 1207);
    try {
      await q.progress(50);

      // A member dies: the ring of 4 is the old one without it, in the same order (eviction.ts).
      const victim = ring[2]!;
      const ring4 = ring.filter((n) => n !== victim);
      let from = fleet.manager.proc.lines.length;
      const killed1 = await kill(fleet.peer(victim));
      const rep1 = await awaitRepair(fleet, [victim], ring4, from);
      assertTiming(t, `${victim} (node 2) killed`, killed1, rep1);
      const p4 = filePlacement(YEAR, 4, R);
      assertFigures(rep1.counts, p4, `the counts of the repair without ${victim}`);
      assert.equal(rep1.counts.records, l, show(rep1.counts));
      assert.equal(rep1.counts.lostRecords ?? 0, 0, `nothing lost with one death: ${show(rep1.counts)}`);
      await assertPlacement(fleet, ring4, p4, l, `the ring repaired without ${victim}`);
      await assertMembers(fleet, ring4[1]!, statesOf(ring4, [querier]), ring4, YEAR);
      const during1 = q.answeredBetween(killed1, rep1.repairedAt).length;
      assert.ok(during1 > 0, `queries answered between ${victim}'s kill and the repair: ${during1}`);
      await q.progress(50);

      // The leader dies, and with it the only copy of the file.
      const ring3Now = ring4.slice(1);
      from = fleet.manager.proc.lines.length;
      const killed2 = await kill(fleet.peer('alice'));
      const rep2 = await awaitRepair(fleet, ['alice'], ring3Now, from);
      assertTiming(t, 'alice (the leader, the only peer with the file) killed', killed2, rep2);
      const p3 = filePlacement(YEAR, 3, R);
      assertFigures(rep2.counts, p3, 'the counts of the repair without alice');
      assert.equal(rep2.counts.records, l, show(rep2.counts));
      assert.equal(rep2.counts.lostRecords ?? 0, 0, `nothing lost with one death: ${show(rep2.counts)}`);
      await assertPlacement(fleet, ring3Now, p3, l, 'the ring repaired without alice');
      await assertMembers(fleet, ring3Now[0]!, statesOf(ring3Now, [querier]), ring3Now, YEAR);
      const during2 = q.answeredBetween(killed2, rep2.repairedAt).length;
      assert.ok(during2 > 0, `queries answered between alice's kill and the repair: ${during2}`);
      await q.progress(50);
      ring3 = ring3Now;

      const answers = await q.stop();
      const wrong = answers.filter((a) => a.wrong !== null);
      const slowest = Math.max(...answers.map((a) => a.answeredAt - a.sentAt));
      t.diagnostic(
        `${answers.length} queries answered (${during1} between the first kill and its repair, ${during2} between the second), ${wrong.length} wrong; slowest ${slowest} ms`,
      );
      assert.equal(wrong.length, 0, `${wrong.length} of ${answers.length} answers were not the file's record, e.g. ${show(wrong.slice(0, 5))}`);
    } finally {
      await q.stop();
    }
  });

  test('with the file nowhere in the ring: a join and a leave rebuild it from its copies; queries exact; teardown works', { timeout: 90_000 }, async () => {
    assert.equal(ring3.length, 3, 'the previous test must have left a ring of 3');
    const l = recordsOf(YEAR);
    const alive = [...ring3, querier];

    const joined = await fleet.run(querier, `join-dht ${querier}`, 60_000);
    assertSuccess(joined, 'join-dht');
    const ring4 = [...ring3, querier];
    const p4 = filePlacement(YEAR, 4, R);
    assertFigures(joined, p4, `join-dht ${querier}`);
    assert.equal(joined.lostRecords ?? 0, 0, show(joined));
    await assertPlacement(fleet, ring4, p4, l, `after ${querier} joined`);
    await assertMembers(fleet, ring4[0]!, statesOf(ring4, []), ring4, YEAR);

    const leaver = ring4[1]!;
    const left = await fleet.run(leaver, `leave-dht ${leaver}`, 60_000);
    assertSuccess(left, 'leave-dht');
    const ringNow = ringAfterLeave(ring4, leaver);
    assert.equal(left.newLeader, ringNow[0], show(left));
    const p3 = filePlacement(YEAR, 3, R);
    assertFigures(left, p3, `leave-dht ${leaver}`);
    assert.equal(left.lostRecords ?? 0, 0, show(left));
    await assertPlacement(fleet, ringNow, p3, l, `after ${leaver} left`);
    await assertMembers(fleet, leaver, statesOf(ringNow, [leaver]), ringNow, YEAR);

    // The owner answers now that every node is up: the whole of assertQuery holds, the path too.
    const idOf = new Map(ringNow.map((name, id) => [name, id]));
    for (const id of sampleIds(YEAR, 20, 1208)) assertQuery(YEAR, id, 3, await fleet.query(leaver, id, 20_000), idOf);

    await fleet.ok(ringNow[0]!, `teardown-dht ${ringNow[0]}`, 30_000);
    await fleet.assertFree(alive, 'after the teardown');
    // No peer left could have read the file: a setup fails before the manager is asked.
    const noFile = await fleet.run(ringNow[0]!, `setup-dht ${ringNow[0]} 3 ${YEAR}`, 15_000);
    assertFailure(noFile, 'setup-dht', `details-${YEAR}.csv`);
    await fleet.assertFree(alive, 'after the setup that had no file');
    assertNoStackTraces([fleet.manager.proc, ...fleet.peers.values()]);
  });
});

describe(`--replicas ${R}, below R: two adjacent members die at once`, { skip: skipUnlessYear(YEAR) }, () => {
  const dirs = cleanups();
  after(() => dirs.run());

  test('the records owned by the first of them are lost, counted and said so; the rest is exact', { timeout: 90_000 }, async (t) => {
    const fleet = await replicaFleet({ managerPort: 34100, portRange: '34110-34199', group: 'replicas-below-r', replicas: R, fileHolders: ['alice'], emptyDir: tempDir(dirs, 'stormdht-replicas-') });
    try {
      await fleet.register(SIX);
      const l = recordsOf(YEAR);
      const ring = assertSetup(await fleet.run('alice', `setup-dht alice 5 ${YEAR}`, 60_000), 'alice', YEAR, 5);
      await assertPlacement(fleet, ring, filePlacement(YEAR, 5, R), l, 'after setup');
      const outside = SIX.find((n) => !ring.includes(n))!;

      // Nodes k and k + 1 hold both copies of node k's records (R = 2), and nothing else alone.
      const k = 2;
      const dead = [ring[k]!, ring[k + 1]!];
      const ids = fileRows(YEAR).data.ids;
      const lostIds = ids.filter((id) => ownerIn(YEAR, id, 5) === k);
      const keptIds = ids.filter((id) => ownerIn(YEAR, id, 5) !== k);
      const lost = lostIds.length;
      assert.ok(lost > 0 && lost + keptIds.length === l);

      const from = fleet.manager.proc.lines.length;
      const killedAt = Date.now();
      for (const name of dead) fleet.peer(name).child.kill('SIGKILL');
      for (const name of dead) assert.equal(await fleet.peer(name).exited, 'SIGKILL');
      const ring3 = ring.filter((n) => !dead.includes(n));
      const rep = await awaitRepair(fleet, dead, ring3, from);
      assertTiming(t, `${dead.join(' and ')} (nodes ${k}, ${k + 1}) killed`, killedAt, rep);

      // Reported three times, each exactly the records node k owned.
      const p3 = placementOf(YEAR, keptIds, 3, R);
      assertFigures(rep.counts, p3, 'the counts of the repair below R');
      assert.equal(rep.counts.lostRecords, lost, `lostRecords: ${show(rep.counts)}`);
      const leader = fleet.peer(ring3[0]!);
      const leaderNote = leader.lines.find((line) => isNote(line, /records lost every copy/));
      assert.ok(leaderNote !== undefined, `${ring3[0]} warns of the lost records`);
      assert.equal(leaderNote.level, 'warn', show(leaderNote));
      assert.match(String(leaderNote.text), new RegExp(`^${lost} records lost every copy when ${dead.join(', ')} died`), show(leaderNote));
      const managerNote = await fleet.manager.proc.waitForLine((line) => isNote(line, /^the repaired DHT lost every copy of /), 5_000);
      assert.equal(managerNote.level, 'warn', show(managerNote));
      assert.match(String(managerNote.text), new RegExp(`^the repaired DHT lost every copy of ${lost} records`), show(managerNote));
      t.diagnostic(`${lost} records lost (node ${k}'s of 5), as reported; ${keptIds.length} kept`);

      await assertPlacement(fleet, ring3, p3, l - lost, 'the ring repaired below R');
      await assertMembers(fleet, outside, statesOf(ring3, [outside]), ring3, YEAR);

      // A lost record: not "not found", but the loss. A kept one: the file's row.
      for (const id of lostIds.slice(0, 3)) {
        const r = await fleet.run(outside, `query-dht ${outside} ${id}`, 20_000);
        assertFailure(r, 'query-dht', 'lost every copy');
        assert.ok(String(r.error).includes(`${lost} records`), `the error gives the count: ${show(r)}`);
      }
      const idOf = new Map(ring3.map((name, id) => [name, id]));
      for (const id of keptIds.filter((_, i) => i % 4801 === 0)) assertQuery(YEAR, id, 3, await fleet.query(outside, id, 20_000), idOf);

      await fleet.ok(ring3[0]!, `teardown-dht ${ring3[0]}`, 30_000);
      await fleet.assertFree([...ring3, outside], 'after the teardown');
      assertNoStackTraces([fleet.manager.proc, ...fleet.peers.values()]);
    } finally {
      await fleet.close();
    }
  });
});

describe('R = 1 (no --replicas): SPEC\'s DHT, as before', { skip: skipUnlessYear('1950') }, () => {
  const dirs = cleanups();
  after(() => dirs.run());

  test('no replicasPerNode in the setup result or counts, no replicas in status', { timeout: 60_000 }, async () => {
    const four = SIX.slice(0, 4);
    const fleet = await replicaFleet({ managerPort: 34200, portRange: '34210-34299', group: 'replicas-one', fileHolders: four, emptyDir: tempDir(dirs, 'stormdht-replicas-') });
    try {
      await fleet.register(four);
      const setup = await fleet.run('alice', 'setup-dht alice 3 1950', 30_000);
      const ring = assertSetup(setup, 'alice', '1950', 3);
      assert.ok(!('replicasPerNode' in setup) && !('lostRecords' in setup), `no replica figures with R = 1: ${show(setup)}`);
      const counts = await fleet.peer('alice').waitForLine((line) => line.event === 'counts' && line.reason === 'setup', 5_000);
      assert.ok(!('replicasPerNode' in counts) && !('lostRecords' in counts), `no replica figures with R = 1: ${show(counts)}`);
      await fleet.assertRing(ring, '1950', 'R = 1');
      for (const name of four) {
        const st = await fleet.status(name);
        assert.ok(!('replicas' in st), `no replicas in status with R = 1: ${show(st)}`);
      }
      assert.ok(!fleet.manager.proc.lines.some((line) => isNote(line, /copies of each record/)), 'the manager says nothing of copies');
      const outside = four.find((n) => !ring.includes(n))!;
      const idOf = new Map(ring.map((name, id) => [name, id]));
      for (const id of sampleIds('1950', 2, 1209)) assertQuery('1950', id, 3, await fleet.query(outside, id, 20_000), idOf);
      await fleet.ok('alice', 'teardown-dht alice', 30_000);
      await fleet.assertFree(four, 'after the teardown');
      assertNoStackTraces([fleet.manager.proc, ...fleet.peers.values()]);
    } finally {
      await fleet.close();
    }
  });
});
