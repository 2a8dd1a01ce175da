// Issue 3, item 5, as issue 11 changed it: nothing wedges. A peer the manager waits on — the
// leader during setup or teardown, the leaver or the joiner during a rebuild — is SIGKILLed at a
// chosen point (a trace line it prints; where the point would be a race, another peer is held with
// SIGSTOP for a moment so that the operation cannot move on). The manager's failure detector
// finds it dead about 2.5 s after the kill, long before any await timeout, and ends the wait: a
// setup or teardown gives the DHT up (dht-reset to every member, every survivor Free), a leave or
// join has the ring repaired without the dead peer (SPEC §13's counts). The dead peer's name is
// gone from the registry; a new setup among the survivors gives SPEC §13's counts, queries answer
// from the file, and teardown works. A member frozen (SIGSTOP) through a leave's teardown round is
// found dead too: the leave ends at once, the ring is repaired without both, and the frozen peer,
// once resumed, is Unregistered and can register again. Also: a peer whose manager falls silent
// gets `no response from manager` after its 10 s budget and stays usable. Real processes on
// 127.0.0.1, ports 41000-41999.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test, type TestContext } from 'node:test';
import { skipUnlessYear } from '../helpers/shared-data.js';
import { Fleet, isNote, isTrace, timeOf } from './faults-fleet.js';
import { assertQuery, assertSetup, assertSuccess, ringAfterLeave, sampleIds, show } from './faults-oracle.js';
import { assertMembers, assertNoStackTraces, evictionNote, statesOf } from './failure-support.js';
import { assertDetected, assertUsable, kill, ringFromSetupTrace, signalOn, type AfterDeath } from './kill-support.js';

const SIX = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];

/** A fresh manager and six registered peers, closed whatever happens. */
async function withSix(portRange: string, group: string, body: (fleet: Fleet) => Promise<void>): Promise<void> {
  const fleet = await Fleet.local({ portRange, group });
  try {
    await fleet.register(SIX);
    await body(fleet);
    assertNoStackTraces([fleet.manager.proc, ...fleet.peers.values()]);
  } finally {
    await fleet.close();
  }
}

/** setup-dht alice n year, checked against SPEC §13; the ring in id order. */
async function setUp(fleet: Fleet, n: number, year: string): Promise<string[]> {
  const ring = assertSetup(await fleet.run('alice', `setup-dht alice ${n} ${year}`, 60_000), 'alice', year, n);
  await fleet.assertRing(ring, year, 'before the kill');
  return ring;
}

/**
 * After the detector's verdict: the dead peer is gone from the registry; a repaired ring is torn
 * down by its leader; the survivors are Free and empty; the system works.
 */
async function recover(fleet: Fleet, victim: string, after: AfterDeath, seed: number): Promise<void> {
  const survivors = SIX.filter((n) => n !== victim);
  const repaired = 'repair' in after ? after.repair : null;
  const free = survivors.filter((n) => repaired === null || !repaired.includes(n));
  await assertMembers(fleet, survivors[0]!, statesOf(repaired ?? [], free), repaired);
  if (repaired !== null) await fleet.ok(repaired[0]!, `teardown-dht ${repaired[0]}`, 30_000);
  await fleet.assertFree(survivors, `after the manager found ${victim} dead`);
  await assertUsable(fleet, survivors, '1951', seed);
}

describe('SIGKILL of the peer the manager waits on: the failure detector ends the wait', { skip: skipUnlessYear('1950', '1951', '1996') }, () => {
  test('setup: the leader dies after its set-ids were answered, before any store (1950, n = 6; bob held)', { timeout: 60_000 }, async (t: TestContext) => {
    await withSix('41000-41049', 'kill-setup-set-id', async (fleet) => {
      const alice = fleet.peer('alice');
      const bob = fleet.peer('bob');
      bob.child.kill('SIGSTOP'); // bob cannot answer its set-id, so alice cannot reach the stores
      alice.send('setup-dht alice 6 1950');
      for (const name of ['carol', 'dave', 'erin', 'frank']) await alice.waitForLine((l) => isTrace(l, name, 'alice', /^reply SUCCESS/), 15_000);
      const killedAt = await kill(alice);
      assert.ok(!alice.lines.some((l) => isNote(l, /^store traffic/)), 'alice must die before her stores');
      bob.child.kill('SIGCONT'); // bob now takes the set-id of the dead leader; the reset must undo it
      await bob.waitForLine((l) => isTrace(l, 'alice', 'bob', /^set-id /), 10_000);
      const after = { reset: SIX.filter((n) => n !== 'alice') };
      const { evictedAfterKillMs } = await assertDetected(fleet, { victim: 'alice', awaitStart: /^setup-dht SUCCESS/, killedAt, after });
      t.diagnostic(`kill → evicted ${evictedAfterKillMs} ms`);
      await recover(fleet, 'alice', after, 11);
    });
  });

  test('setup: the leader dies in the middle of its stores (1996, n = 5; node 3 held)', { timeout: 60_000 }, async (t: TestContext) => {
    await withSix('41050-41099', 'kill-setup-stores', async (fleet) => {
      const alice = fleet.peer('alice');
      alice.send('setup-dht alice 5 1996');
      const ring = await ringFromSetupTrace(alice, 'alice');
      for (const name of ring.slice(1)) await alice.waitForLine((l) => isTrace(l, name, 'alice', /^reply SUCCESS/), 15_000);
      // Node 3 is held once it has its id: the stores for owners 3 and 4 cannot be acknowledged.
      fleet.peer(ring[3]!).child.kill('SIGSTOP');
      await sleep(400);
      assert.ok(!alice.lines.some((l) => isNote(l, /^store traffic/) || isTrace(l, 'alice', null, /^count /)), 'alice must still be storing');
      const killedAt = await kill(alice);
      fleet.peer(ring[3]!).child.kill('SIGCONT');
      const after = { reset: ring.slice(1) };
      const { evictedAfterKillMs } = await assertDetected(fleet, { victim: 'alice', awaitStart: /^setup-dht SUCCESS/, killedAt, after });
      t.diagnostic(`kill → evicted ${evictedAfterKillMs} ms`);
      await recover(fleet, 'alice', after, 12);
    });
  });

  test("leave: the leaver dies after sending teardown, the round held at its left neighbour; the ring is repaired (1950, n = 5)", { timeout: 60_000 }, async (t: TestContext) => {
    await withSix('41100-41149', 'kill-leave-teardown', async (fleet) => {
      const ring = await setUp(fleet, 5, '1950');
      const y = ring[2]!;
      const left = fleet.peer(ring[1]!);
      left.child.kill('SIGSTOP');
      fleet.peer(y).send(`leave-dht ${y}`);
      await fleet.peer(y).waitForLine((l) => isTrace(l, y, ring[3]!, new RegExp(`^teardown origin=${y} final=false`)), 15_000);
      const killedAt = await kill(fleet.peer(y));
      assert.ok(!fleet.peer(y).lines.some((l) => isTrace(l, y, null, /^reset-id /)), `${y} must die before its reset-id`);
      left.child.kill('SIGCONT');
      const after = { repair: ringAfterLeave(ring, y), year: '1950' };
      const { evictedAfterKillMs } = await assertDetected(fleet, { victim: y, awaitStart: /^leave-dht SUCCESS/, killedAt, after });
      t.diagnostic(`kill → evicted ${evictedAfterKillMs} ms`);
      await recover(fleet, y, after, 13);
    });
  });

  test('leave: the leaving leader dies once it has sent reset-id; the ring is repaired (1996, n = 5)', { timeout: 60_000 }, async (t: TestContext) => {
    await withSix('41150-41199', 'kill-leave-reset-id', async (fleet) => {
      const ring = await setUp(fleet, 5, '1996');
      const y = ring[0]!;
      fleet.peer(y).send(`leave-dht ${y}`);
      const killedAt = await signalOn(fleet.peer(y), (l) => isTrace(l, y, ring[1]!, /^reset-id id=0 /), 'SIGKILL', 15_000);
      await fleet.peer(y).exited;
      const after = { repair: ringAfterLeave(ring, y), year: '1996' };
      const { evictedAfterKillMs } = await assertDetected(fleet, { victim: y, awaitStart: /^leave-dht SUCCESS/, killedAt, after });
      const got = (name: string, re: RegExp) => fleet.peer(name).lines.some((l) => isTrace(l, null, name, re));
      const reached = got(ring[1]!, /^rebuild-dht /)
        ? 'after rebuild-dht reached the new leader'
        : got(ring[1]!, /^reset-id /)
          ? 'after reset-id reached the new leader, before rebuild-dht'
          : 'before reset-id reached the new leader';
      t.diagnostic(`the kill landed ${reached}; kill → evicted ${evictedAfterKillMs} ms`);
      await recover(fleet, y, after, 14);
    });
  });

  test('leave: the leaver dies while the new leader redistributes after rebuild-dht; the ring is repaired (1996, n = 5)', { timeout: 60_000 }, async (t: TestContext) => {
    await withSix('41200-41249', 'kill-leave-rebuild', async (fleet) => {
      const ring = await setUp(fleet, 5, '1996');
      const y = ring[4]!;
      const newLeader = fleet.peer(ring[0]!);
      fleet.peer(y).send(`leave-dht ${y}`);
      await newLeader.waitForLine((l) => isTrace(l, y, ring[0]!, /^rebuild-dht /), 15_000);
      const killedAt = await kill(fleet.peer(y));
      assert.ok(!newLeader.lines.some((l) => l.event === 'counts' && l.reason === 'rebuild'), 'the new leader must still be redistributing');
      const after = { repair: ringAfterLeave(ring, y), year: '1996' };
      const { evictedAfterKillMs } = await assertDetected(fleet, { victim: y, awaitStart: /^leave-dht SUCCESS/, killedAt, after });
      t.diagnostic(`kill → evicted ${evictedAfterKillMs} ms`);
      await recover(fleet, y, after, 15);
    });
  });

  test('join: the joiner dies once it has sent join-request; the ring of 5 is repaired (1996, n = 5 + 1)', { timeout: 60_000 }, async (t: TestContext) => {
    await withSix('41250-41299', 'kill-join', async (fleet) => {
      const ring = await setUp(fleet, 5, '1996');
      const x = SIX.find((n) => !ring.includes(n))!;
      fleet.peer(x).send(`join-dht ${x}`);
      const killedAt = await signalOn(fleet.peer(x), (l) => isTrace(l, x, ring[0]!, /^join-request /), 'SIGKILL', 15_000);
      await fleet.peer(x).exited;
      const after = { repair: ring, year: '1996' };
      const { evictedAfterKillMs } = await assertDetected(fleet, { victim: x, awaitStart: /^join-dht SUCCESS/, killedAt, after });
      t.diagnostic(`kill → evicted ${evictedAfterKillMs} ms`);
      await recover(fleet, x, after, 16);
    });
  });

  describe('join: the joiner dies during the redistribution, after taking its id (1996, n = 5 + 1)', () => {
    let fleet: Fleet;
    let evictedAt = 0;
    before(async () => {
      fleet = await Fleet.local({ portRange: '41350-41399', group: 'kill-join-stores' });
    });
    after(async () => {
      await fleet?.close();
    });

    test('the detector ends the wait, the ring of 5 is repaired, and the survivors build a new DHT', { timeout: 60_000 }, async (t: TestContext) => {
      await fleet.register(SIX);
      const ring = await setUp(fleet, 5, '1996');
      const x = SIX.find((n) => !ring.includes(n))!;
      fleet.peer(x).send(`join-dht ${x}`);
      // x answers its set-id (id 5), then dies: the leader's stores for owner 5 go unanswered.
      await fleet.peer('alice').waitForLine((l) => isTrace(l, x, 'alice', /^reply SUCCESS/), 15_000);
      const killedAt = await kill(fleet.peer(x));
      const after = { repair: ring, year: '1996' };
      const { evictedAfterKillMs } = await assertDetected(fleet, { victim: x, awaitStart: /^join-dht SUCCESS/, killedAt, after });
      t.diagnostic(`kill → evicted ${evictedAfterKillMs} ms`);
      evictedAt = timeOf(fleet.manager.proc.lines.find(evictionNote(x))!);
      await recover(fleet, x, after, 18);
    });

    test(
      'after the repair the former leader stops sending the stores of the abandoned distribution',
      {
        timeout: 60_000,
      },
      async () => {
        assert.ok(evictedAt > 0, 'the previous test must have run');
        // Stores already in flight at the repair may run out their 10 s budget; any store that
        // times out later was sent after the repair. Those sent once the first ones failed time
        // out up to two budgets after it.
        const budget = 10_000;
        const wait = evictedAt + 2 * budget + 3_000 - Date.now();
        if (wait > 0) await sleep(wait);
        const late = fleet.peer('alice').lines.filter((l) => isNote(l, /^no response from \S+ to store$/) && timeOf(l) > evictedAt + budget + 500);
        assert.equal(late.length, 0, `${late.length} stores sent after the repair began timed out in the ${Date.now() - evictedAt - budget} ms after the budget of those in flight`);
      },
    );
  });

  test("teardown: the leader dies after sending teardown, the round held at its right neighbour (1950, n = 5)", { timeout: 60_000 }, async (t: TestContext) => {
    await withSix('41300-41349', 'kill-teardown', async (fleet) => {
      const ring = await setUp(fleet, 5, '1950');
      const right = fleet.peer(ring[1]!);
      right.child.kill('SIGSTOP');
      fleet.peer('alice').send('teardown-dht alice');
      await fleet.peer('alice').waitForLine((l) => isTrace(l, 'alice', ring[1]!, /^teardown origin=alice final=true/), 15_000);
      const killedAt = await kill(fleet.peer('alice'));
      right.child.kill('SIGCONT');
      const after = { reset: ring.slice(1) };
      const { evictedAfterKillMs } = await assertDetected(fleet, { victim: 'alice', awaitStart: /^teardown-dht SUCCESS/, killedAt, after });
      t.diagnostic(`kill → evicted ${evictedAfterKillMs} ms`);
      await recover(fleet, 'alice', after, 17);
    });
  });
});

describe('a member frozen through a leave', { skip: skipUnlessYear('1950', '1951') }, () => {
  test('leave: a member SIGSTOPped through the teardown round is found dead; the leave ends at once, the ring is repaired without both, and the frozen peer comes back Unregistered (1950, n = 5)', { timeout: 90_000 }, async (t: TestContext) => {
    await withSix('41500-41549', 'frozen-leave', async (fleet) => {
      const ring = await setUp(fleet, 5, '1950');
      const leaver = ring[1]!;
      const frozenName = ring[3]!;
      const frozen = fleet.peer(frozenName);
      frozen.child.kill('SIGSTOP'); // the round stops at it; the detector finds it dead meanwhile
      const stoppedAt = Date.now();
      const left = await fleet.run(leaver, `leave-dht ${leaver}`, 40_000);
      const leftAfterMs = Date.now() - stoppedAt;
      assert.deepEqual([left.command, left.ok], ['leave-dht', false], show(left));
      assert.match(String(left.error), new RegExp(`^the manager reset the DHT: ${frozenName} died \\(no heartbeat for \\d+\\.\\d s\\) during ${leaver}'s leave`), show(left));
      assert.ok(leftAfterMs < 6_000, `the leave ended ${leftAfterMs} ms after the freeze, not after the 10 s budget`);
      // The ring without the frozen member and without the leaver, led by the leaver's right neighbour.
      const repaired = ringAfterLeave(ring, leaver).filter((n) => n !== frozenName);
      const after = { repair: repaired, year: '1950' };
      const { evictedAfterKillMs } = await assertDetected(fleet, { victim: frozenName, killedAt: stoppedAt, after });
      assert.match(String(fleet.manager.proc.lines.find(evictionNote(frozenName))?.text), new RegExp(`during ${leaver}'s leave: ${repaired[0]} rebuilds the ring of 3 without both$`));
      await fleet.manager.proc.waitForLine((l) => isTrace(l, 'manager', leaver, /^dht-reset \(/), 5_000);
      t.diagnostic(`freeze → evicted ${evictedAfterKillMs} ms; the leave failed ${leftAfterMs} ms after the freeze`);
      await fleet.assertFree([leaver], 'the leaver, reset');

      frozen.child.kill('SIGCONT');
      await frozen.waitForLine((l) => isNote(l, new RegExp(`^the manager no longer knows ${frozenName} \\(evicted: `)), 10_000);
      const st = await fleet.status(frozenName);
      assert.equal(st.state, 'Unregistered', show(st));
      await fleet.assertRing(repaired, '1950', 'after the frozen peer came back');
      assertSuccess(await fleet.run(frozenName, `register ${frozenName}`, 15_000), 'register');
      await fleet.ok(repaired[0]!, `teardown-dht ${repaired[0]}`, 30_000);
      await fleet.assertFree(SIX, 'after the teardown');
      await assertUsable(fleet, SIX, '1951', 17);
    });
  });
});

describe('a peer whose manager falls silent', { skip: skipUnlessYear('1950') }, () => {
  test('SIGSTOP, then SIGKILL of the manager: `no response from manager` after 10 s, and the peer stays usable', { timeout: 90_000 }, async () => {
    const fleet = await Fleet.local({ portRange: '41400-41449', group: 'kill-manager', });
    const manager = fleet.manager.proc;
    try {
      const four = ['alice', 'bob', 'carol', 'dave'];
      await fleet.register(four);
      const ring = assertSetup(await fleet.run('alice', 'setup-dht alice 3 1950', 30_000), 'alice', '1950', 3);
      const q = four.find((n) => !ring.includes(n))!;
      const present = sampleIds('1950', 1, 41)[0]!;

      manager.child.kill('SIGSTOP');
      const t0 = Date.now();
      const pending = fleet.run(q, `query-dht ${q} ${present}`, 30_000);
      // Meanwhile the other peers are not held up by it.
      await fleet.assertRing(ring, '1950', 'while the manager is stopped');
      const failed = await pending;
      const waited = Date.now() - t0;
      assert.deepEqual({ command: failed.command, ok: failed.ok, error: failed.error }, { command: 'query-dht', ok: false, error: 'no response from manager' }, show(failed));
      assert.ok(waited >= 9_500 && waited <= 14_000, `the failure after the 10 s budget, not after ${waited} ms`);
      assert.ok(fleet.peer(q).lines.some((l) => isNote(l, /^no response from manager to query-dht/)), `${q} traces the timeout`);
      await fleet.assertFree([q], 'after the timeout');

      manager.child.kill('SIGCONT');
      assertQuery('1950', present, 3, await fleet.query(q, present, 20_000), new Map(ring.map((name, id) => [name, id])));
      await fleet.ok('alice', 'teardown-dht alice', 20_000);
      await fleet.assertFree(four, 'after teardown');

      // A dead manager: the same clear error, and the peer is unchanged.
      await kill(manager);
      const t1 = Date.now();
      const lost = await fleet.run(q, `deregister ${q}`, 30_000);
      assert.deepEqual({ command: lost.command, ok: lost.ok, error: lost.error }, { command: 'deregister', ok: false, error: 'no response from manager' }, show(lost));
      assert.ok(Date.now() - t1 >= 9_500, 'after the 10 s budget');
      await fleet.assertFree([q], 'after the manager died');
      assertSuccess(await fleet.run(q, 'status'), 'status');
    } finally {
      await fleet.close();
    }
  });

  test(
    'a teardown-dht that timed out while the manager was stopped, retried once the manager is back, succeeds',
    {
      timeout: 60_000,
    },
    async () => {
      const fleet = await Fleet.local({ portRange: '41450-41499', group: 'kill-manager-stale', });
      try {
        await fleet.register(['alice', 'bob', 'carol']);
        const ring = assertSetup(await fleet.run('alice', 'setup-dht alice 3 1950', 30_000), 'alice', '1950', 3);
        fleet.manager.proc.child.kill('SIGSTOP');
        const failed = await fleet.run('alice', 'teardown-dht alice', 30_000);
        assert.deepEqual({ ok: failed.ok, error: failed.error }, { ok: false, error: 'no response from manager' }, show(failed));
        await fleet.assertRing(ring, '1950', 'the failed teardown changed nothing');
        fleet.manager.proc.child.kill('SIGCONT');
        await sleep(300);
        const retry = await fleet.run('alice', 'teardown-dht alice', 30_000);
        assertSuccess(retry, 'teardown-dht');
        await fleet.assertFree(ring, 'after the retried teardown');
      } finally {
        await fleet.close();
      }
    },
  );
});
