// hasSyntheticIds (issue 15): a generated year copied without its sidecar is still told from a real
// one by its content, its event ids; every real file, and the variants in circulation, stay real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadYear, parseYearText } from '../../src/data/csv.js';
import { generateYearText, hasSyntheticIds } from '../../src/data/synthetic.js';
import { SHARED_DATA_DIR, SHARED_VARIANTS_DIR } from '../helpers/shared-data.js';

const REAL_YEARS = ['1950', '1951', '1952', '1990', '1991', '1992', '1996'];

test('every generated year passes, whatever its year, record count and seed', () => {
  for (const [year, records, seed] of [['1950', 223, 434], ['1996', 48561, 434], ['1996', 5, 7], ['1975', 3000, 1], ['1900', 10, 0], ['2040', 800, 4294967295]] as const) {
    const parsed = parseYearText(generateYearText(year, { records, seed }), `details-${year}.csv`, year);
    assert.ok(parsed.ok);
    assert.equal(hasSyntheticIds(parsed.data), true, `${year}, ${records} records, seed ${seed}`);
  }
});

test('ids outside the generator\'s window, or a year file edited to other ids, do not pass', () => {
  assert.equal(hasSyntheticIds({ year: '1996', ids: [5536849, 5539287] }), false, 'NOAA ids of 1996');
  assert.equal(hasSyntheticIds({ year: '1996', ids: [47_000_001, 5539287] }), false, 'one id outside is enough');
  assert.equal(hasSyntheticIds({ year: '1996', ids: [47_000_001, 47_009_999] }), true);
  assert.equal(hasSyntheticIds({ year: '1996', ids: [] }), false, 'no records');
  assert.equal(hasSyntheticIds({ year: '96', ids: [1_000_001] }), false, 'not a year');
});

test('the real files are real', { skip: REAL_YEARS.every((y) => existsSync(path.join(SHARED_DATA_DIR, `details-${y}.csv`))) ? false : `real data absent from ${SHARED_DATA_DIR}` }, () => {
  for (const year of REAL_YEARS) {
    const loaded = loadYear(SHARED_DATA_DIR, year);
    assert.ok(loaded.ok, year);
    assert.equal(hasSyntheticIds(loaded.data), false, year);
  }
});

test('the variants in circulation are real', { skip: existsSync(SHARED_VARIANTS_DIR) ? false : `no ${SHARED_VARIANTS_DIR}` }, () => {
  for (const year of ['1950', '1996']) {
    const loaded = loadYear(SHARED_VARIANTS_DIR, year);
    assert.ok(loaded.ok, year);
    assert.equal(hasSyntheticIds(loaded.data), false, year);
  }
});
