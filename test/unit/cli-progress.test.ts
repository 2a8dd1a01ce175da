// progress.ts: drawn on a terminal only, throttled on an injected clock, erased when done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, renderProgress, RENDER_INTERVAL_MS, type ProgressStream } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean, columns = 80): ProgressStream & { written: string[] } {
  const written: string[] = [];
  return { isTTY, columns, written, write: (text: string) => written.push(text) };
}

test('on a terminal: redraws at most every RENDER_INTERVAL_MS and erases the line when done', () => {
  const stream = fakeStream(true);
  let clock = 1000;
  const bar = createProgress({ label: 'importing', total: 200, stream, now: () => clock });
  bar.update(10);
  bar.update(20); // same instant: not drawn
  clock += RENDER_INTERVAL_MS - 1;
  bar.update(30); // too soon
  clock += 1;
  bar.update(100);
  assert.equal(stream.written.length, 2);
  assert.equal(stream.written[0], '\r\x1b[2Kimporting [#-----------------------------]   5%  10 / 200');
  assert.match(stream.written[1]!, /^\r\x1b\[2Kimporting \[#{15}-{15}\]  50%  100 \/ 200$/);
  bar.done();
  bar.done();
  clock += 1000;
  bar.update(200);
  assert.deepEqual(stream.written.slice(2), ['\r\x1b[2K'], 'erased once; nothing after done');
});

test('not a terminal, or disabled (--json): nothing is ever written', () => {
  for (const [stream, enabled] of [[fakeStream(false), true], [fakeStream(true), false]] as const) {
    let clock = 0;
    const bar = createProgress({ label: 'x', total: 10, stream, enabled, now: () => (clock += 1000) });
    for (let i = 0; i <= 10; i++) bar.update(i);
    bar.done();
    assert.deepEqual(stream.written, []);
  }
});

test('a bar that never drew erases nothing', () => {
  const stream = fakeStream(true);
  createProgress({ label: 'x', total: 10, stream }).done();
  assert.deepEqual(stream.written, []);
});

test('frames: bytes in kB/MB, other units by name, unknown totals, never wider than the terminal', () => {
  assert.equal(renderProgress('get', 1_234_567, 2_700_000, 'bytes'), 'get [#############-----------------]  45%  1.2 MB / 2.7 MB');
  assert.equal(renderProgress('get', 999, null, 'bytes'), 'get  999 B');
  assert.equal(renderProgress('get', 12_500, null, 'bytes'), 'get  12.5 kB');
  assert.equal(renderProgress('storing', 3, 4, 'records'), 'storing [######################--------]  75%  3 records / 4 records');
  assert.equal(renderProgress('x', 50, 0, undefined), 'x  50 / 0');
  assert.equal(renderProgress('x', 15, 10, undefined), 'x [##############################] 100%  15 / 10', 'clamped at 100%');
  const name = 'importing StormEvents_details-ftp_v1.0_d1996_c20250401.csv.gz';
  assert.equal(renderProgress(name, 1_234_567, 2_700_000, 'bytes'), 'importing StormEvents_details-ftp_v1.0_d199… [####------]  45%  1.2 MB / 2.7 MB');
  const narrow = renderProgress('a long label for a narrow terminal', 5, 10, 'bytes', 40);
  assert.equal(narrow, 'a long label for a na…  50%  5 B / 10 B', 'no room for a bar: none drawn');
  assert.ok(renderProgress(name, 5, 10, 'bytes', 10).length < 10);
});
