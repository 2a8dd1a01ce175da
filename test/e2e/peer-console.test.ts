// `stormdht peer` as its user meets it (issue 15): a script's exit status says whether a command
// failed; a query without an id never takes a script's next line as the id; on a terminal (tmux)
// a prompt, help, help <command>, D1's question, quit, and a message at Ctrl-D. Real processes
// over a synthetic 1950; ports 37000-37999 (peers 37100-37599).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { MAIN_SCRIPT } from '../../src/cli/processes.js';
import { assertSuccess, Cluster } from './cluster.js';
import { runToEnd, syntheticData, type TempData } from './cluster-cli.js';
import { HumanPeer } from './human-peer.js';
import { Pane, shellQuote, TMUX } from './tmux-pane.js';

const YEAR = '1950';
/** No manager listens here: the scripts without one use only local commands. */
const NO_MANAGER = ['127.0.0.1', '37001'];
const EXIT_MARK = 'peer exited with status';

let data: TempData;
/** A data directory without any year: its peer must be given an event id (D1). */
let empty = '';
/** A manager and a DHT of alice, bob and carol over the synthetic 1950, for the queries. */
let c: Cluster;

before(async () => {
  data = syntheticData(YEAR);
  empty = mkdtempSync(path.join(os.tmpdir(), 'stormdht-peer-console-'));
  c = await Cluster.start({ portRange: '37100-37199', dataDir: data.dir });
  await c.addRegistered(['alice', 'bob', 'carol']);
  assertSuccess(await c.run('alice', `setup-dht alice 3 ${YEAR}`), 'setup-dht');
});
after(async () => {
  await c?.close();
  data?.remove();
  if (empty) rmSync(empty, { recursive: true, force: true });
});

describe('a peer reading a script', () => {
  test('a failed command makes the exit status 1, and stderr names the first; every command still runs', async () => {
    const r = await runToEnd(['peer', ...NO_MANAGER], 'status\nfrobnicate\nhelp me\nstatus\n');
    assert.equal(r.code, 1, `${r.stderr}\n${r.stdout.join('\n')}`);
    assert.deepEqual(
      r.stdout.filter((l) => / (SUCCESS|FAILURE)/.test(l)),
      ['status SUCCESS', 'frobnicate FAILURE (unknown command)', 'help FAILURE (unknown command "me": help lists the commands)', 'status SUCCESS'],
    );
    assert.equal(r.stderr.trim(), 'stormdht peer: 2 commands failed; the first, stdin line 2 "frobnicate": unknown command');
  });

  test('a script whose every command succeeds exits 0, help and all', async () => {
    const r = await runToEnd(['peer', ...NO_MANAGER], '# local commands\nstatus\n\nhelp\nhelp query-dht\n');
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout.join('\n')}`);
    assert.equal(r.stderr, '');
    assert.ok(r.stdout.includes('commands (help <command> tells more about one):'), r.stdout.join('\n'));
    assert.ok(r.stdout.some((l) => /^ {2}query-dht <name> \[<event-id>\] +look an event up/.test(l)), r.stdout.join('\n'));
    assert.ok(r.stdout.includes('query-dht <name> [<event-id>]: look an event up (no id: a random one of the year)'), r.stdout.join('\n'));
  });

  test('quit ends the script there, with the status of the commands before it', async () => {
    const ok = await runToEnd(['peer', ...NO_MANAGER], 'status\nquit\nfrobnicate\n');
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(!ok.stdout.some((l) => l.startsWith('frobnicate')), 'no line after quit runs');
    const failed = await runToEnd(['peer', ...NO_MANAGER], 'frobnicate\nexit\nstatus\n');
    assert.equal(failed.code, 1, failed.stderr);
    assert.ok(!failed.stdout.includes('status SUCCESS'), 'no line after exit runs');
  });

  test('--json keeps SPEC §14: a failed command is a result line, and the exit status stays 0', async () => {
    const r = await runToEnd(['peer', ...NO_MANAGER, '--json'], 'frobnicate\nhelp status\nquit\n');
    assert.equal(r.code, 0, r.stderr);
    const results = r.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      results.map((l) => [l.type, l.command, l.ok]),
      [
        ['result', 'frobnicate', false],
        ['result', 'help', true],
        ['result', 'quit', true],
      ],
    );
    assert.equal(results[1]!.usage, 'status');
  });

  test('query-dht <name> without an id, and no copy of the year: it fails, and the next line runs as a command', async () => {
    const zoe = HumanPeer.start(c.manager, empty, '37200-37209');
    try {
      zoe.send('register zoe');
      zoe.send('query-dht zoe');
      zoe.send('status');
      zoe.child.stdin!.end();
      const failed = await zoe.waitFor(/^query-dht FAILURE /, 0);
      assert.match(zoe.lines[failed]!, /^query-dht FAILURE \(event id missing: no readable copy of details-1950\.csv .*a script is not asked for one: give it as query-dht <name> <event-id>\)$/);
      const status = await zoe.waitFor('status SUCCESS', failed);
      assert.match(zoe.lines[status - 1]!, /^status: name=zoe state=Free /, 'status ran as a command, not as an id');
      assert.ok(!zoe.lines.some((l) => l.includes('enter an event id')), `no prompt in a script:\n${zoe.lines.join('\n')}`);
      // Registered, it keeps serving at end of input; when it is stopped, its status tells of the failure.
      await sleep(300);
      assert.equal(zoe.child.exitCode, null, 'a registered peer keeps running at end of input');
      zoe.child.kill('SIGTERM');
      assert.equal(await zoe.exited, 1, 'SIGTERM after a failed command: status 1');
      assert.match(zoe.stderr, /^stormdht peer: 1 command failed; the first, stdin line 2 "query-dht zoe": event id missing: /);
    } finally {
      await zoe.stop();
    }
  });
});

const SKIP = TMUX === null ? 'tmux is not installed: the pseudo-terminal tests of the peer prompt are skipped' : false;

/** `stormdht peer` at a terminal: a pane running it, then printing its exit status. */
async function peerInPane(dataDir: string, ports: string): Promise<Pane> {
  const command = [process.execPath, MAIN_SCRIPT, 'peer', c.manager.ip, String(c.manager.port), '--data-dir', dataDir, '--port-range', ports].map(shellQuote).join(' ');
  const pane = new Pane(`env STORMDHT_HISTORY= NO_COLOR= TERM=xterm-256color ${command}; echo "${EXIT_MARK} $?"; sleep 600`);
  try {
    await pane.waitFor('the prompt', (p) => p.lastLine() === 'stormdht peer> ', 30_000);
  } catch (err) {
    pane.kill();
    throw err;
  }
  return pane;
}

/** Types `line` and Enter; waits until `expect` is printed and the prompt `prompt` is back. */
async function type(pane: Pane, line: string, expect: string, prompt: string): Promise<void> {
  pane.literal(line);
  pane.keys('Enter');
  await pane.waitForText(expect);
  await pane.waitFor(`the prompt ${JSON.stringify(prompt)}`, (p) => p.lastLine() === prompt);
}

describe('a peer at a terminal', { skip: SKIP }, () => {
  test('the prompt, help, help query-dht, register, D1 asks for the id, and quit leaves without deregistering', async () => {
    const pane = await peerInPane(empty, '37210-37219');
    try {
      await type(pane, 'help', 'commands (help <command> tells more about one):', 'stormdht peer> ');
      assert.match(pane.text(), /\n {2}quit \| exit +stop this peer without deregistering, as Ctrl-C does\n/);
      await type(pane, 'help query-dht', 'query-dht <name> [<event-id>]: look an event up (no id: a random one of the year)', 'stormdht peer> ');
      assert.ok(pane.text().includes('  asks for an id on a terminal; a script must give the id on the same line.'), pane.text());
      await type(pane, 'register tina', 'manager → tina: register SUCCESS', 'tina> ');

      // D1 on a terminal: the peer says why, and asks.
      pane.literal('query-dht tina');
      pane.keys('Enter');
      await pane.waitFor('the question for an id', (p) => p.lastLine() === 'event id> ');
      assert.match(pane.text(), /no readable copy of details-1950\.csv .*; enter an event id:\n/);
      const record = data.data.records[3]!;
      await type(pane, String(record.eventId), `event_id: ${record.eventId}`, 'tina> ');
      assert.ok(pane.text().includes('query-dht SUCCESS'), pane.text());

      const from = c.manager.proc.lines.length;
      const traced = (l: Record<string, unknown>, text: string) => typeof l.text === 'string' && l.text.startsWith(text);
      assert.ok(c.manager.proc.lines.some((l) => traced(l, 'register tina')), 'the manager traces what tina sends');
      pane.literal('quit');
      pane.keys('Enter');
      await pane.waitForText(`${EXIT_MARK} 0`);
      assert.ok(pane.text().includes('tina stops without deregistering'), pane.text());
      const deregistered = c.manager.proc.lines.slice(from).filter((l) => traced(l, 'deregister'));
      assert.deepEqual(deregistered, [], 'quit does not deregister');
    } finally {
      pane.kill();
    }
  });

  test('Ctrl-D: an unregistered peer says it exits, and does', async () => {
    const pane = await peerInPane(data.dir, '37220-37229');
    try {
      pane.keys('C-d');
      await pane.waitForText(`${EXIT_MARK} 0`);
      assert.ok(pane.text().includes('end of input (Ctrl-D): not registered, so the peer exits'), pane.text());
    } finally {
      pane.kill();
    }
  });

  test('Ctrl-D: a registered peer says it keeps serving, and does until Ctrl-C', async () => {
    const pane = await peerInPane(data.dir, '37230-37239');
    try {
      await type(pane, 'register uma', 'manager → uma: register SUCCESS', 'uma> ');
      pane.keys('C-d');
      await pane.waitForText('end of input (Ctrl-D): uma stays registered and keeps serving the DHT until Ctrl-C, which stops it without deregistering');
      await sleep(500);
      assert.ok(!pane.text().includes(EXIT_MARK), `the peer must keep running:\n${pane.text()}`);
      pane.keys('C-c');
      await pane.waitForText(`${EXIT_MARK} 0`);
    } finally {
      pane.kill();
    }
  });
});
