// A fleet of real stormdht processes for faults.test.ts, kill.test.ts and netns.test.ts: a manager
// and named peers, each line they print time-stamped, and close() that ends every process it
// started whatever state it is in (running, stopped with SIGSTOP, or already dead). The processes
// are JsonChild (src/cli/processes.ts) on 127.0.0.1, or anything with the same surface (the
// namespace driver of netns-driver.ts). Not a test file itself.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startManager, startPeer, type JsonLine } from '../../src/cli/processes.js';
import { SHARED_DATA_DIR } from '../helpers/shared-data.js';
import { PeerSet } from './cluster.js';
import { assertSuccess, expectedCounts, pickedNode, show, SPEC_TABLE } from './faults-oracle.js';

/** What the tests need of a process: JsonChild's surface. */
export interface Driver {
  readonly label: string;
  readonly lines: JsonLine[];
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  readonly stderr: string;
  run(line: string, timeoutMs?: number): Promise<JsonLine>;
  send(line: string): void;
  nextResult(timeoutMs?: number): Promise<JsonLine>;
  waitForLine(test: (l: JsonLine) => boolean, timeoutMs?: number): Promise<JsonLine>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface ManagerHandle {
  readonly proc: Driver;
  readonly ip: string;
  readonly port: number;
}

/** When each line was read (ms since the epoch), for the timing checks. */
export const lineTime = new WeakMap<object, number>();

/**
 * The onLine hook of every process: stamps the line, and with STORMDHT_E2E_LOG=DIR also appends it
 * to DIR/<group>/<label>.log for diagnosing a failure.
 */
export function lineHook(group: string): (label: string, line: JsonLine) => void {
  const dir = process.env.STORMDHT_E2E_LOG;
  const sub = dir ? path.join(dir, group) : null;
  if (sub) mkdirSync(sub, { recursive: true });
  return (label, line) => {
    const now = Date.now();
    lineTime.set(line, now);
    if (sub) appendFileSync(path.join(sub, `${label}.log`), `${now} ${JSON.stringify(line)}\n`);
  };
}

export function timeOf(line: JsonLine): number {
  const t = lineTime.get(line);
  if (t === undefined) throw new Error(`line not stamped: ${show(line)}`);
  return t;
}

/** The environment without STORMDHT_FAULTS: a test decides its faults itself. */
export function envWithoutFaults(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.STORMDHT_FAULTS;
  return env;
}

export function isRunning(d: Driver): boolean {
  return d.child.exitCode === null && d.child.signalCode === null;
}

export function isTrace(l: JsonLine, from: string | null, to: string | null, text: RegExp): boolean {
  return (
    l.type === 'event' &&
    l.event === 'trace' &&
    (from === null || l.from === from) &&
    (to === null || l.to === to) &&
    typeof l.text === 'string' &&
    text.test(l.text)
  );
}

export function isNote(l: JsonLine, text: RegExp): boolean {
  return l.type === 'event' && l.event === 'note' && typeof l.text === 'string' && text.test(l.text);
}

export interface LocalFleetOptions {
  /** The peers' --port-range (a distinct sub-range of 40000-44999 per test). */
  readonly portRange: string;
  /** Groups the log files of STORMDHT_E2E_LOG. */
  readonly group: string;
  readonly managerArgs?: readonly string[];
  /** Extra arguments of the i-th peer started (e.g. its own --faults seed). */
  readonly peerArgs?: (label: string, index: number) => readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/** A manager and named peers. Every process it starts is ended by close(). */
export class Fleet extends PeerSet<Driver> {
  private started = 0;

  constructor(
    readonly manager: ManagerHandle,
    private readonly spawner: (label: string, index: number) => Driver,
  ) {
    super();
  }

  /** A manager on 127.0.0.1 (port 0) and, later, peers reading the shared data directory. */
  static async local(options: LocalFleetOptions): Promise<Fleet> {
    const onLine = lineHook(options.group);
    const env = options.env ?? envWithoutFaults();
    const manager = await startManager({ extraArgs: options.managerArgs ?? [], env, onLine });
    return new Fleet(manager, (label, index) =>
      startPeer(label, manager, {
        dataDir: SHARED_DATA_DIR,
        portRange: options.portRange,
        extraArgs: options.peerArgs?.(label, index) ?? [],
        env,
        onLine,
      }),
    );
  }

  spawn(label: string): Driver {
    if (this.peers.has(label)) throw new Error(`peer ${label} already started`);
    const d = this.spawner(label, this.started++);
    this.peers.set(label, d);
    return d;
  }

  /** Starts the processes at once, then registers them one by one (`register <name>`). */
  async register(names: readonly string[], timeoutMs = 30_000): Promise<void> {
    for (const name of names) this.spawn(name);
    for (const name of names) assertSuccess(await this.run(name, `register ${name}`, timeoutMs), 'register');
  }


  async status(name: string): Promise<JsonLine> {
    return this.ok(name, 'status', 15_000);
  }

  /** query-dht, with the node the manager picked (from the querier's trace of the reply). */
  async query(name: string, eventId: number, timeoutMs?: number): Promise<{ result: JsonLine; picked: string | null }> {
    const d = this.peer(name);
    const from = d.lines.length;
    const result = await d.run(`query-dht ${name} ${eventId}`, timeoutMs);
    return { result, picked: pickedNode(d.lines.slice(from)) };
  }

  /**
   * `status` of every member of `ring` (names in id order): id = its index, Leader at 0 and InDHT
   * elsewhere, ring size n, SPEC §13's count for its id, the records summing to l — nothing
   * stored twice, nothing lost.
   */
  async assertRing(ring: readonly string[], year: string, context: string): Promise<void> {
    const counts = expectedCounts(year, ring.length);
    let sum = 0;
    for (const [id, name] of ring.entries()) {
      const st = await this.status(name);
      assert.deepEqual(
        { name: st.name, state: st.state, id: st.id, ringSize: st.ringSize, records: st.records },
        { name, state: id === 0 ? 'Leader' : 'InDHT', id, ringSize: ring.length, records: counts[id] },
        `${context}: ${name} as node ${id} of ${ring.join(', ')} holding SPEC §13's ${counts[id]} records of ${year}: ${show(st)}`,
      );
      sum += st.records as number;
    }
    assert.equal(sum, SPEC_TABLE[year]!.l, `${context}: the members hold ${sum} records, not l = ${SPEC_TABLE[year]!.l}`);
  }

  /** Each named peer is Free with no id, no ring and no records. */
  async assertFree(names: readonly string[], context: string): Promise<void> {
    for (const name of names) {
      const st = await this.status(name);
      assert.deepEqual(
        { name: st.name, state: st.state, id: st.id, ringSize: st.ringSize, records: st.records },
        { name, state: 'Free', id: null, ringSize: null, records: 0 },
        `${context}: ${name} should be Free with no records: ${show(st)}`,
      );
    }
  }

  /** Every process: SIGCONT (a stopped one cannot exit), SIGTERM/SIGINT, SIGKILL after 5 s. */
  async close(): Promise<void> {
    await Promise.all([...this.peers.values()].map((p) => end(p, 'SIGTERM')));
    await end(this.manager.proc, 'SIGINT');
  }
}

async function end(d: Driver, signal: NodeJS.Signals): Promise<void> {
  if (!isRunning(d)) {
    await d.exited;
    return;
  }
  d.child.kill('SIGCONT');
  const timer = setTimeout(() => d.child.kill('SIGKILL'), 5_000);
  try {
    await d.stop(signal);
  } finally {
    clearTimeout(timer);
  }
}

/** The manager's trace lines `manager → <who>: <command> SUCCESS|FAILURE …`. */
export function managerReplies(fleet: Fleet): string[] {
  return fleet.manager.proc.lines.filter((l) => isTrace(l, 'manager', null, /./)).map((l) => `${l.to}: ${l.text}`);
}
