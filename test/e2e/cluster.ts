// Shared helpers of the end-to-end tier: a Cluster of real processes (a `stormdht manager` on port
// 0 and `stormdht peer --json` processes on 127.0.0.1, each test file with its own port range),
// SPEC §13's table typed in as the oracle, the real files' rows (read with loadYear), and the
// checks that every query result, count and status must pass. Not a test file itself.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadYear, type YearData } from '../../src/data/csv.js';
import { FIELD_NAMES, recordToObject } from '../../src/data/fields.js';
import { startManager, startPeer, type JsonChild, type JsonLine, type ManagerProcess } from '../../src/cli/processes.js';
import { SHARED_DATA_DIR, SHARED_VARIANTS_DIR } from '../helpers/shared-data.js';

export { SHARED_DATA_DIR, SHARED_VARIANTS_DIR };

/** SPEC §13, typed in: year → l, s and, per ring size n, the records at node 0 … n−1. */
export const SPEC_TABLE: Readonly<Record<string, { l: number; s: number; counts: Readonly<Record<number, readonly number[]>> }>> = {
  '1950': {
    l: 223,
    s: 449,
    counts: {
      3: [72, 75, 76],
      4: [56, 53, 57, 57],
      5: [41, 39, 45, 52, 46],
      6: [36, 35, 37, 36, 40, 39],
      7: [33, 34, 36, 35, 29, 28, 28],
    },
  },
  '1951': {
    l: 269,
    s: 541,
    counts: {
      3: [90, 89, 90],
      4: [70, 68, 64, 67],
      5: [53, 49, 55, 57, 55],
      6: [47, 47, 45, 43, 42, 45],
      7: [39, 42, 43, 37, 37, 36, 35],
    },
  },
  '1952': {
    l: 272,
    s: 547,
    counts: {
      3: [87, 90, 95],
      4: [68, 69, 70, 65],
      5: [54, 56, 51, 52, 59],
      6: [43, 45, 50, 44, 45, 45],
      7: [40, 40, 38, 36, 39, 40, 39],
    },
  },
  '1996': {
    l: 48561,
    s: 97127,
    counts: {
      3: [16187, 16187, 16187],
      4: [12169, 12144, 12128, 12120],
      5: [9710, 9720, 9714, 9700, 9717],
      6: [8101, 8088, 8097, 8086, 8099, 8090],
      7: [6938, 6940, 6932, 6940, 6929, 6940, 6942],
    },
  },
  '1990': {
    l: 10945,
    s: 21893,
    counts: {
      3: [3650, 3630, 3665],
      6: [1819, 1804, 1831, 1831, 1826, 1834],
    },
  },
  '1992': {
    l: 13534,
    s: 27073,
    counts: {
      3: [4507, 4524, 4503],
      6: [2258, 2266, 2261, 2249, 2258, 2242],
    },
  },
};

/** SPEC §12's JSON record of 5536849, verbatim (key order included). */
export const SPEC_RECORD_5536849 =
  '{"event_id":"5536849","state":"ALABAMA","year":"1996","month_name":"January","event_type":"Winter Storm","cz_type":"Z","cz_name":"SHELBY","injuries_direct":"0","injuries_indirect":"0","deaths_direct":"0","deaths_indirect":"0","damage_property":"10K","damage_crops":"1K","tor_f_scale":""}';

export function expectedCounts(year: string, n: number): readonly number[] {
  const row = SPEC_TABLE[year]?.counts[n];
  if (!row) throw new Error(`SPEC_TABLE has no row for ${year}, n = ${n}`);
  return row;
}

/** pos = id mod s, owner = pos mod n (SPEC §9), with s from the typed table. */
export function ownerOf(year: string, eventId: number, n: number): number {
  return (eventId % SPEC_TABLE[year]!.s) % n;
}

/** The real file of a year, parsed once per test process. */
export interface FileRows {
  readonly data: YearData;
  /** event id → the record as §14's JSON object (14 lower-case keys, the file's text verbatim). */
  readonly byId: ReadonlyMap<number, Record<string, string>>;
}

const fileCache = new Map<string, FileRows>();

export function fileRows(year: string, dir: string = SHARED_DATA_DIR): FileRows {
  const key = `${dir}|${year}`;
  let rows = fileCache.get(key);
  if (!rows) {
    const loaded = loadYear(dir, year);
    if (!loaded.ok) throw new Error(`cannot load the oracle file: ${loaded.error}`);
    const byId = new Map<number, Record<string, string>>();
    for (const r of loaded.data.records) byId.set(r.eventId, recordToObject(r.fields));
    rows = { data: loaded.data, byId };
    fileCache.set(key, rows);
  }
  return rows;
}

/** `count` distinct event ids of the file, chosen by a seeded generator (deterministic). */
export function pickIds(year: string, count: number, rng: () => number): number[] {
  const records = fileRows(year).data.records;
  const out = new Set<number>();
  while (out.size < count) out.add(records[Math.floor(rng() * records.length)]!.eventId);
  return [...out];
}

/** `count` distinct ids that are NOT in the file (seeded), plus the edge ids 0 and 15 nines. */
export function absentIds(year: string, count: number, rng: () => number): number[] {
  const { byId } = fileRows(year);
  const out = new Set<number>([0, 999_999_999_999_999]);
  while (out.size < count + 2) {
    const id = 1_000_000 + Math.floor(rng() * 90_000_000);
    if (!byId.has(id)) out.add(id);
  }
  return [...out];
}

export function show(line: unknown): string {
  return JSON.stringify(line);
}

/** A result line's error must contain `fragment` (a stable part of the text), with ok:false. */
export function assertFailure(result: JsonLine, command: string, fragment: string | RegExp): void {
  assert.equal(result.type, 'result', `not a result line: ${show(result)}`);
  assert.equal(result.command, command, `wrong command in ${show(result)}`);
  assert.equal(result.ok, false, `expected FAILURE, got ${show(result)}`);
  assert.equal(typeof result.error, 'string', `FAILURE without an error text: ${show(result)}`);
  const error = result.error as string;
  if (typeof fragment === 'string') assert.ok(error.includes(fragment), `error ${JSON.stringify(error)} lacks ${JSON.stringify(fragment)}; line: ${show(result)}`);
  else assert.match(error, fragment, `error does not match; line: ${show(result)}`);
}

export function assertSuccess(result: JsonLine, command: string): void {
  assert.equal(result.type, 'result', `not a result line: ${show(result)}`);
  assert.equal(result.command, command, `wrong command in ${show(result)}`);
  assert.equal(result.ok, true, `expected SUCCESS, got ${show(result)}`);
  assert.equal(result.error, undefined, `SUCCESS with an error: ${show(result)}`);
}

/** A setup result: l, s, the §13 counts and a ring of n in id order, leader (caller) at id 0. */
export function assertSetup(result: JsonLine, caller: string, year: string, n: number): string[] {
  assertSuccess(result, 'setup-dht');
  const spec = SPEC_TABLE[year]!;
  assert.equal(result.records, spec.l, `l of ${year}: ${show(result)}`);
  assert.equal(result.s, spec.s, `s of ${year}: ${show(result)}`);
  assert.deepEqual(result.recordsPerNode, expectedCounts(year, n), `counts of ${year}, n = ${n}: ${show(result)}`);
  const ring = result.ring as Array<{ id: number; name: string; ip: string; port: number }>;
  assert.ok(Array.isArray(ring) && ring.length === n, `ring of ${n} expected: ${show(result)}`);
  ring.forEach((t, i) => assert.equal(t.id, i, `ring not in id order: ${show(result)}`));
  assert.equal(ring[0]!.name, caller, `the caller must be node 0: ${show(result)}`);
  const names = ring.map((t) => t.name);
  assert.equal(new Set(names).size, n, `ring names not distinct: ${show(result)}`);
  return names;
}

/**
 * A query's result against the file: found ⇔ the file holds the id; the record equals the file's
 * row; the not-found sentence is exact; the path holds distinct ids of 0…n−1, starts at the node
 * the manager picked (read from the querier's trace of the manager's reply) and ends at the owner.
 */
export function assertQuery(
  year: string,
  eventId: number,
  n: number,
  q: { result: JsonLine; picked: string | null },
  idOf?: ReadonlyMap<string, number>,
  dataDir: string = SHARED_DATA_DIR,
): void {
  const { result } = q;
  assertSuccess(result, 'query-dht');
  assert.equal(result.eventId, eventId, `eventId: ${show(result)}`);
  const path = result.path as number[];
  assert.ok(Array.isArray(path) && path.length >= 1 && path.length <= n, `path of 1…${n} ids expected: ${show(result)}`);
  for (const id of path) assert.ok(Number.isInteger(id) && id >= 0 && id < n, `path id ${id} outside 0…${n - 1}: ${show(result)}`);
  assert.equal(new Set(path).size, path.length, `path ids not distinct: ${show(result)}`);
  assert.equal(path.at(-1), ownerOf(year, eventId, n), `path must end at the owner ${ownerOf(year, eventId, n)}: ${show(result)}`);
  if (idOf) {
    assert.ok(q.picked !== null, `no "query-dht SUCCESS (node: …)" trace before ${show(result)}`);
    assert.equal(path[0], idOf.get(q.picked!), `path must start at the picked node ${q.picked} (id ${idOf.get(q.picked!)}): ${show(result)}`);
  }
  const expected = fileRows(year, dataDir).byId.get(eventId);
  if (expected) {
    assert.equal(result.found, true, `id ${eventId} is in the file: ${show(result)}`);
    assert.deepEqual(result.record, expected, `record differs from the file's row: ${show(result)}`);
    assert.deepEqual(Object.keys(result.record as object), [...FIELD_NAMES], `record keys: ${show(result)}`);
    assert.equal(result.message, undefined, `found with a message: ${show(result)}`);
  } else {
    assert.equal(result.found, false, `id ${eventId} is not in the file: ${show(result)}`);
    assert.equal(result.message, `Storm event ${eventId} not found in the DHT.`, `not-found sentence: ${show(result)}`);
    assert.equal(result.record, undefined, `not found but a record: ${show(result)}`);
  }
}

export interface ClusterOptions {
  /** This test file's reserved range, e.g. "20000-20999". */
  readonly portRange: string;
  readonly dataDir?: string;
}

/** A manager and named peers; close() ends every process it started, whatever happened. */
/** Peer processes by name, and typing a command at one: what Cluster and Fleet (faults-fleet.ts) share. */
export class PeerSet<D extends { run(line: string, timeoutMs?: number): Promise<JsonLine> }> {
  readonly peers = new Map<string, D>();

  peer(name: string): D {
    const p = this.peers.get(name);
    if (!p) throw new Error(`no peer ${name}`);
    return p;
  }

  run(name: string, line: string, timeoutMs?: number): Promise<JsonLine> {
    return this.peer(name).run(line, timeoutMs);
  }

  async ok(name: string, line: string, timeoutMs?: number): Promise<JsonLine> {
    const result = await this.run(name, line, timeoutMs);
    assertSuccess(result, line.split(/\s+/)[0]!);
    return result;
  }
}

export class Cluster extends PeerSet<JsonChild> {
  private constructor(
    readonly manager: ManagerProcess,
    readonly options: ClusterOptions,
  ) {
    super();
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const manager = await startManager(logOption(options.portRange));
    return new Cluster(manager, options);
  }

  /** Starts a peer process (not yet registered) labelled `label`. */
  spawn(label: string, options: { dataDir?: string; portRange?: string; extraArgs?: string[] } = {}): JsonChild {
    if (this.peers.has(label)) throw new Error(`peer ${label} already started`);
    const child = startPeer(label, this.manager, {
      dataDir: options.dataDir ?? this.options.dataDir ?? SHARED_DATA_DIR,
      portRange: options.portRange ?? this.options.portRange,
      ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}),
      ...logOption(this.options.portRange),
    });
    this.peers.set(label, child);
    return child;
  }

  /** Starts and registers `register <name>` each name, in order. */
  async addRegistered(names: readonly string[], options: { dataDir?: string } = {}): Promise<void> {
    for (const name of names) {
      this.spawn(name, options);
      assertSuccess(await this.peer(name).run(`register ${name}`), 'register');
    }
  }

  async fails(name: string, line: string, fragment: string | RegExp): Promise<JsonLine> {
    const result = await this.run(name, line);
    assertFailure(result, line.split(/\s+/)[0]!, fragment);
    return result;
  }

  async status(name: string): Promise<JsonLine> {
    const result = await this.run(name, 'status');
    assertSuccess(result, 'status');
    return result;
  }

  /**
   * Runs `query-dht` and also returns the node the manager picked, read from the querier's trace
   * of the manager's reply (`query-dht SUCCESS (node: NAME, year: YYYY)`).
   */
  async query(name: string, line: string): Promise<{ result: JsonLine; picked: string | null }> {
    const child = this.peer(name);
    const start = child.lines.length;
    const result = await child.run(line);
    return { result, picked: pickedNode(child.lines.slice(start)) };
  }

  /**
   * `status` of every named member: state Leader for id 0 else InDHT, ring size n, the §13 count
   * for its id, and the members' records summing to l. Returns name → id.
   */
  async assertRing(members: readonly string[], year: string, expectedOrder?: readonly string[]): Promise<Map<string, number>> {
    const n = members.length;
    const counts = expectedCounts(year, n);
    const idOf = new Map<string, number>();
    let sum = 0;
    for (const name of members) {
      const st = await this.status(name);
      assert.equal(st.name, name, show(st));
      assert.equal(st.ringSize, n, `${name}: ring size ${n} expected: ${show(st)}`);
      const id = st.id as number;
      assert.ok(Number.isInteger(id) && id >= 0 && id < n, `${name}: id in 0…${n - 1} expected: ${show(st)}`);
      assert.equal(st.state, id === 0 ? 'Leader' : 'InDHT', `${name}: state for id ${id}: ${show(st)}`);
      assert.equal(st.records, counts[id], `${name} (id ${id}): records must be ${counts[id]} (SPEC §13 ${year}, n = ${n}): ${show(st)}`);
      if (expectedOrder) assert.equal(id, expectedOrder.indexOf(name), `${name}: id ${expectedOrder.indexOf(name)} expected in ring ${expectedOrder.join(', ')}: ${show(st)}`);
      idOf.set(name, id);
      sum += st.records as number;
    }
    assert.equal(new Set(idOf.values()).size, n, `member ids not distinct: ${show([...idOf])}`);
    assert.equal(sum, SPEC_TABLE[year]!.l, `the members' records sum to ${sum}, not l = ${SPEC_TABLE[year]!.l}`);
    return idOf;
  }

  /** Each named peer reports Free, no id, no ring, no records. */
  async assertFree(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const st = await this.status(name);
      assert.deepEqual(
        { name: st.name, state: st.state, id: st.id, ringSize: st.ringSize, records: st.records },
        { name, state: 'Free', id: null, ringSize: null, records: 0 },
        `${name} should be Free: ${show(st)}`,
      );
    }
  }

  /** SIGTERM to every peer, then SIGINT to the manager; waits for every exit (SIGKILL after 10 s). */
  async close(): Promise<void> {
    await Promise.all([...this.peers.values()].map((p) => stopHard(p, 'SIGTERM')));
    await stopHard(this.manager.proc, 'SIGINT');
  }
}

/** The (ip, m-port, p-port) a peer registered with, from its trace of the register command it sent. */
export function registeredAddress(child: JsonChild): { ip: string; mPort: number; pPort: number } {
  const line = child.lines.find((l) => l.event === 'trace' && l.to === 'manager' && typeof l.text === 'string' && l.text.startsWith('register '));
  const m = line && /^register [A-Za-z]+ (\S+) (\d+) (\d+)$/.exec(line.text as string);
  if (!m) throw new Error(`no register trace in ${child.label}'s output`);
  return { ip: m[1]!, mPort: Number(m[2]), pPort: Number(m[3]) };
}

/** The node named by the last `query-dht SUCCESS (node: NAME, …)` trace among `lines`, or null. */
export function pickedNode(lines: readonly JsonLine[]): string | null {
  let picked: string | null = null;
  for (const l of lines) {
    if (l.type === 'event' && l.event === 'trace' && l.from === 'manager' && typeof l.text === 'string') {
      const m = /^query-dht SUCCESS \(node: ([A-Za-z]+)/.exec(l.text);
      if (m) picked = m[1]!;
    }
  }
  return picked;
}

/**
 * With STORMDHT_E2E_LOG=DIR, every process's lines go to DIR/<port range>/<label>.log as they
 * arrive (for diagnosing a failure); otherwise nothing is written.
 */
function logOption(range: string): { onLine?: (label: string, line: JsonLine) => void } {
  const dir = process.env.STORMDHT_E2E_LOG;
  if (!dir) return {};
  const sub = path.join(dir, range);
  mkdirSync(sub, { recursive: true });
  return { onLine: (label, line) => appendFileSync(path.join(sub, `${label}.log`), `${Date.now()} ${JSON.stringify(line)}\n`) };
}

async function stopHard(p: JsonChild, signal: NodeJS.Signals): Promise<number | string> {
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  try {
    return await p.stop(signal);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `body` with a fresh cluster, closing it afterwards even when an assertion fails. */
export async function withCluster<T>(options: ClusterOptions, body: (c: Cluster) => Promise<T>): Promise<T> {
  const c = await Cluster.start(options);
  try {
    return await body(c);
  } finally {
    await c.close();
  }
}

/** The ring after member `leaver` leaves (SPEC §6.5): new[k] = ring[(i+1+k) mod n]. */
export function ringAfterLeave(ring: readonly string[], leaver: string): string[] {
  const i = ring.indexOf(leaver);
  const n = ring.length;
  return Array.from({ length: n - 1 }, (_, k) => ring[(i + 1 + k) % n]!);
}
