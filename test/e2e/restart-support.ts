// Helpers of manager-restart.test.ts (issue 13, the durable manager): a Fleet whose manager can be
// SIGKILLed and started again on the same port with the same options (the same --state-dir, or
// none); the hold that stops the manager (SIGSTOP) the moment its trace shows the reply that put
// it into an Await mode, and checks that the completion had not come yet, so that the kill really
// lands in that mode; the one line the restarted manager prints about its state directory, built
// from what the test knows; the journal's records counted from the file; a raw UDP socket on a
// port of the test's own range that sends a datagram and, later, the identical bytes again; and
// the checks that no manager evicted anyone and that no process printed a stack trace. Not a test
// file itself.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startManager, startPeer, type JsonLine, type ManagerProcess } from '../../src/cli/processes.js';
import { encode } from '../../src/wire/codec.js';
import type { Message } from '../../src/wire/messages.js';
import { SHARED_DATA_DIR } from '../helpers/shared-data.js';
import { envWithoutFaults, Fleet, isNote, isRunning, isTrace, lineHook, type Driver, type ManagerHandle } from './faults-fleet.js';
import { assertQuery, sampleIds, show } from './faults-oracle.js';
import { assertNoStackTraces } from './failure-support.js';
import { kill, signalOn } from './kill-support.js';

/** The line of a stack frame, as the issue states it: `    at f (file.js:12:3)`. */
export const STACK_LINE = /^\s+at .*:\d+:\d+\)?$/;

export interface RestartSpec {
  /** The manager's port, the same at every restart (this file's range: 35000-35999). */
  readonly managerPort: number;
  /** The peers' --port-range, inside the same range. */
  readonly portRange: string;
  /** Groups the log files of STORMDHT_E2E_LOG. */
  readonly group: string;
  /** --state-dir, or null for a manager that keeps nothing. */
  readonly stateDir: string | null;
  /** --replicas R, or undefined for SPEC's DHT. */
  readonly replicas?: number;
}

/** The manager's handle: its process is replaced at each restart, its address stays. */
class RestartableManager implements ManagerHandle {
  constructor(
    public proc: Driver,
    readonly ip: string,
    readonly port: number,
  ) {}
}

/** What a restart found: how long the port was without a manager, and its state directory line. */
export interface Restart {
  /** From the SIGKILL to the new manager's `listening` line (ms). */
  readonly downMs: number;
  /** The `restored from …` or `state directory … nothing saved yet` note; null without --state-dir. */
  readonly note: JsonLine | null;
  /** Whole records in journal.log when the manager died (null without --state-dir). */
  readonly journalRecords: number | null;
}

/** A manager on 127.0.0.1:managerPort that can be crashed and restarted, and peers started on demand. */
export class RestartFleet extends Fleet {
  /** Every manager process started, the current one last. */
  readonly managers: Driver[];
  /** Every peer process started. */
  readonly spawned: Driver[];

  private constructor(
    private readonly handle: RestartableManager,
    private readonly spec: RestartSpec,
    private readonly onLine: (label: string, line: JsonLine) => void,
    spawned: Driver[],
    address: ManagerProcess,
  ) {
    // Peers are told the manager's address, which every restart keeps.
    super(handle, (label) => {
      const d = startPeer(label, address, { dataDir: SHARED_DATA_DIR, portRange: spec.portRange, env: envWithoutFaults(), onLine });
      spawned.push(d);
      return d;
    });
    this.managers = [handle.proc];
    this.spawned = spawned;
  }

  static async start(spec: RestartSpec): Promise<RestartFleet> {
    const onLine = lineHook(spec.group);
    const manager = await startManager({ port: spec.managerPort, extraArgs: managerArgs(spec), env: envWithoutFaults(), onLine });
    assert.equal(manager.port, spec.managerPort, `the manager must listen on ${spec.managerPort}`);
    return new RestartFleet(new RestartableManager(manager.proc, manager.ip, manager.port), spec, onLine, [], manager);
  }

  /**
   * SIGKILLs the manager (running or stopped), counts the journal's records it left, and starts a
   * new manager on the same port with the same options; waits for its state directory note.
   */
  async crashAndRestart(): Promise<Restart> {
    const killedAt = await kill(this.handle.proc);
    const journalRecords = this.spec.stateDir === null ? null : journalLines(this.spec.stateDir).length;
    const started = await startManager({ port: this.spec.managerPort, extraArgs: managerArgs(this.spec), env: envWithoutFaults(), onLine: this.onLine });
    const downMs = Date.now() - killedAt;
    assert.equal(started.port, this.spec.managerPort, 'the restarted manager must listen on the same port');
    this.handle.proc = started.proc;
    this.managers.push(started.proc);
    const note = this.spec.stateDir === null ? null : await started.proc.waitForLine((l) => isNote(l, /^(restored from|state directory) /), 5_000);
    return { downMs, note, journalRecords };
  }

  /** Every process started, dead ones included: the manager(s) and the peers. */
  everyProcess(): Driver[] {
    return [...this.managers, ...this.spawned];
  }

  /** Fleet.close, then any earlier manager still alive (a failed test may leave one stopped). */
  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      for (const m of this.managers) {
        if (!isRunning(m)) continue;
        m.child.kill('SIGKILL');
        await m.exited;
      }
    }
  }
}

function managerArgs(spec: RestartSpec): string[] {
  return [...(spec.stateDir === null ? [] : ['--state-dir', spec.stateDir]), ...(spec.replicas === undefined ? [] : ['--replicas', String(spec.replicas)])];
}

/** A fleet with `names` registered; closed whatever happens; no process printed a stack trace. */
export async function withRestartFleet(spec: RestartSpec, names: readonly string[], body: (fleet: RestartFleet) => Promise<void>): Promise<void> {
  const fleet = await RestartFleet.start(spec);
  try {
    await fleet.register(names);
    await body(fleet);
    assertNoStackOutput(fleet.everyProcess());
  } finally {
    await fleet.close();
  }
}

/** No process printed a stack trace: no frame in any line or field (failure-support.ts), no line that is one. */
export function assertNoStackOutput(processes: readonly Driver[]): void {
  assertNoStackTraces(processes);
  for (const p of processes) assertNoStackLines(p.label, p.lines.map((l) => (l.type === 'text' ? String(l.text) : JSON.stringify(l))).join('\n'), p.stderr);
}

/** No line of stdout or stderr is a stack frame. */
export function assertNoStackLines(label: string, stdout: string, stderr: string): void {
  for (const [where, text] of [['stdout', stdout], ['stderr', stderr]] as const) {
    const bad = text.split('\n').find((line) => STACK_LINE.test(line));
    assert.equal(bad, undefined, `${label} printed a stack frame on ${where}: ${bad}`);
  }
}

/** The whole lines of the state directory's journal.log (a torn tail without its newline is not one). */
export function journalLines(dir: string): string[] {
  const file = path.join(dir, 'journal.log');
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop();
  return lines;
}

/**
 * Stops the manager (SIGSTOP) as soon as its trace shows `trigger`, lets the lines it had written
 * reach this process, and checks that none is `completion`: the manager was still waiting when
 * it stopped. (The restarted manager's note then proves it from the journal.)
 */
export async function holdManagerOn(fleet: RestartFleet, trigger: (l: JsonLine) => boolean, completion: (l: JsonLine) => boolean, waitingFor: string): Promise<void> {
  const m = fleet.manager.proc;
  await signalOn(m, trigger, 'SIGSTOP', 30_000);
  await sleep(150);
  const done = m.lines.find(completion);
  assert.equal(done, undefined, `the manager had its ${waitingFor} before it was stopped: ${show(done)}`);
}

/** The manager's reply to `to` that starts with `text`, e.g. `setup-dht SUCCESS`. */
export function managerSaid(to: string, text: string): (l: JsonLine) => boolean {
  return (l) => isTrace(l, 'manager', to, new RegExp(`^${text}\\b`));
}

/** A trace line of `from` to the manager, e.g. `dht-complete alice`. */
export function toManager(from: string, text: RegExp): (l: JsonLine) => boolean {
  return (l) => isTrace(l, from, 'manager', text);
}

/** What the test knows of the state the manager left. */
export interface Expected {
  readonly peers: number;
  /** The DHT: its year, its members in id order; null for none. */
  readonly dht: { readonly year: string; readonly members: readonly string[] } | null;
  /** e.g. `dht-complete from alice`; null for Idle. */
  readonly awaiting: string | null;
}

/** The restarted manager's note, exactly as issue 13 states it, from what the test knows. */
export function restoredText(dir: string, e: Expected, records: number): string {
  const peers = `${e.peers} peer${e.peers === 1 ? '' : 's'}`;
  const dht = e.dht === null ? 'no DHT' : `the DHT of ${e.dht.year} with ${e.dht.members.length} members (leader ${e.dht.members[0]})`;
  const mode = e.awaiting === null ? 'Idle' : `awaiting ${e.awaiting}`;
  return `restored from ${dir}: ${peers}, ${dht}, ${mode} (${records} journal record${records === 1 ? '' : 's'} replayed)`;
}

/** The restart's note is the restored state `e`, with every record the journal held replayed. */
export function assertRestored(restart: Restart, dir: string, e: Expected): void {
  assert.ok(restart.note !== null && restart.journalRecords !== null, 'a manager with --state-dir prints a note about it');
  assert.ok(restart.journalRecords > 0, `the journal in ${dir} holds no record`);
  assert.equal(restart.note.level, 'info', show(restart.note));
  assert.equal(restart.note.text, restoredText(dir, e, restart.journalRecords), `the restarted manager's note: ${show(restart.note)}`);
}

/** No manager evicted anyone nor gave up on anyone (`except`: the evictions the test caused). */
export function assertNoEviction(fleet: RestartFleet, except: readonly string[] = []): void {
  for (const m of fleet.managers) {
    const bad = m.lines.find((l) => isNote(l, /^(failure detector: evicted |gave up: )/) && !except.some((name) => String(l.text).startsWith(`failure detector: evicted ${name} `)));
    assert.equal(bad, undefined, `no peer may be evicted across the restart: ${show(bad)}`);
  }
}

/** `querier` asks for seeded ids of the file and ids absent from it; each answer is the file's, over `ring`. */
export async function assertQueries(fleet: Fleet, querier: string, ring: readonly string[], year: string, seed: number, k = 2): Promise<void> {
  const idOf = new Map(ring.map((name, id) => [name, id]));
  for (const id of sampleIds(year, k, seed)) assertQuery(year, id, ring.length, await fleet.query(querier, id, 20_000), idOf);
}

/**
 * A UDP socket of the test's own on 127.0.0.1:port, speaking to the manager as a peer would
 * (without --secret): it keeps every datagram it sent, to send the identical bytes again.
 */
export class RawPeer {
  private readonly received: Array<Record<string, unknown>> = [];
  private readonly waiters = new Map<string, (answer: Record<string, unknown>) => void>();
  private constructor(
    private readonly sock: dgram.Socket,
    readonly port: number,
  ) {
    sock.on('message', (buf) => {
      let answer: Record<string, unknown>;
      try {
        answer = JSON.parse(buf.toString()) as Record<string, unknown>;
      } catch {
        return; // not JSON: not an answer of the manager's
      }
      this.received.push(answer);
      const waiter = this.waiters.get(String(answer.rid));
      if (waiter !== undefined) {
        this.waiters.delete(String(answer.rid));
        waiter(answer);
      }
    });
    sock.on('error', () => {});
  }

  static async bind(port: number): Promise<RawPeer> {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, '127.0.0.1', () => {
        sock.off('error', reject);
        resolve();
      });
    });
    return new RawPeer(sock, port);
  }

  /** The message's datagram, as sent (and as sent again). */
  static datagram(msg: Message): Buffer {
    return encode(msg);
  }

  /** Sends `buf` (a request with rid `rid`) and resolves with the first answer with that rid that comes after it. */
  ask(buf: Buffer, rid: string, to: { ip: string; port: number }, timeoutMs = 3_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(rid);
        reject(new Error(`no answer to rid ${rid} from ${to.ip}:${to.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(rid, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.sock.send(buf, to.port, to.ip);
    });
  }

  close(): void {
    this.sock.close();
  }
}
