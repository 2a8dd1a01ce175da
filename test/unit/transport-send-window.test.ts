// send-window.ts: never more than `limit` tasks in flight, waiters woken first come first served,
// and run() gives its slot back whether the task succeeds or throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendWindow } from '../../src/transport/send-window.js';
import { flush } from './transport-fixtures.js';

/** A promise with its resolver, to finish a task when the test says so. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('never more than limit in flight, and waiters start in FIFO order', async () => {
  const window = new SendWindow(3);
  const gates = Array.from({ length: 10 }, deferred);
  const started: number[] = [];
  let inFlight = 0;
  let most = 0;
  const runs = gates.map((gate, i) =>
    window.run(async () => {
      started.push(i);
      most = Math.max(most, ++inFlight);
      await gate.promise;
      inFlight--;
      return i;
    }),
  );
  await flush();
  assert.deepEqual(started, [0, 1, 2]);
  // Finish out of order: the freed slots still go to the waiters in arrival order.
  for (const i of [2, 0, 1, 4, 3, 5, 9, 8, 7, 6]) {
    gates[i]!.resolve();
    await flush();
  }
  assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(most, 3);
});

test('acquire and release by hand: a waiter inherits the released slot', async () => {
  const window = new SendWindow(1);
  await window.acquire();
  let second = false;
  const waiting = window.acquire().then(() => (second = true));
  await flush();
  assert.equal(second, false);
  window.release();
  await waiting;
  assert.equal(second, true);
  window.release();
  // The window is empty again: an acquire is granted at once.
  let third = false;
  void window.acquire().then(() => (third = true));
  await flush();
  assert.equal(third, true);
});

test('run() releases its slot when the task throws', async () => {
  const window = new SendWindow(1);
  await assert.rejects(
    window.run(() => Promise.reject(new Error('boom'))),
    /boom/,
  );
  await assert.rejects(
    window.run(() => {
      throw new Error('sync boom');
    }),
    /sync boom/,
  );
  assert.equal(await window.run(async () => 'free again'), 'free again');
});

test('the limit must be a positive integer', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new SendWindow(bad), RangeError);
  assert.equal(new SendWindow(32).limit, 32);
});
