// A completion that reports a failure (the `failed` key of dht-complete, dht-rebuilt and
// teardown-complete) and the await timeout both abandon the DHT: every member Free, no DHT, Idle,
// and every other peer that may hold ring state named for a dht-reset.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { giveUp } from '../../src/manager/give-up.js';
import type { Outcome } from '../../src/manager/handle.js';
import { initialState, type ManagerState } from '../../src/manager/state.js';
import type { ManagerRequest } from '../../src/wire/messages.js';
import { cmd, fails, FIRST, ok, registered, setup, SIX, statesOf, step, withDht } from './manager-fixtures.js';

const allFree = Object.fromEntries(SIX.map((name) => [name, 'Free']));

function failedReport(req: ManagerRequest, failed: string): ManagerRequest {
  return { ...req, failed } as ManagerRequest;
}

/** The report succeeds, leaves no DHT and every peer Free, and names exactly `notified` for dht-reset. */
function assertAbandoned(outcome: Outcome, notified: readonly string[], reason: RegExp): void {
  assert.equal(outcome.reply.ok, true, JSON.stringify(outcome.reply));
  assert.deepEqual(outcome.state, { ...initialState(), peers: outcome.state.peers, dhts: 1 });
  assert.deepEqual(statesOf(outcome.state), allFree);
  assert.deepEqual(outcome.reset?.notify.map((p) => p.name), notified);
  assert.match(outcome.reset?.reason ?? '', reason);
}

test('a setup whose distribution failed is torn down, not marked complete', () => {
  const waiting = ok(registered(SIX), setup('alice', 4), FIRST);
  const outcome = step(waiting, failedReport(cmd('dht-complete', 'alice'), 'no response from carol'));
  assertAbandoned(outcome, ['bob', 'carol', 'dave'], /^alice reported setup-dht failed \(no response from carol\)/);
});

test('a plain dht-complete still completes the DHT, and a repeated report changes nothing', () => {
  const waiting = ok(registered(SIX), setup('alice', 4), FIRST);
  const done = step(waiting, cmd('dht-complete', 'alice'));
  assert.equal(done.reset, undefined);
  assert.equal(done.state.dht?.complete, true);
  // A failed report arriving after the DHT completed (say, typed by hand) does not undo it.
  const late = step(done.state, failedReport(cmd('dht-complete', 'alice'), 'late'));
  assert.equal(late.state, done.state);
  assert.equal(late.reset, undefined);
});

test('a leave whose rebuild the network defeated tears the DHT down and resets the other members', () => {
  const leaving = ok(withDht(SIX, 5), cmd('leave-dht', 'carol'));
  const outcome = step(leaving, failedReport({ type: 'dht-rebuilt', rid: 'x1', name: 'carol', newLeader: 'dave' }, 'no response from the ring'));
  assertAbandoned(outcome, ['alice', 'bob', 'dave', 'erin'], /^carol reported leave-dht failed/);
});

test('a join whose rebuild failed resets every member; the joiner reported it and is not told', () => {
  const joining = ok(withDht(SIX, 4), cmd('join-dht', 'frank'));
  const outcome = step(joining, failedReport({ type: 'dht-rebuilt', rid: 'x2', name: 'frank', newLeader: 'alice' }, 'no response from alice'));
  assertAbandoned(outcome, ['alice', 'bob', 'carol', 'dave'], /^frank reported join-dht failed/);
});

test('a teardown whose round failed resets the members it may not have reached', () => {
  const tearing = ok(withDht(SIX, 4), cmd('teardown-dht', 'alice'));
  const outcome = step(tearing, failedReport(cmd('teardown-complete', 'alice'), 'no response from the ring'));
  assertAbandoned(outcome, ['bob', 'carol', 'dave'], /^alice reported teardown-dht failed/);
  // A plain teardown-complete resets no one: the round reached every member.
  assert.equal(step(tearing, cmd('teardown-complete', 'alice')).reset, undefined);
});

test('a failure report from anyone but the awaited peer is refused by the busy rule', () => {
  const leaving = ok(withDht(SIX, 5), cmd('leave-dht', 'carol'));
  fails(leaving, failedReport({ type: 'dht-rebuilt', rid: 'x3', name: 'bob', newLeader: 'dave' }, 'forged'), 'busy: waiting for dht-rebuilt from carol');
  fails(ok(withDht(SIX, 4), cmd('teardown-dht', 'alice')), failedReport(cmd('teardown-complete', 'bob'), 'forged'), 'busy: waiting for teardown-complete from alice');
});

test('the await timeout abandons the DHT the same way, naming the joiner too', () => {
  const joining = ok(withDht(SIX, 4), cmd('join-dht', 'frank'));
  const gaveUp = giveUp(joining, 150_000)!;
  assert.deepEqual(gaveUp.notify.map((p) => p.name), ['alice', 'bob', 'carol', 'dave', 'frank']);
  assert.match(gaveUp.reason, /^no dht-rebuilt from frank within 150 s/);
  assert.deepEqual(statesOf(gaveUp.state), allFree);
  assert.equal(giveUp(registered(SIX) as ManagerState, 1000), null);
});
