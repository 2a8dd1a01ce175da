// synthetic.ts: deterministic, realistic, labelled synthetic years that the loader accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadYear, parseYearText, type YearData } from '../../src/data/csv.js';
import {
  defaultRecordCount,
  generateYearText,
  isSyntheticYear,
  syntheticLabel,
  syntheticSidecarPath,
  writeSyntheticYear,
} from '../../src/data/synthetic.js';

/** PROVENANCE.md: values use only ASCII letters, digits, space and & ' ( ) - . / */
const ALLOWED = /^[A-Za-z0-9 &'()\-./]*$/;

function parsed(text: string, year: string): YearData {
  const r = parseYearText(text, `details-${year}.csv`, year);
  if (!r.ok) assert.fail(r.error);
  return r.data;
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stormdht-synth-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('same year, seed and count give identical bytes; another seed or year differs', () => {
  const a = generateYearText('1996', { records: 2000, seed: 7 });
  assert.equal(generateYearText('1996', { records: 2000, seed: 7 }), a);
  assert.notEqual(generateYearText('1996', { records: 2000, seed: 8 }), a);
  assert.notEqual(generateYearText('1997', { records: 2000, seed: 7 }), a);
  assert.equal(generateYearText('1950'), generateYearText('1950', {}));
});

test('the text is an upper-case header then CRLF-separated records, no final terminator', () => {
  const text = generateYearText('1951', { records: 5, seed: 1 });
  const lines = text.split('\r\n');
  assert.equal(lines.length, 6);
  assert.equal(lines[0], 'EVENT_ID,STATE,YEAR,MONTH_NAME,EVENT_TYPE,CZ_TYPE,CZ_NAME,INJURIES_DIRECT,INJURIES_INDIRECT,DEATHS_DIRECT,DEATHS_INDIRECT,DAMAGE_PROPERTY,DAMAGE_CROPS,TOR_F_SCALE');
  assert.ok(!text.endsWith('\r\n'));
  assert.ok(!/\r(?!\n)|(?<!\r)\n/.test(text), 'only CRLF line breaks');
});

test('default counts follow the real sizes', () => {
  assert.equal(defaultRecordCount('1996'), 48561);
  for (const y of ['1950', '1951', '1952']) {
    const n = defaultRecordCount(y);
    assert.ok(n >= 220 && n <= 280, `${y}: ${n}`);
  }
  for (const y of ['1990', '1991', '1992']) {
    const n = defaultRecordCount(y);
    assert.ok(n >= 10_000 && n <= 14_000, `${y}: ${n}`);
  }
  for (const y of ['1900', '1975', '2005', '2040']) assert.ok(defaultRecordCount(y) > 0, y);
  assert.throws(() => defaultRecordCount('96'), RangeError);
});

test('generated years parse into the requested number of unique, realistic records', () => {
  for (const [year, records] of [['1950', 223], ['1975', 1500], ['1996', 5000]] as const) {
    const data = parsed(generateYearText(year, { records, seed: 42 }), year);
    assert.equal(data.l, records);
    const ids = data.records.map((r) => r.eventId);
    assert.equal(new Set(ids).size, records, 'ids are unique');
    assert.ok(ids.every((id) => id >= 1_000_000 && id <= 99_999_999), 'ids have 7–8 digits');
    assert.notDeepEqual(ids, [...ids].sort((a, b) => a - b), 'rows are not sorted');
    for (const { fields } of data.records) {
      assert.equal(fields[2], year);
      assert.ok(fields[5] === 'C' || fields[5] === 'Z', `cz_type ${fields[5]}`);
      assert.match(fields[3]!, /^(January|February|March|April|May|June|July|August|September|October|November|December)$/);
      for (const n of fields.slice(7, 11)) assert.match(n, /^[0-9]+$/);
      for (const d of fields.slice(11, 13)) assert.match(d, /^([0-9]*\.?[0-9]+[KM]|0|)$/);
      assert.match(fields[13]!, /^(F[0-5])?$/);
      if (fields[4] !== 'Tornado') assert.equal(fields[13], '', 'only tornadoes have a Fujita scale');
      for (const v of fields) assert.match(v, ALLOWED);
    }
  }
});

test('event types follow the era: tornadoes only before 1955, many types from 1996', () => {
  const types = (year: string) => new Set(parsed(generateYearText(year, { records: 3000, seed: 3 }), year).records.map((r) => r.fields[4]));
  assert.deepEqual(types('1952'), new Set(['Tornado']));
  assert.deepEqual(types('1980'), new Set(['Tornado', 'Hail', 'Thunderstorm Wind']));
  const modern = types('2001');
  assert.ok(modern.size > 15, `${modern.size} types`);
  for (const t of ['Hail', 'Winter Storm', 'Flash Flood']) assert.ok(modern.has(t), t);
});

test('writeSyntheticYear writes a loadable file and a sidecar that labels it', (t) => {
  const dir = path.join(tempDir(t), 'nested', 'data');
  const csvPath = writeSyntheticYear(dir, '1996', { records: 300, seed: 9 });
  assert.equal(csvPath, path.join(dir, 'details-1996.csv'));
  assert.equal(readFileSync(csvPath, 'utf8'), generateYearText('1996', { records: 300, seed: 9 }));
  assert.deepEqual(JSON.parse(readFileSync(syntheticSidecarPath(dir, '1996'), 'utf8')), {
    synthetic: true, generator: 'stormdht', year: '1996', records: 300, seed: 9,
  });
  assert.equal(isSyntheticYear(dir, '1996'), true);
  const loaded = loadYear(dir, '1996');
  assert.equal(loaded.ok && loaded.data.l, 300);
  // Rewriting a synthetic year is allowed.
  writeSyntheticYear(dir, '1996', { records: 10, seed: 9 });
  assert.equal(parsed(readFileSync(csvPath, 'utf8'), '1996').l, 10);
});

test('isSyntheticYear is false without a valid sidecar', (t) => {
  const dir = tempDir(t);
  assert.equal(isSyntheticYear(dir, '1950'), false, 'nothing there');
  writeFileSync(path.join(dir, 'details-1950.csv'), generateYearText('1950', { records: 3 }));
  assert.equal(isSyntheticYear(dir, '1950'), false, 'csv without sidecar');
  writeFileSync(syntheticSidecarPath(dir, '1950'), 'not json');
  assert.equal(isSyntheticYear(dir, '1950'), false, 'broken sidecar');
  writeFileSync(syntheticSidecarPath(dir, '1950'), '{"synthetic":true,"year":"1951"}');
  assert.equal(isSyntheticYear(dir, '1950'), false, 'sidecar for another year');
  writeFileSync(syntheticSidecarPath(dir, '1950'), '{"synthetic":true,"year":"1950"}');
  assert.equal(isSyntheticYear(dir, '1950'), true);
  assert.equal(isSyntheticYear(dir, '50'), false);
});

test('writeSyntheticYear refuses to overwrite a file not marked synthetic', (t) => {
  const dir = tempDir(t);
  const real = path.join(dir, 'details-1950.csv');
  writeFileSync(real, 'real data');
  assert.throws(() => writeSyntheticYear(dir, '1950', { records: 3 }), /refusing to overwrite/);
  assert.equal(readFileSync(real, 'utf8'), 'real data');
  assert.equal(existsSync(syntheticSidecarPath(dir, '1950')), false);
  // With overwrite the real file is replaced and the new one labelled.
  writeSyntheticYear(dir, '1950', { records: 3, seed: 9 }, true);
  assert.equal(readFileSync(real, 'utf8'), generateYearText('1950', { records: 3, seed: 9 }));
  assert.deepEqual(syntheticLabel(dir, '1950'), { synthetic: true, generator: 'stormdht', year: '1950', records: 3, seed: 9 });
});

test('bad options are refused at once', () => {
  assert.throws(() => generateYearText('96'), /four decimal digits/);
  assert.throws(() => generateYearText('1996', { records: 0 }), RangeError);
  assert.throws(() => generateYearText('1996', { records: 2.5 }), RangeError);
  assert.throws(() => generateYearText('1996', { seed: -1 }), RangeError);
  assert.throws(() => generateYearText('1996', { seed: 2 ** 32 }), RangeError);
});
