// `stormdht data import` and `data fetch` end to end: the real CLI as a child process, on bulk
// files that the test builds (from a real year when the shared data is present, else from a
// synthetic one) and, for fetch, served by a local stand-in for NOAA's directory.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateYearText } from '../../src/data/synthetic.js';
import { MAIN_SCRIPT } from '../../src/cli/processes.js';
import { bulkTextFromYearText, gzipText } from '../helpers/bulk-fixture.js';
import { apacheListing, startFakeNoaa, type FakeNoaa } from '../helpers/noaa-server.js';
import { runCli, showRun, type CliRun } from '../helpers/run-cli.js';
import { SHARED_DATA_DIR, skipUnlessYear } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp-dir.js';

const bulkName = (year: string, created: string, gz = true) => `StormEvents_details-ftp_v1.0_d${year}_c${created}.csv${gz ? '.gz' : ''}`;

function ok(run: CliRun): CliRun {
  assert.equal(run.code, 0, showRun(run));
  assert.equal(run.stderr, '', 'stderr is not a terminal: no progress bar, nothing at all');
  return run;
}

/** Exit 1, one line on stderr matching `pattern`, and `dataDir` without any file. */
function refused(run: CliRun, pattern: RegExp, dataDir: string): void {
  assert.equal(run.code, 1, showRun(run));
  assert.match(run.stderr, pattern);
  assert.equal(run.stderr.trimEnd().split('\n').length, 1, showRun(run));
  assert.deepEqual(existsSync(dataDir) ? readdirSync(dataDir) : [], [], 'no output and no temporary file');
}

describe('data import', () => {
  test('a real year (1950, CR-separated) comes out byte for byte from its gzip bulk file', { skip: skipUnlessYear('1950') }, async (t) => {
    const original = readFileSync(path.join(SHARED_DATA_DIR, 'details-1950.csv'));
    const dir = tempDir(t, 'stormdht-data-io-');
    const input = path.join(dir, bulkName('1950', '20210803'));
    const bulk = bulkTextFromYearText(original.toString('latin1'), '1950');
    assert.ok(bulk.includes(',"Witnesses said it ""sounded like a freight train"", then'), 'the fixture quotes narratives with commas and doubled quotes');
    assert.ok(bulk.includes(',"First report:\r\nroof damage, downed trees.\nSecond'), 'and narratives over several lines');
    writeFileSync(input, gzipText(bulk));
    const run = ok(await runCli(['data', 'import', input, '--data-dir', path.join(dir, 'data'), '--eol', 'cr']));
    assert.equal(run.stdout, `imported 223 records of 1950 into ${path.join(dir, 'data', 'details-1950.csv')}\nl = 223, s = 449\n`);
    assert.ok(readFileSync(path.join(dir, 'data', 'details-1950.csv')).equals(original), 'byte-identical to the course file');
  });

  test('a real CRLF year (1990) from an uncompressed bulk file, with the default --eol', { skip: skipUnlessYear('1990') }, async (t) => {
    const original = readFileSync(path.join(SHARED_DATA_DIR, 'details-1990.csv'));
    const dir = tempDir(t, 'stormdht-data-io-');
    const input = path.join(dir, bulkName('1990', '20220425', false));
    writeFileSync(input, bulkTextFromYearText(original.toString('latin1'), '1990', { eol: '\r\n' }), 'latin1');
    ok(await runCli(['data', 'import', input], { env: { STORMDHT_DATA_DIR: path.join(dir, 'data') } }));
    assert.ok(readFileSync(path.join(dir, 'data', 'details-1990.csv')).equals(original), 'byte-identical to the course file');
  });

  test('a synthetic year round-trips through the bulk format (no shared data needed)', async (t) => {
    const dir = tempDir(t, 'stormdht-data-io-');
    ok(await runCli(['data', 'generate', '1999', '--records', '2500', '--seed', '11', '--data-dir', path.join(dir, 'gen')]));
    const original = readFileSync(path.join(dir, 'gen', 'details-1999.csv'));
    const input = path.join(dir, 'bulk-1999.csv.gz');
    writeFileSync(input, gzipText(bulkTextFromYearText(original.toString('latin1'), '1999')));
    const out = path.join(dir, 'elsewhere', 'copy.csv');
    const run = ok(await runCli(['data', 'import', input, '--out', out]));
    assert.match(run.stdout, /^imported 2500 records of 1999 into .*copy\.csv\nl = 2500, s = 5003\n$/);
    assert.ok(readFileSync(out).equals(original));
  });

  test('files not in the bulk format are refused with a clear message and leave nothing', async (t) => {
    const dir = tempDir(t, 'stormdht-data-io-');
    const data = path.join(dir, 'data');
    const good = bulkTextFromYearText(generateYearText('1977', { records: 40, seed: 2 }), '1977');
    const write = (name: string, content: string | Buffer) => {
      writeFileSync(path.join(dir, name), content);
      return path.join(dir, name);
    };
    const importing = (file: string) => runCli(['data', 'import', file, '--data-dir', data]);
    refused(await importing(write('a.csv', good.replace(',DAMAGE_CROPS,', ',CROPS,'))), /^stormdht data import: .*a\.csv: not a NOAA Storm Events details file: its header \(line 1\) lacks DAMAGE_CROPS$/m, data);
    refused(await importing(write('b.csv.gz', good)), /b\.csv\.gz: not gzip data, although its name ends in \.gz/, data);
    refused(await importing(write('c.csv.gz', gzipText(good).subarray(0, 300))), /c\.csv\.gz: corrupt gzip data/, data);
    refused(await importing(write('d.csv', `${good}1,"unclosed\n`)), /d\.csv: not valid CSV: line \d+: a quoted field is never closed/, data);
    refused(await importing(path.join(dir, 'absent.csv')), /cannot read .*absent\.csv: file not found/, data);
  });

  test('on a terminal, import draws a progress bar on stderr and erases it', { skip: process.platform !== 'linux' || !existsSync('/usr/bin/script') ? 'needs script(1) for a pseudo-terminal' : false }, async (t) => {
    const dir = tempDir(t, 'stormdht-data-io-');
    const input = path.join(dir, 'bulk.csv.gz');
    writeFileSync(input, gzipText(bulkTextFromYearText(generateYearText('1998', { records: 3000, seed: 1 }), '1998')));
    // script(1) runs the command on a pseudo-terminal and copies what it printed to our stdout.
    const output = await new Promise<string>((resolve, reject) => {
      const command = `${process.execPath} ${MAIN_SCRIPT} data import ${input} --data-dir ${path.join(dir, 'data')}`;
      execFile('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    assert.match(output, /\r\x1b\[2Kimporting bulk\.csv\.gz \[[#-]+\] +\d+%  [\d.]+ kB \/ [\d.]+ kB/);
    assert.match(output, /\r\x1b\[2Kimported 3000 records of 1998/, 'the bar is erased before the result');
  });
});

describe('data fetch from a local stand-in for NOAA', () => {
  const newest = bulkName('1977', '20250401');
  const older = [bulkName('1977', '20170120'), bulkName('1977', '20210803')];
  const unserved = bulkName('1978', '20250401');
  const original = generateYearText('1977', { records: 1500, seed: 5 });
  let noaa: FakeNoaa;

  before(async () => {
    const files = new Map<string, Buffer>([[newest, gzipText(bulkTextFromYearText(original, '1977'))]]);
    // Older versions hold other records: importing one of them would show.
    for (const name of older) files.set(name, gzipText(bulkTextFromYearText(generateYearText('1977', { records: 10, seed: 9 }), '1977')));
    noaa = await startFakeNoaa(apacheListing([older[0]!, newest, older[1]!, unserved, bulkName('1976', '20250401')]), files);
  });
  after(() => noaa?.close());

  test('downloads the newest version of the year and imports it byte for byte', async (t) => {
    const data = path.join(tempDir(t, 'stormdht-data-io-'), 'data');
    noaa.requests.length = 0;
    const run = ok(await runCli(['data', 'fetch', '1977', '--base-url', noaa.baseUrl, '--data-dir', data]));
    assert.deepEqual(noaa.requests, ['/csvfiles/', `/csvfiles/${newest}`]);
    assert.equal(run.stdout, `newest 1977 file in the listing: ${newest}\ndownloading ${noaa.baseUrl}${newest}\nimported 1500 records of 1977 into ${path.join(data, 'details-1977.csv')}\nl = 1500, s = 3001\n`);
    assert.equal(readFileSync(path.join(data, 'details-1977.csv'), 'latin1'), original);
    assert.deepEqual(readdirSync(data), ['details-1977.csv']);
    // A second fetch must not replace what is now real data, and says so before downloading.
    noaa.requests.length = 0;
    const again = await runCli(['data', 'fetch', '1977', '--base-url', noaa.baseUrl.replace(/\/$/, ''), '--data-dir', data]);
    assert.equal(again.code, 1, showRun(again));
    assert.match(again.stderr, /details-1977\.csv exists and is not marked synthetic; use --force to replace it/);
    assert.deepEqual(noaa.requests, ['/csvfiles/'], 'the listing only: no download');
  });

  test('a year not listed, a listed file the server lacks, a wrong base URL, no server: clear errors, no files', async (t) => {
    const data = path.join(tempDir(t, 'stormdht-data-io-'), 'data');
    const fetching = (year: string, baseUrl: string) => runCli(['data', 'fetch', year, '--base-url', baseUrl, '--data-dir', data]);
    refused(await fetching('1950', noaa.baseUrl), new RegExp(`^stormdht data fetch: no details file for 1950 in ${noaa.baseUrl} \\(it lists 1976–1978\\)$`, 'm'), data);
    refused(await fetching('1978', noaa.baseUrl), new RegExp(`${noaa.baseUrl}${unserved}: HTTP 404 Not Found`), data);
    refused(await fetching('1977', `${noaa.baseUrl}missing/`), /csvfiles\/missing\/: HTTP 404 Not Found/, data);
    const empty = await startFakeNoaa(apacheListing(['StormEvents_fatalities-ftp_v1.0_d1977_c20250401.csv.gz']), new Map());
    refused(await fetching('1977', empty.baseUrl), /csvfiles\/ lists no StormEvents details files; is the base URL right\?/, data);
    await empty.close();
    const closed = await startFakeNoaa('', new Map());
    await closed.close();
    refused(await fetching('1977', closed.baseUrl), /cannot download http:\/\/127\.0\.0\.1:\d+\/csvfiles\/: .*ECONNREFUSED/, data);
  });
});
