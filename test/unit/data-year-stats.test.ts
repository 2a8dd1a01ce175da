// year-stats.ts: the figures `data inspect` prints, against SPEC §9 and §13, and `data list`'s scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadYear } from '../../src/data/csv.js';
import { slotCollisions, yearsInDir, yearStats } from '../../src/data/year-stats.js';
import { SHARED_DATA_DIR, skipUnlessYear } from '../helpers/shared-data.js';

test('slot collisions count shared slots, their records and the longest chain', () => {
  // s = 7: 1, 8 and 15 share slot 1; 2 and 9 share slot 2; 3 is alone.
  assert.deepEqual(slotCollisions([1, 8, 15, 2, 9, 3], 7), { sharedSlots: 2, recordsInSharedSlots: 5, longestChain: 3 });
  assert.deepEqual(slotCollisions([1, 2, 3], 7), { sharedSlots: 0, recordsInSharedSlots: 0, longestChain: 1 });
  assert.deepEqual(slotCollisions([], 7), { sharedSlots: 0, recordsInSharedSlots: 0, longestChain: 0 });
});

test('1950 and 1951: SPEC §13 per-node counts and §9 collisions', { skip: skipUnlessYear('1950', '1951') }, () => {
  const load = (year: string) => {
    const r = loadYear(SHARED_DATA_DIR, year);
    if (!r.ok) assert.fail(r.error);
    return r.data;
  };
  const y1950 = load('1950');
  assert.deepEqual(yearStats(y1950, 3), { l: 223, s: 449, n: 3, perNode: [72, 75, 76], collisions: { sharedSlots: 39, recordsInSharedSlots: 89, longestChain: 5 } });
  assert.deepEqual(yearStats(y1950, 5).perNode, [41, 39, 45, 52, 46]);
  const y1951 = yearStats(load('1951'), 4);
  assert.deepEqual(y1951.perNode, [70, 68, 64, 67]);
  assert.deepEqual(y1951.collisions, { sharedSlots: 50, recordsInSharedSlots: 114, longestChain: 4 });
});

test('yearsInDir lists details-YYYY.csv files only, in year order', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stormdht-years-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const name of ['details-1996.csv', 'details-1950.csv', 'details-1950.synthetic.json', 'details-96.csv', 'details-1951.csv.gz', 'notes.txt']) {
    writeFileSync(path.join(dir, name), '');
  }
  mkdirSync(path.join(dir, 'details-2000.csv.d'));
  assert.deepEqual(yearsInDir(dir), ['1950', '1996']);
  assert.throws(() => yearsInDir(path.join(dir, 'absent')), /ENOENT/);
});
