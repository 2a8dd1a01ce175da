// leave-dht, join-dht and dht-rebuilt (SPEC §4 rows 5-7, D13, D14, D16): nothing changes until
// dht-rebuilt; then the ring is rotated to its new leader (leave) or extended by the joiner (join).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ringAfterLeave } from '../../src/manager/membership-commands.js';
import type { ManagerState } from '../../src/manager/state.js';
import { cmd, fails, ok, rebuilt, registered, SIX, statesOf, step, withDht, FIXED_KEY, unknown } from './manager-fixtures.js';

/** alice (Leader), bob, carol, dave, erin in the ring; frank Free. */
const five = (): ManagerState => withDht(SIX, 5);

test('leave-dht only remembers the leaver: states and members change at dht-rebuilt (D14)', () => {
  const state = five();
  const leaving = ok(state, cmd('leave-dht', 'bob'));
  assert.deepEqual(leaving.mode, { kind: 'AwaitDhtRebuilt', peer: 'bob', action: 'leave' });
  assert.deepEqual(leaving.peers, state.peers);
  assert.deepEqual(leaving.dht, state.dht);
});

test('leave-dht refuses each failing condition with its own message', () => {
  fails(registered(SIX), cmd('leave-dht', 'alice'), 'no DHT exists');
  const state = five();
  fails(state, cmd('leave-dht', 'zed'), unknown('zed'));
  fails(state, cmd('leave-dht', 'frank'), 'frank is not a member of the DHT');
  const three = withDht(SIX, 3);
  fails(three, cmd('leave-dht', 'bob'), 'the DHT has 3 members and may not shrink below 3');
  fails(three, cmd('leave-dht', 'alice'), 'the DHT has 3 members and may not shrink below 3');
});

test('a member leaves: its right neighbour leads, the old leader becomes InDHT', () => {
  const state = ok(ok(five(), cmd('leave-dht', 'bob')), rebuilt('bob', 'carol'));
  assert.deepEqual(state.dht?.members, ['carol', 'dave', 'erin', 'alice']);
  assert.deepEqual(state.mode, { kind: 'Idle' });
  assert.deepEqual(statesOf(state), { alice: 'InDHT', bob: 'Free', carol: 'Leader', dave: 'InDHT', erin: 'InDHT', frank: 'Free' });
});

test('the leader leaves: node 1 becomes the leader (D13)', () => {
  const state = ok(ok(five(), cmd('leave-dht', 'alice')), rebuilt('alice', 'bob'));
  assert.deepEqual(state.dht?.members, ['bob', 'carol', 'dave', 'erin']);
  assert.deepEqual(statesOf(state), { alice: 'Free', bob: 'Leader', carol: 'InDHT', dave: 'InDHT', erin: 'InDHT', frank: 'Free' });
});

test('the last node leaves: its right neighbour is node 0, and the leader stays', () => {
  const state = ok(ok(five(), cmd('leave-dht', 'erin')), rebuilt('erin', 'alice'));
  assert.deepEqual(state.dht?.members, ['alice', 'bob', 'carol', 'dave']);
  assert.deepEqual(statesOf(state), { alice: 'Leader', bob: 'InDHT', carol: 'InDHT', dave: 'InDHT', erin: 'Free', frank: 'Free' });
});

test('for every leaver at i, the new ring is old[(i+1+k) mod n], k = 0…n−2 (§6.5)', () => {
  const members = ['alice', 'bob', 'carol', 'dave', 'erin'];
  const n = members.length;
  members.forEach((leaver, i) => {
    const expected = Array.from({ length: n - 1 }, (_, k) => members[(i + 1 + k) % n]);
    assert.deepEqual(ringAfterLeave(members, leaver, members[(i + 1) % n] as string), { members: expected });
    const state = ok(ok(five(), cmd('leave-dht', leaver)), rebuilt(leaver, expected[0] as string));
    assert.deepEqual(state.dht?.members, expected);
  });
});

test('a reported new leader other than the right neighbour still starts the ring in ring order', () => {
  const state = ok(ok(five(), cmd('leave-dht', 'bob')), rebuilt('bob', 'dave'));
  assert.deepEqual(state.dht?.members, ['dave', 'erin', 'alice', 'carol']);
  assert.equal(statesOf(state).dave, 'Leader');
});

test('a refused dht-rebuilt for a leave keeps the manager waiting for the same peer', () => {
  const leaving = ok(five(), cmd('leave-dht', 'bob'));
  fails(leaving, rebuilt('bob', 'zed'), 'new leader zed is not a member of the DHT');
  fails(leaving, rebuilt('bob', 'frank'), 'new leader frank is not a member of the DHT');
  fails(leaving, rebuilt('bob', 'bob'), 'new leader bob is the peer that is leaving');
  fails(leaving, rebuilt('bob', 'peer1'), 'new leader "peer1" is not a member of the DHT');
  fails(leaving, rebuilt('carol', 'dave'), 'busy: waiting for dht-rebuilt from bob');
  fails(leaving, cmd('leave-dht', 'carol'), 'busy: waiting for dht-rebuilt from bob');
  assert.equal(ok(leaving, rebuilt('bob', 'carol')).mode.kind, 'Idle');
});

test('join-dht gives a Free peer the leader and waits; states change at dht-rebuilt (D16)', () => {
  const state = withDht(SIX, 4);
  const outcome = step(state, cmd('join-dht', 'erin'));
  assert.deepEqual(outcome.reply, { ok: true, leader: { name: 'alice', ip: '127.0.0.1', port: 7002 }, key: FIXED_KEY, serial: 1 });
  assert.deepEqual(outcome.state.mode, { kind: 'AwaitDhtRebuilt', peer: 'erin', action: 'join' });
  assert.deepEqual(outcome.state.peers, state.peers);
  assert.deepEqual(outcome.state.dht, state.dht);
});

test('join-dht refuses each failing condition with its own message', () => {
  fails(registered(SIX), cmd('join-dht', 'alice'), 'no DHT exists');
  const state = withDht(SIX, 4);
  fails(state, cmd('join-dht', 'zed'), unknown('zed'));
  fails(state, cmd('join-dht', 'bob'), 'peer is InDHT; only a Free peer may join the DHT');
  fails(state, cmd('join-dht', 'alice'), 'peer is Leader; only a Free peer may join the DHT');
});

test('the joiner is appended as node n and the leader stays', () => {
  const joining = ok(withDht(SIX, 4), cmd('join-dht', 'frank'));
  fails(joining, rebuilt('frank', 'bob'), 'new leader bob is not the current leader alice');
  fails(joining, rebuilt('frank', 'frank'), 'new leader frank is not the current leader alice');
  fails(joining, rebuilt('erin', 'alice'), 'busy: waiting for dht-rebuilt from frank');
  fails(joining, cmd('join-dht', 'erin'), 'busy: waiting for dht-rebuilt from frank');
  const state = ok(joining, rebuilt('frank', 'alice'));
  assert.deepEqual(state.dht, { year: '1996', members: ['alice', 'bob', 'carol', 'dave', 'frank'], complete: true, key: FIXED_KEY, serial: 1 });
  assert.deepEqual(state.mode, { kind: 'Idle' });
  assert.deepEqual(statesOf(state), { alice: 'Leader', bob: 'InDHT', carol: 'InDHT', dave: 'InDHT', erin: 'Free', frank: 'InDHT' });
});

test('dht-rebuilt when nothing is being rebuilt is refused', () => {
  fails(registered(SIX), rebuilt('alice', 'bob'), 'not waiting for dht-rebuilt');
  fails(five(), rebuilt('bob', 'carol'), 'not waiting for dht-rebuilt');
  fails(five(), rebuilt('alice', 'alice'), 'not waiting for dht-rebuilt');
});

test('a leaver may join again, and the ring grows back to its size', () => {
  const left = ok(ok(five(), cmd('leave-dht', 'carol')), rebuilt('carol', 'dave'));
  const back = ok(ok(left, cmd('join-dht', 'carol')), rebuilt('carol', 'dave'));
  assert.deepEqual(back.dht?.members, ['dave', 'erin', 'alice', 'bob', 'carol']);
  assert.equal(statesOf(back).carol, 'InDHT');
});
