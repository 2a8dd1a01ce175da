// Nothing is left running (issue 15, item 2). A program whose output is closed, as `| head` closes
// it, ends at once and quietly: no stack trace, no message, exit 141 as after SIGPIPE, and the
// manager and peers of `cluster` and `demo` end with it. A `cluster` or `demo` killed by SIGKILL
// runs no code at all, and still its manager and peers, even registered ones in a DHT, stop: each
// watches a pipe from its parent (src/cli/parent-watch.ts). A manager started by hand does not.
// Real processes over UDP on 127.0.0.1; the peers' ports are 36200-36599, a manager's 36600.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CLOSED_OUTPUT_EXIT } from '../../src/cli/closed-output.js';
import { PARENT_FD_ENV } from '../../src/cli/parent-watch.js';
import { JsonChild, MAIN_SCRIPT, type JsonLine } from '../../src/cli/processes.js';
import { syntheticData, type TempData } from './cluster-cli.js';

/** How long the children of a dead parent may take to stop, in ms. */
const CHILDREN_GONE_MS = 5_000;

/** A test that hangs has failed: a process it waits for did not stop. */
const TEST_TIMEOUT_MS = 60_000;

/** A stormdht process whose stdout is read line by line (JsonChild takes a line that is not JSON as text). */
function startCli(label: string, args: readonly string[]): JsonChild {
  return new JsonChild(label, args, { env: { ...process.env, NO_COLOR: '1' } });
}

/** The first line of text `proc` prints that matches `pattern`. */
function textLine(proc: JsonChild, pattern: RegExp): Promise<JsonLine> {
  return proc.waitForLine((l) => l.type === 'text' && pattern.test(String(l.text)));
}

/** How the process ended, or 'still running' after `ms`. */
async function exitWithin(proc: JsonChild, ms = CHILDREN_GONE_MS): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  try {
    return await Promise.race([proc.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes the read end of its stdout, as `head` does once it has its lines. */
function closeOutput(proc: JsonChild): void {
  proc.child.stdout!.destroy();
}

/** The processes `pid` started, from pgrep. */
function childrenOf(pid: number): number[] {
  return spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l !== '')
    .map(Number);
}

/** Whether the process runs: it exists and is not a zombie waiting for init to reap it. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The command lines of the processes among `pids` still running after up to `ms`. */
async function stillRunning(pids: readonly number[], ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = pids.filter(running);
    if (left.length === 0 || Date.now() > deadline) {
      return left.map((pid) => `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGKILL for whatever a failed test left running, by pid. */
function killAll(pids: readonly number[]): void {
  for (const pid of pids.filter(running)) process.kill(pid, 'SIGKILL');
}

/** The manager's and the peers' processes: `expected` of them, the children of `proc`. */
function childrenExpected(proc: JsonChild, expected: number): number[] {
  const pids = childrenOf(proc.child.pid!);
  assert.equal(pids.length, expected, `the manager and the peers: ${pids.join(', ')}`);
  return pids;
}

/**
 * Runs `proc` (a cluster or a demo) up to `ready`, learns its `children`, and ends it with `end`;
 * then it must exit with `status`, have said nothing on stderr, and left no child running.
 */
async function expectChildrenStop(
  proc: JsonChild,
  options: { ready: RegExp; children: number; end: (proc: JsonChild) => void; status: number | string },
): Promise<void> {
  let pids: number[] = [];
  try {
    await textLine(proc, options.ready);
    pids = childrenExpected(proc, options.children);
    options.end(proc);
    assert.equal(await exitWithin(proc), options.status, proc.stderr);
    assert.equal(proc.stderr, '', 'nothing on stderr');
    assert.deepEqual(await stillRunning(pids, CHILDREN_GONE_MS), [], 'processes left running');
  } finally {
    proc.child.kill('SIGKILL');
    killAll(pids);
  }
}

let data: TempData;
before(() => {
  data = syntheticData('1950', 3_000);
});
after(() => data?.remove());

describe('a closed output ends the program at once and quietly, and its processes with it', () => {
  test('demo | head: exit 141, nothing on stderr, the manager and the six peers gone', { timeout: TEST_TIMEOUT_MS }, async () => {
    const demo = startCli('demo', ['demo', '--synthetic', '--replicas', '1', '--port-range', '36200-36299']);
    // Once every peer is registered, the reader goes.
    await expectChildrenStop(demo, { ready: /^── step 2: /, children: 7, end: closeOutput, status: CLOSED_OUTPUT_EXIT });
  });

  test('cluster | head: exit 141 at its next line, nothing on stderr, the manager and the peers gone', { timeout: TEST_TIMEOUT_MS }, async () => {
    const cluster = startCli('cluster', ['cluster', '--peers', '3', '--data-dir', data.dir, '--port-range', '36300-36399']);
    cluster.send('register alice');
    cluster.send('register bob');
    const end = (c: JsonChild) => {
      closeOutput(c);
      c.send('status'); // its next line finds the output closed
    };
    await expectChildrenStop(cluster, { ready: /^\[bob *\] register SUCCESS/, children: 4, end, status: CLOSED_OUTPUT_EXIT });
  });

  test('data list, sim and --help | head -1: nothing on stderr; exit 0, or 141 if a line came after head had gone', { timeout: TEST_TIMEOUT_MS }, async () => {
    for (const args of [['data', 'list', '--data-dir', data.dir], ['sim', '--seeds', '20', '--verbose'], ['--help'], ['help', 'peer']]) {
      const cli = startCli(args.join(' '), args);
      try {
        await textLine(cli, /./);
        closeOutput(cli);
        const code = await exitWithin(cli);
        assert.ok(code === 0 || code === CLOSED_OUTPUT_EXIT, `${args.join(' ')}: exit ${code}; stderr: ${cli.stderr}`);
        assert.equal(cli.stderr, '', `${args.join(' ')}: nothing on stderr`);
      } finally {
        cli.child.kill('SIGKILL');
      }
    }
  });
});

describe('the manager and the peers of a SIGKILLed cluster or demo stop', () => {
  const sigkill = (proc: JsonChild) => proc.child.kill('SIGKILL');

  test('cluster: the manager and the peers, three of them in a DHT, stop within 5 s', { timeout: TEST_TIMEOUT_MS }, async () => {
    const cluster = startCli('cluster', ['cluster', '--peers', '4', '--data-dir', data.dir, '--port-range', '36400-36499']);
    // Registered in a DHT: a peer whose input ends keeps serving its ring; only the pipe stops it.
    for (const line of ['register alice', 'register bob', 'register carol', 'setup-dht alice 3 1950']) cluster.send(line);
    await expectChildrenStop(cluster, { ready: /^\[alice *\] setup-dht SUCCESS/, children: 5, end: sigkill, status: 'SIGKILL' });
  });

  test('demo: the manager and the peers in its DHT stop within 5 s', { timeout: TEST_TIMEOUT_MS }, async () => {
    const demo = startCli('demo', ['demo', '--synthetic', '--replicas', '1', '--port-range', '36500-36599']);
    await expectChildrenStop(demo, { ready: /^── step 3: /, children: 7, end: sigkill, status: 'SIGKILL' });
  });
});

describe('only a child of stormdht watches its parent', () => {
  const MANAGER = ['manager', '36600', '--host', '127.0.0.1', '--json'];

  test('tied (a JsonChild): when the pipe closes, the manager stops as on SIGTERM, with exit 0', { timeout: TEST_TIMEOUT_MS }, async () => {
    const manager = startCli('manager', MANAGER);
    try {
      await manager.waitForLine((l) => l.event === 'listening');
      (manager.child.stdio[3] as Socket).destroy();
      assert.equal(await exitWithin(manager), 0, manager.stderr);
    } finally {
      manager.child.kill('SIGKILL');
    }
  });

  test('by hand (no STORMDHT_PARENT_FD): the same pipe closed changes nothing', { timeout: TEST_TIMEOUT_MS }, async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env[PARENT_FD_ENV];
    const manager = spawn(process.execPath, [MAIN_SCRIPT, ...MANAGER], { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    try {
      await new Promise((resolve) => manager.stdout!.once('data', resolve)); // it listens
      (manager.stdio[3] as Socket).destroy();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal(manager.exitCode, null, 'the manager exited');
    } finally {
      manager.kill('SIGKILL');
    }
  });
});
