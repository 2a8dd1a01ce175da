// The simulation with manager crashes (issue 13; src/sim/manager-crash.ts): the manager keeps its
// state on a memory disk, and a step may kill its process — at a random moment, while it awaits a
// completion, in the middle of a journal write or right after one — and start it again on the same
// address from that disk, after a few ms to 25 s. After each restart the state it restored must be
// the one its disk must hold (the one it announced, or the one the write it died after made); no
// command may run twice across a restart; nobody may be evicted for the manager's absence; and
// every invariant of R = 1 and of R ≥ 2 runs must hold at the end of every step. The checks do
// catch a planted bug: a restart from an empty disk, a store that silently drops a record, a
// restart that forgets the replies it journaled or the requests it still owed, and the ledger
// catches a request run again on the socket of a restarted process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalBody } from '../../src/manager/durability.js';
import { emptyDisk, openMemoryState, type MemoryStateStore } from '../../src/manager/memory-state-store.js';
import type { Cluster } from '../../src/sim/cluster.js';
import { noManagerCrashes, type ManagerCrashCounts } from '../../src/sim/manager-crash.js';
import type { ManagerLifecycle } from '../../src/sim/manager-process.js';
import { ExecutionLedger } from '../../src/sim/execution-ledger.js';
import { caughtSeeds as caughtWith, WANTED } from './sabotage.js';
import { runSeed, SimulationFailure, type RunOptions } from '../../src/sim/runner.js';
import { MemoryNetwork } from '../../src/transport/memory-network.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';
import { encode } from '../../src/wire/codec.js';

/**
 * Seeds of the CI run, and their steps. A run with manager crashes takes 110 to 170 ms on a 2-core
 * machine (R ≥ 2 a little more): its manager crashes about 6 times, a fifth of them for longer
 * than the peers' retry budget, which adds virtual time and retransmissions. Together about 60 s,
 * and the sabotages about 15 s more.
 */
const SPEC_SEEDS = 200;
const REPLICATED_SEEDS = 150;
const STEPS = 30;
const CRASHES: RunOptions = { steps: STEPS, managerCrashes: true };
const REPLICATED_CRASHES: RunOptions = { ...CRASHES, replicas: 'drawn' };

/** Runs seeds 1…count; returns the failures' messages and the runs' manager crash counts. */
async function runAll(count: number, options: RunOptions) {
  const failures: string[] = [];
  const totals = { ...noManagerCrashes(), evictions: 0 };
  for (let seed = 1; seed <= count; seed++) {
    await runSeed(seed, options).then(
      (outcome) => {
        for (const k of Object.keys(outcome.managerCrashes) as (keyof ManagerCrashCounts)[]) totals[k] += outcome.managerCrashes[k];
        totals.evictions += outcome.disruptions.evictions;
      },
      (err: unknown) => {
        if (!(err instanceof SimulationFailure)) throw err;
        failures.push(err.message);
      },
    );
  }
  return { failures, totals };
}

type Totals = Awaited<ReturnType<typeof runAll>>['totals'];

/** The runs did what they are for: many crashes of every kind, each followed by a restart. */
function assertCrashed(count: number, totals: Totals): void {
  assert.equal(totals.restarts, totals.crashes, 'every crash is followed by a restart');
  assert.ok(totals.crashes >= 3 * count, `only ${totals.crashes} manager crashes in ${count} runs`);
  assert.ok(totals.whileAwaiting >= count / 2, `only ${totals.whileAwaiting} crashes while the manager awaited a completion`);
  assert.ok(totals.tornWrites >= count / 5, `only ${totals.tornWrites} crashes in the middle of a write`);
  assert.ok(totals.afterWrites >= count / 20, `only ${totals.afterWrites} crashes right after a write`);
  assert.ok(totals.beyondBudget >= count / 2, `only ${totals.beyondBudget} crashes for longer than a retry budget`);
}

function describe(totals: Totals): string {
  return (
    `${totals.crashes} manager crashes (${totals.whileAwaiting} while it awaited a completion, ${totals.tornWrites} in the middle of a write, ` +
    `${totals.afterWrites} right after one, ${totals.beyondBudget} beyond the retry budget), ${totals.evictions} evictions`
  );
}

test(`${SPEC_SEEDS} seeded runs with manager crashes keep every invariant after every step`, async (t) => {
  const { failures, totals } = await runAll(SPEC_SEEDS, CRASHES);
  assert.deepEqual(failures, [], `${failures.length} of ${SPEC_SEEDS} seeds failed; replay one with: npm run sim -- --seed S --steps ${STEPS} --manager-crashes --verbose`);
  t.diagnostic(describe(totals));
  assertCrashed(SPEC_SEEDS, totals);
});

test(`${REPLICATED_SEEDS} seeded runs with R copies and manager crashes keep every record on R live nodes`, async (t) => {
  const { failures, totals } = await runAll(REPLICATED_SEEDS, REPLICATED_CRASHES);
  assert.deepEqual(failures, [], `${failures.length} of ${REPLICATED_SEEDS} seeds failed; replay one with: npm run sim -- --seed S --steps ${STEPS} --replicas drawn --manager-crashes --verbose`);
  t.diagnostic(describe(totals));
  assertCrashed(REPLICATED_SEEDS, totals);
});

test('a seed with manager crashes replays exactly, and a seed without them is what it was', async () => {
  const first = await runSeed(5, CRASHES);
  assert.deepEqual((await runSeed(5, CRASHES)).log, first.log);
  assert.match(first.log[0]!, /, manager crash 0\.\d+$/);
  assert.ok(first.log.some((line) => /^ {3}manager crash at /.test(line)) && first.log.some((line) => /^ {3}manager restarted at /.test(line)));
  // The draws of a run without manager crashes are untouched: its settings, peers and commands.
  const plain = await runSeed(5, { steps: STEPS });
  assert.equal(first.log[0], `${plain.log[0]}, manager crash ${first.settings.managerCrashChance}`);
  assert.equal(first.log[1], plain.log[1]);
  assert.equal(plain.managerCrashes.crashes, 0);
});

/** Seeds tried at most for a sabotage. */
const SEARCH_SEEDS = 60;

/** Runs seeds 1… with the sabotage until WANTED fail (sabotage.ts). */
function caughtSeeds(sabotage: (c: Cluster) => void, message: RegExp, options: RunOptions = CRASHES, search = SEARCH_SEEDS): Promise<number[]> {
  return caughtWith(sabotage, message, options, search);
}

/** Puts `reading` in the place of the manager's restart from its disk. */
function restartWith(cluster: Cluster, reading: (open: ManagerLifecycle['open']) => ManagerLifecycle['open']): void {
  const life = cluster.managerProcess!;
  life.open = reading(life.open);
}

const ANOTHER_STATE = /restarted at \S+ with another state than the one its disk must hold from before its crash/;

test('a manager restarted from an empty disk is caught: its state is not the one it announced', async () => {
  const amnesiac = (cluster: Cluster) => restartWith(cluster, () => (_disk, now) => openMemoryState(emptyDisk(), 1, now));
  const caught = await caughtSeeds(amnesiac, ANOTHER_STATE);
  assert.equal(caught.length, WANTED, `caught on ${caught.length} of seeds 1–${SEARCH_SEEDS}`);
});

test('a store that silently drops a record is caught at the next restart', async () => {
  // Every fifth record is acknowledged and never written: the manager announces a change that its
  // disk does not hold.
  const leaky = (cluster: Cluster) => {
    let appends = 0;
    const drop = (store: MemoryStateStore) => {
      const append = store.append.bind(store);
      store.append = (body: JournalBody) => (++appends % 5 === 0 ? 0 : append(body));
      return store;
    };
    drop(cluster.managerProcess!.store);
    restartWith(cluster, (open) => (disk, now) => {
      const opened = open(disk, now);
      return { ...opened, store: drop(opened.store) };
    });
  };
  const caught = await caughtSeeds(leaky, new RegExp(`${ANOTHER_STATE.source}|could not start again from its disk`));
  assert.equal(caught.length, WANTED, `caught on ${caught.length} of seeds 1–${SEARCH_SEEDS}`);
});

test('a restarted manager that forgets the replies it journaled runs a retransmitted command twice, and is caught', async () => {
  const forgetful = (cluster: Cluster) =>
    restartWith(cluster, (open) => (disk, now) => {
      const opened = open(disk, now);
      return { ...opened, restored: { ...opened.restored, replies: [] } };
    });
  const caught = await caughtSeeds(forgetful, /manager ran \S+ \S+ a second time, after a restart: its first run changed the state/);
  assert.equal(caught.length, WANTED, `caught on ${caught.length} of seeds 1–${SEARCH_SEEDS}`);
});

test('a restarted manager that does not send again the requests it still owes is caught', async () => {
  // A dht-reset or repair-dht that the crash cut short never arrives: a member keeps the ring of an
  // abandoned DHT, or a repair is never made.
  const owing = (cluster: Cluster) =>
    restartWith(cluster, (open) => (disk, now) => {
      const opened = open(disk, now);
      return { ...opened, restored: { ...opened.restored, sends: [] } };
    });
  // Fewer seeds owe a request at a crash than meet the other sabotages: searched further.
  const search = 4 * SEARCH_SEEDS;
  const caught = await caughtSeeds(owing, /the manager says Free, the peer says|should be DHT|is Free but holds/, REPLICATED_CRASHES, search);
  assert.equal(caught.length, WANTED, `caught on ${caught.length} of seeds 1–${search}`);
});

test('the ledger flags a request that changed the state and runs again on a restarted process, and lets one that changed nothing run again', async () => {
  const clock = new VirtualClock();
  const net = new MemoryNetwork({ clock });
  const ledger = new ExecutionLedger();
  // A manager without its journaled replies: every copy runs; a register changes its state.
  let state: object = {};
  const owner = { label: () => 'manager', ring: () => null, durable: () => [state] };
  const sender = await net.bind('10.0.0.2', 7001);
  const register = encode({ type: 'register', rid: 'r.1', name: 'alice', ip: '10.0.0.2', mPort: 7001, pPort: 7002 });
  const members = encode({ type: 'members', rid: 'r.2', name: 'alice' });
  const serve = async () => {
    const socket = ledger.watch(await net.bind('10.0.0.1', 7000), owner);
    socket.onDatagram((buf) => {
      ledger.ran(owner);
      if (buf.equals(register)) state = {};
    });
    return socket;
  };
  const first = await serve();
  for (const buf of [register, members]) sender.send(buf, first.local);
  clock.advance(0);
  assert.deepEqual(ledger.drain(), []);
  await first.close(); // the process dies; a new one starts on the same address
  const second = await serve();
  for (const buf of [register, members]) sender.send(buf, second.local);
  clock.advance(0);
  assert.deepEqual(ledger.drain(), ['manager ran register 10.0.0.2:7001|r.1 a second time, after a restart: its first run changed the state']);
});
