// local-table.ts: buckets hold any number of records; the same event id replaces (SPEC D6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalTable } from '../../src/data/local-table.js';
import type { StormRecord } from '../../src/data/fields.js';

function rec(eventId: number, state = 'KANSAS'): StormRecord {
  return { eventId, fields: [String(eventId), state, '1950', 'May', 'Tornado', 'C', 'SEDGWICK', '0', '0', '0', '0', '25K', '0', 'F1'] };
}

test('an empty table holds nothing', () => {
  const t = new LocalTable();
  assert.equal(t.size, 0);
  assert.equal(t.find(0, 1), undefined);
  assert.deepEqual([...t.records()], []);
  assert.deepEqual(t.bucket(0), []);
});

test('several records with different ids share one position', () => {
  const t = new LocalTable();
  // 449 is s for 1950: 1, 450 and 899 all hash to position 1.
  for (const id of [1, 450, 899]) t.put(1, rec(id));
  t.put(2, rec(2));
  assert.equal(t.size, 4);
  assert.equal(t.bucket(1).length, 3);
  for (const id of [1, 450, 899]) assert.equal(t.find(1, id)?.eventId, id);
  assert.equal(t.find(1, 2), undefined, 'find compares event ids, not only the position');
  assert.equal(t.find(2, 2)?.eventId, 2);
  assert.deepEqual([...t.positions()].sort((a, b) => a - b), [1, 2]);
  assert.deepEqual([...t.records()].map((r) => r.eventId).sort((a, b) => a - b), [1, 2, 450, 899]);
});

test('a record with an id already in the bucket replaces the old one', () => {
  const t = new LocalTable();
  t.put(7, rec(7, 'KANSAS'));
  t.put(7, rec(456, 'TEXAS'));
  t.put(7, rec(7, 'OKLAHOMA'));
  assert.equal(t.size, 2);
  assert.equal(t.find(7, 7)?.fields[1], 'OKLAHOMA');
  assert.equal(t.find(7, 456)?.fields[1], 'TEXAS');
  t.put(7, rec(7, 'OKLAHOMA'));
  assert.equal(t.size, 2, 'storing the same record again is idempotent');
});

test('clear empties every bucket and resets the size', () => {
  const t = new LocalTable();
  for (let id = 0; id < 100; id++) t.put(id % 13, rec(id));
  assert.equal(t.size, 100);
  t.clear();
  assert.equal(t.size, 0);
  assert.equal(t.find(0, 0), undefined);
  assert.deepEqual([...t.records()], []);
  t.put(3, rec(3));
  assert.equal(t.size, 1);
});

test('put rejects a position that is not a non-negative integer', () => {
  const t = new LocalTable();
  assert.throws(() => t.put(-1, rec(1)), RangeError);
  assert.throws(() => t.put(1.5, rec(1)), RangeError);
  assert.equal(t.size, 0);
});
