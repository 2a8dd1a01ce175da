// TimeOrder (issue 15): the lines of several processes in the order they happened, each held a
// while for the lines that happened before it to come through their pipes; a process's own lines
// never reordered; everything out at flush.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeOrder } from '../../src/cli/time-order.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';

const START = 1_700_000_000_000;

function setup(holdMs = 100) {
  const clock = new VirtualClock(START);
  const written: string[] = [];
  const order = new TimeOrder(clock, holdMs);
  const add = (source: string, at: number | undefined, text: string) => order.add(source, at, () => written.push(text));
  return { clock, written, order, add };
}

test('a line that came late through its pipe is printed in its place, once the hold is over', () => {
  const { clock, written, order, add } = setup();
  add('bob', START + 5, 'bob: forwarded');
  clock.advance(3);
  add('alice', START + 2, 'alice: sent'); // printed before bob's line, arrived after it
  assert.deepEqual(written, [], 'held');
  clock.advance(99);
  assert.deepEqual(written, ['alice: sent'], 'alice\'s hold is over, not yet bob\'s');
  clock.advance(3);
  assert.deepEqual(written, ['alice: sent', 'bob: forwarded']);
  assert.equal(order.waiting, 0);
});

test('lines come out when their own hold is over, not all at once', () => {
  const { clock, written, add } = setup();
  add('alice', START, 'first');
  clock.advance(50);
  add('bob', START + 50, 'second');
  clock.advance(50);
  assert.deepEqual(written, ['first']);
  clock.advance(50);
  assert.deepEqual(written, ['first', 'second']);
});

test('a process\'s own lines keep their order, whatever their stamps say; ties keep their arrival order', () => {
  const { clock, written, add } = setup();
  add('alice', START + 10, 'alice 1');
  add('alice', START + 4, 'alice 2: the clock stepped back'); // counts as START + 10
  add('bob', START + 10, 'bob: same millisecond');
  add('alice', undefined, 'alice 3: a result line, no stamp'); // now: START
  clock.advance(200);
  assert.deepEqual(written, ['alice 1', 'alice 2: the clock stepped back', 'bob: same millisecond', 'alice 3: a result line, no stamp']);
});

test('a line without a stamp counts as happening when it arrives: after what happened before it', () => {
  const { clock, written, add } = setup();
  clock.advance(20);
  add('cluster', undefined, 'stormdht> query-dht bob 1');
  add('bob', START + 21, 'bob → manager: query-dht bob');
  add('alice', START + 19, 'alice: the last line of the command before');
  clock.advance(200);
  assert.deepEqual(written, ['alice: the last line of the command before', 'stormdht> query-dht bob 1', 'bob → manager: query-dht bob']);
});

test('a line later than the hold comes out at once, after what was already printed', () => {
  const { clock, written, add } = setup();
  add('alice', START, 'alice');
  clock.advance(500);
  assert.deepEqual(written, ['alice']);
  add('bob', START + 1, 'bob, half a second late');
  assert.deepEqual(written, ['alice', 'bob, half a second late']);
});

test('flush prints every held line now, in order, and leaves no timer', () => {
  const { clock, written, order, add } = setup();
  add('bob', START + 3, 'b');
  add('alice', START + 1, 'a');
  order.flush();
  assert.deepEqual(written, ['a', 'b']);
  assert.equal(clock.pendingTimers, 0);
  clock.advance(1_000);
  assert.deepEqual(written, ['a', 'b'], 'nothing twice');
});

test('hold 0: every line as it comes, no timer', () => {
  const { clock, written, add } = setup(0);
  add('bob', START + 9, 'b');
  add('alice', START + 1, 'a');
  assert.deepEqual(written, ['b', 'a']);
  assert.equal(clock.pendingTimers, 0);
});
