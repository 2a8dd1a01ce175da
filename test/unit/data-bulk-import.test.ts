// bulk-import.ts: a bulk file becomes details-YYYY.csv byte for byte; a bad input leaves nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BULK_COLUMNS } from '../../src/data/bulk-format.js';
import { importBulkFile, type ImportOptions } from '../../src/data/bulk-import.js';
import { DataError } from '../../src/data/data-error.js';
import { generateYearText, syntheticSidecarPath, writeSyntheticYear } from '../../src/data/synthetic.js';
import { bulkTextFromYearText, gzipText } from '../helpers/bulk-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

const BULK_1977 = 'StormEvents_details-ftp_v1.0_d1977_c20240101.csv';

/** Writes `content` as `name` in a fresh input dir; returns its path. */
function inputFile(t: { after: (fn: () => void) => void }, name: string, content: string | Buffer): string {
  const file = path.join(tempDir(t, 'stormdht-import-'), name);
  writeFileSync(file, content);
  return file;
}

/** Expects `importBulkFile` to fail with `code` and a message matching `pattern`, and the data dir to stay empty. */
async function refused(options: ImportOptions, code: DataError['code'], pattern: RegExp): Promise<void> {
  await assert.rejects(importBulkFile(options), (e: unknown) => {
    assert.ok(e instanceof DataError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  });
  assert.deepEqual(existsSync(options.dataDir) ? readdirSync(options.dataDir) : [], [], 'no output and no temporary file is left');
}

test('a synthetic year survives bulk format and import byte for byte, gzip or not, any column order', async (t) => {
  const original = generateYearText('1977', { records: 400, seed: 3 });
  const shuffled = [...BULK_COLUMNS.slice(30), ...BULK_COLUMNS.slice(0, 30)];
  for (const [name, content] of [
    [BULK_1977, bulkTextFromYearText(original, '1977')],
    [`${BULK_1977}.gz`, gzipText(bulkTextFromYearText(original, '1977', { eol: '\r\n' }))],
    ['renamed.csv', bulkTextFromYearText(original, '1977', { columns: shuffled })],
  ] as const) {
    const dataDir = tempDir(t, 'stormdht-import-');
    const result = await importBulkFile({ input: inputFile(t, name, content), dataDir });
    assert.deepEqual(result, { file: path.join(dataDir, 'details-1977.csv'), year: '1977', l: 400, s: 809, replaced: 'nothing' });
    assert.equal(readFileSync(result.file, 'latin1'), original, name);
    assert.deepEqual(readdirSync(dataDir), ['details-1977.csv'], 'only the output is left');
  }
});

test('--eol and --out choose the line separator and the output file', async (t) => {
  const original = generateYearText('1977', { records: 20, seed: 4 });
  const out = path.join(tempDir(t, 'stormdht-import-'), 'sub', 'mine.csv');
  const input = inputFile(t, BULK_1977, bulkTextFromYearText(original, '1977'));
  const result = await importBulkFile({ input, dataDir: '/nonexistent-not-used', out, eol: 'cr' });
  assert.equal(result.file, out);
  assert.equal(readFileSync(out, 'latin1'), original.replaceAll('\r\n', '\r'));
});

test('progress reports the bytes of the file read, ending at its size', async (t) => {
  const input = inputFile(t, `${BULK_1977}.gz`, gzipText(bulkTextFromYearText(generateYearText('1977', { records: 3000, seed: 5 }), '1977')));
  const calls: [number, number][] = [];
  await importBulkFile({ input, dataDir: tempDir(t, 'stormdht-import-'), onProgress: (done, total) => calls.push([done, total]) });
  const size = readFileSync(input).length;
  assert.ok(calls.length >= 1);
  assert.deepEqual(calls.at(-1), [size, size]);
  for (let i = 1; i < calls.length; i++) assert.ok(calls[i]![0] > calls[i - 1]![0], 'progress only grows');
});

test('inputs that are not bulk details files are refused and leave nothing behind', async (t) => {
  const good = bulkTextFromYearText(generateYearText('1977', { records: 30, seed: 6 }), '1977');
  const dataDir = path.join(tempDir(t, 'stormdht-import-'), 'data');
  // The physical line after `good`: its narratives hold line breaks, so not the record count + 2.
  const lastLine = good.split(/\r\n|\r|\n/).length;
  assert.ok(lastLine > 32);
  const cases: [string, string | Buffer, DataError['code'], RegExp][] = [
    ['missing.csv', good.replace('EVENT_ID,', 'EVENT_NUMBER,'), 'BAD_FORMAT', /not a NOAA Storm Events details file: its header \(line 1\) lacks EVENT_ID$/],
    ['page.csv', '<html>\n<body>404 Not Found</body>\n</html>\n', 'BAD_FORMAT', /lacks EVENT_ID, STATE/],
    ['noise.bin', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)), 'BAD_FORMAT', /not valid CSV|lacks EVENT_ID/],
    [`${BULK_1977}.gz`, good, 'BAD_FORMAT', /not gzip data, although its name ends in \.gz/],
    ['cut.csv.gz', gzipText(good).subarray(0, 400), 'READ', /corrupt gzip data/],
    ['header.csv', `${BULK_COLUMNS.join(',')}\n`, 'BAD_FORMAT', /no records \(only a header\)/],
    ['empty.csv', '', 'BAD_FORMAT', /the file is empty/],
    ['StormEvents_details-ftp_v1.0_d1978_c20240101.csv', good, 'BAD_FORMAT', /its name says 1978 but its records are of 1977/],
    ['short.csv', `${good}1,2,3\n`, 'BAD_FORMAT', new RegExp(`line ${lastLine}: 3 fields where the header names 51`)],
    ['open.csv', `${good}"never closed,1\n`, 'BAD_FORMAT', new RegExp(`not valid CSV: line ${lastLine}: a quoted field is never closed`)],
  ];
  for (const [name, content, code, pattern] of cases) await refused({ input: inputFile(t, name, content), dataDir }, code, pattern);
  await refused({ input: path.join(dataDir, 'absent.csv.gz'), dataDir }, 'READ', /cannot read .*absent\.csv\.gz: file not found/);
  await refused({ input: os.tmpdir(), dataDir }, 'READ', /it is a directory/);
});

test('real data is replaced only with force; a synthetic year is replaced and loses its label', async (t) => {
  const dataDir = tempDir(t, 'stormdht-import-');
  const original = generateYearText('1977', { records: 50, seed: 7 });
  const input = inputFile(t, BULK_1977, bulkTextFromYearText(original, '1977'));
  const target = path.join(dataDir, 'details-1977.csv');

  writeSyntheticYear(dataDir, '1977', { records: 10 });
  assert.ok(existsSync(syntheticSidecarPath(dataDir, '1977')));
  assert.equal((await importBulkFile({ input, dataDir })).replaced, 'synthetic');
  assert.equal(readFileSync(target, 'latin1'), original);
  assert.ok(!existsSync(syntheticSidecarPath(dataDir, '1977')), 'the synthetic label is gone');

  writeFileSync(target, 'real data');
  await assert.rejects(importBulkFile({ input, dataDir }), (e: unknown) => e instanceof DataError && e.code === 'EXISTS' && /use --force/.test(e.message));
  assert.equal(readFileSync(target, 'latin1'), 'real data');
  assert.deepEqual(readdirSync(dataDir), ['details-1977.csv'], 'no temporary file is left');
  assert.equal((await importBulkFile({ input, dataDir, force: true })).replaced, 'real');
  assert.equal(readFileSync(target, 'latin1'), original);
});

test('an AbortSignal stops the import at once or midway, and nothing is left behind', async (t) => {
  const input = inputFile(t, `${BULK_1977}.gz`, gzipText(bulkTextFromYearText(generateYearText('1977', { records: 3000, seed: 8 }), '1977')));
  const dataDir = tempDir(t, 'stormdht-import-');
  await refused({ input, dataDir, signal: AbortSignal.abort() }, 'ABORTED', /^interrupted; nothing was written$/);
  const controller = new AbortController();
  let calls = 0;
  const onProgress = () => {
    if (++calls === 1) controller.abort(); // after the first chunk: records are being written
  };
  await refused({ input, dataDir, signal: controller.signal, onProgress }, 'ABORTED', /^interrupted/);
  assert.ok(calls >= 1);
});
