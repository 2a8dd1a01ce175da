// virtual-clock.ts: time moves only on advance; timers fire in due order (ties in the order set),
// including timers set while advancing; cancel, pendingTimers, runUntilIdle and advanceSettled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/transport/virtual-clock.js';

test('time starts where asked and moves only on advance', () => {
  const clock = new VirtualClock();
  assert.equal(clock.now(), 0);
  assert.equal(clock.advance(250), 0);
  assert.equal(clock.now(), 250);
  assert.equal(new VirtualClock(1_000).now(), 1_000);
});

test('timers fire in due order, ties in the order set, each seeing its own due time', () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  const at = (ms: number, name: string) => clock.setTimer(ms, () => log.push(`${name}@${clock.now()}`));
  at(300, 'c');
  at(100, 'a');
  at(200, 'b1');
  at(200, 'b2');
  at(0, 'zero');
  assert.equal(clock.pendingTimers, 5);
  assert.deepEqual(log, [], 'setTimer never fires synchronously, not even at 0 ms');
  assert.equal(clock.advance(200), 4);
  assert.deepEqual(log, ['zero@0', 'a@100', 'b1@200', 'b2@200']);
  assert.equal(clock.now(), 200);
  assert.equal(clock.pendingTimers, 1);
  clock.advance(99);
  assert.equal(log.length, 4, 'not due before 300');
  clock.advance(1);
  assert.deepEqual(log.at(-1), 'c@300');
  assert.equal(clock.pendingTimers, 0);
});

test('a timer set while advancing fires in the same advance when it falls inside the window', () => {
  const clock = new VirtualClock();
  const fired: number[] = [];
  // A doubling retry: 500, then 1000 later, then 2000 later...
  const arm = (ms: number) =>
    clock.setTimer(ms, () => {
      fired.push(clock.now());
      arm(ms * 2);
    });
  arm(500);
  clock.advance(3_500);
  assert.deepEqual(fired, [500, 1_500, 3_500]);
  assert.equal(clock.pendingTimers, 1, 'the next one, due at 7500, waits');
  const zero: number[] = [];
  clock.setTimer(0, () => clock.setTimer(0, () => zero.push(clock.now())));
  clock.advance(0);
  assert.deepEqual(zero, [3_500], 'a 0 ms timer set during advance(0) still fires in it');
});

test('cancel stops a timer, is safe twice and after firing', () => {
  const clock = new VirtualClock();
  let fired = 0;
  const t = clock.setTimer(10, () => fired++);
  const u = clock.setTimer(20, () => fired++);
  t.cancel();
  t.cancel();
  assert.equal(clock.pendingTimers, 1);
  clock.advance(100);
  assert.equal(fired, 1);
  u.cancel();
  assert.equal(clock.pendingTimers, 0);
});

test('a timer can cancel a later one that is due in the same advance', () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  let later = { cancel: () => {} };
  clock.setTimer(10, () => {
    log.push('first');
    later.cancel();
  });
  later = clock.setTimer(20, () => log.push('later'));
  clock.advance(50);
  assert.deepEqual(log, ['first']);
});

test('many timers cancelled early are dropped without disturbing the order of the rest', () => {
  const clock = new VirtualClock();
  const fired: number[] = [];
  const timers = Array.from({ length: 500 }, (_, i) => clock.setTimer(1_000 - i, () => fired.push(1_000 - i)));
  timers.forEach((t, i) => i % 5 !== 0 && t.cancel());
  assert.equal(clock.pendingTimers, 100);
  clock.advance(1_000);
  assert.equal(fired.length, 100);
  assert.deepEqual(fired, [...fired].sort((a, b) => a - b));
});

test('runUntilIdle fires everything, but never past its limit', () => {
  const clock = new VirtualClock();
  const fired: number[] = [];
  clock.setTimer(100, () => fired.push(clock.now()));
  clock.setTimer(5_000, () => fired.push(clock.now()));
  assert.equal(clock.runUntilIdle(60_000), 2);
  assert.equal(clock.now(), 5_000, 'stops at the last timer fired');
  // A timer that re-arms forever is cut at the limit.
  const tick = (): void => void clock.setTimer(1_000, tick);
  tick();
  assert.equal(clock.runUntilIdle(10_500), 10);
  assert.equal(clock.now(), 15_500);
  assert.equal(clock.pendingTimers, 1);
});

test('advanceSettled lets async code react at the instant its timer fired', async () => {
  const clock = new VirtualClock();
  const seen: number[] = [];
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimer(ms, resolve));
  const worker = (async () => {
    for (let i = 0; i < 3; i++) {
      await sleep(100);
      seen.push(clock.now());
    }
  })();
  assert.equal(await clock.advanceSettled(1_000), 3);
  await worker;
  assert.deepEqual(seen, [100, 200, 300]);
  assert.equal(clock.now(), 1_000);
});

test('misuse throws at once', () => {
  const clock = new VirtualClock();
  assert.throws(() => clock.setTimer(-1, () => {}), RangeError);
  assert.throws(() => clock.setTimer(Number.NaN, () => {}), RangeError);
  assert.throws(() => clock.advance(Number.POSITIVE_INFINITY), RangeError);
  assert.throws(() => clock.runUntilIdle(-5), RangeError);
  assert.throws(() => new VirtualClock(Number.NaN), RangeError);
});
