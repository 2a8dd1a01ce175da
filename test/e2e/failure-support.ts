// Helpers of the failure-detector end-to-end files (issue 11: failure-detector.test.ts,
// failure-procedures.test.ts): a Fleet whose manager listens on a given port of 30000-33999 and
// which remembers every process it started (a dead peer's replacement too), the manager's notes
// of a death (suspect, evicted) with their timing, the repair it asks for, the `members` answer,
// a query's acceptable outcomes while a ring is being repaired, and the check that no process
// printed a stack trace. Not a test file itself.
import assert from 'node:assert/strict';
import { startManager, startPeer, type JsonLine, type ManagerProcess } from '../../src/cli/processes.js';
import { SHARED_DATA_DIR } from '../helpers/shared-data.js';
import { envWithoutFaults, Fleet, isNote, isTrace, lineHook, timeOf, type Driver } from './faults-fleet.js';
import { assertQuery, assertSuccess, show } from './faults-oracle.js';

/** Issue 11's detector: a peer silent this long (ms) is declared dead (src/transport/timing.ts). */
export const DEAD_AFTER_MS = 2_500;
/**
 * A SIGKILL is followed by the eviction note within this long: the dead time counts from the last
 * heartbeat (up to 100 ms before the kill), plus a detector tick, the pipes, and a 2-core CI.
 */
export const EVICTED_WITHIN_MS = 4_000;
/** Not earlier than this after the kill: the dead time less a heartbeat period, a tick and slack. */
export const EVICTED_NOT_BEFORE_MS = DEAD_AFTER_MS - 300;

export interface FleetSpec {
  /** The manager's port, in 30000-33999. */
  readonly managerPort: number;
  /** The peers' --port-range, in 30000-33999. */
  readonly portRange: string;
  /** Groups the log files of STORMDHT_E2E_LOG. */
  readonly group: string;
}

/** A Fleet that keeps every process it started, for the stack-trace check at the end. */
export class WatchedFleet extends Fleet {
  readonly spawned: Driver[];

  private constructor(
    readonly managerProcess: ManagerProcess,
    spawned: Driver[],
    spawner: (label: string) => Driver,
  ) {
    super(managerProcess, spawner);
    this.spawned = spawned;
  }

  static async start(spec: FleetSpec): Promise<WatchedFleet> {
    const onLine = lineHook(spec.group);
    const env = envWithoutFaults();
    const manager = await startManager({ port: spec.managerPort, env, onLine });
    const spawned: Driver[] = [];
    return new WatchedFleet(manager, spawned, (label) => {
      const d = startPeer(label, manager, { dataDir: SHARED_DATA_DIR, portRange: spec.portRange, env, onLine });
      spawned.push(d);
      return d;
    });
  }

  /** A new process under the label of a dead one (not yet registered). */
  respawn(label: string): Driver {
    this.peers.delete(label);
    return this.spawn(label);
  }

  /** The manager and every peer process started, dead ones included. */
  everyProcess(): Driver[] {
    return [this.manager.proc, ...this.spawned];
  }
}

/** A fresh fleet with `names` registered; closed whatever happens; no stack trace anywhere. */
export async function withFleet(spec: FleetSpec, names: readonly string[], body: (fleet: WatchedFleet) => Promise<void>): Promise<void> {
  const fleet = await WatchedFleet.start(spec);
  try {
    await fleet.register(names);
    await body(fleet);
    assertNoStackTraces(fleet.everyProcess());
  } finally {
    await fleet.close();
  }
}

/** `    at f (file:…:12:3)`, `at node:internal/…:1:2`: a stack frame, in a line or in stderr. */
const STACK_FRAME = /\bat (?:[^()\n"]+ \()?(?:file:\/\/|node:|\/)[^\s()"]*:\d+:\d+/;

/** No process printed a stack trace, on stdout (in any line or field) or on stderr. */
export function assertNoStackTraces(processes: readonly { label: string; lines: readonly unknown[]; stderr: string }[]): void {
  for (const p of processes) {
    const bad = p.lines.find((l) => STACK_FRAME.test(typeof l === 'string' ? l : JSON.stringify(l)));
    assert.equal(bad, undefined, `${p.label} printed a stack trace: ${show(bad)}`);
    assert.doesNotMatch(p.stderr, STACK_FRAME, `${p.label} printed a stack trace on stderr: ${p.stderr.slice(0, 2000)}`);
  }
}

/** SIGKILL now, then wait for the exit; the time of the signal. */
export async function sigkill(d: Driver): Promise<number> {
  d.child.kill('SIGKILL');
  const at = Date.now();
  assert.equal(await d.exited, 'SIGKILL', `${d.label} should die of SIGKILL`);
  return at;
}

/** The manager's `failure detector: evicted <name> died (no heartbeat for X s)…` note. */
export function evictionNote(name: string): (l: JsonLine) => boolean {
  return (l) => isNote(l, new RegExp(`^failure detector: evicted ${name} died \\(no heartbeat for \\d+\\.\\d s\\)`));
}

/**
 * The manager suspected `name` (after about 1 s), then evicted it 2.3-4 s after `killedAt`, once;
 * its eviction note matches `rest` (what became of the DHT). Returns the note and the delay.
 */
export async function assertEvicted(fleet: Fleet, name: string, killedAt: number, rest?: RegExp): Promise<{ note: JsonLine; afterKillMs: number }> {
  const m = fleet.manager.proc;
  const note = await m.waitForLine(evictionNote(name), EVICTED_WITHIN_MS + 6_000);
  const afterKillMs = timeOf(note) - killedAt;
  assert.equal(note.level, 'warn', show(note));
  assert.ok(afterKillMs >= EVICTED_NOT_BEFORE_MS, `${name} evicted ${afterKillMs} ms after the kill, before the ${DEAD_AFTER_MS} ms dead time`);
  assert.ok(afterKillMs <= EVICTED_WITHIN_MS, `${name} evicted ${afterKillMs} ms after the kill, later than ${EVICTED_WITHIN_MS} ms`);
  const suspect = m.lines.find((l) => isNote(l, new RegExp(`^failure detector: suspect ${name}: no heartbeat for \\d+\\.\\d s$`)));
  assert.ok(suspect !== undefined && m.lines.indexOf(suspect) < m.lines.indexOf(note), `the manager should suspect ${name} before evicting it`);
  if (rest) assert.match(String(note.text), rest, show(note));
  assert.equal(m.lines.filter(evictionNote(name)).length, 1, `${name} evicted once`);
  assert.equal(m.lines.filter((l) => isNote(l, /^gave up: /)).length, 0, 'the detector, not the await timeout, ended the wait');
  return { note, afterKillMs };
}

/**
 * The manager sent repair-dht to `leader` naming `ring` (the survivors in their new id order) and
 * acknowledged its dht-repaired; the leader printed the repair's counts. Returns the manager's
 * SUCCESS line and the counts event.
 */
export async function awaitRepaired(fleet: Fleet, leader: string, ring: readonly string[], timeoutMs = 20_000): Promise<{ done: JsonLine; counts: JsonLine }> {
  const m = fleet.manager.proc;
  const asked = await m.waitForLine((l) => isTrace(l, 'manager', leader, /^repair-dht ring=\[/), timeoutMs);
  assert.ok(String(asked.text).startsWith(`repair-dht ring=[${ring.join(', ')}] (`), `repair-dht to ${leader} should name ${ring.join(', ')}: ${show(asked)}`);
  const done = await m.waitForLine((l) => isTrace(l, 'manager', leader, /^dht-repaired /), timeoutMs);
  assert.match(String(done.text), /^dht-repaired SUCCESS/, show(done));
  const counts = await fleet.peer(leader).waitForLine((l) => l.type === 'event' && l.event === 'counts' && l.reason === 'repair', 5_000);
  assert.deepEqual((counts.ring as Array<{ name: string }>).map((t) => t.name), [...ring], `the repaired ring: ${show(counts)}`);
  return { done, counts };
}

export interface MemberRow {
  readonly name: string;
  readonly state: string;
  readonly ip: string;
  readonly port: number;
}

/** `members <asker>`: the registry and the DHT as the manager has them. */
export async function members(fleet: Fleet, asker: string): Promise<{ peers: MemberRow[]; dht: { year: string; ring: string[]; leader: string } | null }> {
  const r = await fleet.run(asker, `members ${asker}`, 15_000);
  assertSuccess(r, 'members');
  return { peers: r.peers as MemberRow[], dht: r.dht as { year: string; ring: string[]; leader: string } | null };
}

/**
 * `members` lists exactly `states` (name → Leader/InDHT/Free) and the DHT `ring` (names in id
 * order, its leader first), or no DHT when `ring` is null.
 */
export async function assertMembers(fleet: Fleet, asker: string, states: Readonly<Record<string, string>>, ring: readonly string[] | null, year?: string): Promise<void> {
  const m = await members(fleet, asker);
  const got = Object.fromEntries(m.peers.map((p) => [p.name, p.state]));
  assert.deepEqual(got, { ...states }, `members: the registry: ${show(m)}`);
  assert.equal(m.peers.length, Object.keys(states).length, `members: one row per peer: ${show(m)}`);
  if (ring === null) {
    assert.equal(m.dht, null, `members: no DHT: ${show(m)}`);
    return;
  }
  assert.deepEqual(m.dht, { year: year ?? m.dht?.year, ring: [...ring], leader: ring[0] }, `members: the ring in id order: ${show(m)}`);
}

/** The states `members` must show for a ring (id order) and the peers outside it. */
export function statesOf(ring: readonly string[], free: readonly string[]): Record<string, string> {
  const s: Record<string, string> = {};
  ring.forEach((name, id) => (s[name] = id === 0 ? 'Leader' : 'InDHT'));
  for (const name of free) s[name] = 'Free';
  return s;
}

/**
 * A query while a ring of one of the sizes `ns` is being repaired after `dead` died: either
 * exactly the file's answer (over one of those rings), or a failure that names the dead peer or
 * says that the ring is being repaired (rebuilt). Never "not found" for a record of the file, nor
 * a wrong record. Returns the error, or null when it was answered.
 */
export function checkQueryDuringRepair(year: string, eventId: number, result: JsonLine, ns: readonly number[], dead: string): string | null {
  assert.equal(result.command, 'query-dht', show(result));
  if (result.ok === true) {
    const errors: string[] = [];
    for (const n of ns) {
      try {
        assertQuery(year, eventId, n, { result, picked: null });
        return null;
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    assert.fail(`query ${eventId} during the repair: not the file's answer over a ring of ${ns.join(' or ')}: ${errors.join(' | ')}`);
  }
  const error = String(result.error);
  assert.ok(
    new RegExp(`\\b${dead}\\b`).test(error) || /the ring is being (repaired|rebuilt)/.test(error),
    `query ${eventId} during the repair failed with an error that neither names ${dead} nor says the ring is being repaired: ${show(result)}`,
  );
  return error;
}
