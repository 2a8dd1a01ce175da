// Issue 13 with real processes: the manager is SIGKILLed in each of its modes and started again on
// the same port with the same --state-dir. Where the kill must land in an Await mode, a peer the
// procedure needs is held (SIGSTOP) so that it cannot finish, and the manager is stopped the moment
// its trace shows the reply that started the wait; its trace is checked for the completion (absent),
// and the restarted manager's note must name that mode from the journal. Then the procedure
// completes through the restarted manager (the peer's retransmission, or the repair-dht it sends
// again), nobody is evicted for the manager's absence, the counts are SPEC §13's, queries answer
// from the file, and members, register, deregister and teardown work. Also: a request repeated
// across the restart is answered from the restored reply cache and never applied twice; a command
// sent while the manager is down completes once; a manager without --state-dir forgets everyone,
// and every peer says so and registers again; a torn last record is dropped with one warning, a
// damaged one with records after it makes the manager refuse to start, a second manager on the same
// directory is refused, and the files are private. Real processes on 127.0.0.1, ports 35000-35999.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test, type TestContext } from 'node:test';
import type { JsonLine } from '../../src/cli/processes.js';
import { runCli, showRun } from '../helpers/run-cli.js';
import { skipUnlessYear } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp-dir.js';
import { isNote, isTrace, type Driver } from './faults-fleet.js';
import { assertSetup, assertSuccess, expectedCounts, ringAfterLeave, show, SPEC_TABLE } from './faults-oracle.js';
import { assertMembers, awaitRepaired, evictionNote, members, statesOf } from './failure-support.js';
import { kill } from './kill-support.js';
import { assertPlacement, filePlacement } from './replica-support.js';
import {
  assertNoEviction,
  assertNoStackLines,
  assertNoStackOutput,
  assertQueries,
  assertRestored,
  holdManagerOn,
  journalLines,
  managerSaid,
  RawPeer,
  RestartFleet,
  toManager,
  withRestartFleet,
} from './restart-support.js';

const YEAR = '1950';
const FIVE = ['alice', 'bob', 'carol', 'dave', 'erin'];

/** alice sets up a DHT of n over YEAR: SPEC §13's counts; the ring in id order and the peers left out. */
async function setUp(fleet: RestartFleet, n: number, registered: readonly string[]): Promise<{ ring: string[]; free: string[] }> {
  const ring = assertSetup(await fleet.run('alice', `setup-dht alice ${n} ${YEAR}`, 30_000), 'alice', YEAR, n);
  await fleet.assertRing(ring, YEAR, 'after the setup');
  return { ring, free: registered.filter((name) => !ring.includes(name)) };
}

/** The peers stopped (SIGSTOP) so that a procedure cannot finish while the manager is killed. */
function hold(fleet: RestartFleet, names: readonly string[]): () => void {
  for (const name of names) fleet.peer(name).child.kill('SIGSTOP');
  return () => {
    for (const name of names) fleet.peer(name).child.kill('SIGCONT');
  };
}

/** The restarted manager answers `who`'s `<command>` with SUCCESS, and executes it once (a repeat is answered from its reply cache, untraced). */
async function assertAnsweredOnce(fleet: RestartFleet, who: string, command: string): Promise<void> {
  const m = fleet.manager.proc;
  await m.waitForLine(managerSaid(who, `${command} SUCCESS`), 15_000);
  const asked = m.lines.filter(toManager(who, new RegExp(`^${command} `)));
  const answered = m.lines.filter((l) => isTrace(l, 'manager', who, new RegExp(`^${command} `)));
  assert.equal(asked.length, 1, `the restarted manager should trace one ${command} from ${who}: ${show(asked)}`);
  assert.deepEqual(answered.map((l) => l.text), [`${command} SUCCESS`], `the restarted manager should answer ${who}'s ${command} once, with SUCCESS`);
}

/**
 * The held peers go on while the manager is stopped, until `who` has sent the completion the
 * manager awaits (to the stopped manager, which will never answer it): the restarted manager must
 * get one of its retransmissions.
 */
async function releaseUntilSent(fleet: RestartFleet, release: () => void, who: string, completion: string): Promise<void> {
  release();
  await fleet.peer(who).waitForLine(toManager(who, new RegExp(`^${completion} ${who}\\b`)), 20_000);
  assertStopped(fleet.manager.proc);
}

/** The process is stopped (SIGSTOP): state T in /proc/<pid>/stat (Linux; elsewhere not checked). */
function assertStopped(d: Driver): void {
  const stat = `/proc/${d.child.pid}/stat`;
  if (!existsSync(stat)) return;
  const state = /\) (\S) /.exec(readFileSync(stat, 'utf8'))?.[1];
  assert.equal(state, 'T', `${d.label} should be stopped, not in state ${state}`);
}

describe('issue 13: the manager is SIGKILLed in each mode and restarted with its --state-dir', { skip: skipUnlessYear(YEAR) }, () => {
  test('Idle with a complete DHT: members, queries, register, deregister, teardown and a new setup after the restart', { timeout: 60_000 }, async (t: TestContext) => {
    const dir = path.join(tempDir(t, 'stormdht-restart-'), 'state');
    await withRestartFleet({ managerPort: 35000, portRange: '35010-35099', group: 'restart-idle', stateDir: dir }, FIVE, async (fleet) => {
      const { ring, free } = await setUp(fleet, 4, FIVE);
      const outsider = free[0]!;
      const before = await members(fleet, outsider);
      await fleet.manager.proc.waitForLine(managerSaid('alice', 'dht-complete SUCCESS'), 5_000); // the DHT is complete before the kill

      const restart = await fleet.crashAndRestart();
      t.diagnostic(`port without a manager for ${restart.downMs} ms`);
      assertRestored(restart, dir, { peers: 5, dht: { year: YEAR, members: ring }, awaiting: null });

      const after = await members(fleet, outsider);
      assert.deepEqual(after, before, 'members after the restart: the same registry (names, states, addresses) and ring');
      await assertMembers(fleet, outsider, statesOf(ring, free), ring, YEAR);
      await assertQueries(fleet, outsider, ring, YEAR, 131);

      fleet.spawn('frank');
      assertSuccess(await fleet.run('frank', 'register frank'), 'register');
      assertSuccess(await fleet.run(outsider, `deregister ${outsider}`), 'deregister');
      assert.equal(await fleet.peer(outsider).exited, 0, `${outsider} exits 0 after its deregister`);
      await assertMembers(fleet, 'frank', statesOf(ring, ['frank']), ring, YEAR);

      await fleet.ok('alice', 'teardown-dht alice', 30_000);
      const everyone = [...ring, 'frank'];
      await fleet.assertFree(everyone, 'after the teardown');
      await assertMembers(fleet, 'frank', statesOf([], everyone), null);
      const again = assertSetup(await fleet.run('alice', `setup-dht alice 5 ${YEAR}`, 30_000), 'alice', YEAR, 5);
      await fleet.assertRing(again, YEAR, 'the new setup after the restart');
      assertNoEviction(fleet);
    });
  });

  test('AwaitDhtComplete: killed on the setup-dht SUCCESS; the leader’s retransmitted dht-complete completes the setup', { timeout: 60_000 }, async (t: TestContext) => {
    const dir = path.join(tempDir(t, 'stormdht-restart-'), 'state');
    await withRestartFleet({ managerPort: 35100, portRange: '35110-35199', group: 'restart-setup', stateDir: dir }, FIVE, async (fleet) => {
      const alice = fleet.peer('alice');
      // Every other peer is held: whichever the manager picks, alice's set-ids wait, and so does her dht-complete.
      const release = hold(fleet, FIVE.slice(1));
      alice.send(`setup-dht alice 4 ${YEAR}`);
      await holdManagerOn(fleet, managerSaid('alice', 'setup-dht SUCCESS'), toManager('alice', /^dht-complete /), 'dht-complete');
      const granted = fleet.manager.proc.lines.find(managerSaid('alice', 'setup-dht SUCCESS'))!;
      const ring = /\(ring: ([^)]*)\)/.exec(String(granted.text))![1]!.split(', ');
      await releaseUntilSent(fleet, release, 'alice', 'dht-complete');

      const restart = await fleet.crashAndRestart();
      t.diagnostic(`port without a manager for ${restart.downMs} ms`);
      assertRestored(restart, dir, { peers: 5, dht: { year: YEAR, members: ring }, awaiting: 'dht-complete from alice' });

      const result = await alice.nextResult(30_000);
      assert.deepEqual(assertSetup(result, 'alice', YEAR, 4), ring, 'the setup completes with the ring the first manager granted');
      await assertAnsweredOnce(fleet, 'alice', 'dht-complete');
      await fleet.assertRing(ring, YEAR, 'the setup completed across the restart');
      const free = FIVE.filter((name) => !ring.includes(name));
      await assertMembers(fleet, free[0]!, statesOf(ring, free), ring, YEAR);
      await assertQueries(fleet, free[0]!, ring, YEAR, 132);
      assertNoEviction(fleet);
    });
  });

  test('AwaitDhtRebuilt: killed on the leave-dht SUCCESS, then on the join-dht SUCCESS; both complete after the restart', { timeout: 60_000 }, async (t: TestContext) => {
    const dir = path.join(tempDir(t, 'stormdht-restart-'), 'state');
    await withRestartFleet({ managerPort: 35200, portRange: '35210-35299', group: 'restart-rebuild', stateDir: dir }, FIVE, async (fleet) => {
      const { ring, free } = await setUp(fleet, 4, FIVE);
      const joiner = free[0]!;

      // The leave: ring[1] leaves; its right neighbour, where its teardown round goes first, is held.
      const leaver = ring[1]!;
      const afterLeave = ringAfterLeave(ring, leaver);
      let release = hold(fleet, [ring[2]!]);
      fleet.peer(leaver).send(`leave-dht ${leaver}`);
      await holdManagerOn(fleet, managerSaid(leaver, 'leave-dht SUCCESS'), toManager(leaver, /^dht-rebuilt /), 'dht-rebuilt');
      await releaseUntilSent(fleet, release, leaver, 'dht-rebuilt');
      let restart = await fleet.crashAndRestart();
      t.diagnostic(`leave: port without a manager for ${restart.downMs} ms`);
      assertRestored(restart, dir, { peers: 5, dht: { year: YEAR, members: ring }, awaiting: `dht-rebuilt from ${leaver}` });
      const left = await fleet.peer(leaver).nextResult(30_000);
      assertSuccess(left, 'leave-dht');
      assert.deepEqual({ newLeader: left.newLeader, recordsPerNode: left.recordsPerNode }, { newLeader: afterLeave[0], recordsPerNode: expectedCounts(YEAR, 3) }, `the leave's result: ${show(left)}`);
      await assertAnsweredOnce(fleet, leaver, 'dht-rebuilt');
      await assertMembers(fleet, joiner, statesOf(afterLeave, [leaver, joiner]), afterLeave, YEAR);
      await fleet.assertRing(afterLeave, YEAR, 'after the leave across the restart');

      // The join: the Free peer joins; the leader it must ask is held until the manager has
      // restarted, so that this time the completion goes to the restarted manager first.
      const afterJoin = [...afterLeave, joiner];
      release = hold(fleet, [afterLeave[0]!]);
      fleet.peer(joiner).send(`join-dht ${joiner}`);
      await holdManagerOn(fleet, managerSaid(joiner, 'join-dht SUCCESS'), toManager(joiner, /^dht-rebuilt /), 'dht-rebuilt');
      restart = await fleet.crashAndRestart();
      release();
      t.diagnostic(`join: port without a manager for ${restart.downMs} ms`);
      assertRestored(restart, dir, { peers: 5, dht: { year: YEAR, members: afterLeave }, awaiting: `dht-rebuilt from ${joiner}` });
      const joined = await fleet.peer(joiner).nextResult(30_000);
      assertSuccess(joined, 'join-dht');
      assert.deepEqual({ newLeader: joined.newLeader, recordsPerNode: joined.recordsPerNode }, { newLeader: afterLeave[0], recordsPerNode: expectedCounts(YEAR, 4) }, `the join's result: ${show(joined)}`);
      await assertAnsweredOnce(fleet, joiner, 'dht-rebuilt');
      await assertMembers(fleet, leaver, statesOf(afterJoin, [leaver]), afterJoin, YEAR);
      await fleet.assertRing(afterJoin, YEAR, 'after the join across the restart');
      await assertQueries(fleet, leaver, afterJoin, YEAR, 133);
      assertNoEviction(fleet);
    });
  });

  test('AwaitTeardownComplete: killed on the teardown-dht SUCCESS; the teardown completes, everyone is Free, a new setup works', { timeout: 60_000 }, async (t: TestContext) => {
    const dir = path.join(tempDir(t, 'stormdht-restart-'), 'state');
    const four = FIVE.slice(0, 4);
    await withRestartFleet({ managerPort: 35300, portRange: '35310-35399', group: 'restart-teardown', stateDir: dir }, four, async (fleet) => {
      const { ring } = await setUp(fleet, 3, four);
      const release = hold(fleet, [ring[1]!]);
      fleet.peer('alice').send('teardown-dht alice');
      await holdManagerOn(fleet, managerSaid('alice', 'teardown-dht SUCCESS'), toManager('alice', /^teardown-complete /), 'teardown-complete');
      await releaseUntilSent(fleet, release, 'alice', 'teardown-complete');
      const restart = await fleet.crashAndRestart();
      t.diagnostic(`port without a manager for ${restart.downMs} ms`);
      assertRestored(restart, dir, { peers: 4, dht: { year: YEAR, members: ring }, awaiting: 'teardown-complete from alice' });
      assertSuccess(await fleet.peer('alice').nextResult(30_000), 'teardown-dht');
      await assertAnsweredOnce(fleet, 'alice', 'teardown-complete');
      await fleet.assertFree(four, 'after the teardown across the restart');
      await assertMembers(fleet, 'bob', statesOf([], four), null);
      const again = assertSetup(await fleet.run('alice', `setup-dht alice 4 ${YEAR}`, 30_000), 'alice', YEAR, 4);
      await fleet.assertRing(again, YEAR, 'the new setup after the restart');
      assertNoEviction(fleet);
    });
  });

  test('AwaitDhtRepaired (--replicas 2): a member is SIGKILLed, the manager killed at its eviction; the repair completes after the restart', { timeout: 60_000 }, async (t: TestContext) => {
    const dir = path.join(tempDir(t, 'stormdht-restart-'), 'state');
    await withRestartFleet({ managerPort: 35400, portRange: '35410-35499', group: 'restart-repair', stateDir: dir, replicas: 2 }, FIVE, async (fleet) => {
      const ring = assertSetup(await fleet.run('alice', `setup-dht alice 4 ${YEAR}`, 30_000), 'alice', YEAR, 4);
      const total = SPEC_TABLE[YEAR]!.l;
      await assertPlacement(fleet, ring, filePlacement(YEAR, 4, 2), total, 'before the crash');
      const outsider = FIVE.find((name) => !ring.includes(name))!;
      const [leader, victim, held, last] = ring as [string, string, string, string];
      const survivors = [leader, held, last];

      await kill(fleet.peer(victim));
      // A survivor is held once the victim is suspected (1 s), so that the repair's set-ids wait; it
      // is silent for about 1.5 s when the victim is evicted, short of the 2.5 s dead time.
      await fleet.manager.proc.waitForLine((l) => isNote(l, new RegExp(`^failure detector: suspect ${victim}:`)), 10_000);
      const release = hold(fleet, [held]);
      await holdManagerOn(fleet, evictionNote(victim), toManager(leader, /^dht-repaired /), 'dht-repaired');
      const old = fleet.manager.proc;
      assert.match(String(old.lines.find(evictionNote(victim))!.text), new RegExp(`: ${leader} rebuilds the ring of 3 without it$`));
      assert.ok(old.lines.some((l) => isTrace(l, 'manager', leader, new RegExp(`^repair-dht ring=\\[${survivors.join(', ')}\\] \\(`))), 'the first manager sent repair-dht');

      await releaseUntilSent(fleet, release, leader, 'dht-repaired');
      const restart = await fleet.crashAndRestart();
      t.diagnostic(`port without a manager for ${restart.downMs} ms`);
      assertRestored(restart, dir, { peers: 4, dht: { year: YEAR, members: survivors }, awaiting: `dht-repaired from ${leader}` });
      const { done } = await awaitRepaired(fleet, leader, survivors, 15_000);
      const resent = fleet.manager.proc.lines.find((l) => isTrace(l, 'manager', leader, /^repair-dht /))!;
      assert.match(String(resent.text), /, sent again after the restart$/, `the restarted manager sends the repair-dht again: ${show(resent)}`);
      assert.equal(done.text, 'dht-repaired SUCCESS');
      await assertAnsweredOnce(fleet, leader, 'dht-repaired');
      const repairs = fleet.peer(leader).lines.filter((l) => l.type === 'event' && l.event === 'counts' && l.reason === 'repair');
      assert.equal(repairs.length, 1, `${leader} repairs once: the repair-dht sent again is answered from its reply cache`);

      await assertPlacement(fleet, survivors, filePlacement(YEAR, 3, 2), total, 'the ring repaired across the restart');
      // The members' view of who is down, which the first manager's last heartbeat answers left
      // naming the held survivor a suspect, is renewed by the restarted manager's (every 100 ms);
      // until then a query for one of its records is answered, exactly, by the copy after it.
      await sleep(500);
      await assertMembers(fleet, outsider, statesOf(survivors, [outsider]), survivors, YEAR);
      await assertQueries(fleet, outsider, survivors, YEAR, 134);
      assert.equal(old.lines.filter((l) => isNote(l, /^failure detector: evicted /)).length, 1, `only ${victim} is evicted`);
      assertNoEviction(fleet, [victim]);
    });
  });
});

describe('issue 13: requests across the restart', { skip: skipUnlessYear(YEAR) }, () => {
  test('a request repeated across the restart gets the identical reply and is applied once; a command sent while the manager is down completes once', { timeout: 60_000 }, async (t: TestContext) => {
    const dir = path.join(tempDir(t, 'stormdht-restart-'), 'state');
    const xavier = await RawPeer.bind(35590);
    const yuri = await RawPeer.bind(35592);
    t.after(() => {
      xavier.close();
      yuri.close();
    });
    await withRestartFleet({ managerPort: 35500, portRange: '35510-35579', group: 'restart-repeat', stateDir: dir }, ['alice', 'bob'], async (fleet) => {
      const to = { ip: fleet.manager.ip, port: fleet.manager.port };
      const register = RawPeer.datagram({ type: 'register', rid: 'restart.x1', name: 'xavier', ip: '127.0.0.1', mPort: xavier.port, pPort: xavier.port + 1 });
      const first = await xavier.ask(register, 'restart.x1', to);
      assert.equal(first.ok, true, show(first));
      assert.ok(typeof first.key === 'string' && first.key.length > 0, `register answers with the peer's key: ${show(first)}`);
      // yuri registers and deregisters: done again, that deregister would fail (yuri is unknown by then).
      assert.equal((await yuri.ask(RawPeer.datagram({ type: 'register', rid: 'restart.y1', name: 'yuri', ip: '127.0.0.1', mPort: yuri.port, pPort: yuri.port + 1 }), 'restart.y1', to)).ok, true);
      const deregister = RawPeer.datagram({ type: 'deregister', rid: 'restart.y2', name: 'yuri' });
      const gone = await yuri.ask(deregister, 'restart.y2', to);
      assert.equal(gone.ok, true, show(gone));

      const restart = await fleet.crashAndRestart();
      assertRestored(restart, dir, { peers: 3, dht: null, awaiting: null });
      assert.deepEqual(await xavier.ask(register, 'restart.x1', to), first, 'the repeated register gets the identical reply (the same key)');
      assert.deepEqual(await yuri.ask(deregister, 'restart.y2', to), gone, 'the repeated deregister gets its SUCCESS again, from the reply cache');
      const fresh = await yuri.ask(RawPeer.datagram({ type: 'deregister', rid: 'restart.y3', name: 'yuri' }), 'restart.y3', to);
      assert.deepEqual({ ok: fresh.ok, forgotten: fresh.forgotten }, { ok: false, forgotten: true }, `a new deregister of yuri is refused: the first one was applied, once: ${show(fresh)}`);
      const m = fleet.manager.proc;
      for (const [command, raw] of [['register', xavier], ['deregister', yuri]] as const) {
        await m.waitForLine((l) => isNote(l, new RegExp(`^repeated ${command} from 127\\.0\\.0\\.1:${raw.port} answered from the reply cache$`)), 5_000);
      }
      assert.ok(!m.lines.some(toManager('xavier', /^register /)), 'the repeated register is answered from the reply cache, not executed again');
      await m.waitForLine((l) => isTrace(l, 'manager', 'yuri', /^deregister FAILURE/), 5_000);
      assert.equal(m.lines.filter(toManager('yuri', /^deregister /)).length, 1, 'of the two deregisters of yuri, only the new one is executed');
      await assertMembers(fleet, 'alice', { alice: 'Free', bob: 'Free', xavier: 'Free' }, null);

      // The manager is stopped, carol's register and bob's deregister go out and are retransmitted
      // until a manager answers: the restarted one, once each.
      fleet.manager.proc.child.kill('SIGSTOP');
      const bobFrom = fleet.peer('bob').lines.length;
      const carol = fleet.spawn('carol');
      carol.send('register carol');
      fleet.peer('bob').send('deregister bob');
      await carol.waitForLine(toManager('carol', /^register carol /), 15_000);
      await fleet.peer('bob').waitForLine(toManager('bob', /^deregister bob$/), 15_000);
      await sleep(300);
      assert.ok(![...carol.lines, ...fleet.peer('bob').lines.slice(bobFrom)].some((l) => l.type === 'result'), 'no answer while the manager is stopped');
      const second = await fleet.crashAndRestart();
      t.diagnostic(`port without a manager for ${second.downMs} ms (stopped before that)`);
      assertRestored(second, dir, { peers: 3, dht: null, awaiting: null });
      assertSuccess(await carol.nextResult(15_000), 'register');
      assertSuccess(await fleet.peer('bob').nextResult(15_000), 'deregister');
      assert.equal(await fleet.peer('bob').exited, 0, 'bob exits 0 after its deregister');
      await assertAnsweredOnce(fleet, 'carol', 'register');
      await assertAnsweredOnce(fleet, 'bob', 'deregister');
      await assertMembers(fleet, 'alice', { alice: 'Free', xavier: 'Free', carol: 'Free' }, null);
      assertNoEviction(fleet);
    });
  });

  test('without --state-dir the restarted manager knows nobody: every peer says so, registers again, and a new setup is exact', { timeout: 60_000 }, async () => {
    const four = FIVE.slice(0, 4);
    await withRestartFleet({ managerPort: 35600, portRange: '35610-35699', group: 'restart-plain', stateDir: null }, four, async (fleet) => {
      const { ring } = await setUp(fleet, 3, four);
      const held = new Map(ring.map((name, id) => [name, expectedCounts(YEAR, 3)[id]!]));
      const restart = await fleet.crashAndRestart();
      assert.equal(restart.note, null);
      assert.ok(!fleet.manager.proc.lines.some((l) => isNote(l, /^(restored from|state directory) /)), 'a manager without --state-dir restores nothing');
      for (const name of four) {
        const p = fleet.peer(name);
        const note = await p.waitForLine((l) => isNote(l, /^the manager no longer knows /), 10_000);
        const mPort = registeredMPort(p.lines, name);
        const ringPart = held.has(name) ? ' and its ring state' : '';
        assert.deepEqual(
          { level: note.level, text: note.text },
          {
            level: 'warn',
            text: `the manager no longer knows ${name} (the manager does not know ${name} at 127.0.0.1:${mPort}): dropped the registration${ringPart} and ${held.get(name) ?? 0} records; register again to rejoin`,
          },
          `${name}'s warning`,
        );
        assert.equal(p.lines.filter((l) => isNote(l, /^the manager no longer knows /)).length, 1, `${name} says it once`);
        const st = await fleet.status(name);
        assert.deepEqual({ state: st.state, id: st.id, records: st.records }, { state: 'Unregistered', id: null, records: 0 }, `${name} after it was forgotten: ${show(st)}`);
      }
      for (const name of four) assertSuccess(await fleet.run(name, `register ${name}`), 'register');
      await assertMembers(fleet, 'alice', statesOf([], four), null);
      const again = assertSetup(await fleet.run('alice', `setup-dht alice 3 ${YEAR}`, 30_000), 'alice', YEAR, 3);
      await fleet.assertRing(again, YEAR, 'the new setup after a restart without state');
      await assertQueries(fleet, four.find((name) => !again.includes(name))!, again, YEAR, 135);
    });
  });
});

describe('issue 13: the state directory itself', () => {
  test('a torn last record is dropped with one warning; a damaged middle one refuses the start; a second manager is refused; the files are private', { timeout: 60_000 }, async (t: TestContext) => {
    const dir = path.join(tempDir(t, 'stormdht-restart-'), 'state');
    const journal = path.join(dir, 'journal.log');
    const lockFile = path.join(dir, 'lock');
    const raws = await Promise.all([35790, 35792, 35794].map((port) => RawPeer.bind(port)));
    t.after(() => raws.forEach((r) => r.close()));
    const names = ['xena', 'yves', 'zack'];
    const fleet = await RestartFleet.start({ managerPort: 35700, portRange: '35710-35789', group: 'restart-files', stateDir: dir });
    try {
      const to = { ip: fleet.manager.ip, port: fleet.manager.port };
      let rid = 0;
      const ask = (i: number, msg: Record<string, unknown>) => {
        const r = `files.${++rid}`;
        return raws[i]!.ask(RawPeer.datagram({ ...msg, rid: r } as never), r, to);
      };
      const registerRaw = async (i: number) => assertOk(await ask(i, { type: 'register', name: names[i], ip: '127.0.0.1', mPort: raws[i]!.port, pPort: raws[i]!.port + 1 }));
      const registry = async () => {
        const r = await ask(0, { type: 'members', name: 'xena' });
        assertOk(r);
        return (r.peers as Array<{ name: string }>).map((p) => p.name);
      };
      for (const i of [0, 1, 2]) await registerRaw(i);
      assert.equal(journalLines(dir).length, 3, 'one journal record per register');

      // (d) The files are private: the directory 0700, journal and lock 0600 (and a snapshot, if any).
      const first = fleet.manager.proc;
      assertPrivate(dir);
      assert.equal(readFileSync(lockFile, 'utf8'), `${first.child.pid}\n`, 'the lock names the running manager');

      // (c) A second manager on the same directory, while the first runs, is refused.
      const second = await runCli(['manager', '35701', '--host', '127.0.0.1', '--json', '--state-dir', dir]);
      assert.equal(second.code, 1, showRun(second));
      assert.equal(second.stderr, `stormdht manager: ${dir} is in use by another manager (pid ${first.child.pid}, named in ${lockFile})\n`, showRun(second));
      assert.equal(second.stdout, '', `the refused manager prints nothing on stdout: ${showRun(second)}`);
      assertNoStackLines('the second manager', second.stdout, second.stderr);
      assert.equal(readFileSync(lockFile, 'utf8'), `${first.child.pid}\n`, 'the refused manager leaves the lock alone');
      assert.deepEqual(await registry(), names, 'the first manager still serves');

      // (a) The last record cut in half: dropped with one warning naming journal.log; the state is the prefix.
      await kill(first);
      const whole = readFileSync(journal);
      const lines = journalLines(dir);
      const keep = Buffer.byteLength(lines[0]! + '\n' + lines[1]! + '\n');
      const cut = Math.floor(Buffer.byteLength(lines[2]!) / 2);
      truncateSync(journal, keep + cut);
      assert.ok(whole.length > keep + cut);
      const restarted = await fleet.crashAndRestart();
      const warnings = fleet.manager.proc.lines.filter(stateWarning);
      assert.equal(warnings.length, 1, `one warning: ${show(warnings)}`);
      assert.equal(warnings[0]!.text, `${dir}: dropped ${cut} bytes at the end of ${journal}: a record cut short by a torn write`);
      assertRestored(restarted, dir, { peers: 2, dht: null, awaiting: null });
      assert.equal(restarted.journalRecords, 2);
      assert.deepEqual(await registry(), names.slice(0, 2), 'the state is the prefix: the torn register is not there');
      assertPrivate(dir);
      // The torn tail is gone from the file: zack registers again, and a third start reads three whole records.
      await registerRaw(2);
      assert.deepEqual(await registry(), names);
      const third = await fleet.crashAndRestart();
      assertRestored(third, dir, { peers: 3, dht: null, awaiting: null });
      assert.ok(!fleet.manager.proc.lines.some(stateWarning), 'no warning after a clean journal');
      assert.deepEqual(await registry(), names);

      // (b) One byte of a middle record changed: exit 1, one line on stderr naming the file.
      await kill(fleet.manager.proc);
      const text = readFileSync(journal);
      const middle = journalLines(dir);
      assert.equal(middle.length, 3);
      const at = Buffer.byteLength(middle[0]! + '\n') + 9 + Math.floor((Buffer.byteLength(middle[1]!) - 9) / 2);
      const damaged = Buffer.from(text);
      damaged[at] = damaged[at] === 0x61 ? 0x62 : 0x61;
      writeFileSync(journal, damaged);
      chmodSync(journal, 0o600);
      const refused = await runCli(['manager', '35700', '--host', '127.0.0.1', '--json', '--state-dir', dir]);
      assert.equal(refused.code, 1, showRun(refused));
      const errLines = refused.stderr.split('\n').filter((l) => l !== '');
      assert.equal(errLines.length, 1, `one line on stderr: ${showRun(refused)}`);
      assert.match(errLines[0]!, new RegExp(`^stormdht manager: ${escape(journal)} line 2 is damaged and 1 record follows it: refusing to start`), showRun(refused));
      assert.ok(!refused.stdout.includes('"listening"'), `the refused manager never listens: ${showRun(refused)}`);
      assertNoStackLines('the refused manager', refused.stdout, refused.stderr);
      assert.deepEqual(readFileSync(journal), damaged, 'the refused journal is left as it was');
      assertNoStackOutput(fleet.everyProcess());
    } finally {
      await fleet.close();
    }
  });
});

/**
 * A warning of the manager's, but for the failure detector's note that the manager itself did not
 * run for a while (a start on a busy 2-core machine), which says nothing of the state directory.
 */
function stateWarning(l: JsonLine): boolean {
  return isNote(l, /./) && l.level === 'warn' && !isNote(l, /^failure detector: the manager did not run for /);
}

function assertOk(reply: Record<string, unknown>): void {
  assert.equal(reply.ok, true, show(reply));
}

/** The directory is 0700, its journal and lock 0600, and its snapshot 0600 when there is one. */
function assertPrivate(dir: string): void {
  const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
  assert.equal(mode(dir), '700', `${dir} must be 0700`);
  for (const file of ['journal.log', 'lock', 'snapshot.json']) {
    const full = path.join(dir, file);
    if (file === 'snapshot.json' && !existsSync(full)) continue;
    assert.equal(mode(full), '600', `${full} must be 0600`);
  }
}

/** The m-port a peer registered from, from its trace of the register it sent. */
function registeredMPort(lines: readonly JsonLine[], name: string): number {
  const line = lines.find(toManager(name, new RegExp(`^register ${name} `)));
  const m = line && /^register [A-Za-z]+ \S+ (\d+) \d+$/.exec(String(line.text));
  if (!m) throw new Error(`no register trace of ${name}`);
  return Number(m[1]);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
