// noaa-listing.ts: the details files in NOAA's index page, and the newest version of a year.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeYears, newestForYear, parseListing } from '../../src/data/noaa-listing.js';
import { apacheListing } from '../helpers/noaa-server.js';

const d = (year: string, created: string) => `StormEvents_details-ftp_v1.0_d${year}_c${created}.csv.gz`;

const NAMES = [
  d('1950', '20170120'),
  d('1950', '20250401'), // the newest 1950
  d('1950', '20210803'),
  'StormEvents_fatalities-ftp_v1.0_d1950_c20250401.csv.gz',
  'StormEvents_locations-ftp_v1.0_d1950_c20250401.csv.gz',
  d('1951', '20210803'),
  'StormEvents_details-ftp_v1.0_d1952_c20210803.csv', // not gzip: not what fetch downloads
  d('2024', '20250115'),
];

test('the listing yields each gzip details file once, with its year and version', () => {
  const files = parseListing(apacheListing(NAMES) + `<a href='${d('1951', '20210803')}'>again</a>`);
  assert.deepEqual(files.map((f) => f.name), [NAMES[0], NAMES[1], NAMES[2], NAMES[5], NAMES[7]]);
  assert.deepEqual(files[0], { name: NAMES[0], year: '1950', created: '20170120', gzip: true });
});

test('links with a path, a query or URL escapes are reduced to the file name', () => {
  const html = `<a href="/pub/csvfiles/${d('1990', '20220101')}">x</a> <a HREF = "${d('1991', '20220101')}?download=1">y</a> <a href="StormEvents_details-ftp_v1.0_d1992_c20220101%2Ecsv.gz">z</a>`;
  assert.deepEqual(parseListing(html).map((f) => f.year), ['1990', '1991', '1992']);
});

test('the newest cYYYYMMDD of the year is chosen, whatever its place in the page', () => {
  const files = parseListing(apacheListing(NAMES));
  assert.equal(newestForYear(files, '1950')?.name, d('1950', '20250401'));
  assert.equal(newestForYear(parseListing(apacheListing([...NAMES].reverse())), '1950')?.name, d('1950', '20250401'));
  assert.equal(newestForYear(files, '1951')?.created, '20210803');
  assert.equal(newestForYear(files, '1952'), null, 'only an uncompressed 1952 is listed');
  assert.equal(newestForYear(files, '1949'), null);
});

test('a page without details files parses to nothing; years are summarised for messages', () => {
  assert.deepEqual(parseListing('<html><body>Not Found</body></html>'), []);
  assert.equal(describeYears([]), 'none');
  assert.equal(describeYears(parseListing(apacheListing(NAMES))), '1950–2024');
  assert.equal(describeYears(parseListing(apacheListing([d('1977', '20200101')]))), '1977');
});
