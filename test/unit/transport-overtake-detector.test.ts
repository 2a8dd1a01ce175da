// The fast-retransmit detector: a request is resent once FAST_RETRANSMIT_OVERTAKES requests sent
// after it on the same path have been answered, and a resent request can then only be overtaken
// by requests sent after the resend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OvertakeDetector } from '../../src/transport/overtake-detector.js';
import { FAST_RETRANSMIT_OVERTAKES } from '../../src/transport/timing.js';

test(`a request overtaken ${FAST_RETRANSMIT_OVERTAKES} times on its path is resent, once`, () => {
  const d = new OvertakeDetector();
  for (const rid of ['a', 'b', 'c', 'd', 'e']) d.sent(1, rid);
  assert.deepEqual(d.finished(1, 'b'), []);
  assert.deepEqual(d.finished(1, 'c'), []);
  assert.deepEqual(d.finished(1, 'd'), ['a']);
  // e was sent before a's resend: its answer does not count against the resent a.
  assert.deepEqual(d.finished(1, 'e'), []);
});

test('only requests sent after the resend count against it', () => {
  const d = new OvertakeDetector();
  for (const rid of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) d.sent(1, rid);
  for (const rid of ['b', 'c']) assert.deepEqual(d.finished(1, rid), []);
  assert.deepEqual(d.finished(1, 'd'), ['a']);
  for (const rid of ['e', 'f', 'g']) assert.deepEqual(d.finished(1, rid), [], `${rid} was sent before a was resent`);
  for (const rid of ['h', 'i', 'j']) d.sent(1, rid);
  assert.deepEqual(d.finished(1, 'h'), []);
  assert.deepEqual(d.finished(1, 'i'), []);
  assert.deepEqual(d.finished(1, 'j'), ['a'], 'lost again: resent again after three later answers');
  assert.deepEqual(d.finished(1, 'a'), []);
});

test('paths are independent, and unknown rids change nothing', () => {
  const d = new OvertakeDetector();
  d.sent(1, 'a');
  for (const rid of ['x', 'y', 'z']) d.sent(2, rid);
  for (const rid of ['x', 'y', 'z']) assert.deepEqual(d.finished(2, rid), []);
  assert.deepEqual(d.finished(1, 'nope'), []);
  assert.deepEqual(d.finished(3, 'a'), []);
  assert.deepEqual(d.finished(1, 'a'), []);
});
