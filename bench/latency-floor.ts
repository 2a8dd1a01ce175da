// The floor under a query's latency (issue 14): five bare Node processes (latency-relay.ts) on a
// query's exact path, doing nothing but pass datagrams of a query's sizes on. The benchmark writes
// a line to the querier's stdin; the querier sends query-dht to the "manager", which answers; the
// querier sends find-event to ring node A, A passes it to B, B to C (the three hops of an average
// hot-potato query, docs/benchmarks.md), and C sends the find-result to the querier, which writes
// a result line to its stdout. Timed from the benchmark's write of the line to its reading of the
// result line, one at a time (stop and wait), exactly as ProcCluster.run times stormdht's query,
// and read through readline and JSON.parse as JsonChild reads a peer's lines.
// The datagrams are stormdht's own messages encoded by src/wire/codec.ts (floorMessages): a
// query-dht, its reply naming a member, a find-event carrying the querier's tuple and a path, a
// find-result with the 14 fields of a record of median size, and the peer's --json result line.
// Ports: a slice of 5 in 54000-54999 (FLOOR_PORTS) per fresh path, round-robin.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { resultJson } from '../src/cli/peer-output.js';
import { recordToObject, type StormRecord } from '../src/data/fields.js';
import { success } from '../src/peer/events.js';
import { encode } from '../src/wire/codec.js';
import type { Tuple } from '../src/wire/messages.js';
import { stopChild, track, type TrackedChild } from './children.js';
import { cpuPerUnit, sampleCpu, type CpuShare } from './proc-cpu.js';
import { PortSlices } from './process-cluster.js';
import { percentile } from './stats.js';

const RELAY = fileURLToPath(new URL('./latency-relay.js', import.meta.url));

/** The floor's fixed band: 5 ports per fresh path (querier, manager, A, B, C), 200 paths before one is reused. */
export const FLOOR_PORTS = new PortSlices(54_000, 54_999, 5);

/** How long the floor waits for a process to listen, and for any one round trip (ms). */
const START_TIMEOUT_MS = 15_000;
const ROUND_TRIP_TIMEOUT_MS = 5_000;

/** What each relay process is told (latency-relay.ts); payloads in base64. */
export type RelayConfig =
  | { readonly role: 'querier'; readonly port: number; readonly manager: number; readonly first: number; readonly query: string; readonly find: string; readonly line: string }
  | { readonly role: 'manager'; readonly port: number; readonly reply: string }
  | { readonly role: 'relay'; readonly port: number; readonly to: number }
  | { readonly role: 'last'; readonly port: number; readonly to: number; readonly result: string };

/** The floor's datagrams and result line, each as stormdht sends or prints it. */
export interface FloorMessages {
  readonly query: Buffer;
  readonly reply: Buffer;
  readonly find: Buffer;
  readonly result: Buffer;
  /** The querier's --json result line, with its newline. */
  readonly line: string;
  /** The line the benchmark types. */
  readonly typed: string;
}

/**
 * stormdht's messages of one query for `record`, encoded as on the wire: names of 5 letters,
 * 5-digit ports and a rid of an endpoint some thousand requests old, as in the scenario's cluster.
 * The find-event carries one path entry (it carries 0, 1 and 2 on its three hops), the find-result
 * three (the mean path of a hot-potato query in a ring of 5).
 */
export function floorMessages(record: StormRecord, year: string): FloorMessages {
  const querier: Tuple = { name: 'peerf', ip: '127.0.0.1', port: 45_051 };
  const member: Tuple = { name: 'peerc', ip: '127.0.0.1', port: 45_021 };
  const rid = 'k3x9q2.1jk';
  const eventId = record.eventId;
  const path = [1, 3, 0];
  const result = resultJson(success('query-dht', { eventId, found: true, path, record: recordToObject(record.fields) }));
  return {
    query: encode({ type: 'query-dht', rid, name: querier.name }),
    reply: encode({ type: 'reply', rid, ok: true, node: member, year }),
    find: encode({ type: 'find-event', rid, eventId, querier, path: path.slice(0, 1) }),
    result: encode({ type: 'find-result', rid, eventId, found: true, path, fields: record.fields }),
    line: `${JSON.stringify(result)}\n`,
    typed: `query-dht ${querier.name} ${eventId}`,
  };
}

/** The record whose 14 fields are of median JSON length among `records` (the floor's find-result). */
export function medianRecord(records: readonly StormRecord[]): StormRecord {
  if (records.length === 0) throw new Error('no records to take a find-result size from');
  const bySize = records.map((r) => ({ r, size: JSON.stringify(r.fields).length })).sort((a, b) => a.size - b.size);
  return bySize[Math.floor((bySize.length - 1) / 2)]!.r;
}

/** `query-dht 61 B, …`: the sizes of the floor's datagrams and line. */
export function describeSizes(m: FloorMessages): string {
  return `query-dht ${m.query.length} B, its reply ${m.reply.length} B, find-event ${m.find.length} B, find-result ${m.result.length} B; result line ${Buffer.byteLength(m.line)} B`;
}

/** One relay process: its stdout lines arrive as { time of arrival, line }. */
class RelayChild implements TrackedChild {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  private readonly arrived: Array<{ readonly at: number; readonly line: unknown }> = [];
  private waiter: ((l: { readonly at: number; readonly line: unknown } | null) => void) | null = null;
  private stderrText = '';

  constructor(
    readonly label: string,
    config: RelayConfig,
  ) {
    this.child = spawn(process.execPath, [RELAY, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin!.on('error', () => {}); // writing to a relay that just exited is not our crash
    this.child.stderr!.on('data', (d: Buffer) => (this.stderrText += d.toString()));
    readline.createInterface({ input: this.child.stdout! }).on('line', (text) => {
      const line: unknown = JSON.parse(text);
      const got = { at: performance.now(), line };
      const w = this.waiter;
      this.waiter = null;
      if (w) w(got);
      else this.arrived.push(got);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.waiter?.(null);
        this.waiter = null;
        resolve(code ?? signal ?? 'unknown');
      });
    });
  }

  /** The next line not yet taken: performance.now() at its arrival, and the line parsed. */
  nextLine(timeoutMs: number): Promise<{ readonly at: number; readonly line: unknown }> {
    const ready = this.arrived.shift();
    if (ready) return Promise.resolve(ready);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.reject(new Error(`floor ${this.label} has exited${this.tail()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`floor ${this.label}: no line within ${timeoutMs} ms${this.tail()}`));
      }, timeoutMs);
      this.waiter = (l) => {
        clearTimeout(timer);
        if (l === null) reject(new Error(`floor ${this.label} exited${this.tail()}`));
        else resolve(l);
      };
    });
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  private tail(): string {
    const err = this.stderrText.trim();
    return err ? `; stderr: ${err.slice(-1000)}` : '';
  }
}

/** The five processes of one fresh floor path, listening. */
export class FloorPath {
  private constructor(
    private readonly processes: ReadonlyMap<string, RelayChild>,
    private readonly typed: string,
  ) {}

  /** Starts the five relays on the next slice of FLOOR_PORTS; resolves once all of them listen. */
  static async start(m: FloorMessages): Promise<FloorPath> {
    const base = Number(FLOOR_PORTS.take().split('-')[0]);
    const port = { querier: base, manager: base + 1, a: base + 2, b: base + 3, c: base + 4 };
    const b64 = (buf: Buffer) => buf.toString('base64');
    const configs: ReadonlyArray<readonly [string, RelayConfig]> = [
      ['manager', { role: 'manager', port: port.manager, reply: b64(m.reply) }],
      ['A', { role: 'relay', port: port.a, to: port.b }],
      ['B', { role: 'relay', port: port.b, to: port.c }],
      ['C', { role: 'last', port: port.c, to: port.querier, result: b64(m.result) }],
      ['querier', { role: 'querier', port: port.querier, manager: port.manager, first: port.a, query: b64(m.query), find: b64(m.find), line: m.line }],
    ];
    const processes = new Map(configs.map(([label, config]) => [label, track(new RelayChild(label, config))] as const));
    const path = new FloorPath(processes, m.typed);
    try {
      const listening = await Promise.all([...processes.values()].map((p) => p.nextLine(START_TIMEOUT_MS)));
      const bad = listening.find((l) => (l.line as { event?: unknown }).event !== 'listening');
      if (bad) throw new Error(`a floor relay said ${JSON.stringify(bad.line)} instead of listening`);
      return path;
    } catch (err) {
      await path.stop();
      throw err;
    }
  }

  /** Each process's pid, by its place on the path. */
  pids(): Map<string, number | undefined> {
    return new Map([...this.processes].map(([label, p]) => [label, p.child.pid]));
  }

  /** `count` round trips one after another: ms from each line written to its result line read. */
  async roundTrips(count: number): Promise<number[]> {
    const querier = this.processes.get('querier')!;
    const ms: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      querier.send(this.typed);
      const { at } = await querier.nextLine(ROUND_TRIP_TIMEOUT_MS);
      ms.push(at - t0);
    }
    return ms;
  }

  /** Ends every relay (stdin closed, then SIGTERM); safe twice. */
  async stop(): Promise<void> {
    for (const p of this.processes.values()) p.child.stdin!.end();
    await Promise.all([...this.processes.values()].map((p) => stopChild(p)));
  }
}

/** How many queries (or round trips) each phase of a latency run makes. */
export interface QueryCounts {
  /** Timed, first thing after the start: the cold figure. */
  readonly cold: number;
  /** Untimed, after the cold ones. */
  readonly untimed: number;
  /** Timed after the untimed ones, with the CPU read around them: the warm figures. */
  readonly warm: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  /** Each round trip's ms, in the order they ran. */
  readonly ms: readonly number[];
}

export interface FloorRun {
  readonly cold: Percentiles;
  readonly warm: Percentiles;
  /** CPU per round trip over the warm ones, by process and summed over the five. */
  readonly cpu: CpuShare;
}

function percentiles(ms: readonly number[]): Percentiles {
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), ms };
}

/** One floor run on a fresh path: cold round trips, untimed ones, then warm ones with their CPU. */
export async function floorRun(m: FloorMessages, counts: QueryCounts): Promise<FloorRun> {
  const path = await FloorPath.start(m);
  try {
    const cold = await path.roundTrips(counts.cold);
    await path.roundTrips(counts.untimed);
    const before = sampleCpu(path.pids());
    const warm = await path.roundTrips(counts.warm);
    const after = sampleCpu(path.pids());
    return { cold: percentiles(cold), warm: percentiles(warm), cpu: cpuPerUnit(before, after, counts.warm) };
  } finally {
    await path.stop();
  }
}
