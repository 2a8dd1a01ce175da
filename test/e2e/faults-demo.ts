// SPEC §11.2's full demo script on the real 1996 file, played on a Fleet and checked at every
// step against the oracle (faults-oracle.ts): the §13 counts, every member's status summing to l
// after setup, leave and join (nothing stored twice, nothing lost), §12's four queries and seeded
// samples against the file's rows, teardown to six Free peers, deregister and exit 0. Used by
// faults.test.ts (under injected faults) and netns.test.ts (across network namespaces). Not a
// test file itself.
import assert from 'node:assert/strict';
import type { JsonLine } from '../../src/cli/processes.js';
import { isTrace, managerReplies, type Fleet } from './faults-fleet.js';
import {
  assertQuery,
  assertSetup,
  assertSuccess,
  expectedCounts,
  ringAfterLeave,
  sampleIds,
  show,
  SPEC12,
  SPEC12_FIELDS_5539287,
  SPEC_RECORD_5536849,
} from './faults-oracle.js';

export const SIX = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const;

export interface DemoOptions {
  /** Which member leaves in step 4: node 0 (the leader) or node 2. */
  readonly leaver: 'leader' | 'middle';
  /** Seed and number of extra present/absent ids queried after setup, leave and join. */
  readonly sampleSeed: number;
  readonly samples: number;
  /** Budget of one command (setup, leave and join under heavy loss take tens of seconds). */
  readonly commandTimeoutMs: number;
  /** Checks each peer's registered address (e.g. its namespace's address), if given. */
  readonly checkAddress?: (name: string, ip: string, mPort: number, pPort: number) => void;
}

export interface DemoReport {
  /** Wall time of each step's main command, in ms. */
  readonly times: Record<string, number>;
  /** The ring after setup, the leaver Y and the peer X left out. */
  readonly ring: readonly string[];
  readonly x: string;
  readonly y: string;
}

/** The (ip, m-port, p-port) a peer registered with, from its trace of the register it sent. */
export function registeredAddress(lines: readonly JsonLine[], name: string): { ip: string; mPort: number; pPort: number } {
  const line = lines.find((l) => isTrace(l, name, 'manager', /^register /));
  const m = line && /^register [A-Za-z]+ (\S+) (\d+) (\d+)$/.exec(line.text as string);
  if (!m) throw new Error(`no register trace from ${name}`);
  return { ip: m[1]!, mPort: Number(m[2]), pPort: Number(m[3]) };
}

async function step<T>(label: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof Error) err.message = `[demo step ${label}] ${err.message}`;
    throw err;
  }
}

/** Plays §11.2 on `fleet` (a manager already running, no peers yet). */
export async function playFullDemo(fleet: Fleet, options: DemoOptions): Promise<DemoReport> {
  const year = '1996';
  const times: Record<string, number> = {};
  const timed = async <T>(key: string, body: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await body();
    } finally {
      times[key] = Date.now() - t0;
    }
  };
  const T = options.commandTimeoutMs;
  let samplesSeed = options.sampleSeed;
  let queries = 0;
  /** query-dht by `querier`, checked against the file; the path starts at the picked node. */
  const query = async (querier: string, id: number, n: number, idOf: ReadonlyMap<string, number>) => {
    const q = await fleet.query(querier, id, T);
    queries++;
    assertQuery(year, id, n, q, idOf);
    return q.result;
  };
  const querySamples = async (querier: string, n: number, idOf: ReadonlyMap<string, number>) => {
    for (const id of sampleIds(year, options.samples, samplesSeed++)) await query(querier, id, n, idOf);
  };
  const idsOf = (ring: readonly string[]) => new Map(ring.map((name, id) => [name, id]));

  await step('1: six peers register', async () => {
    await timed('register', () => fleet.register(SIX, T));
    for (const name of SIX) {
      const a = registeredAddress(fleet.peer(name).lines, name);
      options.checkAddress?.(name, a.ip, a.mPort, a.pPort);
    }
    await fleet.assertFree(SIX, 'after register');
  });

  let ring: string[] = [];
  let x = '';
  await step('2: setup-dht alice 5 1996', async () => {
    const result = await timed('setup-dht 1996 n=5', () => fleet.run('alice', 'setup-dht alice 5 1996', T));
    ring = assertSetup(result, 'alice', year, 5);
    for (const t of result.ring as Array<{ name: string; ip: string; port: number }>) {
      const a = registeredAddress(fleet.peer(t.name).lines, t.name);
      assert.deepEqual([t.ip, t.port], [a.ip, a.pPort], `tuple of ${t.name} is its registered address and p-port: ${show(result)}`);
    }
    await fleet.assertRing(ring, year, 'after setup');
    const free = SIX.filter((n) => !ring.includes(n));
    assert.equal(free.length, 1, `one peer left out: ${free.join(', ')}`);
    x = free[0]!;
    await fleet.assertFree([x], 'the peer left out');
  });

  await step('3: X queries §12 ids (n = 5)', async () => {
    const idOf = idsOf(ring);
    for (const e of SPEC12) {
      const r = await query(x, e.id, 5, idOf);
      assert.equal(r.found, e.found, `§12: ${e.id} ${e.found ? 'found' : 'not found'}: ${show(r)}`);
      assert.equal((r.path as number[]).at(-1), e.owner5, `§12 owner of ${e.id} for n = 5: ${show(r)}`);
      if (e.id === 5536849) assert.equal(JSON.stringify(r.record), SPEC_RECORD_5536849, show(r));
      if (e.id === 5539287) assert.deepEqual(Object.values(r.record as object).slice(1), SPEC12_FIELDS_5539287, show(r));
    }
    await querySamples(x, 5, idOf);
  });

  let y = '';
  await step('4: a member leaves', async () => {
    y = options.leaver === 'leader' ? ring[0]! : ring[2]!;
    const i = ring.indexOf(y);
    const rightNeighbour = ring[(i + 1) % ring.length]!;
    const result = await timed('leave-dht (rebuild 1996 n=4)', () => fleet.run(y, `leave-dht ${y}`, T));
    assertSuccess(result, 'leave-dht');
    assert.equal(result.newLeader, rightNeighbour, `the new leader is ${y}'s right neighbour ${rightNeighbour}: ${show(result)}`);
    assert.deepEqual(result.recordsPerNode, expectedCounts(year, 4), `SPEC §13 counts for n = 4: ${show(result)}`);
    ring = ringAfterLeave(ring, y);
    await fleet.assertRing(ring, year, 'after leave');
    await fleet.assertFree([x, y], 'after leave');
  });

  await step('5: the leaver queries 5536849 (n = 4)', async () => {
    const idOf = idsOf(ring);
    const r = await query(y, 5536849, 4, idOf);
    assert.equal((r.path as number[]).at(-1), SPEC12[0].owner4, `§12: path ends at ${SPEC12[0].owner4}: ${show(r)}`);
    assert.equal(JSON.stringify(r.record), SPEC_RECORD_5536849, show(r));
    await querySamples(y, 4, idOf);
  });

  await step('6: X joins', async () => {
    const leader = ring[0]!;
    const result = await timed('join-dht (rebuild 1996 n=5)', () => fleet.run(x, `join-dht ${x}`, T));
    assertSuccess(result, 'join-dht');
    assert.equal(result.newLeader, leader, `the leader stays ${leader}: ${show(result)}`);
    assert.deepEqual(result.recordsPerNode, expectedCounts(year, 5), `SPEC §13 counts for n = 5: ${show(result)}`);
    ring = [...ring, x];
    await fleet.assertRing(ring, year, 'after join');
    await fleet.assertFree([y], 'after join');
  });

  await step('7: the other outside peer queries 5539287 (n = 5)', async () => {
    const idOf = idsOf(ring);
    const r = await query(y, 5539287, 5, idOf);
    assert.equal(r.found, true, show(r));
    assert.equal((r.path as number[]).at(-1), SPEC12[2].owner5, `§12: path ends at ${SPEC12[2].owner5}: ${show(r)}`);
    await querySamples(y, 5, idOf);
  });

  await step('8: the leader tears the DHT down', async () => {
    const leader = ring[0]!;
    await timed('teardown-dht', () => fleet.ok(leader, `teardown-dht ${leader}`, T));
    await fleet.assertFree(SIX, 'after teardown');
  });

  await step('9: every peer deregisters and exits 0; the manager exits 0 on SIGINT', async () => {
    for (const name of SIX) {
      await fleet.ok(name, `deregister ${name}`, T);
      assert.equal(await fleet.peer(name).exited, 0, `${name}'s exit status`);
    }
    // Each command ran once at the manager, whatever was lost, repeated or reordered: one
    // SUCCESS line per command, and no FAILURE anywhere.
    const replies = managerReplies(fleet);
    const count = (re: RegExp) => replies.filter((r) => re.test(r)).length;
    assert.equal(count(/FAILURE/), 0, `the manager refused something: ${replies.filter((r) => /FAILURE/.test(r)).join(' | ')}`);
    assert.equal(count(/: register SUCCESS/), 6, replies.join(' | '));
    assert.equal(count(/^alice: setup-dht SUCCESS/), 1, replies.join(' | '));
    assert.equal(count(/^alice: dht-complete SUCCESS/), 1, replies.join(' | '));
    assert.equal(count(/: query-dht SUCCESS/), queries, replies.join(' | '));
    assert.equal(count(new RegExp(`^${y}: leave-dht SUCCESS`)), 1, replies.join(' | '));
    assert.equal(count(new RegExp(`^${x}: join-dht SUCCESS`)), 1, replies.join(' | '));
    assert.equal(count(/: dht-rebuilt SUCCESS/), 2, replies.join(' | '));
    assert.equal(count(/: teardown-dht SUCCESS/), 1, replies.join(' | '));
    assert.equal(count(/: teardown-complete SUCCESS/), 1, replies.join(' | '));
    assert.equal(count(/: deregister SUCCESS/), 6, replies.join(' | '));
    assert.equal(await fleet.manager.proc.stop('SIGINT'), 0, "the manager's exit status");
  });

  return { times, ring, x, y };
}
