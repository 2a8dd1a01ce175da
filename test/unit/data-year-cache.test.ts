// YearCache: a year is parsed once while its file is unchanged, and read afresh once it changes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { YearCache } from '../../src/data/year-cache.js';

const HEADER = 'EVENT_ID,STATE,YEAR,MONTH_NAME,EVENT_TYPE,CZ_TYPE,CZ_NAME,INJURIES_DIRECT,INJURIES_INDIRECT,DEATHS_DIRECT,DEATHS_INDIRECT,DAMAGE_PROPERTY,DAMAGE_CROPS,TOR_F_SCALE';
const row = (id: number) => `${id},TEXAS,1999,May,Hail,C,BROWN,0,0,0,0,,,`;

test('the same unchanged file gives the very same parse; a changed one is read again; errors are not cached', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stormdht-cache-'));
  try {
    const file = path.join(dir, 'details-1999.csv');
    const cache = new YearCache(dir);
    assert.equal(cache.load('1999').ok, false, 'missing file');
    writeFileSync(file, [HEADER, row(1), row(2)].join('\r\n'));
    const first = cache.load('1999');
    assert.ok(first.ok && first.data.l === 2);
    assert.equal(cache.load('1999'), first, 'unchanged: the cached result');
    writeFileSync(file, [HEADER, row(1), row(2), row(3)].join('\r\n'));
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    const second = cache.load('1999');
    assert.ok(second.ok && second.data.l === 3, 'changed: parsed again');
    writeFileSync(file, [HEADER, '12a,TEXAS'].join('\r\n'));
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    const bad = cache.load('1999');
    assert.ok(!bad.ok && /line 2/.test(bad.error), 'a broken file is refused, not served from the cache');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
