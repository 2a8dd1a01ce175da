// csv.ts: the reading rules and error messages of SPEC §8, on small hand-written files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadYear, parseYearText, yearFileName, yearFilePath, type LoadResult, type YearData } from '../../src/data/csv.js';

const UPPER =
  'EVENT_ID,STATE,YEAR,MONTH_NAME,EVENT_TYPE,CZ_TYPE,CZ_NAME,INJURIES_DIRECT,INJURIES_INDIRECT,DEATHS_DIRECT,DEATHS_INDIRECT,DAMAGE_PROPERTY,DAMAGE_CROPS,TOR_F_SCALE';
const LOWER = UPPER.toLowerCase();
const ROWS = [
  '10096222,OKLAHOMA,1950,April,Tornado,C,CADDO,0,0,0,0,250K,0,F3',
  '10120412,TEXAS,1950,April,Tornado,C,MCLENNAN,2,0,0,0,.25K,0,',
  '5539287,ARIZONA,1996,January,Dust Storm,Z,NORTHERN GREENLEE,17,0,0,0,,,',
];
const SRC = 'details-1950.csv';

/** Parse and insist on success, so each test reads as assertions on the data. */
function parseOk(text: string): YearData {
  const r = parseYearText(text, SRC, '1950');
  if (!r.ok) assert.fail(r.error);
  return r.data;
}

function parseError(text: string): string {
  const r: LoadResult = parseYearText(text, SRC, '1950');
  assert.equal(r.ok, false, 'expected the file to be refused');
  return r.ok ? '' : r.error;
}

test('every line-ending form, with and without a final terminator, gives the same records', () => {
  const expected = parseOk([UPPER, ...ROWS].join('\r\n')).records;
  for (const eol of ['\r', '\n', '\r\n']) {
    for (const tail of ['', eol]) {
      const data = parseOk([UPPER, ...ROWS].join(eol) + tail);
      assert.equal(data.l, 3, `eol ${JSON.stringify(eol)} tail ${JSON.stringify(tail)}`);
      assert.deepEqual(data.records, expected);
    }
  }
});

test('l counts data lines and s is the first prime above 2l', () => {
  const data = parseOk([UPPER, ...ROWS].join('\r'));
  assert.equal(data.year, '1950');
  assert.equal(data.path, SRC);
  assert.equal(data.l, 3);
  assert.equal(data.s, 7);
  assert.deepEqual(data.records.map((r) => r.eventId), [10096222, 10120412, 5539287]);
});

test('upper-case, lower-case and mixed-case headers are all accepted', () => {
  const mixed = 'Event_Id,State,Year,Month_Name,Event_Type,Cz_Type,Cz_Name,Injuries_Direct,Injuries_Indirect,Deaths_Direct,Deaths_Indirect,Damage_Property,Damage_Crops,Tor_F_Scale';
  for (const header of [UPPER, LOWER, mixed]) assert.equal(parseOk([header, ...ROWS].join('\n')).l, 3);
});

test('blank fields and a trailing comma are kept as empty strings', () => {
  const data = parseOk([UPPER, ...ROWS].join('\n'));
  const arizona = data.records[2]!.fields;
  assert.equal(arizona.length, 14);
  assert.deepEqual(arizona.slice(11), ['', '', '']);
  assert.equal(data.records[1]!.fields[13], '');
});

test('values are verbatim: no trimming, no number normalisation', () => {
  const row = '42,NEW YORK,1950,May,Tornado,C, ST. LAWRENCE ,007,0,0,0,.25K,2.50K,F1';
  const f = parseOk(`${UPPER}\n${row}`).records[0]!.fields;
  assert.equal(f[6], ' ST. LAWRENCE ');
  assert.equal(f[7], '007');
  assert.equal(f[11], '.25K');
  assert.equal(f[12], '2.50K');
  assert.deepEqual([...f], row.split(','));
});

test('empty lines are ignored but still counted in line numbers', () => {
  const data = parseOk(['', UPPER, '', ROWS[0], '', '', ROWS[1]].join('\n'));
  assert.equal(data.l, 2);
  const err = parseError(['', UPPER, '', ROWS[0], '', 'bad,line'].join('\n'));
  assert.equal(err, 'details-1950.csv line 6: expected 14 fields, found 2');
});

test('a line with too few or too many fields names its line', () => {
  assert.equal(parseError([UPPER, ROWS[0], ROWS[1]!.slice(0, -1)].join('\r\n')), 'details-1950.csv line 3: expected 14 fields, found 13');
  assert.equal(parseError([UPPER, `${ROWS[0]},`].join('\r')), 'details-1950.csv line 2: expected 14 fields, found 15');
});

test('a non-numeric, blank or over-long event id names its line', () => {
  const withId = (id: string) => [UPPER, ROWS[0], ROWS[1], `${id}${ROWS[2]!.slice(7)}`].join('\r\n');
  assert.equal(parseError(withId('12a')), 'details-1950.csv line 4: event_id "12a" is not a decimal integer');
  assert.equal(parseError(withId('-5')), 'details-1950.csv line 4: event_id "-5" is not a decimal integer');
  assert.equal(parseError(withId('')), 'details-1950.csv line 4: event_id is blank');
  assert.equal(parseError(withId('1234567890123456')), 'details-1950.csv line 4: event_id "1234567890123456" has more than 15 digits');
  assert.equal(parseOk(withId('123456789012345')).records[2]!.eventId, 123456789012345);
});

test('a duplicate event id names both lines', () => {
  const err = parseError([UPPER, ROWS[0], ROWS[1], ROWS[2], ROWS[1]].join('\n'));
  assert.equal(err, 'details-1950.csv line 5: duplicate event_id 10120412 (first on line 3)');
  // Leading zeros are the same id.
  assert.match(parseError([UPPER, ROWS[0], `0${ROWS[0]}`].join('\n')), /line 3: duplicate event_id 10096222 \(first on line 2\)/);
});

test('a wrong header is refused on its line', () => {
  const wrong = 'ID,STATE,YEAR,MONTH_NAME,EVENT_TYPE,CZ_TYPE,CZ_NAME,INJURIES_DIRECT,INJURIES_INDIRECT,DEATHS_DIRECT,DEATHS_INDIRECT,DAMAGE_PROPERTY,DAMAGE_CROPS,TOR_F_SCALE';
  assert.equal(parseError([wrong, ...ROWS].join('\n')), 'details-1950.csv line 1: header does not name the 14 storm-event fields');
  assert.equal(parseError(ROWS.join('\n')), 'details-1950.csv line 1: header does not name the 14 storm-event fields');
  assert.equal(parseError([UPPER.split(',').slice(0, 13).join(','), ...ROWS].join('\n')), 'details-1950.csv line 1: header does not name the 14 storm-event fields');
  assert.equal(parseError(['', '', `${UPPER},`, ...ROWS].join('\n')), 'details-1950.csv line 3: header does not name the 14 storm-event fields');
});

test('a file with no records is refused', () => {
  assert.equal(parseError(''), 'details-1950.csv: no records (the file is empty)');
  assert.equal(parseError('\r\n\r\n'), 'details-1950.csv: no records (the file is empty)');
  assert.equal(parseError(UPPER), 'details-1950.csv: no records (only a header)');
  assert.equal(parseError(`${UPPER}\r\n`), 'details-1950.csv: no records (only a header)');
});

test('a UTF-8 byte-order mark before the header is tolerated', () => {
  assert.equal(parseOk(`\uFEFF${UPPER}\n${ROWS[0]}`).l, 1);
});

test('a year that is not four decimal digits is refused', () => {
  for (const year of ['96', '19960', 'abcd', '']) {
    const r = parseYearText([UPPER, ...ROWS].join('\n'), SRC, year);
    assert.equal(r.ok, false);
    assert.equal(r.ok ? '' : r.error, `year "${year}" is not four decimal digits`);
    assert.equal(loadYear('.', year).ok, false);
  }
});

test('yearFileName and yearFilePath', () => {
  assert.equal(yearFileName('1996'), 'details-1996.csv');
  assert.equal(yearFilePath('data', '1996'), path.join('data', 'details-1996.csv'));
});

test('loadYear reads a file, reports its absolute path, and never throws', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stormdht-csv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'details-1950.csv'), [UPPER, ...ROWS].join('\r'));
  writeFileSync(path.join(dir, 'details-1951.csv'), [UPPER, ROWS[0], 'x'].join('\r'));
  mkdirSync(path.join(dir, 'details-1952.csv'));

  const ok = loadYear(dir, '1950');
  assert.equal(ok.ok, true);
  if (ok.ok) {
    assert.equal(ok.data.path, path.resolve(dir, 'details-1950.csv'));
    assert.equal(ok.data.l, 3);
  }
  const missing = loadYear(dir, '1997');
  assert.deepEqual(missing, { ok: false, error: `cannot read ${path.resolve(dir, 'details-1997.csv')}: file not found` });
  const bad = loadYear(dir, '1951');
  assert.deepEqual(bad, { ok: false, error: 'details-1951.csv line 3: expected 14 fields, found 1' });
  const directory = loadYear(dir, '1952');
  assert.deepEqual(directory, { ok: false, error: `cannot read ${path.resolve(dir, 'details-1952.csv')}: it is a directory` });
  assert.equal(loadYear(path.join(dir, 'no-such-dir'), '1950').ok, false);
});
