// `stormdht cluster` at a terminal: run inside tmux (a pseudo-terminal), typed at with send-keys
// and read with capture-pane. A command typed goes to the peer it names, Tab completes commands,
// peer names and years, history recalls, labels are coloured, and Ctrl-C or Ctrl-D leaves no
// process behind. Skips, saying so, without tmux. Real processes, peer ports 27500-27799.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { MAIN_SCRIPT } from '../../src/cli/processes.js';
import { nodeProcessesNaming, syntheticData, type TempData } from './cluster-cli.js';
import { Pane as TmuxPane, shellQuote, TMUX } from './tmux-pane.js';

const PORTS = '27500-27799';
const SKIP = TMUX === null ? 'tmux is not installed: the pseudo-terminal tests of the cluster prompt are skipped' : false;
const EXIT_MARK = 'cluster exited with status';

/** The cluster's pane: the shared tmux pane (tmux-pane.ts) with the cluster prompt's own moves. */
class Pane extends TmuxPane {
  /** Types `line` and Enter, then waits for `expect` to appear. */
  async type(line: string, expect: string): Promise<void> {
    this.keys(line, 'Enter');
    await this.waitForText(expect);
  }

  /** Clears the line being typed (Ctrl-U). */
  async clearLine(): Promise<void> {
    this.keys('C-u');
    await this.waitFor('an empty prompt', (p) => p.lastLine() === 'stormdht> ');
  }

  /** The pids of the manager and the peers, from the `peers` command. */
  async pids(count: number): Promise<number[]> {
    const before = this.text().split('pid ').length;
    this.keys('peers', 'Enter');
    await this.waitFor(`${count} pids`, (p) => p.text().split('pid ').length - before >= count);
    const rows = this.text().split('\n').filter((l) => l.trim() !== '').slice(-count - 2);
    return rows.flatMap((r) => /^ {2}[a-z]+ +pid (\d+) +running/.exec(r)?.[1] ?? []).map(Number);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A synthetic 1950 in a fresh directory and a cluster of `peers` in a pane, at its prompt. */
interface Setup {
  readonly data: TempData;
  readonly pane: Pane;
  /** The history file ($STORMDHT_HISTORY), in the data directory. */
  readonly history: string;
  close(): void;
}

/** Runs `stormdht <args>` in a pane until `ready`; the shell then prints its exit status and waits, so the pane stays readable. */
async function startInPane(data: TempData, args: readonly string[], ready: (p: TmuxPane) => boolean): Promise<Setup> {
  const history = path.join(data.dir, 'history');
  const q = shellQuote;
  const command = [process.execPath, MAIN_SCRIPT, ...args, '--data-dir', data.dir, '--port-range', PORTS].map(q).join(' ');
  const pane = new Pane(`env STORMDHT_HISTORY=${q(history)} NO_COLOR= TERM=xterm-256color ${command}; echo "${EXIT_MARK} $?"; sleep 600`);
  const close = () => {
    pane.kill();
    data.remove();
  };
  try {
    await pane.waitFor('the prompt', ready, 60_000);
  } catch (err) {
    close();
    throw err;
  }
  return { data, pane, history, close };
}

/** A cluster of `peers` over a synthetic 1950, at its prompt. */
function clusterAtPrompt(peers: number): Promise<Setup> {
  return startInPane(syntheticData('1950'), ['cluster', '--peers', String(peers)], (p) => p.lastLine() === 'stormdht> ');
}

/** Presses `key`; the cluster must exit with `status` and leave none of `pids` nor any node process naming its data directory. */
async function stopsEverything(setup: Setup, pids: readonly number[], key: string, status: number): Promise<void> {
  assert.ok(pids.every(alive), 'every process runs before the key');
  setup.pane.keys(key);
  await setup.pane.waitForText(`${EXIT_MARK} ${status}`);
  assert.deepEqual(pids.filter(alive), [], 'processes left behind');
  assert.equal(nodeProcessesNaming(setup.data.dir), '', 'a process still names the test\'s data directory');
}

describe('the cluster prompt in a pseudo-terminal', { skip: SKIP }, () => {
  let setup: Setup;
  let pane: Pane;
  before(async () => {
    setup = await clusterAtPrompt(3);
    pane = setup.pane;
  });
  after(() => setup?.close());

  test('a command typed at the prompt runs at the peer it names; an unknown peer is refused', async () => {
    await pane.type('register alice', '[alice  ] register SUCCESS');
    await pane.type('register bob', '[bob    ] register SUCCESS');
    const text = pane.text();
    assert.ok(text.includes('[bob    ] bob → manager: register bob 127.0.0.1 '), text);
    assert.ok(!text.includes('[alice  ] bob → manager'), 'bob\'s command printed under alice');
    await pane.type('status zed', 'cluster: unknown peer "zed": this cluster\'s peers are alice, bob, carol');
    await pane.waitFor('the prompt again', (p) => p.lastLine() === 'stormdht> ');
  });

  test('Tab completes a command, then a peer name, then a year of the data directory', async () => {
    pane.keys('setu');
    await pane.waitFor('typed text', (p) => p.lastLine() === 'stormdht> setu');
    pane.keys('Tab');
    await pane.waitFor('the command completed', (p) => p.lastLine() === 'stormdht> setup-dht ');
    pane.keys('ca');
    await pane.waitFor('a space after the command', (p) => p.lastLine() === 'stormdht> setup-dht ca');
    pane.keys('Tab');
    await pane.waitFor('the peer completed', (p) => p.lastLine() === 'stormdht> setup-dht carol ');
    pane.keys('3 19');
    await pane.waitFor('typed text', (p) => p.lastLine() === 'stormdht> setup-dht carol 3 19');
    pane.keys('Tab');
    await pane.waitFor('the year completed', (p) => p.lastLine() === 'stormdht> setup-dht carol 3 1950 ');
    await pane.clearLine();
  });

  test('Tab twice offers the candidates when there are several', async () => {
    pane.keys('d');
    await pane.waitFor('typed text', (p) => p.lastLine() === 'stormdht> d');
    pane.keys('Tab');
    await sleep(100); // two separate key presses: pasted text (both in one write) does not complete
    pane.keys('Tab');
    await pane.waitFor('the list of candidates', (p) => /^dht-complete +deregister$/m.test(p.text()));
    await pane.clearLine();
  });

  test('Up recalls the last command; history is saved to $STORMDHT_HISTORY', async () => {
    pane.keys('Up');
    await pane.waitFor('the last command recalled', (p) => p.lastLine() === 'stormdht> status zed');
    pane.keys('Up');
    await pane.waitFor('the one before', (p) => p.lastLine() === 'stormdht> register bob');
    await pane.clearLine();
    assert.deepEqual(readFileSync(setup.history, 'utf8').trim().split('\n'), ['register alice', 'register bob', 'status zed']);
  });

  test('labels are coloured on a terminal', () => {
    const line = pane.text(true).split('\n').find((l) => l.includes('register SUCCESS') && l.includes('[alice'));
    assert.ok(line !== undefined && /\x1b\[[0-9;]*m\[alice {2}\]/.test(line), `no colour code before the label: ${JSON.stringify(line)}`);
  });

  test('Ctrl-C stops the manager and every peer, registered or not, and exits 130', async () => {
    const pids = await pane.pids(4);
    assert.equal(pids.length, 4, pane.text());
    await stopsEverything(setup, pids, 'C-c', 130);
  });
});

describe('the cluster prompt in a pseudo-terminal: Ctrl-D', { skip: SKIP }, () => {
  let setup: Setup;
  let pane: Pane;
  before(async () => {
    setup = await clusterAtPrompt(2);
    pane = setup.pane;
  });
  after(() => setup?.close());

  test('Ctrl-D at the prompt stops every process and exits 0', async () => {
    await pane.type('register bob', '[bob    ] register SUCCESS');
    const pids = await pane.pids(3);
    assert.equal(pids.length, 3, pane.text());
    await stopsEverything(setup, pids, 'C-d', 0);
  });
});

describe('the guided demo on a terminal', { skip: SKIP }, () => {
  let setup: Setup;
  let pane: Pane;
  before(async () => {
    // A small synthetic 1996 (labelled synthetic, so the demo picks ids the file has).
    setup = await startInPane(syntheticData('1996', 2000), ['demo'], (p) => p.text().includes('demo complete') && p.lastLine() === 'stormdht> ');
    pane = setup.pane;
  });
  after(() => setup?.close());

  test('after the last step it stays at the cluster prompt, where register starts a deregistered peer again', async () => {
    // The demo's default keeps 2 copies and kills one peer in step 8: that peer was evicted, and
    // step 10 deregisters the others.
    assert.match(pane.text(), /── step 10: every registered peer deregisters and its process exits; [a-z]+, evicted after its crash, is registered no more/);
    await pane.type('register erin', '[erin   ] register SUCCESS');
    await pane.type('status erin', '[erin   ] status: name=erin state=Free');
    const pids = await pane.pids(7);
    assert.equal(pids.length, 2, 'only the manager and erin run: the other peers exited after their deregister');
    await stopsEverything(setup, pids, 'C-d', 0);
  });
});
