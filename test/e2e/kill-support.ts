// Helpers of kill.test.ts: SIGKILL/SIGSTOP at a chosen trace line, the checks after the manager's
// failure detector found the awaited peer dead (issue 11: its eviction note about 2.5 s after the
// kill, long before any await timeout; then either dht-reset to every member of a DHT given up and
// every survivor Free, or a repair of the ring without the dead peer with SPEC §13's counts), and
// the proof that the system is usable again (a new setup among the survivors with SPEC §13's
// counts, queries against the file, teardown). Not a test file.
import assert from 'node:assert/strict';
import type { JsonLine } from '../../src/cli/processes.js';
import { isRunning, isTrace, type Driver, type Fleet } from './faults-fleet.js';
import { assertQuery, assertSetup, sampleIds } from './faults-oracle.js';
import { assertEvicted, awaitRepaired } from './failure-support.js';

/** Waits for the line, then sends `signal` to `d` at once; resolves with the time of the signal. */
export async function signalOn(d: Driver, test: (l: JsonLine) => boolean, signal: NodeJS.Signals, timeoutMs = 60_000): Promise<number> {
  await d.waitForLine(test, timeoutMs);
  d.child.kill(signal);
  return Date.now();
}

/** SIGKILL and wait for the exit. */
export async function kill(d: Driver): Promise<number> {
  d.child.kill('SIGKILL');
  const at = Date.now();
  assert.equal(await d.exited, 'SIGKILL', `${d.label} should die of SIGKILL`);
  return at;
}

/** What the manager does once the awaited peer is found dead. */
export type AfterDeath =
  /** The DHT is given up (a setup or teardown): dht-reset to these peers, every survivor Free. */
  | { readonly reset: readonly string[] }
  /** The ring is repaired without the dead peer (a leave or join): these members, in id order. */
  | { readonly repair: readonly string[]; readonly year: string };

export interface DeathCheck {
  readonly victim: string;
  /** The manager's SUCCESS line to the victim that put it into the Await mode, e.g. /^setup-dht SUCCESS/. */
  readonly awaitStart?: RegExp;
  /** When the victim was killed. */
  readonly killedAt: number;
  readonly after: AfterDeath;
}

/**
 * The manager was waiting on the victim, and its failure detector ended the wait: the eviction
 * note within about 2.5 s of the kill (no await timeout involved), then the DHT given up with
 * dht-reset to every member (each surviving one got it), or the ring repaired without the victim
 * to SPEC §13's counts. Returns how long after the kill the eviction came.
 */
export async function assertDetected(fleet: Fleet, c: DeathCheck): Promise<{ evictedAfterKillMs: number }> {
  const m = fleet.manager.proc;
  if (c.awaitStart !== undefined) {
    const awaitStart = c.awaitStart;
    assert.ok(
      m.lines.some((l) => isTrace(l, 'manager', c.victim, awaitStart)),
      `the manager never replied ${awaitStart} to ${c.victim}`,
    );
  }
  if ('reset' in c.after) {
    const { afterKillMs } = await assertEvicted(fleet, c.victim, c.killedAt, /: the DHT is torn down and its members are Free$/);
    for (const name of c.after.reset) await m.waitForLine((l) => isTrace(l, 'manager', name, /^dht-reset \(/), 5_000);
    const reset = m.lines.filter((l) => isTrace(l, 'manager', null, /^dht-reset \(/)).map((l) => l.to as string);
    assert.deepEqual([...reset].sort(), [...c.after.reset].sort(), `dht-reset must go to every member of the abandoned DHT, once: ${reset.join(', ')}`);
    for (const name of c.after.reset) {
      const p = fleet.peer(name);
      if (!isRunning(p)) continue;
      await p.waitForLine((l) => isTrace(l, 'manager', name, /^dht-reset \(/), 15_000);
    }
    return { evictedAfterKillMs: afterKillMs };
  }
  const ring = c.after.repair;
  const { afterKillMs } = await assertEvicted(fleet, c.victim, c.killedAt, new RegExp(`: ${ring[0]} rebuilds the ring of ${ring.length}`));
  await awaitRepaired(fleet, ring[0]!, ring);
  await fleet.assertRing(ring, c.after.year, `the ring repaired without ${c.victim}`);
  return { evictedAfterKillMs: afterKillMs };
}

/**
 * Usable again: `caller` sets up a DHT of `n` peers on `year` (all Free and alive but one), gets
 * SPEC §13's counts, every member's status holds them, the one left out queries seeded ids
 * against the file, and the leader tears the DHT down, leaving everyone Free.
 */
export async function assertUsable(fleet: Fleet, survivors: readonly string[], year: string, seed: number): Promise<void> {
  const n = survivors.length - 1;
  const caller = survivors[0]!;
  const ring = assertSetup(await fleet.run(caller, `setup-dht ${caller} ${n} ${year}`, 60_000), caller, year, n);
  await fleet.assertRing(ring, year, 'new setup among the survivors');
  const outside = survivors.find((s) => !ring.includes(s))!;
  const idOf = new Map(ring.map((name, id) => [name, id]));
  for (const id of sampleIds(year, 2, seed)) assertQuery(year, id, n, await fleet.query(outside, id, 20_000), idOf);
  await fleet.ok(ring[0]!, `teardown-dht ${ring[0]}`, 30_000);
  await fleet.assertFree(survivors, 'after the new teardown');
}

/** The ring a setup's manager reply names, from the leader's trace: `setup-dht SUCCESS (ring: a, b, …)`. */
export async function ringFromSetupTrace(leader: Driver, name: string): Promise<string[]> {
  const line = await leader.waitForLine((l) => isTrace(l, 'manager', name, /^setup-dht SUCCESS \(ring: /), 30_000);
  return /\(ring: ([^)]*)\)/.exec(line.text as string)![1]!.split(', ');
}
