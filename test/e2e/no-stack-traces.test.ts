// Every command's error paths as a user meets them (issue 15, items 3 and 6): bad options, missing
// arguments, bad ports and numbers, unknown commands, missing directories. Each exits non-zero
// with its message in one line first, `stormdht…: <what is wrong>` (a bad invocation, exit 2,
// then a blank line and the usage; any other error, exit 1, that line alone), and no JavaScript
// stack frame anywhere. Also `help <command>`, and every spelling of version.
// Real processes; the only port bound is 36010 on 127.0.0.1 (a manager's, to be found busy).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, showRun, type CliRun } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The port a UDP socket of this test holds, so that a manager finds it busy. */
const BUSY_PORT = 36010;
/** A manager port no process listens on: the peers' cases fail before they send anything. */
const MANAGER_PORT = '36011';
/** The cluster's and the demo's peer ports, should a case get as far as starting them. */
const PORTS = '36100-36199';

/** A line of a JavaScript stack trace: `    at f (file:///…/x.js:12:3)`, `    at file:…:1:1`, or Node's `Error: …` header. */
const STACK_LINE = /^\s+at .*:\d+:\d+\)?$|^\s*(\w*Error|node:[\w/]+:\d+)\b/m;

/** How a case must fail: 2 (a bad invocation: the message, a blank line, the usage) or 1 (the message alone). */
type Failure = 1 | 2;

interface Case {
  readonly args: readonly string[];
  readonly exit: Failure;
  /** What the first line of stderr says. */
  readonly message: RegExp;
}

/** The cases, given the test's temporary directory. */
function cases(dir: string): Case[] {
  const missing = path.join(dir, 'missing');
  const file = path.join(dir, 'not-a-year.txt');
  const usage = (args: string[], message: RegExp): Case => ({ args, exit: 2, message });
  const failure = (args: string[], message: RegExp): Case => ({ args, exit: 1, message });
  const peer = ['peer', '127.0.0.1', MANAGER_PORT];
  return [
    // unknown commands
    usage(['frobnicate'], /^stormdht: unknown command "frobnicate"$/),
    usage(['-x'], /^stormdht: unknown command "-x"$/),
    usage(['help', 'frobnicate'], /^stormdht: unknown command "frobnicate"$/),
    usage(['data', 'frobnicate'], /^stormdht: unknown data command "frobnicate"$/),
    // manager
    usage(['manager'], /^stormdht: expected <port>, got 0 arguments$/),
    usage(['manager', '70000'], /^stormdht: port "70000" is not a port number/),
    usage(['manager', 'seven'], /^stormdht: port "seven" is not a port number/),
    usage(['manager', MANAGER_PORT, '--bogus'], /^stormdht: unknown option --bogus$/),
    usage(['peer', 'nosuchhost.invalid', MANAGER_PORT], /^stormdht: manager-ip: cannot resolve "nosuchhost\.invalid" to an IPv4 address \([A-Z_]+\)$/),
    usage(['manager', MANAGER_PORT, '--host', 'my_host'], /^stormdht: --host: "my_host" is neither an IPv4 address nor a host name$/),
    usage(['manager', MANAGER_PORT, '--host', 'nosuchhost.invalid'], /^stormdht: --host: cannot resolve "nosuchhost\.invalid" to an IPv4 address \([A-Z_]+\)$/),
    usage(['peer', '::1', MANAGER_PORT], /^stormdht: manager-ip: "::1" is an IPv6 address: stormdht speaks IPv4 only$/),
    usage(['manager', MANAGER_PORT, '--host'], /^stormdht: --host needs a value$/),
    usage(['manager', MANAGER_PORT, '--host', '1.2.3'], /^stormdht: --host: IPv4 address "1.2.3" is invalid/),
    usage(['manager', MANAGER_PORT, '--replicas', '0'], /^stormdht: --replicas "0" is invalid: use 1 to 9$/),
    usage(['manager', MANAGER_PORT, '--await-timeout', 'soon'], /^stormdht: --await-timeout "soon" is invalid/),
    usage(['manager', MANAGER_PORT, '--faults', 'loss=2'], /^stormdht: --faults: loss=2: /),
    usage(['manager', MANAGER_PORT, '--state-dir', ''], /^stormdht: --state-dir needs a directory$/),
    failure(['manager', MANAGER_PORT, '--host', '127.0.0.1', '--state-dir', file], /^stormdht manager: .*not-a-year\.txt is not a directory$/),
    failure(['manager', String(BUSY_PORT), '--host', '127.0.0.1'], new RegExp(`^stormdht manager: cannot listen on 127\\.0\\.0\\.1:${BUSY_PORT} \\(EADDRINUSE\\)$`)),
    // peer
    usage(['peer'], /^stormdht: expected <manager-ip> <manager-port>, got 0 arguments$/),
    usage(['peer', '127.0.0.1'], /^stormdht: expected <manager-ip> <manager-port>, got 1 arguments$/),
    usage(['peer', '127.0.0.1', '0'], /^stormdht: manager-port "0" is not a port number \(1-65535\)$/),
    usage(['peer', '300.1.1.1', MANAGER_PORT], /^stormdht: manager-ip: IPv4 address "300.1.1.1" is invalid/),
    usage([...peer, 'extra'], /^stormdht: expected <manager-ip> <manager-port>, got 3 arguments$/),
    usage([...peer, '--bogus'], /^stormdht: unknown option --bogus$/),
    usage([...peer, '--port-range', '5-3'], /^stormdht: --port-range "5-3" is invalid/),
    usage([...peer, '--pipeline', 'many'], /^stormdht: --pipeline "many" is invalid: use 1 to 1024$/),
    // parseArgs says this one in three lines: it must still come out as one.
    usage([...peer, '--batch-bytes', '-1'], /^stormdht: --batch-bytes is followed by a word that starts with "-": write --batch-bytes=<value> for such a value$/),
    usage([...peer, '--routing', 'sideways'], /^stormdht: --routing "sideways" is invalid: use hot-potato or direct$/),
    // cluster
    usage(['cluster', 'extra'], /^stormdht: unexpected argument "extra"$/),
    usage(['cluster', '--bogus'], /^stormdht: unknown option --bogus$/),
    usage(['cluster', '--peers', 'x'], /^stormdht: --peers "x" is invalid: use a number of peers from 1$/),
    usage(['cluster', '--peers', '0'], /^stormdht: --peers "0" is invalid/),
    usage(['cluster', '--peers', '30'], /^stormdht: --peers 30: name them with --names beyond 20$/),
    usage(['cluster', '--names', 'al1ce,bob'], /^stormdht: --names: peer name "al1ce" is invalid/),
    usage(['cluster', '--names', 'bob,bob'], /^stormdht: --names: "bob" is given twice$/),
    usage(['cluster', '--port-range', '1-2'], /^stormdht: --port-range "1-2" is invalid/),
    usage(['cluster', '--replicas', 'x', '--port-range', PORTS], /^stormdht: --replicas "x" is invalid: use 1 to 9$/),
    usage(['cluster', '--script', missing, '--port-range', PORTS], /^stormdht: --script: cannot read ".*missing"$/),
    usage(['cluster', '--script', dir, '--port-range', PORTS], /^stormdht: --script: ".*" is a directory, not a file of commands$/),
    failure(['cluster', '--data-dir', missing, '--port-range', PORTS], /^stormdht cluster: .*missing/),
    // demo
    usage(['demo', 'extra'], /^stormdht: unexpected argument "extra"$/),
    usage(['demo', '--bogus'], /^stormdht: unknown option --bogus$/),
    usage(['demo', '--port-range', 'x'], /^stormdht: --port-range "x" is invalid/),
    usage(['demo', '--replicas', '99'], /^stormdht: --replicas "99" is invalid: use 1 to 9$/),
    failure(['demo', '--data-dir', missing, '--port-range', PORTS], /^stormdht demo: .*missing.*--synthetic/),
    failure(['demo', '--data-dir', dir, '--port-range', PORTS], /^stormdht demo: .*1996.*--synthetic/),
    // sim
    usage(['sim', 'extra'], /^stormdht: unexpected argument "extra"$/),
    usage(['sim', '--bogus'], /^stormdht: unknown option --bogus$/),
    usage(['sim', '--seeds', 'x'], /^stormdht: --seeds "x" is invalid/),
    usage(['sim', '--seed', '-1'], /^stormdht: --seed is followed by a word that starts with "-"/),
    usage(['sim', '--steps', '0'], /^stormdht: --steps "0" is invalid/),
    usage(['sim', '--replicas', '9'], /^stormdht: --replicas "9" is invalid/),
    // data
    usage(['data', '--bogus'], /^stormdht: unknown data command "--bogus"$/),
    usage(['data', 'list', 'extra'], /^stormdht: unexpected argument "extra"$/),
    failure(['data', 'list', '--data-dir', missing], /^stormdht data list: .*missing/),
    usage(['data', 'inspect'], /^stormdht: expected <year>, got 0 arguments$/),
    usage(['data', 'inspect', '19x6'], /^stormdht: year "19x6" is not four decimal digits$/),
    failure(['data', 'inspect', '1996', '--data-dir', missing], /^stormdht data inspect: .*missing/),
    usage(['data', 'generate', '12'], /^stormdht: year "12" is not four decimal digits$/),
    failure(['data', 'import', missing, '--data-dir', dir], /^stormdht data import: .*missing/),
    failure(['data', 'import', file, '--data-dir', dir], /^stormdht data import: .*not-a-year\.txt: not a NOAA Storm Events details file/),
    usage(['data', 'fetch', 'next'], /^stormdht: year "next" is not four decimal digits$/),
  ];
}

/** The run failed as `c` says, in one line first, with no stack frame anywhere. */
function assertOneLineFailure(c: Case, run: CliRun): void {
  const shown = `stormdht ${c.args.join(' ')}\n${showRun(run)}`;
  assert.doesNotMatch(run.stdout, STACK_LINE, `a stack frame on stdout:\n${shown}`);
  assert.doesNotMatch(run.stderr, STACK_LINE, `a stack frame on stderr:\n${shown}`);
  assert.equal(run.code, c.exit, `exit status:\n${shown}`);
  const lines = run.stderr.split('\n');
  assert.match(lines[0]!, c.message, `the first line of stderr:\n${shown}`);
  if (c.exit === 2) {
    assert.equal(lines[1], '', `a blank line after the message, then the usage:\n${shown}`);
    assert.match(lines[2]!, /^(usage: stormdht|stormdht — )/, `the usage after the message:\n${shown}`);
  } else {
    assert.equal(run.stderr, `${lines[0]}\n`, `one line on stderr and nothing else:\n${shown}`);
  }
}

describe('every error path prints one line first and never a stack frame', () => {
  let busy: Socket;
  before(async () => {
    busy = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      busy.once('error', reject);
      busy.bind(BUSY_PORT, '127.0.0.1', () => resolve());
    });
  });
  after(() => busy.close());

  test('manager, peer, cluster, demo, sim, data and unknown commands', async (t) => {
    const dir = tempDir(t);
    writeFileSync(path.join(dir, 'not-a-year.txt'), 'this is not a details file\n');
    // The runs start from an empty directory: no ./data, and no $STORMDHT_DATA_DIR (runCli).
    const cwd = path.join(dir, 'cwd');
    mkdirSync(cwd);
    const all = cases(dir);
    // Four at a time: each is a short-lived process.
    for (let i = 0; i < all.length; i += 4) {
      const batch = all.slice(i, i + 4);
      const runs = await Promise.all(batch.map((c) => runCli(c.args, { cwd })));
      batch.forEach((c, k) => assertOneLineFailure(c, runs[k]!));
    }
  });

  test('$STORMDHT_DEBUG, and only it, adds the stack after the line', async (t) => {
    const args = ['demo', '--data-dir', path.join(tempDir(t), 'missing'), '--port-range', PORTS];
    const plain = await runCli(args);
    const debug = await runCli(args, { env: { STORMDHT_DEBUG: '1' } });
    assert.equal(plain.code, 1, showRun(plain));
    assert.equal(debug.code, 1, showRun(debug));
    assert.equal(debug.stderr.split('\n')[0], plain.stderr.trimEnd(), showRun(debug));
    assert.match(debug.stderr, STACK_LINE, `with STORMDHT_DEBUG set, the stack follows:\n${showRun(debug)}`);
  });
});

describe('help <command> and version', () => {
  const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

  test('-V, -v, version and --version all print the version', async () => {
    for (const spelling of ['-V', '-v', 'version', '--version']) {
      const run = await runCli([spelling]);
      assert.equal(run.code, 0, `${spelling}: ${showRun(run)}`);
      assert.equal(run.stdout, `${version}\n`, spelling);
    }
  });

  test('help <command> prints what <command> --help prints; help alone the main usage, which lists them', async () => {
    for (const command of [['manager'], ['peer'], ['cluster'], ['demo'], ['sim'], ['data'], ['data', 'inspect']]) {
      const [help, own] = await Promise.all([runCli(['help', ...command]), runCli([...command, '--help'])]);
      assert.equal(help.code, 0, showRun(help));
      assert.match(help.stdout, new RegExp(`^usage: stormdht ${command.join(' ')}`), showRun(help));
      assert.equal(help.stdout, own.stdout, `help ${command.join(' ')}`);
    }
    const [help, main] = await Promise.all([runCli(['help']), runCli(['--help'])]);
    assert.equal(help.stdout, main.stdout);
    assert.match(help.stdout, /stormdht help \[<command>\] \| --help \| version \| --version \| -V/);
  });
});
