// The simulation with R ≥ 2 copies of every record (issue 12): the manager runs with --replicas R
// (2 or 3, drawn from the seed), peers crash in every run, but fewer than R ring members are ever
// taken out at once (disruptions.ts). After every step every record of the DHT's year must be on
// exactly min(R, n) live nodes, its owner's table and the copies of the nodes after it, and
// nowhere else (state-checks.ts); no record may be reported lost; and a query started while a
// member is down or the ring is being repaired must come back with the record (runner.ts's
// probes). The checks do catch a planted bug: a peer that forgets a copy, one that keeps a stray
// one, peers that forget the build a rebuild replaces, copies that cannot be read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalTable } from '../../src/data/local-table.js';
import type { Cluster } from '../../src/sim/cluster.js';
import { caughtSeeds as caughtWith, WANTED } from './sabotage.js';
import { runSeed, SimulationFailure, type RunOptions } from '../../src/sim/runner.js';

/**
 * Seeds of the CI run, and their steps: 30 instead of 40 keep the run under two minutes on a
 * 2-core machine (about 80 ms a seed: replicated runs carry R copies, gather the ring's records on
 * every rebuild, and crash peers in every run). A run crashes about two peers and repairs a ring
 * about once (run-settings.ts, disruptions.ts).
 */
const CI_SEEDS = 1_000;
const STEPS = 30;
const REPLICATED: RunOptions = { replicas: 'drawn', steps: STEPS };

test(`${CI_SEEDS} seeded runs with R copies keep every record on R live nodes`, async (t) => {
  const failures: string[] = [];
  let crashes = 0;
  let repairs = 0;
  let probes = 0;
  let found = 0;
  const copies = new Set<number>();
  for (let seed = 1; seed <= CI_SEEDS; seed++) {
    await runSeed(seed, REPLICATED).then(
      (outcome) => {
        crashes += outcome.disruptions.crashes;
        repairs += outcome.repairs;
        probes += outcome.probes.run;
        found += outcome.probes.found;
        copies.add(outcome.settings.replicas);
      },
      (err: unknown) => {
        if (!(err instanceof SimulationFailure)) throw err;
        failures.push(err.message);
      },
    );
  }
  assert.deepEqual(failures, [], `${failures.length} of ${CI_SEEDS} seeds failed; replay one with: npm run sim -- --seed S --steps ${STEPS} --replicas drawn --verbose`);
  t.diagnostic(`${crashes} crashes, ${repairs} repairs; ${found} of ${probes} queries made while a member was down found their record`);
  // The runs did what they are for: both R, many crashes and repairs, and queries during them.
  assert.deepEqual([...copies].sort(), [2, 3]);
  assert.ok(crashes >= CI_SEEDS, `only ${crashes} crashes in ${CI_SEEDS} runs`);
  assert.ok(repairs >= CI_SEEDS / 2, `only ${repairs} repairs in ${CI_SEEDS} runs`);
  assert.ok(found >= CI_SEEDS / 2 && found >= probes / 2, `only ${found} of ${probes} queries with a member down found their record`);
});

test('a replicated seed replays exactly, and R = 1 runs are what they were', async () => {
  const first = await runSeed(11, REPLICATED);
  assert.deepEqual((await runSeed(11, REPLICATED)).log, first.log);
  assert.match(first.log[0]!, /, [23] copies of every record$/);
  // R = 1 draws nothing more: its settings line names no copies.
  assert.doesNotMatch((await runSeed(11, { steps: 3 })).log[0]!, /copies/);
});

/** Seeds tried at most for a sabotage. */
const SEARCH_SEEDS = 50;

/** Runs seeds 1… with the sabotage, R drawn, until WANTED fail (sabotage.ts). */
function caughtSeeds(sabotage: (c: Cluster) => void, message: RegExp): Promise<number[]> {
  return caughtWith(sabotage, message, REPLICATED, SEARCH_SEEDS);
}

/**
 * Calls `once` on each peer the first time its build has been counted (the count round passed it,
 * and it has passed its own counts on): the moment its tables are whole and the ring counts on them.
 */
function afterFirstCount(cluster: Cluster, once: (node: Cluster['peers'][number]['node']) => void): void {
  for (const peer of cluster.peers) {
    const node = peer.node;
    let counted: string | null = null;
    let done = false;
    Object.defineProperty(node, 'countedEpoch', {
      get: () => counted,
      set: (epoch: string | null) => {
        counted = epoch;
        if (epoch === null || done || (node.ring?.replicas ?? 1) < 2) return;
        done = true;
        // After the handler that set it: the count has gone on with the tables as they were.
        queueMicrotask(() => once(node));
      },
    });
  }
}

test('a peer that loses one copy once its build is whole is caught by the replica invariant', async () => {
  const forgetful = (cluster: Cluster) =>
    afterFirstCount(cluster, (node) => {
      const kept = new LocalTable();
      let dropped = false;
      for (const rec of node.copies.lines()) {
        if (!dropped) dropped = true;
        else kept.putLine(rec.pos, rec.eventId, rec.line);
      }
      node.copies = kept;
    });
  const caught = await caughtSeeds(forgetful, /not on exactly the [23] live nodes of their chain|holds \d+ records and \d+ copies; a whole DHT of [23] copies puts/);
  assert.equal(caught.length, WANTED, `caught on ${caught.length} of seeds 1–${SEARCH_SEEDS}`);
});

test('peers that forget the build a rebuild replaces lose records, and the runs say so', async () => {
  // The held build (held-build.ts) is never kept: a rebuild from the ring collects nothing.
  const amnesiac = (cluster: Cluster) => {
    for (const p of cluster.peers) Object.defineProperty(p.node, 'held', { get: () => null, set: () => {} });
  };
  const caught = await caughtSeeds(amnesiac, /lost every copy/);
  assert.equal(caught.length, WANTED, `caught on ${caught.length} of seeds 1–${SEARCH_SEEDS}`);
});

test('copies that cannot be read are caught by the queries made while a member is down', async () => {
  // Every copies table finds nothing: the owner answers as before, a copy that stands in for a
  // crashed owner says "not found".
  const blind = (cluster: Cluster) => {
    for (const p of cluster.peers) {
      let copies = p.node.copies;
      const hide = (t: LocalTable) => Object.assign(t, { find: () => undefined });
      hide(copies);
      Object.defineProperty(p.node, 'copies', { get: () => copies, set: (t: LocalTable) => (copies = hide(t)) });
    }
  };
  const caught = await caughtSeeds(blind, /with fewer than R members down answered not found|answered not found, and every DHT/);
  assert.equal(caught.length, WANTED, `caught on ${caught.length} of seeds 1–${SEARCH_SEEDS}`);
});

test('a peer that keeps a stray copy of a record outside its chain is caught', async () => {
  // It files one of its own records among its copies too: a record on R + 1 nodes.
  const hoarder = (cluster: Cluster) =>
    afterFirstCount(cluster, (node) => {
      const first = node.table.lines().next();
      if (first.done !== true) node.copies.putLine(first.value.pos, first.value.eventId, first.value.line);
    });
  const caught = await caughtSeeds(hoarder, /records both as its own and as a copy|copies of records whose chain/);
  assert.equal(caught.length, WANTED, `caught on ${caught.length} of seeds 1–${SEARCH_SEEDS}`);
});
