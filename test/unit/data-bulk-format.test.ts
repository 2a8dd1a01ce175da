// bulk-format.ts: NOAA's bulk file names, the header check, and one bulk record → 14 fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BULK_COLUMNS, BulkRecordConverter, parseBulkFileName } from '../../src/data/bulk-format.js';
import { FIELD_NAMES } from '../../src/data/fields.js';

/** A bulk record (in `columns` order) whose 14 kept columns hold `fields` and the rest "x<col>". */
function bulkRow(columns: readonly string[], fields: readonly string[], line: number) {
  const byName = new Map(FIELD_NAMES.map((f, i) => [f.toUpperCase(), fields[i]!] as const));
  return { fields: columns.map((c) => byName.get(c) ?? `x${c}`), line };
}

function converter(columns: readonly string[] = BULK_COLUMNS): BulkRecordConverter {
  const made = BulkRecordConverter.fromHeader({ fields: [...columns], line: 1 });
  if (typeof made === 'string') assert.fail(made);
  return made;
}

const RECORD = ['10096222', 'OKLAHOMA', '1950', 'April', 'Tornado', 'C', 'WASHITA', '0', '0', '0', '0', '250K', '0', 'F3'];

test('bulk file names give the year and the version; other names give null', () => {
  assert.deepEqual(parseBulkFileName('StormEvents_details-ftp_v1.0_d1950_c20210803.csv.gz'), { year: '1950', created: '20210803', gzip: true });
  assert.deepEqual(parseBulkFileName('StormEvents_details-ftp_v1.0_d2024_c20250401.csv'), { year: '2024', created: '20250401', gzip: false });
  for (const name of ['StormEvents_fatalities-ftp_v1.0_d1950_c20210803.csv.gz', 'StormEvents_details-ftp_v1.0_d50_c20210803.csv', 'details-1950.csv', 'StormEvents_details-ftp_v1.0_d1950_c20210803.csv.gz.md5']) {
    assert.equal(parseBulkFileName(name), null, name);
  }
});

test('the 51 bulk columns are distinct and hold all 14 fields', () => {
  assert.equal(BULK_COLUMNS.length, 51);
  assert.equal(new Set(BULK_COLUMNS).size, 51);
  for (const f of FIELD_NAMES) assert.ok((BULK_COLUMNS as readonly string[]).includes(f.toUpperCase()), f);
});

test('the 14 fields are picked by header name, whatever the column order', () => {
  const reversed = [...BULK_COLUMNS].reverse();
  const rotated = [...BULK_COLUMNS.slice(20), ...BULK_COLUMNS.slice(0, 20)];
  for (const columns of [BULK_COLUMNS, reversed, rotated]) {
    const result = converter(columns).convert(bulkRow(columns, RECORD, 2));
    assert.deepEqual(result, { ok: true, fields: RECORD });
  }
});

test('a header is matched ignoring case, surrounding spaces and a byte-order mark', () => {
  const header = BULK_COLUMNS.map((c, i) => (i === 0 ? `\uFEFF${c.toLowerCase()}` : ` ${c.toLowerCase()} `));
  const made = BulkRecordConverter.fromHeader({ fields: header, line: 1 });
  assert.ok(made instanceof BulkRecordConverter);
  assert.deepEqual(made.convert(bulkRow(BULK_COLUMNS, RECORD, 2)), { ok: true, fields: RECORD });
});

test('a header without the 14 columns, or naming one twice, is refused with the names', () => {
  const without = BULK_COLUMNS.filter((c) => c !== 'EVENT_ID' && c !== 'TOR_F_SCALE');
  assert.equal(BulkRecordConverter.fromHeader({ fields: without, line: 1 }), 'not a NOAA Storm Events details file: its header (line 1) lacks EVENT_ID, TOR_F_SCALE');
  assert.match(String(BulkRecordConverter.fromHeader({ fields: ['<html><body>Not Found</body></html>'], line: 1 })), /lacks EVENT_ID, STATE, YEAR,/);
  assert.equal(BulkRecordConverter.fromHeader({ fields: [...BULK_COLUMNS, 'STATE'], line: 1 }), 'the header names STATE twice');
});

test('records the loader would refuse are refused, naming the line', () => {
  const c = converter();
  const row = (fields: readonly string[], line: number) => bulkRow(BULK_COLUMNS, fields, line);
  assert.deepEqual(c.convert({ fields: ['1', '2'], line: 2 }), { ok: false, error: 'line 2: 2 fields where the header names 51' });
  assert.deepEqual(c.convert(row(['12x', ...RECORD.slice(1)], 3)), { ok: false, error: 'line 3: event_id "12x" is not a decimal integer' });
  assert.ok(c.convert(row(RECORD, 4)).ok);
  assert.deepEqual(c.convert(row(RECORD, 5)), { ok: false, error: 'line 5: duplicate event_id 10096222' });
  const withComma = [...RECORD];
  withComma[0] = '7';
  withComma[6] = 'WASHITA, CADDO';
  assert.match(String((c.convert(row(withComma, 6)) as { error: string }).error), /^line 6 \(event_id 7\): cz_name holds a comma or line break/);
  const otherYear = [...RECORD];
  otherYear[0] = '8';
  otherYear[2] = '1951';
  assert.deepEqual(c.convert(row(otherYear, 7)), { ok: false, error: 'line 7 (event_id 8): YEAR 1951 in a file of 1950; a details file holds one year' });
  assert.equal(c.year, '1950');
  assert.equal(c.count, 1);
});

test('the first record must carry a four-digit YEAR', () => {
  const bad = [...RECORD];
  bad[2] = '50';
  assert.deepEqual(converter().convert(bulkRow(BULK_COLUMNS, bad, 2)), { ok: false, error: 'line 2 (event_id 10096222): YEAR "50" is not four digits' });
});
