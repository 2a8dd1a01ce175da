// `stormdht demo` (npm start): SPEC §11.2's full demo script, played in a local cluster (a manager
// and six peers as real processes on 127.0.0.1). The step list below drives everything: each step
// is announced in one line, then runs its commands through the cluster prompt's shell (echoed as
// typed, with every process's output labelled) and checks their results.
import { errorMessage } from '../peer/errors.js';
import { ClusterApp } from './cluster-app.js';
import type { ClusterShell } from './cluster-shell.js';
import { resolveDemoData, describeDemoData, DEMO_YEAR } from './demo-data.js';
import { parse, parsePortRange } from './options.js';
import type { JsonLine } from './processes.js';
import { DEMO_USAGE, UsageError } from './usage.js';

export const DEMO_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const;

/** The size of the demo's ring (SPEC §11.2 step 2). */
const RING_SIZE = 5;

/** What the steps learn as they go: names fixed by the manager's random choices. */
interface DemoState {
  readonly ids: readonly [number, number, number, number];
  /** The members in id order after setup. */
  ring: string[];
  /** The peer left out of the ring (X), then the leaver (Y), then the leader after the leave. */
  x: string;
  y: string;
  leader: string;
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
  /** Runs `status`: every peer's status result by name. */
  statuses(): Promise<ReadonlyMap<string, JsonLine>>;
  /** How the peer's process ended. */
  exited(name: string): Promise<number | string>;
}

const STEPS: readonly DemoStep[] = [
  {
    title: () => `six peers register: ${DEMO_NAMES.join(', ')}`,
    play: async (p) => {
      for (const name of DEMO_NAMES) await p.run(`register ${name}`);
    },
  },
  {
    title: () => `alice builds a DHT of ${RING_SIZE} peers over ${DEMO_YEAR}; the peer left out is the one whose status reads Free`,
    play: async (p, s) => {
      const setup = await p.run(`setup-dht alice ${RING_SIZE} ${DEMO_YEAR}`);
      s.ring = (setup.ring as Array<{ name: string }>).map((t) => t.name);
      const stored = (setup.recordsPerNode as number[]).reduce((a, b) => a + b, 0);
      if (stored !== setup.records) throw new Error(`the nodes hold ${stored} records, the file has ${String(setup.records)}`);
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
    },
  },
  {
    title: (s) => `${s.y}, now outside, queries ${s.ids[0]}`,
    play: (p, s) => expectFound(p, `query-dht ${s.y} ${s.ids[0]}`),
  },
  {
    title: (s) => `${s.x} joins the DHT as its last node; the leader stays ${s.leader}`,
    play: async (p, s) => {
      const joined = await p.run(`join-dht ${s.x}`);
      if (joined.newLeader !== s.leader) throw new Error(`the leader after the join is ${String(joined.newLeader)}, expected ${s.leader}`);
    },
  },
  {
    title: (s) => `${s.y} queries ${s.ids[2]}`,
    play: (p, s) => expectFound(p, `query-dht ${s.y} ${s.ids[2]}`),
  },
  {
    title: (s) => `${s.leader}, the current leader, tears the DHT down; every peer is Free again`,
    play: async (p, s) => {
      await p.run(`teardown-dht ${s.leader}`);
      for (const [name, st] of await p.statuses()) {
        if (st.state !== 'Free') throw new Error(`${name} is ${String(st.state)} after teardown, expected Free`);
      }
    },
  },
  {
    title: () => 'every peer deregisters and its process exits',
    play: async (p) => {
      for (const name of DEMO_NAMES) {
        await p.run(`deregister ${name}`);
        const status = await p.exited(name);
        if (status !== 0) throw new Error(`${name} exited with ${status} after deregister`);
      }
    },
  },
];

async function expectFound(p: DemoPrompt, line: string): Promise<void> {
  const result = await p.run(line);
  if (result.found !== true) throw new Error(`${line}: the event was not found`);
}

export async function demoMain(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    { 'data-dir': { type: 'string' }, synthetic: { type: 'boolean' }, 'port-range': { type: 'string' }, secret: { type: 'string' } },
    DEMO_USAGE,
  );
  if (values.help) {
    console.log(DEMO_USAGE);
    return;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, DEMO_USAGE);
  const portRange = values['port-range'] as string | undefined;
  if (portRange !== undefined) parsePortRange(portRange, DEMO_USAGE);
  // The processes inherit the environment: with a secret, every one of them authenticates with it.
  if (typeof values.secret === 'string') process.env.STORMDHT_SECRET = values.secret;
  const demo = resolveDemoData(values['data-dir'] as string | undefined, values.synthetic === true);

  const app = await ClusterApp.open({ names: DEMO_NAMES, dataDir: demo.dir, ...(portRange === undefined ? {} : { portRange }) });
  app.output.plain(describeDemoData(demo));
  try {
    await play(app.shell, demo.queryIds);
  } catch (err) {
    return app.exit(1, `demo FAILED: ${errorMessage(err)}`);
  }
  app.output.announce('demo complete: every step gave the expected result');
  if (process.stdin.isTTY === true && process.stdout.isTTY === true) {
    app.output.plain('the cluster stays up: every peer has deregistered, and "register <name>" starts its process again');
    await app.runPrompt();
  }
  return app.exit(0);
}

/** Announces and plays every step in order; throws at the first unexpected result. */
async function play(shell: ClusterShell, ids: DemoState['ids']): Promise<void> {
  const noAnswer = async () => null; // the demo's peers read the year file, so none prompts
  const execute = async (line: string) => {
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
    exited: (name) => shell.session.process(name).exited,
  };
  const state: DemoState = { ids, ring: [], x: '', y: '', leader: '' };
  for (const [i, step] of STEPS.entries()) {
    shell.output.announce(`── step ${i + 1}: ${step.title(state)}`);
    await step.play(prompt, state);
  }
}
