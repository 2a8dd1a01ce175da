// The real NOAA files against the figures SPEC.md states: l and s (§8, §9), the position
// collisions of §9, the demo records of §12 and every per-node count of §13. The §13 table is
// typed in below as the oracle. Each test skips visibly when its file is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED_DATA_DIR, SHARED_VARIANTS_DIR, skipUnlessYear } from '../helpers/shared-data.js';
import { loadYear, type YearData } from '../../src/data/csv.js';
import { recordToObject } from '../../src/data/fields.js';
import { countsPerNode, ownerOf, positionOf, tableSize } from '../../src/data/hashing.js';
import { LocalTable } from '../../src/data/local-table.js';

/** SPEC §13: year → l, s and, per ring size n, the records stored at node 0 … n−1. */
const ACCEPTANCE: Record<string, { l: number; s: number; counts: Record<number, number[]> }> = {
  '1950': { l: 223, s: 449, counts: {
    3: [72, 75, 76], 4: [56, 53, 57, 57], 5: [41, 39, 45, 52, 46], 6: [36, 35, 37, 36, 40, 39],
    7: [33, 34, 36, 35, 29, 28, 28], 10: [20, 18, 22, 25, 23, 21, 21, 23, 27, 23] } },
  '1951': { l: 269, s: 541, counts: {
    3: [90, 89, 90], 4: [70, 68, 64, 67], 5: [53, 49, 55, 57, 55], 6: [47, 47, 45, 43, 42, 45],
    7: [39, 42, 43, 37, 37, 36, 35], 10: [25, 24, 30, 31, 28, 28, 25, 25, 26, 27] } },
  '1952': { l: 272, s: 547, counts: {
    3: [87, 90, 95], 4: [68, 69, 70, 65], 5: [54, 56, 51, 52, 59], 6: [43, 45, 50, 44, 45, 45],
    7: [40, 40, 38, 36, 39, 40, 39], 10: [24, 26, 25, 26, 33, 30, 30, 26, 26, 26] } },
  '1996': { l: 48561, s: 97127, counts: {
    3: [16187, 16187, 16187], 4: [12169, 12144, 12128, 12120], 5: [9710, 9720, 9714, 9700, 9717],
    6: [8101, 8088, 8097, 8086, 8099, 8090], 7: [6938, 6940, 6932, 6940, 6929, 6940, 6942],
    10: [4864, 4862, 4857, 4840, 4858, 4846, 4858, 4857, 4860, 4859] } },
  '1990': { l: 10945, s: 21893, counts: {
    3: [3650, 3630, 3665], 4: [2744, 2736, 2732, 2733], 5: [2202, 2195, 2179, 2186, 2183],
    6: [1819, 1804, 1831, 1831, 1826, 1834], 7: [1562, 1568, 1563, 1560, 1569, 1557, 1566],
    10: [1102, 1100, 1094, 1092, 1091, 1100, 1095, 1085, 1094, 1092] } },
  '1991': { l: 12516, s: 25033, counts: {
    3: [4175, 4177, 4164], 4: [3134, 3131, 3120, 3131], 5: [2489, 2512, 2507, 2501, 2507],
    6: [2079, 2091, 2089, 2096, 2086, 2075], 7: [1776, 1790, 1793, 1792, 1788, 1790, 1787],
    10: [1251, 1257, 1247, 1246, 1246, 1238, 1255, 1260, 1255, 1261] } },
  '1992': { l: 13534, s: 27073, counts: {
    3: [4507, 4524, 4503], 4: [3388, 3379, 3389, 3378], 5: [2717, 2706, 2709, 2702, 2700],
    6: [2258, 2266, 2261, 2249, 2258, 2242], 7: [1937, 1942, 1925, 1930, 1935, 1931, 1934],
    10: [1365, 1350, 1350, 1342, 1346, 1352, 1356, 1359, 1360, 1354] } },
};

/** SPEC §9: positions holding more than one record, the records there, and the fullest bucket. */
const COLLISIONS: Record<string, { positions: number; records: number; max: number }> = {
  '1950': { positions: 39, records: 89, max: 5 },
  '1951': { positions: 50, records: 114, max: 4 },
  '1952': { positions: 49, records: 111, max: 4 },
  '1996': { positions: 0, records: 0, max: 1 },
};

const loaded = new Map<string, YearData>();

/** Each file is parsed once and shared by the tests that need it. */
function load(dir: string, year: string): YearData {
  const key = `${dir}|${year}`;
  let data = loaded.get(key);
  if (data === undefined) {
    const r = loadYear(dir, year);
    if (!r.ok) assert.fail(r.error);
    data = r.data;
    loaded.set(key, data);
  }
  return data;
}

/** One table holding every record of a year at its position, as a one-node ring would. */
function tableOf(data: YearData): LocalTable {
  const table = new LocalTable();
  for (const r of data.records) table.put(positionOf(r.eventId, data.s), r);
  return table;
}

for (const [year, oracle] of Object.entries(ACCEPTANCE)) {
  test(`${year}: l = ${oracle.l}, s = ${oracle.s}`, { skip: skipUnlessYear(year) }, () => {
    const data = load(SHARED_DATA_DIR, year);
    assert.equal(data.l, oracle.l);
    assert.equal(data.s, oracle.s);
    assert.equal(data.records.length, oracle.l);
  });

  test(`${year}: records per node match SPEC §13 for n = 3, 4, 5, 6, 7, 10`, { skip: skipUnlessYear(year) }, () => {
    const data = load(SHARED_DATA_DIR, year);
    const ids = data.records.map((r) => r.eventId);
    for (const [n, expected] of Object.entries(oracle.counts)) {
      assert.deepEqual(countsPerNode(ids, data.s, Number(n)), expected, `n = ${n}`);
      // The same split done the way the leader does it: each record into its owner's table.
      const tables = Array.from({ length: Number(n) }, () => new LocalTable());
      for (const r of data.records) {
        const pos = positionOf(r.eventId, data.s);
        tables[ownerOf(pos, Number(n))]!.put(pos, r);
      }
      assert.deepEqual(tables.map((t) => t.size), expected, `table sizes, n = ${n}`);
    }
  });
}

for (const [year, expected] of Object.entries(COLLISIONS)) {
  test(`${year}: position collisions as SPEC §9 states, none lost`, { skip: skipUnlessYear(year) }, () => {
    const data = load(SHARED_DATA_DIR, year);
    const table = tableOf(data);
    assert.equal(table.size, data.l);
    const shared = [...table.positions()].map((p) => table.bucket(p).length).filter((len) => len > 1);
    const max = Math.max(...[...table.positions()].map((p) => table.bucket(p).length));
    assert.deepEqual({ positions: shared.length, records: shared.reduce((a, b) => a + b, 0), max }, expected);
    for (const r of data.records) assert.deepEqual(table.find(positionOf(r.eventId, data.s), r.eventId), r);
  });
}

test('1990–1992: thousands of shared positions, none lost', { skip: skipUnlessYear('1990', '1991', '1992') }, () => {
  for (const year of ['1990', '1991', '1992']) {
    const data = load(SHARED_DATA_DIR, year);
    const table = tableOf(data);
    assert.equal(table.size, data.l, year);
    const shared = [...table.positions()].filter((p) => table.bucket(p).length > 1).length;
    assert.ok(shared >= 1000, `${year}: ${shared} shared positions`);
  }
});

test('1996: the demo ids of SPEC §12', { skip: skipUnlessYear('1996') }, () => {
  const data = load(SHARED_DATA_DIR, '1996');
  const table = tableOf(data);
  const lookup = (id: number) => table.find(positionOf(id, data.s), id);

  const shelby = lookup(5536849);
  assert.ok(shelby);
  assert.equal(
    JSON.stringify(recordToObject(shelby.fields)),
    '{"event_id":"5536849","state":"ALABAMA","year":"1996","month_name":"January","event_type":"Winter Storm","cz_type":"Z","cz_name":"SHELBY","injuries_direct":"0","injuries_indirect":"0","deaths_direct":"0","deaths_indirect":"0","damage_property":"10K","damage_crops":"1K","tor_f_scale":""}',
  );
  const greenlee = lookup(5539287);
  assert.ok(greenlee);
  assert.deepEqual(greenlee.fields, ['5539287', 'ARIZONA', '1996', 'January', 'Dust Storm', 'Z', 'NORTHERN GREENLEE', '17', '0', '0', '0', '', '', '']);
  assert.equal(lookup(2402920), undefined);
  assert.equal(lookup(55770111), undefined);
});

const hasVariant = (year: string): false | string =>
  existsSync(path.join(SHARED_VARIANTS_DIR, `details-${year}.csv`)) ? false : `variant details-${year}.csv absent`;

test('variant 1996 (lower-case header, CRLF with final newline) loads: l = 48,534', { skip: hasVariant('1996') }, () => {
  const data = load(SHARED_VARIANTS_DIR, '1996');
  assert.equal(data.l, 48534);
  assert.equal(data.s, tableSize(48534));
  assert.equal(data.s, 97073); // as the variants README states
  assert.ok(data.records.every((r) => r.fields[3] === 'Unknown' && r.fields[4] === 'Tornado'));
});

test('variant 1950 (lower-case header, LF, final newline) loads the same 223 events, lines verbatim', { skip: hasVariant('1950') || skipUnlessYear('1950') }, () => {
  const variant = load(SHARED_VARIANTS_DIR, '1950');
  assert.equal(variant.l, 223);
  assert.equal(variant.s, 449);
  const reference = load(SHARED_DATA_DIR, '1950');
  assert.deepEqual(variant.records.map((r) => r.eventId).sort(), reference.records.map((r) => r.eventId).sort());
  // Whatever the edition's values look like, each record rejoined is exactly its line.
  const lines = readFileSync(path.join(SHARED_VARIANTS_DIR, 'details-1950.csv'), 'utf8').split('\n').filter((x) => x !== '');
  assert.deepEqual(variant.records.map((r) => r.fields.join(',')), lines.slice(1));
});
