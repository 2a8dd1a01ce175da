// The RFC 6298 estimator: the initial timeout before any sample, the smoothed timeout after, the
// clamps, a path borrowing another's estimate (scaled to its hops) until its own sample, and the
// backoff of an unmeasured path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RttEstimator } from '../../src/transport/rtt.js';
import { INITIAL_RETRY_TIMEOUT_MS, MAX_RETRY_TIMEOUT_MS, MIN_ADAPTIVE_TIMEOUT_MS } from '../../src/transport/timing.js';

test('before any sample the timeout is the initial one; after, SRTT + 4·RTTVAR within the clamps', () => {
  const rtt = new RttEstimator();
  assert.equal(rtt.smoothed, null);
  assert.equal(rtt.timeout(), INITIAL_RETRY_TIMEOUT_MS);
  rtt.sample(20);
  assert.equal(rtt.smoothed, 20);
  assert.equal(rtt.timeout(), 20 + 4 * 10);
  rtt.sample(20);
  assert.equal(rtt.timeout(), 20 + 4 * 7.5);
  const fast = new RttEstimator();
  fast.sample(1);
  assert.equal(fast.timeout(), MIN_ADAPTIVE_TIMEOUT_MS);
  const slow = new RttEstimator();
  slow.sample(5_000);
  assert.equal(slow.timeout(), MAX_RETRY_TIMEOUT_MS);
  rtt.sample(-1);
  rtt.sample(Number.NaN);
  assert.equal(rtt.smoothed, 20, 'nonsense samples are ignored');
});

test('a path borrows the general estimate, scaled to its legs, until its own sample', () => {
  const general = new RttEstimator();
  const far = new RttEstimator({ startFrom: general, hops: 9 });
  assert.equal(far.timeout(), INITIAL_RETRY_TIMEOUT_MS, 'nothing to borrow yet');
  general.sample(20); // base 60 ms for one hop and back: two legs
  assert.equal(new RttEstimator({ startFrom: general }).timeout(), 60);
  assert.equal(new RttEstimator({ startFrom: general, hops: 1 }).timeout(), 60);
  assert.equal(far.timeout(), 60 * 5, '9 hops out and one back: 10 legs, 5 round trips');
  far.sample(100);
  assert.equal(far.timeout(), 100 + 4 * 50, 'its own sample replaces the borrowed estimate');
});

test('an unmeasured path that backs off doubles its timeout at most once per timeout period; a measured one does not', () => {
  const general = new RttEstimator();
  general.sample(20);
  const path = new RttEstimator({ startFrom: general, backoff: true });
  path.backoff(1_000);
  assert.equal(path.timeout(), 120);
  path.backoff(1_050); // within the 120 ms period: the same timeout wave
  assert.equal(path.timeout(), 120);
  path.backoff(1_200);
  assert.equal(path.timeout(), 240);
  path.sample(30);
  assert.equal(path.timeout(), 30 + 4 * 15, 'a sample ends the backoff');
  path.backoff(5_000);
  assert.equal(path.timeout(), 90, 'a measured path follows its measurement');
  const plain = new RttEstimator({ startFrom: general });
  plain.backoff(1_000);
  assert.equal(plain.timeout(), 60, 'without backoff: true nothing changes');
});
