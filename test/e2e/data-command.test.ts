// `stormdht data list | inspect | generate` as a user runs them: the real CLI as a child process.
// inspect's figures are checked against the numbers SPEC §9 and §13 publish for the real files.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { SHARED_DATA_DIR, skipUnlessYear } from '../helpers/shared-data.js';
import { runCli, showRun, type CliRun } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

function ok(run: CliRun): CliRun {
  assert.equal(run.code, 0, showRun(run));
  return run;
}

/** Exit 1 with one line on stderr matching `pattern` (a DataError: no stack, no usage). */
function failed(run: CliRun, pattern: RegExp): void {
  assert.equal(run.code, 1, showRun(run));
  assert.match(run.stderr, pattern);
  assert.equal(run.stderr.trimEnd().split('\n').length, 1, showRun(run));
}

/** Exit 2 with the message and the usage text. */
function usageError(run: CliRun, pattern: RegExp, usage: RegExp): void {
  assert.equal(run.code, 2, showRun(run));
  assert.match(run.stderr, pattern);
  assert.match(run.stderr, usage);
}

describe('data: help and usage errors', () => {
  test('help for data and each subcommand; data is in the main usage', async () => {
    assert.match(ok(await runCli(['--help'])).stdout, /stormdht data list \| inspect <year> \| generate <year> \| import <file> \| fetch <year>/);
    assert.match(ok(await runCli(['data'])).stdout, /^usage: stormdht data <command>/);
    assert.match(ok(await runCli(['data', '--help'])).stdout, /import <file> +convert a NOAA bulk details file/);
    for (const sub of ['list', 'inspect', 'generate', 'import', 'fetch']) {
      assert.match(ok(await runCli(['data', sub, '--help'])).stdout, new RegExp(`^usage: stormdht data ${sub}`), sub);
    }
  });

  test('bad invocations exit 2 with the reason and the usage', async () => {
    usageError(await runCli(['data', 'frobnicate']), /unknown data command "frobnicate"/, /usage: stormdht data <command>/);
    usageError(await runCli(['data', 'inspect']), /expected <year>, got 0 arguments/, /usage: stormdht data inspect/);
    usageError(await runCli(['data', 'inspect', '96']), /year "96" is not four decimal digits/, /usage: stormdht data inspect/);
    usageError(await runCli(['data', 'inspect', '1950', '--n', '0']), /--n "0" is invalid: use 1 to 10000/, /usage: stormdht data inspect/);
    usageError(await runCli(['data', 'generate', '1950', '--records', 'many']), /--records "many" is invalid/, /usage: stormdht data generate/);
    usageError(await runCli(['data', 'generate', '1950', '--seed', '4294967296']), /--seed "4294967296" is invalid: use 0 to 4294967295/, /usage/);
    usageError(await runCli(['data', 'list', 'extra']), /unexpected argument "extra"/, /usage: stormdht data list/);
    usageError(await runCli(['data', 'import', 'x.csv', '--eol', 'crcr']), /--eol "crcr" is invalid: use crlf or cr or lf/, /usage: stormdht data import/);
    usageError(await runCli(['data', 'fetch', '1950', '--base-url', 'ftp://mirror/']), /--base-url "ftp:\/\/mirror\/" is not an http or https URL/, /usage: stormdht data fetch/);
    usageError(await runCli(['data', 'list', '--verbose']), /unknown option --verbose/, /usage: stormdht data list/);
  });
});

describe('data list and inspect on the real files', { skip: skipUnlessYear('1950', '1951', '1952', '1996') }, () => {
  test('list: every year of the shared directory with its l and s (SPEC §8, §13), all real', async () => {
    const run = ok(await runCli(['data', 'list', '--data-dir', SHARED_DATA_DIR]));
    const rows = run.stdout.trimEnd().split('\n');
    assert.equal(rows[0], `data directory: ${SHARED_DATA_DIR}`);
    assert.match(rows[1]!, /^year +records \(l\) +table size \(s\) +kind$/);
    const found = new Map(rows.slice(2).map((r) => [r.split(/ +/)[0]!, r.split(/ +/).slice(1)] as const));
    for (const [year, l, s] of [['1950', '223', '449'], ['1951', '269', '541'], ['1952', '272', '547'], ['1996', '48561', '97127']]) {
      assert.deepEqual(found.get(year!), [l, s, 'real'], year);
    }
  });

  test('inspect: SPEC §13 records per node and SPEC §9 slot collisions', async () => {
    const y1950 = ok(await runCli(['data', 'inspect', '1950', '--data-dir', SHARED_DATA_DIR])).stdout;
    assert.match(y1950, /^details-1950\.csv in .*: real\n/);
    assert.match(y1950, /^l = 223 records, s = 449 /m);
    assert.match(y1950, /^records per node for n = 3: 72 \/ 75 \/ 76$/m, 'n defaults to 3');
    assert.match(y1950, /^slot collisions: 39 positions hold 89 records, up to 5 at one position$/m);
    const y1950n10 = ok(await runCli(['data', 'inspect', '1950', '--n', '10', '--data-dir', SHARED_DATA_DIR])).stdout;
    assert.match(y1950n10, /^records per node for n = 10: 20 \/ 18 \/ 22 \/ 25 \/ 23 \/ 21 \/ 21 \/ 23 \/ 27 \/ 23$/m);
    const y1952 = ok(await runCli(['data', 'inspect', '1952', '--n', '7', '--data-dir', SHARED_DATA_DIR])).stdout;
    assert.match(y1952, /^records per node for n = 7: 40 \/ 40 \/ 38 \/ 36 \/ 39 \/ 40 \/ 39$/m);
    assert.match(y1952, /^slot collisions: 49 positions hold 111 records, up to 4 at one position$/m);
    const y1996 = ok(await runCli(['data', 'inspect', '1996', '--n', '5'], { env: { STORMDHT_DATA_DIR: SHARED_DATA_DIR } })).stdout;
    assert.match(y1996, /^l = 48561 records, s = 97127 /m);
    assert.match(y1996, /^records per node for n = 5: 9710 \/ 9720 \/ 9714 \/ 9700 \/ 9717$/m);
    assert.match(y1996, /^slot collisions: none/m);
  });
});

describe('data generate, list and inspect in a fresh directory', () => {
  test('generate: same seed, same bytes; another seed, other bytes; said and labelled synthetic', async (t) => {
    const [a, b, c] = [tempDir(t, 'stormdht-data-cmd-'), tempDir(t, 'stormdht-data-cmd-'), tempDir(t, 'stormdht-data-cmd-')];
    const run = ok(await runCli(['data', 'generate', '1996', '--records', '5000', '--seed', '7', '--data-dir', a]));
    assert.match(run.stdout, /wrote .*details-1996\.csv: 5000 records of SYNTHETIC data \(seed 7\), generated by stormdht, not NOAA's/);
    ok(await runCli(['data', 'generate', '1996', '--records', '5000', '--seed', '7'], { cwd: b, env: { STORMDHT_DATA_DIR: 'years' } }));
    ok(await runCli(['data', 'generate', '1996', '--records', '5000', '--seed', '8', '--data-dir', c]));
    const bytes = (dir: string) => readFileSync(path.join(dir, 'details-1996.csv'));
    assert.ok(bytes(a).equals(bytes(path.join(b, 'years'))), 'same seed: identical files');
    assert.ok(!bytes(a).equals(bytes(c)), 'another seed: another file');
    assert.deepEqual(JSON.parse(readFileSync(path.join(a, 'details-1996.synthetic.json'), 'utf8')), { synthetic: true, generator: 'stormdht', year: '1996', records: 5000, seed: 7 });
    const inspect = ok(await runCli(['data', 'inspect', '1996', '--data-dir', a])).stdout;
    assert.match(inspect, /: synthetic \(seed 7\)\n/);
    assert.match(inspect, /^l = 5000 records, s = 10007 /m);
  });

  test('generate never replaces a file not marked synthetic, unless --force', async (t) => {
    const dir = tempDir(t, 'stormdht-data-cmd-');
    const real = path.join(dir, 'details-1950.csv');
    writeFileSync(real, 'EVENT_ID,STATE,YEAR,MONTH_NAME,EVENT_TYPE,CZ_TYPE,CZ_NAME,INJURIES_DIRECT,INJURIES_INDIRECT,DEATHS_DIRECT,DEATHS_INDIRECT,DAMAGE_PROPERTY,DAMAGE_CROPS,TOR_F_SCALE\r9000001,TEXAS,1950,May,Tornado,C,TRAVIS,0,0,0,0,25K,0,F1');
    failed(await runCli(['data', 'generate', '1950', '--data-dir', dir]), /^stormdht data generate: refusing to overwrite .*details-1950\.csv: it is not marked synthetic .*--force/);
    assert.match(readFileSync(real, 'latin1'), /9000001,TEXAS/, 'the real file is unchanged');
    assert.ok(!existsSync(path.join(dir, 'details-1950.synthetic.json')));
    ok(await runCli(['data', 'generate', '1950', '--data-dir', dir, '--force']));
    assert.doesNotMatch(readFileSync(real, 'latin1'), /9000001,TEXAS/);
    assert.ok(existsSync(path.join(dir, 'details-1950.synthetic.json')));
    // A synthetic file is replaced without --force.
    ok(await runCli(['data', 'generate', '1950', '--records', '10', '--data-dir', dir]));
  });

  test('list tells real from synthetic and names a file that does not load', async (t) => {
    const dir = tempDir(t, 'stormdht-data-cmd-');
    assert.match(ok(await runCli(['data', 'list', '--data-dir', dir])).stdout, /no details-YYYY\.csv files/);
    ok(await runCli(['data', 'generate', '1951', '--records', '300', '--data-dir', dir]));
    writeFileSync(path.join(dir, 'details-1999.csv'), 'EVENT_ID,STATE,YEAR,MONTH_NAME,EVENT_TYPE,CZ_TYPE,CZ_NAME,INJURIES_DIRECT,INJURIES_INDIRECT,DEATHS_DIRECT,DEATHS_INDIRECT,DAMAGE_PROPERTY,DAMAGE_CROPS,TOR_F_SCALE\n9000001,TEXAS,1999,May,Hail,C,TRAVIS,0,0,0,0,1K,,\n9000002,TEXAS,1999,May,Hail,C,TRAVIS,0,0,0,0,1K,,\n');
    writeFileSync(path.join(dir, 'details-2001.csv'), 'not a year file\n');
    const rows = ok(await runCli(['data', 'list', '--data-dir', dir])).stdout.trimEnd().split('\n').slice(2);
    assert.equal(rows.length, 3);
    assert.match(rows[0]!, /^1951 +300 +601 +synthetic \(seed 434\)$/);
    assert.match(rows[1]!, /^1999 +2 +5 +real$/);
    assert.match(rows[2]!, /^2001 +- +- +invalid: details-2001\.csv line 1: header does not name the 14 storm-event fields$/);
  });

  test('a missing directory or year is an error naming it (exit 1)', async (t) => {
    const dir = tempDir(t, 'stormdht-data-cmd-');
    failed(await runCli(['data', 'list', '--data-dir', path.join(dir, 'nope')]), /the data directory .*nope does not exist/);
    failed(await runCli(['data', 'inspect', '1960', '--data-dir', dir]), /cannot read .*details-1960\.csv: file not found/);
  });
});
