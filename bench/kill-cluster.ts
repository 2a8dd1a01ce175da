// Peer processes that the failure-detector scenarios kill (bench/detect-scenario.ts): a manager and
// `stormdht peer --json` processes on 127.0.0.1, whose lines of interest are kept with the time
// they arrived at the benchmark (performance.now() as each line is read from the pipe). A peer is
// SIGKILLed by its own pid and the time of the kill is returned, so that "kill → the manager's
// eviction note" is measured as an operator reading the manager's output would see it. Peers can
// be started after the others (a spare that joins). Also: a query loop that keeps one Free peer
// querying and checks every answer against the year's file.
import { JsonChild, startPeer, type JsonLine, type ManagerProcess } from '../src/cli/processes.js';
import { loadYear } from '../src/data/csv.js';
import { FIELD_NAMES } from '../src/data/fields.js';
import { stopChild, track, withStarted } from './children.js';
import { queryCases, type QueryCase, type YearFacts } from './data.js';
import type { PortSlices } from './process-cluster.js';

/** A line of interest, with when it arrived and which process printed it. */
export interface Stamped {
  readonly t: number;
  readonly from: string;
  readonly line: JsonLine;
}

interface Waiter {
  readonly since: number;
  readonly test: (s: Stamped) => boolean;
  readonly resolve: (s: Stamped) => void;
}

export interface KillClusterOptions {
  readonly dataDir: string;
  readonly ports: PortSlices;
  /** Extra options of the manager (e.g. --faults). */
  readonly managerArgs?: readonly string[];
  /** The manager's UDP port (default 0: one the system picks). */
  readonly managerPort?: number;
  /** Extra options of each peer, by name (e.g. --faults with its own seed). */
  readonly peerArgs?: (name: string) => readonly string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The text of a manager note or trace line, or ''. */
export function textOf(s: Stamped): string {
  return typeof s.line.text === 'string' ? s.line.text : '';
}

/** True for the manager's note that it evicted `name` as dead (`failure detector: evicted <name> died …`). */
export function isEviction(s: Stamped, name?: string): boolean {
  return s.from === 'manager' && s.line.event === 'note' && (name === undefined ? /^failure detector: evicted \S+ died/ : new RegExp(`^failure detector: evicted ${name} died`)).test(textOf(s));
}

/** True for the manager's note that it suspects `name`. */
export function isSuspicion(s: Stamped, name?: string): boolean {
  return s.from === 'manager' && s.line.event === 'note' && (name === undefined ? /^failure detector: suspect \S+:/ : new RegExp(`^failure detector: suspect ${name}:`)).test(textOf(s));
}

/** True for a death the manager declared but deferred (a procedure was in progress): also a death. */
export function isDeferredDeath(s: Stamped): boolean {
  return s.from === 'manager' && s.line.event === 'note' && /^failure detector: \S+ died \(.*\); evicted when /.test(textOf(s));
}

/** The manager's reply to a dht-repaired (`dht-repaired SUCCESS` or `dht-repaired FAILURE (…)`), or its abandoning the DHT. */
export function isRepairEnd(s: Stamped): boolean {
  if (s.from !== 'manager') return false;
  const text = textOf(s);
  if (s.line.event === 'trace') return s.line.from === 'manager' && /^dht-repaired (SUCCESS|FAILURE)/.test(text);
  return s.line.event === 'note' && /^(abandoned the DHT|gave up)/.test(text);
}

export class KillCluster {
  /** Manager notes and traces (but not the per-query ones), and every peer's counts events. */
  readonly log: Stamped[] = [];
  readonly peers = new Map<string, JsonChild>();
  private readonly waiters: Waiter[] = [];

  private constructor(
    readonly manager: ManagerProcess,
    private readonly options: KillClusterOptions,
  ) {}

  /** Starts the manager (`manager <port, default 0> --host 127.0.0.1 --json`), tracked from its spawn. */
  static async start(options: KillClusterOptions): Promise<KillCluster> {
    const holder: { c: KillCluster | null } = { c: null };
    const proc = track(
      new JsonChild('manager', ['manager', String(options.managerPort ?? 0), '--host', '127.0.0.1', '--json', ...(options.managerArgs ?? [])], {
        onLine: (label, line) => holder.c?.observe(label, line),
      }),
    );
    try {
      const listening = await proc.waitForLine((l) => l.event === 'listening', 15_000);
      holder.c = new KillCluster({ proc, ip: String(listening.ip), port: Number(listening.port) }, options);
      return holder.c;
    } catch (err) {
      await stopChild(proc);
      throw err;
    }
  }

  private observe(label: string, line: JsonLine): void {
    const t = performance.now();
    const keep =
      label === 'manager'
        ? line.event === 'note' || (line.event === 'trace' && typeof line.text === 'string' && !line.text.startsWith('query-dht'))
        : line.event === 'counts';
    if (!keep) return;
    const s: Stamped = { t, from: label, line };
    this.log.push(s);
    for (const w of [...this.waiters]) {
      if (t >= w.since && w.test(s)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(s);
      }
    }
  }

  /** Starts a peer process and registers it under `name`. */
  async addPeer(name: string): Promise<JsonChild> {
    const child = track(
      startPeer(name, this.manager, {
        dataDir: this.options.dataDir,
        portRange: this.options.ports.take(),
        extraArgs: this.options.peerArgs?.(name) ?? [],
        onLine: (label, line) => this.observe(label, line),
      }),
    );
    this.peers.set(name, child);
    const r = await child.run(`register ${name}`, 60_000);
    if (r.ok !== true) throw new Error(`register ${name} failed: ${JSON.stringify(r).slice(0, 300)}`);
    return child;
  }

  peer(name: string): JsonChild {
    const p = this.peers.get(name);
    if (!p) throw new Error(`no peer process ${name}`);
    return p;
  }

  /** Types a command at a peer and resolves with its result line. */
  run(name: string, line: string, timeoutMs = 120_000): Promise<JsonLine> {
    return this.peer(name).run(line, timeoutMs);
  }

  /** SIGKILLs a peer by its pid; returns performance.now() just before the signal. */
  kill(name: string): number {
    const p = this.peer(name);
    const t = performance.now();
    p.child.kill('SIGKILL');
    return t;
  }

  /** The first line of interest that arrived at or after `since` and passes `test` (already logged or still to come). */
  waitFor(test: (s: Stamped) => boolean, since: number, timeoutMs: number, what: string): Promise<Stamped> {
    const seen = this.log.find((s) => s.t >= since && test(s));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        since,
        test,
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no ${what} within ${(timeoutMs / 1000).toFixed(0)} s`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Manager notes since `since` that pass `test`. */
  since(since: number, test: (s: Stamped) => boolean): Stamped[] {
    return this.log.filter((s) => s.t >= since && test(s));
  }

  /** Drops the lines every JsonChild keeps (a query loop prints thousands). The log stays. */
  forgetLines(): void {
    for (const c of [...this.peers.values(), this.manager.proc]) c.lines.length = 0;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.peers.values()].map((c) => stopChild(c)));
    await stopChild(this.manager.proc);
  }
}

/** Starts a KillCluster, runs fn, and always stops every process it started. */
export function withKillCluster<T>(options: KillClusterOptions, fn: (c: KillCluster) => Promise<T>): Promise<T> {
  return withStarted(KillCluster.start(options), fn);
}

/** Queries' outcomes: right answers, failures by error text, and wrong answers (with examples). */
export class QueryTally {
  ok = 0;
  failed = 0;
  wrong = 0;
  /** The longest stretch without a right answer (ms): from the loop's start, between right answers, to its end. */
  longestGapMs = 0;
  readonly errors = new Map<string, number>();
  readonly wrongExamples: string[] = [];

  add(other: QueryTally): void {
    this.ok += other.ok;
    this.failed += other.failed;
    this.wrong += other.wrong;
    this.longestGapMs = Math.max(this.longestGapMs, other.longestGapMs);
    for (const [e, n] of other.errors) this.errors.set(e, (this.errors.get(e) ?? 0) + n);
    for (const w of other.wrongExamples) if (this.wrongExamples.length < 5) this.wrongExamples.push(w);
  }

  fail(error: string): void {
    this.failed++;
    const key = normalizeError(error);
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  /** `text ×n; …`, most frequent first. */
  errorSummary(): string {
    return [...this.errors]
      .sort((a, b) => b[1] - a[1])
      .map(([e, n]) => `"${e}" ×${n}`)
      .join('; ');
  }
}

/** An error text with peer names and numbers generalised, so that failures of several runs group. */
export function normalizeError(text: string): string {
  return text.replace(/\bpeer[a-z]+\b/g, '<peer>').replace(/[0-9]+(\.[0-9]+)?/g, 'N').slice(0, 200);
}

const recordsCache = new Map<string, ReadonlyMap<number, readonly string[]>>();

/** Every record of the year by event id (read once, never timed), to check queries' records against. */
export function recordsById(dir: string, year: string): ReadonlyMap<number, readonly string[]> {
  const key = `${dir}|${year}`;
  const cached = recordsCache.get(key);
  if (cached) return cached;
  const loaded = loadYear(dir, year);
  if (!loaded.ok) throw new Error(`cannot read ${year} for the benchmark's checks: ${loaded.error}`);
  const map = new Map(loaded.data.records.map((r) => [r.eventId, r.fields] as const));
  recordsCache.set(key, map);
  return map;
}

/** Why a query-dht result is wrong, or null when it is the file's answer. ok:false is a failure, not wrong. */
export function wrongAnswer(result: JsonLine, q: QueryCase, records: ReadonlyMap<number, readonly string[]>): string | null {
  if (result.eventId !== q.id) return `asked ${q.id}, answered ${String(result.eventId)}`;
  if (result.found !== q.present) return `${q.id} should be ${q.present ? 'found' : 'absent'}, got found=${String(result.found)}`;
  if (!q.present) return null;
  const fields = records.get(q.id);
  const record = result.record as Record<string, unknown> | undefined;
  if (!fields || !record) return `${q.id}: no record in the answer`;
  for (let i = 0; i < FIELD_NAMES.length; i++) {
    if (record[FIELD_NAMES[i]!] !== fields[i]) return `${q.id}: ${FIELD_NAMES[i]} is ${JSON.stringify(record[FIELD_NAMES[i]!])}, the file says ${JSON.stringify(fields[i])}`;
  }
  return null;
}

export interface QueryLoopOptions {
  /** Pause between one query's result and the next query (ms). */
  readonly gapMs: number;
  /** The loop ends by itself after this long even if never stopped (ms). */
  readonly maxMs: number;
  /** Longest wait for one query's result (ms); a query without one ends the loop. */
  readonly resultTimeoutMs: number;
  readonly seed: number;
}

/**
 * Sequential `query-dht` at one Free peer, one at a time with a short pause, until stop() (or
 * maxMs): ids drawn from the year's file and about 10% absent ids, every answer checked (event
 * id, found or not, and all 14 fields of a found record against the file).
 */
export class QueryLoop {
  readonly tally = new QueryTally();
  private stopping = false;
  private readonly done: Promise<void>;
  private readonly cases: readonly QueryCase[];

  constructor(
    private readonly cluster: KillCluster,
    private readonly querier: string,
    facts: YearFacts,
    private readonly records: ReadonlyMap<number, readonly string[]>,
    private readonly options: QueryLoopOptions,
  ) {
    this.cases = queryCases(facts, 4_000, options.seed);
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    let lastRight = performance.now();
    const gap = () => {
      const now = performance.now();
      this.tally.longestGapMs = Math.max(this.tally.longestGapMs, now - lastRight);
      lastRight = now;
    };
    try {
      await this.queries(gap);
    } finally {
      gap();
    }
  }

  private async queries(onRight: () => void): Promise<void> {
    const deadline = performance.now() + this.options.maxMs;
    for (let i = 0; !this.stopping && performance.now() < deadline; i++) {
      const q = this.cases[i % this.cases.length]!;
      let result: JsonLine;
      try {
        result = await this.cluster.run(this.querier, `query-dht ${this.querier} ${q.id}`, this.options.resultTimeoutMs);
      } catch (err) {
        // No result line in time (or the querier died): later results could not be paired with their queries.
        this.tally.fail(`no result: ${err instanceof Error ? err.message.split(';')[0]! : String(err)}`);
        return;
      }
      if (result.ok !== true) this.tally.fail(typeof result.error === 'string' ? result.error : JSON.stringify(result).slice(0, 200));
      else {
        const wrong = wrongAnswer(result, q, this.records);
        if (wrong === null) {
          this.tally.ok++;
          onRight();
        } else {
          this.tally.wrong++;
          if (this.tally.wrongExamples.length < 5) this.tally.wrongExamples.push(wrong);
        }
      }
      if (i % 200 === 199) this.cluster.forgetLines();
      if (this.options.gapMs > 0) await sleep(this.options.gapMs);
    }
  }

  /** Ends the loop after the query in flight; resolves with the tally. */
  async stop(): Promise<QueryTally> {
    this.stopping = true;
    await this.done;
    return this.tally;
  }
}
