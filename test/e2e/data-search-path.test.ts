// One search path for data (issue 15) as a user meets it: `data list`, `data inspect` and the peer
// find their year files in --data-dir, else the first of $STORMDHT_DATA_DIR, ./data and
// ../shared/data/storm-events that holds one, and say where they looked when none does. Also: a
// synthetic year copied without its sidecar is listed as synthetic. Real CLI, real processes.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { startManager, startPeer } from '../../src/cli/processes.js';
import { escapeRegExp } from './cluster-cli.js';
import { holdsYearFiles } from '../../src/data/data-search.js';
import { syntheticSidecarPath } from '../../src/data/synthetic.js';
import { runCli, showRun, type CliRun } from '../helpers/run-cli.js';
import { PROJECT_ROOT, SHARED_DATA_DIR, skipUnlessYear } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The peers' ports here (the h3 range of issue 15's helpers). */
const PORTS = '38300-38339';

function ok(run: CliRun): string {
  assert.equal(run.code, 0, showRun(run));
  return run.stdout;
}

/** The directory `data list` says it lists. */
function listed(run: CliRun): string {
  return /^data directory: (.*)$/m.exec(ok(run))?.[1] ?? assert.fail(showRun(run));
}

/** A project checkout at <root>/proj with a shared folder beside it, as ../shared/data/storm-events. */
function layout(t: { after: (fn: () => void) => void }): { proj: string; shared: string; env: string; empty: string } {
  const root = tempDir(t, 'stormdht-search-');
  const dirs = { proj: path.join(root, 'proj'), shared: path.join(root, 'shared', 'data', 'storm-events'), env: path.join(root, 'env'), empty: path.join(root, 'empty') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  return dirs;
}

const ROOT_DATA = path.join(PROJECT_ROOT, 'data');

describe('data list and inspect: one search path', () => {
  test("the README's `data inspect 1950`, from the project root, finds ../shared/data/storm-events", {
    skip: skipUnlessYear('1950') || (holdsYearFiles(ROOT_DATA) ? `${ROOT_DATA} holds year files: it comes first on the search path` : false),
  }, async () => {
    const out = ok(await runCli(['data', 'inspect', '1950'], { cwd: PROJECT_ROOT }));
    assert.equal(out.split('\n')[0], `details-1950.csv in ${SHARED_DATA_DIR}: real`);
    assert.match(out, /^records per node for n = 3: 72 \/ 75 \/ 76$/m);
    assert.equal(listed(await runCli(['data', 'list'], { cwd: PROJECT_ROOT })), SHARED_DATA_DIR);
  });

  test('in order: $STORMDHT_DATA_DIR, ./data, ../shared/data/storm-events; a place without a year is passed over', async (t) => {
    const { proj, shared, env, empty } = layout(t);
    ok(await runCli(['data', 'generate', '1951', '--records', '30', '--data-dir', shared]));
    assert.equal(listed(await runCli(['data', 'list'], { cwd: proj })), shared);
    assert.match(ok(await runCli(['data', 'inspect', '1951'], { cwd: proj })), new RegExp(`^details-1951\\.csv in ${shared}: synthetic \\(seed 434\\)$`, 'm'));

    // generate writes to ./data when nothing names a place; ./data now comes first.
    ok(await runCli(['data', 'generate', '1952', '--records', '30'], { cwd: proj }));
    assert.equal(listed(await runCli(['data', 'list'], { cwd: proj })), path.join(proj, 'data'));
    // An empty $STORMDHT_DATA_DIR is passed over, one with a year comes first.
    assert.equal(listed(await runCli(['data', 'list'], { cwd: proj, env: { STORMDHT_DATA_DIR: empty } })), path.join(proj, 'data'));
    ok(await runCli(['data', 'generate', '1953', '--records', '30'], { cwd: proj, env: { STORMDHT_DATA_DIR: env } }));
    assert.equal(listed(await runCli(['data', 'list'], { cwd: proj, env: { STORMDHT_DATA_DIR: env } })), env);
  });

  test('--data-dir is the only place looked at: the year missing there is named; without it, one line says where it looked', async (t) => {
    const { proj, shared, empty } = layout(t);
    ok(await runCli(['data', 'generate', '1951', '--records', '30', '--data-dir', shared]));
    const run = await runCli(['data', 'inspect', '1951', '--data-dir', empty], { cwd: proj });
    assert.equal(run.code, 1, showRun(run));
    assert.equal(run.stderr, `stormdht data inspect: cannot read ${path.join(empty, 'details-1951.csv')}: file not found\n`);
    const searched = await runCli(['data', 'inspect', '1949'], { cwd: proj, env: { STORMDHT_DATA_DIR: empty } });
    assert.equal(searched.code, 1, showRun(searched));
    assert.match(searched.stderr, new RegExp(`^stormdht data inspect: no details-1949\\.csv: looked in ${escapeRegExp(empty)} \\(\\$STORMDHT_DATA_DIR\\), .+\\n$`));
    assert.equal(listed(await runCli(['data', 'list', '--data-dir', empty], { cwd: proj })), empty);
  });

  test('a synthetic year copied without its sidecar is listed as synthetic; a real file stays real', { skip: skipUnlessYear('1950') }, async (t) => {
    const { proj } = layout(t);
    const dir = path.join(proj, 'data');
    ok(await runCli(['data', 'generate', '1996', '--records', '500', '--seed', '9', '--data-dir', dir]));
    copyFileSync(path.join(SHARED_DATA_DIR, 'details-1950.csv'), path.join(dir, 'details-1950.csv'));
    rmSync(syntheticSidecarPath(dir, '1996'));
    const rows = ok(await runCli(['data', 'list'], { cwd: proj })).trimEnd().split('\n').slice(2);
    assert.equal(rows.length, 2, rows.join('\n'));
    assert.match(rows[0]!, /^1950 +223 +449 +real$/);
    assert.match(rows[1]!, /^1996 +500 +1009 +synthetic \(no label file\)$/);
    assert.match(ok(await runCli(['data', 'inspect', '1996'], { cwd: proj })), /: synthetic \(no label file\)$/m);
  });
});

/** This process's environment without a data directory of its own. */
function envWithoutDataDir(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.STORMDHT_DATA_DIR;
  return env;
}

describe('the peer: the same search path', () => {
  test('without --data-dir a peer finds ../shared/data/storm-events, and sets up a DHT from it', async (t) => {
    const { proj, shared } = layout(t);
    ok(await runCli(['data', 'generate', '1952', '--records', '40', '--data-dir', shared]));
    const manager = await startManager();
    t.after(() => manager.proc.stop());
    // SPEC's smallest ring is 3: ann leads, and reads the year.
    const peers = ['ann', 'bob', 'cyd'].map((name) => startPeer(name, manager, { portRange: PORTS, cwd: proj, env: envWithoutDataDir() }));
    t.after(() => Promise.all(peers.map((p) => p.stop())));
    for (const peer of peers) assert.equal((await peer.run(`register ${peer.label}`)).ok, true);
    const setup = await peers[0]!.run('setup-dht ann 3 1952');
    assert.equal(setup.ok, true, JSON.stringify(setup));
    assert.equal(setup.records, 40);
    assert.ok(!peers[0]!.lines.some((l) => l.event === 'note' && l.level === 'warn'), JSON.stringify(peers[0]!.lines));
  });

  test('a peer whose data directory holds no year says where it looked, once, and serves on', async (t) => {
    const { proj, empty } = layout(t);
    const manager = await startManager();
    t.after(() => manager.proc.stop());
    const peer = startPeer('bea', manager, { portRange: PORTS, cwd: proj, dataDir: empty, env: envWithoutDataDir() });
    t.after(() => peer.stop());
    assert.equal((await peer.run('register bea')).ok, true);
    // Every event line also says when it was printed (`at`), which is not compared.
    const { at: _at, ...first } = peer.lines[0] as Record<string, unknown>;
    assert.deepEqual(first, {
      type: 'event',
      event: 'note',
      level: 'warn',
      text: `no details-YYYY.csv found: looked in ${empty} (--data-dir); this peer can be a member of a DHT, not set one up`,
    });
    // The year is read before the manager is asked.
    const setup = await peer.run('setup-dht bea 3 1952');
    assert.equal(setup.ok, false);
    assert.match(String(setup.error), new RegExp(`cannot read ${empty}/details-1952\\.csv`));
  });
});
