// teardown-dht and teardown-complete (SPEC §4 rows 9-10), then the manager's side of the whole
// §11.2 demo: every state the manager passes through, for several random rings and leavers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leaderOf, initialState, type ManagerState } from '../../src/manager/state.js';
import { cmd, fails, FIRST, mulberry32, ok, rebuilt, registered, setup, SIX, statesOf, step, withDht, unknown } from './manager-fixtures.js';

const allFree = Object.fromEntries(SIX.map((name) => [name, 'Free']));

test('teardown-dht by the leader waits for teardown-complete; states change only then', () => {
  const state = withDht(SIX, 4);
  const waiting = ok(state, cmd('teardown-dht', 'alice'));
  assert.deepEqual(waiting.mode, { kind: 'AwaitTeardownComplete', leader: 'alice' });
  assert.deepEqual(waiting.peers, state.peers);
  assert.deepEqual(waiting.dht, state.dht);
  fails(waiting, cmd('teardown-complete', 'bob'), 'busy: waiting for teardown-complete from alice');
  fails(waiting, cmd('teardown-dht', 'bob'), 'busy: waiting for teardown-complete from alice');
  // The leader repeating its teardown-dht (its first reply was lost) gets SUCCESS again, no change.
  assert.equal(ok(waiting, cmd('teardown-dht', 'alice')), waiting);
  const done = ok(waiting, cmd('teardown-complete', 'alice'));
  assert.deepEqual(done, { ...initialState(), peers: registered(SIX).peers, dhts: 1 });
  assert.deepEqual(statesOf(done), allFree);
});

test('teardown-dht refuses each failing condition with its own message', () => {
  fails(registered(SIX), cmd('teardown-dht', 'alice'), 'no DHT exists');
  const state = withDht(SIX, 4);
  fails(state, cmd('teardown-dht', 'bob'), 'bob is not the leader of the DHT');
  fails(state, cmd('teardown-dht', 'erin'), 'erin is not the leader of the DHT');
  fails(state, cmd('teardown-dht', 'zed'), unknown('zed'));
});

test('teardown-complete when no teardown is under way is refused', () => {
  fails(initialState(), cmd('teardown-complete', 'alice'), unknown('alice'));
  fails(withDht(SIX, 4), cmd('teardown-complete', 'alice'), 'not waiting for teardown-complete');
  fails(ok(registered(SIX), setup('alice', 3), FIRST), cmd('teardown-complete', 'alice'), 'busy: waiting for dht-complete from alice');
});

test('after a leave, only the new leader may tear down; a new DHT may follow', () => {
  const left = ok(ok(withDht(SIX, 4), cmd('leave-dht', 'alice')), rebuilt('alice', 'bob'));
  fails(left, cmd('teardown-dht', 'alice'), 'alice is not the leader of the DHT');
  const waiting = ok(left, cmd('teardown-dht', 'bob'));
  assert.deepEqual(waiting.mode, { kind: 'AwaitTeardownComplete', leader: 'bob' });
  const gone = ok(waiting, cmd('teardown-complete', 'bob'));
  assert.deepEqual(statesOf(gone), allFree);
  assert.equal(ok(gone, setup('frank', 6), FIRST).dht?.members[0], 'frank');
});

/** The §11.2 demo as the manager sees it; `leaverId` picks the member Y that leaves in step 4. */
function demo(seed: number, leaverId: number): void {
  const random = mulberry32(seed);
  // 1. Six peers register.
  let state: ManagerState = registered(SIX);
  // 2. setup-dht alice 5 1996, then alice's automatic dht-complete.
  const setupOutcome = step(state, setup('alice', 5, '1996'), random);
  assert.ok(setupOutcome.reply.ok);
  assert.equal(setupOutcome.reply.ring?.length, 5);
  state = ok(setupOutcome.state, cmd('dht-complete', 'alice'));
  const ring = state.dht?.members ?? [];
  const outside = SIX.filter((name) => !ring.includes(name));
  assert.equal(outside.length, 1);
  const x = outside[0] as string;
  // 3. X queries four times; each answer is a member and the year; nothing changes.
  for (let i = 0; i < 4; i++) {
    const { reply } = step(state, cmd('query-dht', x), random);
    assert.ok(reply.ok && reply.node !== undefined && ring.includes(reply.node.name));
    assert.equal(reply.year, '1996');
  }
  // 4. Member Y leaves; the new leader is Y's former right neighbour; the ring has 4 nodes.
  const y = ring[leaverId] as string;
  const rightNeighbour = ring[(leaverId + 1) % 5] as string;
  state = ok(ok(state, cmd('leave-dht', y)), rebuilt(y, rightNeighbour));
  assert.equal(state.dht?.members.length, 4);
  assert.equal(leaderOf(state.dht!), rightNeighbour);
  assert.equal(statesOf(state)[y], 'Free');
  // 5. Y queries.
  assert.ok(step(state, cmd('query-dht', y), random).reply.ok);
  // 6. X joins: the leader is unchanged and X is node 4.
  const joinOutcome = step(state, cmd('join-dht', x));
  assert.ok(joinOutcome.reply.ok);
  assert.equal(joinOutcome.reply.leader?.name, rightNeighbour);
  state = ok(joinOutcome.state, rebuilt(x, rightNeighbour));
  assert.equal(state.dht?.members[4], x);
  assert.equal(leaderOf(state.dht!), rightNeighbour);
  // 7. Y queries again.
  assert.ok(step(state, cmd('query-dht', y), random).reply.ok);
  // 8. The leader tears down: all six peers are Free.
  state = ok(ok(state, cmd('teardown-dht', rightNeighbour)), cmd('teardown-complete', rightNeighbour));
  assert.deepEqual(statesOf(state), allFree);
  // 9. Every peer deregisters; the manager is back where it started.
  for (const name of SIX) state = ok(state, cmd('deregister', name));
  assert.deepEqual(state, { ...initialState(), dhts: 1 });
}

test('the §11.2 demo passes through the expected manager states', () => {
  for (let seed = 1; seed <= 20; seed++) for (let leaverId = 0; leaverId < 5; leaverId++) demo(seed, leaverId);
});
