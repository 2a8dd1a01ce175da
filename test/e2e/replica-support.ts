// Helpers of replicas.test.ts (issue 12, `stormdht manager --replicas R`): a Fleet whose manager
// listens on a given port and keeps R copies, where only the named peers can read the year's file
// (every other peer gets an empty data directory); the placement a ring of n must have, computed
// from the file by SPEC §9's hash (a record on its owner, pos mod n, and a copy on each of the
// R - 1 nodes after it) and checked against every member's `status`; a querier that asks for ids
// of the file one after the other and keeps every answer; and the timing of a repair. Expected
// figures never come from program output. Not a test file itself.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startManager, startPeer, type JsonLine } from '../../src/cli/processes.js';
import { FIELD_NAMES } from '../../src/data/fields.js';
import { countsPerNode, ownerOf, positionOf } from '../../src/data/hashing.js';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { SHARED_DATA_DIR } from '../helpers/shared-data.js';
import { envWithoutFaults, Fleet, isTrace, lineHook, timeOf, type Driver } from './faults-fleet.js';
import { evictionNote } from './failure-support.js';
import { expectedCounts, fileRows, show, SPEC_TABLE } from './faults-oracle.js';

export interface ReplicaFleetSpec {
  /** The manager's port (this file's range: 34000-34999). */
  readonly managerPort: number;
  /** The peers' --port-range, inside the same range. */
  readonly portRange: string;
  /** Groups the log files of STORMDHT_E2E_LOG. */
  readonly group: string;
  /** --replicas R, or undefined for none (R = 1, SPEC's DHT). */
  readonly replicas?: number;
  /** The peers that get the shared data directory; every other one gets `emptyDir`. */
  readonly fileHolders: readonly string[];
  /** A directory without any details-YYYY.csv. */
  readonly emptyDir: string;
}

/** A manager on 127.0.0.1:managerPort (with --replicas R) and peers started on demand. */
export async function replicaFleet(spec: ReplicaFleetSpec): Promise<Fleet> {
  const onLine = lineHook(spec.group);
  const env = envWithoutFaults();
  const extraArgs = spec.replicas === undefined ? [] : ['--replicas', String(spec.replicas)];
  const manager = await startManager({ port: spec.managerPort, extraArgs, env, onLine });
  return new Fleet(manager, (label) =>
    startPeer(label, manager, {
      dataDir: spec.fileHolders.includes(label) ? SHARED_DATA_DIR : spec.emptyDir,
      portRange: spec.portRange,
      env,
      onLine,
    }),
  );
}

/** What each node of a ring holds: its own records and the copies it keeps for the nodes before it. */
export interface Placement {
  readonly records: readonly number[];
  readonly replicas: readonly number[];
}

/**
 * The placement of `ids` (event ids of `year`'s file) over a ring of n with R copies: node i owns
 * the ids with pos mod n = i, and keeps a copy of the records of the R - 1 nodes before it.
 */
export function placementOf(year: string, ids: Iterable<number>, n: number, replicas: number): Placement {
  const records = countsPerNode(ids, fileRows(year).data.s, n);
  const copies = Math.min(replicas, n);
  const held = records.map((_, i) => {
    let sum = 0;
    for (let k = 1; k < copies; k++) sum += records[(i - k + n) % n]!;
    return sum;
  });
  return { records, replicas: held };
}

/** The placement of the whole file over a ring of n, its counts checked against SPEC §13. */
export function filePlacement(year: string, n: number, replicas: number): Placement {
  const p = placementOf(year, fileRows(year).data.ids, n, replicas);
  assert.deepEqual(p.records, expectedCounts(year, n), `the file's counts for n = ${n} must be SPEC §13's`);
  return p;
}

/** The owner of an event id in a ring of n over `year`'s file (SPEC §9). */
export function ownerIn(year: string, eventId: number, n: number): number {
  return ownerOf(positionOf(eventId, fileRows(year).data.s), n);
}

/**
 * `status` of every member of `ring` (names in id order): its id, Leader or InDHT, the ring size,
 * and the records and copies `expected` gives for its id; the records sum to `total`.
 */
export async function assertPlacement(fleet: Fleet, ring: readonly string[], expected: Placement, total: number, context: string): Promise<void> {
  let sum = 0;
  for (const [id, name] of ring.entries()) {
    const st = await fleet.status(name);
    assert.deepEqual(
      { name: st.name, state: st.state, id: st.id, ringSize: st.ringSize, records: st.records, replicas: st.replicas },
      { name, state: id === 0 ? 'Leader' : 'InDHT', id, ringSize: ring.length, records: expected.records[id], replicas: expected.replicas[id] },
      `${context}: ${name} as node ${id} of ${ring.join(', ')} should hold ${expected.records[id]} records and ${expected.replicas[id]} copies: ${show(st)}`,
    );
    sum += st.records as number;
  }
  assert.equal(sum, total, `${context}: the members own ${sum} records, not ${total}`);
}

/** A setup/leave/join result's or counts event's figures: exactly the placement expected. */
export function assertFigures(line: JsonLine, expected: Placement, context: string): void {
  assert.deepEqual(
    { recordsPerNode: line.recordsPerNode, replicasPerNode: line.replicasPerNode },
    { recordsPerNode: [...expected.records], replicasPerNode: [...expected.replicas] },
    `${context}: ${show({ ...line, ring: undefined })}`,
  );
}

/** The result's record is the file's row of that id: all 14 fields, verbatim, in the file's order. */
export function recordMismatch(year: string, eventId: number, result: JsonLine): string | null {
  const row = fileRows(year).byId.get(eventId);
  if (row === undefined) return `${eventId} is not in the file`;
  if (result.ok !== true || result.found !== true) return `not answered with the record: ${show(result)}`;
  const record = result.record as Record<string, string> | undefined;
  if (record === undefined || typeof record !== 'object') return `no record: ${show(result)}`;
  if (JSON.stringify(Object.keys(record)) !== JSON.stringify(FIELD_NAMES)) return `record keys ${Object.keys(record).join(',')}: ${show(result)}`;
  for (const f of FIELD_NAMES) if (record[f] !== row[f]) return `field ${f}: ${JSON.stringify(record[f])} instead of the file's ${JSON.stringify(row[f])}: ${show(result)}`;
  if (result.eventId !== eventId) return `answered for ${String(result.eventId)}: ${show(result)}`;
  return null;
}

export interface Answer {
  readonly eventId: number;
  /** When the command was typed and when its result line came (ms since the epoch). */
  readonly sentAt: number;
  readonly answeredAt: number;
  /** Null when the answer is the file's record; else what was wrong. */
  readonly wrong: string | null;
}

/**
 * `name` (a peer outside the ring) types `query-dht <name> <id>` for ids drawn from `year`'s file
 * (seeded), one after the other, until stop(); every answer is kept and checked against the file.
 */
export class Querier {
  readonly answers: Answer[] = [];
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly peer: Driver,
    private readonly name: string,
    private readonly year: string,
    seed: number,
    private readonly timeoutMs = 30_000,
  ) {
    const rng = mulberry32(seed);
    const records = fileRows(year).data.records;
    this.done = (async () => {
      while (!this.stopped) {
        const eventId = records[Math.floor(rng() * records.length)]!.eventId;
        const sentAt = Date.now();
        let wrong: string | null;
        try {
          const result = await this.peer.run(`query-dht ${this.name} ${eventId}`, this.timeoutMs);
          wrong = recordMismatch(this.year, eventId, result);
        } catch (err) {
          wrong = err instanceof Error ? err.message : String(err);
          this.stopped = true; // the peer is gone or wedged: the next command would take this one's result
        }
        this.answers.push({ eventId, sentAt, answeredAt: Date.now(), wrong });
      }
    })();
  }

  /** Answers whose result came in [from, to]. */
  answeredBetween(from: number, to: number): Answer[] {
    return this.answers.filter((a) => a.answeredAt >= from && a.answeredAt <= to);
  }

  /** Waits until at least `k` more answers came (the querier is making progress). */
  async progress(k: number, timeoutMs = 30_000): Promise<void> {
    const target = this.answers.length + k;
    const until = Date.now() + timeoutMs;
    while (this.answers.length < target) {
      if (this.stopped || Date.now() > until) assert.fail(`the querier stopped at ${this.answers.length} answers: ${show(this.answers.at(-1))}`);
      await sleep(20);
    }
  }

  async stop(): Promise<Answer[]> {
    this.stopped = true;
    await this.done;
    return this.answers;
  }
}

export interface RepairTiming {
  /** The manager's (last) eviction note, and the SUCCESS it answered the leader's dht-repaired with. */
  readonly evictedAt: number;
  readonly repairedAt: number;
  /** The new leader's counts event of the repair. */
  readonly counts: JsonLine;
}

/**
 * After `victims` were SIGKILLed: the manager evicts each (its note), sends repair-dht to `ring[0]`
 * naming exactly `ring`, and answers the dht-repaired that follows with SUCCESS; the new leader's
 * counts event of the repair names the same ring. Only the manager's lines from index `fromLine`
 * on count (an earlier repair led by the same peer is not this one).
 */
export async function awaitRepair(fleet: Fleet, victims: readonly string[], ring: readonly string[], fromLine: number, timeoutMs = 30_000): Promise<RepairTiming> {
  const m = fleet.manager.proc;
  const later = (index: number, test: (l: JsonLine) => boolean) => (l: JsonLine) => m.lines.indexOf(l) >= index && test(l);
  let evictedAt = 0;
  for (const victim of victims) evictedAt = Math.max(evictedAt, timeOf(await m.waitForLine(later(fromLine, evictionNote(victim)), timeoutMs)));
  const asked = await m.waitForLine(later(fromLine, (l) => isTrace(l, 'manager', ring[0]!, new RegExp(`^repair-dht ring=\\[${ring.join(', ')}\\] \\(`))), timeoutMs);
  const done = await m.waitForLine(later(m.lines.indexOf(asked) + 1, (l) => isTrace(l, 'manager', ring[0]!, /^dht-repaired /)), timeoutMs);
  assert.match(String(done.text), /^dht-repaired SUCCESS/, show(done));
  const counts = await fleet.peer(ring[0]!).waitForLine(
    (l) => l.type === 'event' && l.event === 'counts' && l.reason === 'repair' && (l.ring as Array<{ name: string }>).map((t) => t.name).join(',') === ring.join(','),
    5_000,
  );
  return { evictedAt, repairedAt: timeOf(done), counts };
}

/** The year's number of records, from SPEC §13. */
export function recordsOf(year: string): number {
  return SPEC_TABLE[year]!.l;
}
