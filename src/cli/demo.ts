// `stormdht demo` (npm start): SPEC §11.2's full demo script, played in a local cluster (a manager
// and six peers as real processes on 127.0.0.1). The step list below drives everything: each step
// is announced in one line, then runs its commands through the cluster prompt's shell (echoed as
// typed, with every process's output labelled) and checks their results. With R ≥ 2 copies of
// every record (issue 12; the demo's default) one more step, before the teardown, kills a member
// and shows the ring healed from its own copies.
import type { YearData } from '../data/csv.js';
import { recordToObject } from '../data/fields.js';
import { ownerOf, positionOf } from '../data/hashing.js';
import { errorMessage } from '../peer/errors.js';
import { ClusterApp } from './cluster-app.js';
import { MANAGER_LABEL } from './cluster-output.js';
import type { ClusterShell } from './cluster-shell.js';
import { resolveDemoData, describeDemoData, DEMO_YEAR, type DemoData } from './demo-data.js';
import { LIVE_VIEW_OPTIONS, parse, parseLiveViewOptions, parsePortRange, parseReplicas } from './options.js';
import type { JsonLine } from './processes.js';
import { DEMO_USAGE, UsageError } from './usage.js';

export const DEMO_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const;

/** The size of the demo's ring (SPEC §11.2 step 2). */
const RING_SIZE = 5;

/** How many copies of every record the demo's DHT keeps unless --replicas says otherwise. */
const DEMO_REPLICAS = 2;

/**
 * How long the crash step waits for the repair to end, in ms: the failure detector's 2.5 s, the
 * repair itself (well under a second on loopback), and ample room for a busy machine.
 */
const REPAIR_WAIT_MS = 60_000;

/**
 * A step ends once its commands' results are in and then no process has printed for
 * SETTLE_QUIET_MS (at most SETTLE_MAX_MS after that): the trace lines of a query's or a rebuild's
 * last hops may still be on their way through the pipes when its result is in, and they belong
 * to the step.
 */
const SETTLE_QUIET_MS = 100;
const SETTLE_MAX_MS = 5_000;

/**
 * Within a step, a command starts once no process has printed for this long (ms): a process
 * prints a message's trace after sending it, so the last hop's line may follow the result that
 * it caused, and it belongs to the command before.
 */
const COMMAND_QUIET_MS = 25;

/**
 * Every line is held this long (ms) before it is printed, and the lines are printed in the order
 * they happened (time-order.ts: the processes stamp their lines). A line that a busy process
 * printed before the next step's header, but that came through its pipe up to this much later,
 * still comes out in its step, and in its place in it.
 */
const ORDER_HOLD_MS = 250;

/** What the steps learn as they go: names fixed by the manager's random choices. */
interface DemoState {
  readonly ids: readonly [number, number, number, number];
  /** The year file the peers read, for the checks: its l, its s, its records. */
  readonly data: YearData;
  /** How many copies of every record the DHT keeps (the manager's --replicas). */
  readonly replicas: number;
  /** The members in id order: after setup, then after each leave, join and repair. */
  ring: string[];
  /** The peer left out of the ring (X), then the leaver (Y), then the leader after the leave. */
  x: string;
  y: string;
  leader: string;
  /** The member killed in the crash step (R ≥ 2): the owner of the third id in the ring of 5; '' while none is. */
  victim: string;
}

interface DemoStep {
  /** The step's announcement; it may name peers that earlier steps found. */
  readonly title: (s: DemoState) => string;
  readonly play: (prompt: DemoPrompt, s: DemoState) => Promise<void>;
}

/** The cluster prompt as the steps use it; every call throws when its line went wrong. */
interface DemoPrompt {
  /** Runs one line, echoed as typed, and returns its result line. */
  run(line: string): Promise<JsonLine>;
  /** Runs `status`: every running peer's status result by name. */
  statuses(): Promise<ReadonlyMap<string, JsonLine>>;
  /** Runs `kill <name>` (SIGKILL, echoed as typed) and resolves once the process has died. */
  kill(name: string): Promise<void>;
  /** How the peer's process ended. */
  exited(name: string): Promise<number | string>;
  /** Every line the peer's process has printed so far. */
  linesOf(name: string): readonly JsonLine[];
  /** How many lines the manager has printed so far: a mark for managerLine. */
  managerMark(): number;
  /** The first line the manager printed after `mark` lines, or prints, that passes `test`; throws after `timeoutMs`. */
  managerLine(test: (l: JsonLine) => boolean, mark: number, timeoutMs: number): Promise<JsonLine>;
  /** A line of the demo's own commentary, once the lines of what came before it have come in. */
  say(text: string): Promise<void>;
}

/** SPEC §11.2's steps 1–7: register, setup, queries, a leave, a query, a join, a query. */
const BUILD_STEPS: readonly DemoStep[] = [
  {
    title: () => `six peers register: ${DEMO_NAMES.join(', ')}`,
    play: async (p) => {
      for (const name of DEMO_NAMES) await p.run(`register ${name}`);
    },
  },
  {
    title: (s) =>
      `alice builds a DHT of ${RING_SIZE} peers over ${DEMO_YEAR}${s.replicas >= 2 ? `, keeping ${s.replicas} copies of every record` : ''}; the peer left out is the one whose status reads Free`,
    play: async (p, s) => {
      const setup = await p.run(`setup-dht alice ${RING_SIZE} ${DEMO_YEAR}`);
      s.ring = (setup.ring as Array<{ name: string }>).map((t) => t.name);
      const stored = sum(setup.recordsPerNode);
      if (stored !== setup.records) throw new Error(`the nodes hold ${stored} records, the file has ${String(setup.records)}`);
      expectCopies(s, sum(setup.replicasPerNode), 'after setup');
      const free = [...(await p.statuses())].filter(([, st]) => st.state === 'Free').map(([name]) => name);
      if (free.length !== 1) throw new Error(`one Free peer expected after setup, found ${free.length}: ${free.join(', ')}`);
      s.x = free[0]!;
    },
  },
  {
    title: (s) => `${s.x}, the peer left out, queries ${s.ids.join(', ')}`,
    play: async (p, s) => {
      // The demo ids alternate: present, absent, present, absent (SPEC §12, or the synthetic picks).
      for (const [i, id] of s.ids.entries()) {
        const result = await p.run(`query-dht ${s.x} ${id}`);
        if (result.found !== (i % 2 === 0)) throw new Error(`query of ${id} gave found=${String(result.found)}`);
      }
    },
  },
  {
    title: (s) => `${s.ring[0]}, the leader, leaves the DHT; its right neighbour ${s.ring[1]} leads the ring of ${RING_SIZE - 1}`,
    play: async (p, s) => {
      s.y = s.ring[0]!;
      const left = await p.run(`leave-dht ${s.y}`);
      s.leader = String(left.newLeader);
      if (s.leader !== s.ring[1]) throw new Error(`the new leader is ${s.leader}, expected ${s.ring[1]}`);
      // SPEC §6.5: the ring of the others, in order from the leaver's right neighbour.
      s.ring = s.ring.slice(1);
      expectCopies(s, sum(left.replicasPerNode), 'after the leave');
    },
  },
  {
    title: (s) => `${s.y}, now outside, queries ${s.ids[0]}`,
    play: (p, s) => expectRecord(p, s, `query-dht ${s.y} ${s.ids[0]}`),
  },
  {
    title: (s) => `${s.x} joins the DHT as its last node; the leader stays ${s.leader}`,
    play: async (p, s) => {
      const joined = await p.run(`join-dht ${s.x}`);
      if (joined.newLeader !== s.leader) throw new Error(`the leader after the join is ${String(joined.newLeader)}, expected ${s.leader}`);
      s.ring = [...s.ring, s.x];
      expectCopies(s, sum(joined.replicasPerNode), 'after the join');
    },
  },
  {
    title: (s) => `${s.y} queries ${s.ids[2]}`,
    play: (p, s) => expectRecord(p, s, `query-dht ${s.y} ${s.ids[2]}`),
  },
];

/**
 * R ≥ 2 only (issue 12): a crash, healed. The owner of the third id dies of SIGKILL; a query for
 * that id made at once is answered by a copy; the manager's failure detector evicts the dead
 * member and the first survivor rebuilds the ring from the members' own copies, with no file; the
 * same query afterwards gets the file's record from the repaired ring, which holds R copies again.
 */
const CRASH_STEP: DemoStep = {
  title: (s) => {
    const survivors = s.ring.filter((n) => n !== s.victim);
    return (
      `${s.victim}, which holds ${s.ids[2]}, crashes (SIGKILL) and ${s.y} queries it at once; the manager's failure detector finds ` +
      `${s.victim} dead in about 2.5 s, and ${survivors[0]} rebuilds the ring of ${survivors.length} from the members' own copies, reading no file`
    );
  },
  play: async (p, s) => {
    const victim = s.victim;
    const survivors = s.ring.filter((n) => n !== victim);
    const leader = survivors[0]!;
    const leaderMark = p.linesOf(leader).length;
    const managerMark = p.managerMark();
    await p.kill(victim);

    await expectRecord(p, s, `query-dht ${s.y} ${s.ids[2]}`);
    const answer = [...p.linesOf(s.y)].reverse().find((l) => l.event === 'trace' && l.to === s.y && /^find-result /.test(String(l.text)));
    const by = String(answer?.from);
    await p.say(
      String(answer?.text).endsWith('(from a copy)')
        ? `  ${victim} (node ${s.ring.indexOf(victim)}) is dead: ${by}, which keeps a copy of its records, answered`
        : `  ${by} answered`,
    );
    await p.say(
      `  the manager's failure detector suspects ${victim} after 1 s without a heartbeat and evicts it at 2.5 s; then ${leader}, ` +
        `the first survivor, collects every record from the survivors' copies and stores it again, ${s.replicas} copies each`,
    );
    const repaired = await p.managerLine((l) => l.event === 'trace' && l.from === MANAGER_LABEL && /^dht-repaired /.test(String(l.text)), managerMark, REPAIR_WAIT_MS);
    if (!String(repaired.text).startsWith('dht-repaired SUCCESS')) throw new Error(`the repair after ${victim}'s crash: ${String(repaired.text)}`);
    s.ring = survivors;
    s.leader = leader;
    // No file: the repair's leader collected every record of the year from the members.
    const collected = p.linesOf(leader).slice(leaderMark).find((l) => l.event === 'note' && /^collected \d+ records from /.test(String(l.text)));
    const count = /^collected (\d+) records/.exec(String(collected?.text))?.[1];
    if (Number(count) !== s.data.l) throw new Error(`${leader} collected ${count ?? 'no'} records from the ring, the year has ${s.data.l}`);

    // The registry has no dead peer any more; the DHT is the survivors, in their order.
    const members = await p.run(`members ${s.y}`);
    if ((members.peers as Array<{ name: string }>).some((m) => m.name === victim)) throw new Error(`${victim} is still registered after its eviction`);
    const ring = (members.dht as { ring: string[] } | null)?.ring ?? [];
    if (ring.join(',') !== survivors.join(',')) throw new Error(`the repaired ring is ${ring.join(', ')}, expected ${survivors.join(', ')}`);

    await expectRecord(p, s, `query-dht ${s.y} ${s.ids[2]}`);
    // Whole again: every record once on its owner and R - 1 times on the nodes after it, none lost.
    const statuses = await p.statuses();
    let records = 0;
    let copies = 0;
    for (const name of survivors) {
      const st = statuses.get(name);
      if (st?.ringSize !== survivors.length) throw new Error(`${name} is not in the repaired ring of ${survivors.length}`);
      records += Number(st.records);
      copies += Number(st.replicas);
    }
    if (records !== s.data.l) throw new Error(`the repaired ring holds ${records} records, the year has ${s.data.l}`);
    expectCopies(s, copies, 'after the repair');
  },
};

/** SPEC §11.2's steps 8 and 9: teardown, and every (still registered) peer leaves the system. */
const END_STEPS: readonly DemoStep[] = [
  {
    title: (s) => `${s.leader}, the current leader, tears the DHT down; every peer${s.victim === '' ? '' : ' still running'} is Free again`,
    play: async (p, s) => {
      await p.run(`teardown-dht ${s.leader}`);
      for (const [name, st] of await p.statuses()) {
        if (st.state !== 'Free') throw new Error(`${name} is ${String(st.state)} after teardown, expected Free`);
      }
    },
  },
  {
    title: (s) =>
      s.victim === ''
        ? 'every peer deregisters and its process exits'
        : `every registered peer deregisters and its process exits; ${s.victim}, evicted after its crash, is registered no more`,
    play: async (p, s) => {
      for (const name of DEMO_NAMES.filter((n) => n !== s.victim)) {
        await p.run(`deregister ${name}`);
        const status = await p.exited(name);
        if (status !== 0) throw new Error(`${name} exited with ${status} after deregister`);
      }
    },
  },
];

/** The steps of a demo whose DHT keeps `replicas` copies: SPEC's nine, with the crash step before the teardown when R ≥ 2. */
function demoSteps(replicas: number): readonly DemoStep[] {
  return [...BUILD_STEPS, ...(replicas >= 2 ? [CRASH_STEP] : []), ...END_STEPS];
}

function sum(counts: unknown): number {
  return Array.isArray(counts) ? (counts as number[]).reduce((a, b) => a + b, 0) : 0;
}

/** With R ≥ 2, the nodes keep R - 1 further copies of each of the year's records, besides the owner's. */
function expectCopies(s: DemoState, copies: number, when: string): void {
  const expected = (s.replicas - 1) * s.data.l;
  if (s.replicas >= 2 && copies !== expected) throw new Error(`${when} the nodes keep ${copies} copies, expected ${expected} (R - 1 = ${s.replicas - 1} of each record)`);
}

/** Runs a query of an id of the file: found, with exactly the file's record. */
async function expectRecord(p: DemoPrompt, s: DemoState, line: string): Promise<void> {
  const result = await p.run(line);
  if (result.found !== true) throw new Error(`${line}: the event was not found`);
  const record = s.data.records.find((r) => r.eventId === result.eventId);
  if (record === undefined || JSON.stringify(result.record) !== JSON.stringify(recordToObject(record.fields))) {
    throw new Error(`${line}: the record is not the file's`);
  }
}

export async function demoMain(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    { 'data-dir': { type: 'string' }, synthetic: { type: 'boolean' }, 'port-range': { type: 'string' }, secret: { type: 'string' }, replicas: { type: 'string' }, ...LIVE_VIEW_OPTIONS },
    DEMO_USAGE,
  );
  if (values.help) {
    console.log(DEMO_USAGE);
    return;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, DEMO_USAGE);
  const portRange = values['port-range'] as string | undefined;
  if (portRange !== undefined) parsePortRange(portRange, DEMO_USAGE);
  const replicas = parseReplicas(values.replicas, DEMO_USAGE) ?? DEMO_REPLICAS;
  const http = await parseLiveViewOptions(values, DEMO_USAGE);
  // The processes inherit the environment: with a secret, every one of them authenticates with it.
  if (typeof values.secret === 'string') process.env.STORMDHT_SECRET = values.secret;
  const demo = demoData(values['data-dir'] as string | undefined, values.synthetic === true);

  const app = await ClusterApp.open({ names: DEMO_NAMES, dataDir: demo.dir, replicas, holdMs: ORDER_HOLD_MS, ...(portRange === undefined ? {} : { portRange }), ...(http === undefined ? {} : { http }) });
  app.output.note(describeDemoData(demo));
  app.output.note(
    replicas >= 2
      ? `replicas: the DHT keeps ${replicas} copies of every record, so a crash loses none (--replicas 1 plays SPEC's DHT, without the crash step)`
      : "replicas: 1, SPEC's DHT: every record on its owner alone (the default, --replicas 2, adds a crash healed from the copies)",
  );
  try {
    await play(app.shell, { ids: demo.queryIds, data: demo.data, replicas, ring: [], x: '', y: '', leader: '', victim: '' });
  } catch (err) {
    return app.exit(1, `demo FAILED: ${errorMessage(err)}`);
  }
  app.output.announce('demo complete: every step gave the expected result');
  if (process.stdin.isTTY === true && process.stdout.isTTY === true) {
    app.output.note('the cluster stays up: every peer has left the system, and "register <name>" starts its process again');
    await app.runPrompt();
  }
  return app.exit(0);
}

/** The demo's data (demo-data.ts); when there is none to read, the error points to --synthetic. */
function demoData(dataDir: string | undefined, synthetic: boolean): DemoData {
  try {
    return resolveDemoData(dataDir, synthetic);
  } catch (err) {
    const message = errorMessage(err);
    throw new Error(synthetic || message.includes('--synthetic') ? message : `${message}; --synthetic plays the demo on a year that stormdht generates`);
  }
}

/** Announces and plays every step in order; throws at the first unexpected result. */
async function play(shell: ClusterShell, state: DemoState): Promise<void> {
  const noAnswer = async () => null; // the demo's peers read the year file, so none prompts
  const session = shell.session;
  const execute = async (line: string) => {
    // The lines of the command before, printed just after its result (a hop's trace), first.
    await session.settled(COMMAND_QUIET_MS, SETTLE_MAX_MS);
    const outcome = await shell.execute(line, noAnswer, true);
    if (outcome.kind === 'done' && outcome.ok) return outcome;
    throw new Error(outcome.kind === 'done' ? outcome.error : `"${line}" gave no result`);
  };
  const prompt: DemoPrompt = {
    run: async (line) => {
      const { result } = await execute(line);
      if (result === null) throw new Error(`"${line}" gave no result`);
      return result;
    },
    statuses: async () => (await execute('status')).statuses,
    kill: async (name) => {
      await execute(`kill ${name}`);
    },
    exited: (name) => session.process(name).exited,
    linesOf: (name) => session.process(name).lines,
    managerMark: () => session.manager.proc.lines.length,
    managerLine: (test, mark, timeoutMs) => {
      const manager = session.manager.proc;
      return manager.waitForLine((l) => manager.lines.indexOf(l) >= mark && test(l), timeoutMs);
    },
    say: async (text) => {
      await session.settled(SETTLE_QUIET_MS, SETTLE_MAX_MS);
      shell.output.note(text);
    },
  };
  for (const [i, step] of demoSteps(state.replicas).entries()) {
    if (step === CRASH_STEP) state.victim = ownerName(state, state.ids[2]);
    shell.output.announce(`── step ${i + 1}: ${step.title(state)}`);
    await step.play(prompt, state);
    await session.settled(SETTLE_QUIET_MS, SETTLE_MAX_MS);
  }
}

/** The member that owns `eventId` in the current ring (SPEC §9: owner = pos mod n). */
function ownerName(s: DemoState, eventId: number): string {
  return s.ring[ownerOf(positionOf(eventId, s.data.s), s.ring.length)]!;
}
