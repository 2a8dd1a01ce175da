// The benchmark's pure helpers: median, percentiles, growth ratios, the table printer and the
// option parser. Nothing here is timed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVmHwmMB } from '../../bench/proc-status.js';
import { parseBenchArgs, parseOnly, SCENARIOS } from '../../bench/options.js';
import { formatNumber, formatSpread, markdownTable, Reporter, targetMet } from '../../bench/report.js';
import { ringAfterLeave } from '../../bench/setup-scenarios.js';
import { scaleBasePort } from '../../bench/scale-scenario.js';
import { storeTraffic } from '../../bench/modes-scenario.js';
import { max, mean, median, min, percentile, sorted, summarize, worstPerUnitGrowth } from '../../bench/stats.js';

test('median: odd and even counts, order does not matter, input untouched', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  const input = [5, 1, 4];
  median(input);
  assert.deepEqual(input, [5, 1, 4]);
  assert.ok(Number.isNaN(median([])));
});

test('percentile: linear interpolation between closest ranks; p50 is the median', () => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(xs, 0), 1);
  assert.equal(percentile(xs, 100), 10);
  assert.equal(percentile(xs, 50), median(xs));
  assert.ok(Math.abs(percentile(xs, 90) - 9.1) < 1e-12);
  assert.ok(Math.abs(percentile(xs, 99) - 9.91) < 1e-12);
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
  assert.ok(Math.abs(percentile(hundred, 99) - 99.01) < 1e-9);
  assert.equal(percentile([42], 99), 42);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile(xs, 101), RangeError);
  assert.throws(() => percentile(xs, -1), RangeError);
});

test('sorted, mean, min, max, summarize', () => {
  assert.deepEqual(sorted([10, 9, 100, 1]), [1, 9, 10, 100]); // numeric, not lexicographic
  assert.equal(mean([1, 2, 3, 6]), 3);
  assert.equal(min([3, -1, 2]), -1);
  assert.equal(max([3, -1, 2]), 3);
  assert.ok(Number.isNaN(mean([])) && Number.isNaN(min([])) && Number.isNaN(max([])));
  const s = summarize([1, 2, 3, 4, 5]);
  assert.equal(s.count, 5);
  assert.equal(s.median, 3);
  assert.equal(s.min, 1);
  assert.equal(s.max, 5);
  assert.equal(s.mean, 3);
});

test('worstPerUnitGrowth: 1 for linear growth, below 1 for sub-linear, above for super-linear', () => {
  assert.equal(worstPerUnitGrowth([{ size: 1, cost: 2 }, { size: 10, cost: 20 }, { size: 100, cost: 200 }]), 1);
  assert.ok(worstPerUnitGrowth([{ size: 100, cost: 1 }, { size: 1000, cost: 5 }]) < 1);
  assert.equal(worstPerUnitGrowth([{ size: 10, cost: 1 }, { size: 20, cost: 4 }]), 2);
  assert.ok(Number.isNaN(worstPerUnitGrowth([{ size: 10, cost: 1 }])));
  assert.ok(Number.isNaN(worstPerUnitGrowth([{ size: 10, cost: 1 }, { size: 20, cost: Number.NaN }])));
});

test('formatNumber, formatSpread, targetMet', () => {
  assert.equal(formatNumber(0.41234), '0.412');
  assert.equal(formatNumber(12.345), '12.35');
  assert.equal(formatNumber(312.44), '312.4');
  assert.equal(formatNumber(48561.2), '48561');
  assert.equal(formatNumber(Number.NaN), '—');
  assert.equal(formatSpread([0.3, 0.1, 0.2]), '0.100–0.300');
  assert.equal(formatSpread([1]), '(1 run)');
  assert.equal(targetMet({ value: 0.25, target: { op: '<=', value: 0.3 }, status: 'ok' }), 'yes');
  assert.equal(targetMet({ value: 0.35, target: { op: '<=', value: 0.3 }, status: 'ok' }), 'no');
  assert.equal(targetMet({ value: 6000, target: { op: '>=', value: 5000 }, status: 'ok' }), 'yes');
  assert.equal(targetMet({ value: 0.1, status: 'ok' }), '');
  assert.equal(targetMet({ value: Number.NaN, target: { op: '<=', value: 1 }, status: 'failed' }), 'n/a');
});

test('Reporter: name value unit lines as it goes, one markdown table at the end', () => {
  const out: string[] = [];
  const r = new Reporter((l) => out.push(l));
  r.runs('setup-1996-n5', 's', [0.5, 0.2, 0.3], { op: '<=', value: 0.3 });
  r.latency('query-latency-1996-n5', 'ms', [0.4, 0.6, 0.5], [1, 2, 3], { op: '<=', value: 0.5 });
  r.failed('setup-1996-n1000-in-process', 's', 'the DHT was | reset');
  r.skipped('growth-setup-1950-n5', 's', 'details-1950.csv absent');
  assert.deepEqual(out.slice(0, 2), ['setup-1996-n5 0.300 s', 'query-latency-1996-n5 0.500 ms']);
  const table = r.render().split('\n');
  assert.equal(table[0], '| scenario | median | p99/min–max | unit | target | met? |');
  assert.equal(table[1], '| --- | --- | --- | --- | --- | --- |');
  assert.equal(table[2], '| setup-1996-n5 | 0.300 | 0.200–0.500 (3 runs) | s | ≤ 0.3 s | yes |');
  assert.equal(table[3], '| query-latency-1996-n5 | 0.500 | p99 2.000 (3 runs) | ms | ≤ 0.5 ms | yes |');
  assert.equal(table[4], '| setup-1996-n1000-in-process | FAILED | the DHT was \\| reset | s |  |  |');
  assert.equal(table[5], '| growth-setup-1950-n5 | skipped | details-1950.csv absent | s |  |  |');
  assert.equal(markdownTable(['a'], [['x']]), '| a |\n| --- |\n| x |');
});

test('parseBenchArgs: defaults, --quick, --runs, --only with aliases, errors', () => {
  const d = parseBenchArgs([])!;
  assert.equal(d.runs, 5);
  assert.equal(d.heavyRuns, 5);
  assert.equal(d.queries, 2000);
  assert.deepEqual([...d.only], [...SCENARIOS], 'every scenario, in order');
  const q = parseBenchArgs(['--quick'])!;
  assert.equal(q.runs, 2);
  assert.equal(q.heavyRuns, 1);
  assert.equal(q.heavyWarmup, 0);
  const qr = parseBenchArgs(['--quick', '--runs', '5', '--only', 'setup,query'])!;
  assert.equal(qr.runs, 5);
  assert.equal(qr.heavyRuns, 5);
  assert.deepEqual([...qr.only], ['setup', 'query']);
  assert.deepEqual([...parseOnly('leave,throughput,routing')], ['rebuild', 'query', 'modes']);
  assert.equal(parseBenchArgs(['--help']), null);
  assert.throws(() => parseBenchArgs(['--runs', '0']), /--runs/);
  assert.throws(() => parseBenchArgs(['--only', 'nope']), /unknown scenario/);
  assert.throws(() => parseBenchArgs(['--bogus']));
});

test('parseVmHwmMB reads the peak from a /proc status text', () => {
  assert.equal(parseVmHwmMB('Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t   78125 kB\nVmRSS:\t 1 kB\n'), 80);
  assert.equal(parseVmHwmMB('Name:\tnode\n'), null);
});

test('ringAfterLeave renumbers from the leaver\'s right neighbour (SPEC §6.5)', () => {
  assert.deepEqual(ringAfterLeave(['a', 'b', 'c', 'd', 'e'], 'c'), ['d', 'e', 'a', 'b']);
  assert.deepEqual(ringAfterLeave(['a', 'b', 'c', 'd', 'e'], 'a'), ['b', 'c', 'd', 'e']);
  assert.throws(() => ringAfterLeave(['a', 'b', 'c'], 'z'));
});

test('storeTraffic sums the peers\' store-traffic notes', () => {
  const note = (text: string) => ({ type: 'event', event: 'note', level: 'info', text });
  const lines = new Map([
    ['peera', [note('store traffic: sent 10 store datagrams (120 records) to peerb; received 9 store-acks; retransmitted 1 store')]],
    ['peerb', [note('store traffic: received 10 store datagrams (120 records); sent 3 store-acks'), { type: 'event', event: 'trace', text: 'x' }]],
    ['peerc', [note('store traffic: received 7 store datagrams (80 records); sent 6 store-acks')]],
  ]);
  assert.deepEqual(storeTraffic(lines, 'peera'), { sent: 10, received: 17, retransmitted: 1 });
  // A forwarder's sends are hops of the same datagrams, not new ones.
  lines.get('peerb')!.push(note('store traffic: sent 7 store datagrams (80 records) to peerc'));
  assert.deepEqual(storeTraffic(lines, 'peera'), { sent: 10, received: 17, retransmitted: 1 });
});

test('scaleBasePort: above the ephemeral range when the block fits there, never below 50000', () => {
  assert.equal(scaleBasePort(2002, '32768\t60999\n'), 61000);
  assert.equal(scaleBasePort(2002, '32768 64000'), 50000);
  assert.equal(scaleBasePort(10, '1024 40000'), 50000);
  assert.equal(scaleBasePort(10, 'garbage'), 50000);
});
