// data-search.ts: one search path for every command's data (issue 15): --data-dir alone when given,
// else $STORMDHT_DATA_DIR, ./data, ../shared/data/storm-events and the shared folder beside the
// package, the first that holds what the command needs; every place tried when none does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataPlaces, describeTried, holdsYearFiles, searchDataDir, type DataSearch } from '../../src/data/data-search.js';
import { tempDir } from '../helpers/temp-dir.js';

const CWD = '/home/ann/stormdht';

/** A search from CWD in which exactly the directories `holding` hold what is needed. */
function search(overrides: Partial<DataSearch>, holding: readonly string[]): DataSearch {
  return { option: undefined, env: undefined, cwd: CWD, holds: (dir) => holding.includes(dir), ...overrides };
}

test('the places, in order: $STORMDHT_DATA_DIR, ./data, ../shared/data/storm-events, then beside the package', () => {
  const places = dataPlaces({ option: undefined, env: 'years', cwd: CWD, packageRoot: '/opt/stormdht' });
  assert.deepEqual(places, [
    { dir: '/home/ann/stormdht/years', via: '$STORMDHT_DATA_DIR' },
    { dir: '/home/ann/stormdht/data', via: './data' },
    { dir: '/home/ann/shared/data/storm-events', via: '../shared/data/storm-events' },
    { dir: '/opt/shared/data/storm-events', via: 'beside the package' },
  ]);
});

test('--data-dir is the only place looked at, even when it holds nothing', () => {
  const s = search({ option: '../elsewhere', env: '/data/env' }, ['/data/env', '/home/ann/stormdht/data']);
  assert.deepEqual(searchDataDir(s), { found: false, tried: [{ dir: '/home/ann/elsewhere', via: '--data-dir' }] });
  assert.deepEqual(searchDataDir({ ...s, holds: () => true }), { found: true, dir: '/home/ann/elsewhere', via: '--data-dir' });
});

test('the first place that holds the data wins, whatever the later ones hold', () => {
  const shared = '/home/ann/shared/data/storm-events';
  const data = '/home/ann/stormdht/data';
  assert.deepEqual(searchDataDir(search({ env: '/data/env' }, ['/data/env', data, shared])), { found: true, dir: '/data/env', via: '$STORMDHT_DATA_DIR' });
  // $STORMDHT_DATA_DIR that holds nothing: the search goes on.
  assert.deepEqual(searchDataDir(search({ env: '/data/env' }, [data, shared])), { found: true, dir: data, via: './data' });
  // From the project root of a fresh clone: no ./data, the shared folder beside it.
  assert.deepEqual(searchDataDir(search({}, [shared])), { found: true, dir: shared, via: '../shared/data/storm-events' });
  // Run from another directory: the shared folder beside the installed package.
  assert.deepEqual(searchDataDir(search({ cwd: '/tmp/x', packageRoot: '/home/ann/stormdht' }, [shared])), {
    found: true,
    dir: shared,
    via: 'beside the package',
  });
});

test('an empty $STORMDHT_DATA_DIR is no place; a place named twice is tried once', () => {
  assert.deepEqual(
    dataPlaces({ option: undefined, env: '', cwd: CWD }).map((p) => p.via),
    ['./data', '../shared/data/storm-events'],
  );
  // $STORMDHT_DATA_DIR=data names ./data; from the project root the package's shared folder is ../shared.
  const places = dataPlaces({ option: undefined, env: 'data', cwd: CWD, packageRoot: CWD });
  assert.deepEqual(places.map((p) => p.via), ['$STORMDHT_DATA_DIR', '../shared/data/storm-events']);
});

test('nothing found: every place tried, in one line that names each', () => {
  const result = searchDataDir(search({ env: '/data/env', packageRoot: '/opt/stormdht' }, []));
  assert.equal(result.found, false);
  const line = describeTried(result.found ? [] : result.tried);
  assert.equal(
    line,
    'looked in /data/env ($STORMDHT_DATA_DIR), /home/ann/stormdht/data (./data), /home/ann/shared/data/storm-events (../shared/data/storm-events), /opt/shared/data/storm-events (beside the package)',
  );
  assert.ok(!line.includes('\n'));
});

test('holdsYearFiles: a details-YYYY.csv makes a data directory; other files, a missing or unreadable one do not', (t) => {
  const dir = tempDir(t, 'stormdht-search-');
  assert.equal(holdsYearFiles(dir), false, 'empty');
  writeFileSync(path.join(dir, 'details-96.csv'), '');
  writeFileSync(path.join(dir, 'notes.txt'), '');
  mkdirSync(path.join(dir, 'details-1950.csv.d'));
  assert.equal(holdsYearFiles(dir), false, 'no year file');
  writeFileSync(path.join(dir, 'details-1950.csv'), '');
  assert.equal(holdsYearFiles(dir), true);
  assert.equal(holdsYearFiles(path.join(dir, 'missing')), false);
  assert.equal(holdsYearFiles(path.join(dir, 'notes.txt')), false, 'a file, not a directory');
});
