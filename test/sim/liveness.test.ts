// The simulation's crashes and stops under the failure detector (issue 11): a stopped process's
// timers and datagrams wait for it to continue, and the run's checks do catch a planted bug —
// a peer that sends no heartbeats, a detector quicker than a short stop, one that never declares
// anyone dead, a node that answers "not found" while its build's records are still arriving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../src/sim/cluster.js';
import { ProcessPause } from '../../src/sim/process-pause.js';
import { runSeed, SimulationFailure } from '../../src/sim/runner.js';
import { MemoryNetwork } from '../../src/transport/memory-network.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';

test('a stopped process runs nothing; on continuing, its due timers fire first, in due order, then its buffered datagrams', async () => {
  const clock = new VirtualClock();
  const net = new MemoryNetwork({ clock });
  const stops = new ProcessPause(clock);
  const socket = stops.socket(await net.bind('10.0.0.2', 7002));
  const sender = await net.bind('10.0.0.3', 7004);
  const seen: string[] = [];
  socket.onDatagram((buf) => seen.push(`datagram ${buf.toString()} at ${clock.now()}`));
  stops.clock.setTimer(300, () => seen.push(`timer 300 at ${stops.clock.now()}`));
  stops.clock.setTimer(100, () => seen.push(`timer 100 at ${stops.clock.now()}`));
  const cancelled = stops.clock.setTimer(200, () => seen.push('cancelled timer'));
  clock.advance(50);
  stops.pause();
  sender.send(Buffer.from('a'), socket.local);
  sender.send(Buffer.from('b'), socket.local);
  clock.advance(450);
  cancelled.cancel();
  assert.equal(seen.length, 0, 'nothing runs while stopped');
  assert.equal(stops.stats.held, 2);
  stops.resume();
  clock.advance(0);
  assert.deepEqual(seen, ['timer 100 at 500', 'timer 300 at 500', 'datagram a at 500', 'datagram b at 500']);
  // Running again: timers and datagrams as usual.
  stops.clock.setTimer(10, () => seen.push(`timer 10 at ${stops.clock.now()}`));
  sender.send(Buffer.from('c'), socket.local);
  clock.advance(20);
  assert.deepEqual(seen.slice(4), ['datagram c at 500', 'timer 10 at 510']);
});

test('a stopped process keeps background timers in the background: they are no work in flight', () => {
  const clock = new VirtualClock();
  const stops = new ProcessPause(clock);
  stops.pause();
  stops.clock.setTimer(10, () => {}, true);
  clock.advance(20);
  stops.resume();
  assert.equal(clock.pendingTimers, 0, 'the late heartbeat waits as a background turn');
  clock.advance(0);
});

/** Seeds tried at most when a sabotage shows only on some seeds, and the catches wanted. */
const SEARCH_SEEDS = 200;
const WANTED = 2;

/** Runs seeds 1… with the sabotage until WANTED fail; checks each message; returns the seeds caught. */
async function caughtSeeds(sabotage: (c: Cluster) => void, message: RegExp, alsoClean = false): Promise<number[]> {
  const caught: number[] = [];
  for (let seed = 1; seed <= SEARCH_SEEDS && caught.length < WANTED; seed++) {
    const failure = await runSeed(seed, { sabotage }).then(
      () => null,
      (err: unknown) => err,
    );
    if (failure === null) continue;
    assert.ok(failure instanceof SimulationFailure, String(failure));
    assert.match(failure.message, message);
    caught.push(seed);
    if (alsoClean) await runSeed(seed); // and the same seed passes without the sabotage
  }
  return caught;
}

test('a peer that sends no heartbeats while alive is evicted, and the live-peer invariant catches it', async () => {
  const mute = (cluster: Cluster) => {
    for (const p of cluster.peers) p.node.startHeartbeat = () => {};
  };
  await assert.rejects(runSeed(1, { sabotage: mute }), (err: SimulationFailure) => {
    assert.match(err.message, /^seed 1: step \d+ .*the manager evicted \S+ at \S+ s, a live peer/);
    return true;
  });
});

test('a failure detector whose dead time is shorter than a short stop is caught evicting live peers', async () => {
  // 600 ms where the run's checks count on 2.5 s: a stop the checks call short (at most 1 s) now
  // ends in an eviction.
  const hasty = (cluster: Cluster) => {
    const detector = (cluster.manager as unknown as { detector: { settings: object } }).detector;
    detector.settings = { ...detector.settings, suspectAfterMs: 300, deadAfterMs: 600 };
  };
  const caught = await caughtSeeds(hasty, /a live peer: it was stopped for only/);
  assert.equal(caught.length, WANTED, `caught on ${caught.length} of seeds 1–${SEARCH_SEEDS}`);
});

test('a failure detector that never declares a peer dead is caught: crashed peers stay registered, long stops are not evicted', async () => {
  const blind = (cluster: Cluster) => {
    const detector = (cluster.manager as unknown as { detector: { settings: object } }).detector;
    detector.settings = { ...detector.settings, deadAfterMs: 1e12 };
  };
  const caught = await caughtSeeds(blind, /crashed, and the manager still has it registered|the manager did not evict it/);
  assert.equal(caught.length, WANTED, `caught on ${caught.length} of seeds 1–${SEARCH_SEEDS}`);
});

test('a node that answers "not found" while its build is still placing records is caught by the query invariant', async () => {
  // The owner takes its table as whole as soon as it has the build's epoch, before the count has
  // passed it: a query during a rebuild or a repair gets "not found" for a record on its way.
  const hasty = (cluster: Cluster) => {
    for (const p of cluster.peers) {
      const node = p.node;
      Object.defineProperty(node, 'countedEpoch', { get: () => node.ring?.epoch ?? null, set: () => {} });
    }
  };
  const caught = await caughtSeeds(hasty, /answered not found, and every DHT the manager had during the query was of/, true);
  assert.equal(caught.length, WANTED, `caught on ${caught.length} of seeds 1–${SEARCH_SEEDS}`);
});
