// The latency scenario's pure helpers (bench/latency-scenario.ts, bench/latency-floor.ts,
// bench/proc-cpu.ts): reading CPU time from /proc/<pid>/stat text, the floor's messages, and the
// counting of retransmissions and extra find-results in peers' --json lines. Nothing here starts a
// process or is timed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLOOR_PORTS, floorMessages, medianRecord } from '../../bench/latency-floor.js';
import { addCounts, addStrays, COUNTS, countTotal, describeStrays, formatCounts, isFindResultReceived, lateAnswerType, LATENCY_ROWS, LATENCY_TARGETS, QueryNoise, retransmittedType, slowest, suppressedLateAnswers } from '../../bench/latency-scenario.js';
import { parseBenchArgs, parseOnly, SCENARIOS } from '../../bench/options.js';
import { cpuPerUnit, parseStatTicks, type CpuTimes } from '../../bench/proc-cpu.js';
import type { JsonLine } from '../../src/cli/processes.js';
import type { StormRecord } from '../../src/data/fields.js';
import { decode } from '../../src/wire/codec.js';

const STAT = '4242 (node) S 4200 4242 4200 0 -1 4194560 9125 0 0 0 1234 56 0 0 20 0 11 0 1974292 1000000000 20000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

test('parseStatTicks: utime and stime are fields 14 and 15', () => {
  assert.deepEqual(parseStatTicks(STAT), { utime: 1234, stime: 56 });
});

test('parseStatTicks: a command name with spaces and parentheses does not shift the fields', () => {
  assert.deepEqual(parseStatTicks(STAT.replace('(node)', '(my (odd) name)')), { utime: 1234, stime: 56 });
});

test('parseStatTicks: null for text that is not a stat line', () => {
  assert.equal(parseStatTicks(''), null);
  assert.equal(parseStatTicks('4242 (node) S 1 2'), null);
  assert.equal(parseStatTicks(STAT.replace(' 1234 ', ' x ')), null);
});

test('cpuPerUnit: per process and summed, user and system apart', () => {
  const t = (userMs: number, systemMs: number): CpuTimes => ({ userMs, systemMs });
  const before = new Map([
    ['manager', t(100, 10)],
    ['A', t(50, 0)],
  ]);
  const after = new Map([
    ['A', t(250, 100)],
    ['manager', t(300, 10)],
  ]);
  const share = cpuPerUnit(before, after, 100);
  assert.deepEqual([...share.byProcess.keys()], ['manager', 'A'], 'in the order of the first reading');
  assert.deepEqual(share.byProcess.get('manager'), t(2, 0));
  assert.deepEqual(share.byProcess.get('A'), t(2, 1));
  assert.equal(share.userMs, 4);
  assert.equal(share.systemMs, 1);
  assert.equal(share.totalMs, 5);
  assert.throws(() => cpuPerUnit(before, new Map([['manager', t(1, 1)]]), 1), /no second CPU reading of A/);
});

test('retransmittedType: the request type of a retransmitting note, null for other notes', () => {
  assert.equal(retransmittedType('retransmitting find-event to peerc (attempt 2)'), 'find-event');
  assert.equal(retransmittedType('retransmitting query-dht to manager (attempt 3)'), 'query-dht');
  assert.equal(retransmittedType('no response from peerc to find-event'), null);
  assert.equal(retransmittedType('retransmitting find-event to peerc'), null);
});

const note = (text: string): JsonLine => ({ type: 'event', event: 'note', level: 'info', text });
const trace = (from: string, to: string, text: string): JsonLine => ({ type: 'event', event: 'trace', from, to, text });

test("isFindResultReceived: only the receiver's trace of a find-result", () => {
  assert.ok(isFindResultReceived('peerf', trace('peerc', 'peerf', 'find-result eventId=5 found=true path=[1, 3]')));
  assert.ok(!isFindResultReceived('peerc', trace('peerc', 'peerf', 'find-result eventId=5 found=true path=[1, 3]')), 'the sender prints it too');
  assert.ok(!isFindResultReceived('peerf', trace('peerf', 'peerc', 'find-event eventId=5 querier=peerf path=[]')));
  assert.ok(!isFindResultReceived('peerf', note('find-result')));
});

test('lateAnswerType and suppressedLateAnswers: the notes of a build that notes stray answers', () => {
  assert.equal(lateAnswerType('ignored a late find-result from peerc: its request was answered already'), 'find-result');
  assert.equal(lateAnswerType('ignored a late reply from manager: its request was answered already'), 'reply');
  assert.equal(lateAnswerType('retransmitting find-event to peerc (attempt 2)'), null);
  assert.equal(suppressedLateAnswers('dropped 12 late answers more in 10 s (notes about them suppressed)'), 12);
  assert.equal(suppressedLateAnswers('dropped 3 repeated requests, 7 late answers more in 4 s (notes about them suppressed)'), 7);
  assert.equal(suppressedLateAnswers('dropped 3 repeated requests more in 4 s (notes about them suppressed)'), 0);
  assert.equal(suppressedLateAnswers('dropped 12 late answers'), 0);
});

test('QueryNoise: retransmissions by type, stray answers traced or noted at the queriers only, reset', () => {
  const noise = new QueryNoise();
  noise.observe('peerf', note('retransmitting find-event to peerc (attempt 2)'));
  noise.observe('peerg', note('retransmitting find-event to peera (attempt 2)'));
  noise.observe('peerf', note('retransmitting query-dht to manager (attempt 2)'));
  noise.observe('peerf', note('the manager reset the DHT'));
  for (let i = 0; i < 3; i++) noise.observe('peerf', trace('peerc', 'peerf', `find-result eventId=${i} found=true path=[1]`));
  noise.observe('peerg', trace('peera', 'peerg', 'find-result eventId=9 found=false path=[0]'));
  noise.observe('peerc', trace('peerc', 'peerf', 'find-result eventId=1 found=true path=[1]'));
  assert.deepEqual(noise.retransmitsByType(), new Map([['find-event', 2], ['query-dht', 1]]));
  assert.equal(noise.strays(new Map([['peerf', 2], ['peerg', 1]])).traced, 1);
  assert.equal(noise.strays(new Map([['peerf', 3], ['peerg', 1]])).traced, 0);
  assert.equal(noise.strays(new Map([['peerf', 5], ['peerg', 1]])).traced, 0, 'fewer find-results than queries is no stray');
  assert.equal(noise.strays(new Map()).traced, 4, 'a peer that asked nothing: every find-result is a stray');
  assert.equal(noise.findResultsReceived(), 4);
  noise.observe('peerf', note('ignored a late find-result from peerc: its request was answered already'));
  noise.observe('peerg', note('ignored a late reply from manager: its request was answered already'));
  noise.observe('peerg', note('dropped 5 late answers more in 10 s (notes about them suppressed)'));
  noise.observe('peera', note('ignored a late reply from manager: its request was answered already'));
  noise.observe('peera', note('dropped 40 late answers more in 10 s (notes about them suppressed)'));
  const s = noise.strays(new Map([['peerf', 3], ['peerg', 1]]));
  assert.deepEqual(s, { traced: 0, noted: new Map([['find-result', 1], ['reply', 1]]), summarised: 5, total: 7 });
  assert.equal(describeStrays(s), '7 (find-result traces beyond one per query 0; `ignored a late …` notes: find-result 1, reply 1; in the notes\' summaries 5)');
  assert.deepEqual(addStrays([s, s]), { traced: 0, noted: new Map([['find-result', 2], ['reply', 2]]), summarised: 10, total: 14 });
  noise.reset();
  assert.equal(noise.retransmitsByType().size, 0);
  assert.equal(noise.strays(new Map()).total, 0);
});

test('formatCounts, addCounts, countTotal', () => {
  assert.equal(formatCounts(new Map()), 'none');
  assert.equal(formatCounts(new Map([['query-dht', 1], ['find-event', 3], ['count', 0]])), 'find-event 3, query-dht 1');
  const sum = addCounts([new Map([['find-event', 1]]), new Map([['find-event', 2], ['query-dht', 4]])]);
  assert.deepEqual(sum, new Map([['find-event', 3], ['query-dht', 4]]));
  assert.equal(countTotal(sum), 7);
});

test('slowest: the slowest samples with their place in the order, ties by place', () => {
  assert.equal(slowest([1, 100.2, 3, 3, 0.5], 3), '#2 100.2 ms, #3 3.000 ms, #4 3.000 ms');
  assert.equal(slowest([], 3), '');
});

const FIELDS = ['5538512', 'TEXAS', '1996', 'May', 'Hail', 'C', 'TARRANT', '0', '0', '0', '0', '10K', '0', ''];
const RECORD: StormRecord = { eventId: 5538512, fields: FIELDS };

test("floorMessages: stormdht's own messages, each decoding as the type it stands for", () => {
  const m = floorMessages(RECORD, '1996');
  const types = [m.query, m.reply, m.find, m.result].map((b) => {
    const d = decode(b);
    assert.ok(d.ok, d.ok ? '' : d.reason);
    return d.msg;
  });
  assert.deepEqual(types.map((t) => t.type), ['query-dht', 'reply', 'find-event', 'find-result']);
  const [, reply, find, result] = types;
  assert.ok(reply!.type === 'reply' && reply.node !== undefined && reply.year === '1996');
  assert.ok(find!.type === 'find-event' && find.eventId === RECORD.eventId && find.querier.name === 'peerf');
  assert.ok(result!.type === 'find-result' && result.found && result.fields?.length === 14);
  const line = JSON.parse(m.line) as Record<string, unknown>;
  assert.ok(m.line.endsWith('\n') && !m.line.slice(0, -1).includes('\n'), 'one line');
  assert.equal(line.type, 'result');
  assert.equal(line.command, 'query-dht');
  assert.equal((line.record as Record<string, string>).state, 'TEXAS');
  assert.equal(m.typed, `query-dht peerf ${RECORD.eventId}`);
});

test('medianRecord: the record of median field length; throws on none', () => {
  const rec = (id: number, width: number): StormRecord => ({ eventId: id, fields: [String(id), 'x'.repeat(width), ...FIELDS.slice(2)] });
  assert.equal(medianRecord([rec(1, 50), rec(2, 1), rec(3, 10)]).eventId, 3);
  assert.equal(medianRecord([rec(1, 1)]).eventId, 1);
  assert.throws(() => medianRecord([]), /no records/);
});

test("the floor's ports stay in 54000-54999, 5 per path, away from the clusters' 45000-49999", () => {
  assert.equal(FLOOR_PORTS.lo, 54_000);
  assert.equal(FLOOR_PORTS.hi, 54_999);
  assert.equal(FLOOR_PORTS.size, 5);
});

test('latency is a scenario of its own, in the default set; throughput still picks query', () => {
  assert.ok((SCENARIOS as readonly string[]).includes('latency'));
  assert.deepEqual([...parseOnly('latency')], ['latency']);
  assert.deepEqual([...parseOnly('latency-floor,cpu-per-query')], ['latency']);
  assert.deepEqual([...parseOnly('throughput')], ['query']);
  assert.ok(parseBenchArgs([])!.only.has('latency'));
});

test("the issue's numbers and targets", () => {
  assert.deepEqual(COUNTS, { cold: 50, untimed: 1000, warm: 1000 });
  assert.deepEqual(LATENCY_TARGETS.warmRatio, { op: '<=', value: 1.3 });
  assert.deepEqual(LATENCY_TARGETS.coldRatio, { op: '<=', value: 1.6 });
  assert.deepEqual(LATENCY_TARGETS.cpuPerQueryMs, { op: '<=', value: 0.3 });
  assert.deepEqual(LATENCY_TARGETS.queriesPerSecond, { op: '>=', value: 6000 });
  const names = Object.values(LATENCY_ROWS);
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.match(n, /^latency-[a-z0-9-]+$/);
});
