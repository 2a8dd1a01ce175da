// rate-limit.ts and note-limiter.ts on a virtual clock: a token bucket per source, the socket
// decorator that drops a flooder's excess while other sources pass, and notes about dropped input
// that stop at a burst and end in one summary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NoteLimiter } from '../../src/transport/note-limiter.js';
import { RateLimitedSocket, TokenBuckets } from '../../src/transport/rate-limit.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';
import { CLIENT, OTHER, SERVER, virtualNet } from './transport-fixtures.js';

test('a token bucket gives its burst, then its rate, per key', () => {
  const clock = new VirtualClock();
  const buckets = new TokenBuckets(clock, { perSecond: 10, burst: 3 });
  assert.deepEqual([1, 2, 3, 4].map(() => buckets.take('a')), [true, true, true, false]);
  assert.equal(buckets.take('b'), true, 'another key has its own bucket');
  clock.advance(100); // one token back at 10 per second
  assert.deepEqual([buckets.take('a'), buckets.take('a')], [true, false]);
  clock.advance(10_000);
  assert.deepEqual([1, 2, 3, 4].map(() => buckets.take('a')), [true, true, true, false], 'refilled only up to the burst');
});

test('a token bucket map forgets its oldest key beyond its size', () => {
  const buckets = new TokenBuckets(new VirtualClock(), { perSecond: 1, burst: 1 }, 2);
  buckets.take('a');
  buckets.take('b');
  buckets.take('c');
  assert.equal(buckets.size, 2);
  assert.equal(buckets.take('a'), true, '"a" was forgotten, so it starts with a full bucket');
});

test('RateLimitedSocket drops a flooder beyond its bucket while another source and exempt ones pass', async () => {
  const { clock, net } = virtualNet();
  const dropped: string[] = [];
  const inner = await net.bind(SERVER.ip, SERVER.port);
  const limited = new RateLimitedSocket(inner, clock, { perSecond: 100, burst: 5 }, {
    exempt: (from) => from.port === 7777,
    onDrop: (from) => dropped.push(`${from.ip}:${from.port}`),
  });
  const got: string[] = [];
  limited.onDatagram((buf, from) => got.push(`${from.ip}:${from.port} ${buf.toString()}`));
  const flooder = await net.bind(CLIENT.ip, CLIENT.port);
  const other = await net.bind(OTHER.ip, OTHER.port);
  const friend = await net.bind(CLIENT.ip, 7777);
  for (let i = 0; i < 1000; i++) flooder.send(Buffer.from('junk'), SERVER);
  other.send(Buffer.from('hello'), SERVER);
  for (let i = 0; i < 50; i++) friend.send(Buffer.from('ring'), SERVER);
  clock.advance(1);
  assert.equal(got.filter((g) => g.endsWith('junk')).length, 5, 'the flooder gets its burst');
  assert.ok(got.includes(`${OTHER.ip}:${OTHER.port} hello`), 'another source is served');
  assert.equal(got.filter((g) => g.endsWith('ring')).length, 50, 'an exempt source is never limited');
  assert.equal(limited.stats.dropped, 995);
  assert.equal(dropped.length, 995);
});

test('notes about dropped input stop at the burst and end in one summary with the counts by kind', () => {
  const clock = new VirtualClock();
  const lines: string[] = [];
  const notes = new NoteLimiter(clock, (text) => lines.push(text), 3, 10_000);
  for (let i = 0; i < 100_000; i++) notes.note(i % 2 ? 'malformed datagrams' : 'forged commands', `note ${i}`);
  assert.deepEqual(lines, ['note 0', 'note 1', 'note 2']);
  assert.equal(clock.pendingTimers, 0, 'no timer');
  clock.advance(10_000);
  notes.note('malformed datagrams', 'later');
  assert.deepEqual(lines.slice(3), ['dropped 49999 malformed datagrams, 49998 forged commands more in 10 s (notes about them suppressed)', 'later']);
  notes.note('x', 'y');
  notes.note('x', 'z');
  notes.note('x', 'w');
  notes.flush();
  assert.deepEqual(lines.slice(5), ['y', 'z', 'dropped 1 x more in 0 s (notes about them suppressed)'], 'flush writes what is pending');
});
