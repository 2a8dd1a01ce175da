// setup-dht, dht-complete and query-dht (SPEC §4 rows 2-4, D8, D9): each FAILURE condition with
// its message, the ring and node replies, and the uniformity of the manager's random picks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickDistinct, pickIndex } from '../../src/manager/dht-commands.js';
import { initialState } from '../../src/manager/state.js';
import type { Tuple } from '../../src/wire/messages.js';
import { cmd, draws, fails, FIRST, mulberry32, ok, registered, setup, SIX, statesOf, step, withDht, FIXED_KEY, unknown } from './manager-fixtures.js';

const tuple = (name: string, k: number): Tuple => ({ name, ip: '127.0.0.1', port: 7002 + 2 * k });

test('setup-dht makes the caller Leader and the picked peers InDHT, in the order picked', () => {
  // Partial Fisher-Yates over [bob, carol, dave, erin, frank]: 0.99 → frank (swapped with bob),
  // then 0 → carol, 0.5 → erin (of carol's successors dave, erin, bob), 0 → dave.
  const outcome = step(registered(SIX), setup('alice', 5, '1996'), draws(0.99, 0, 0.5, 0));
  assert.ok(outcome.reply.ok);
  assert.deepEqual(outcome.reply.ring, [tuple('alice', 0), tuple('frank', 5), tuple('carol', 2), tuple('erin', 4), tuple('dave', 3)]);
  const { state } = outcome;
  assert.deepEqual(state.dht, { year: '1996', members: ['alice', 'frank', 'carol', 'erin', 'dave'], complete: false, key: FIXED_KEY, serial: 1 });
  assert.deepEqual(state.mode, { kind: 'AwaitDhtComplete', leader: 'alice' });
  assert.deepEqual(statesOf(state), {
    alice: 'Leader',
    bob: 'Free',
    carol: 'InDHT',
    dave: 'InDHT',
    erin: 'InDHT',
    frank: 'InDHT',
  });
});

test('setup-dht with exactly n Free peers, the caller counted, takes them all (D9)', () => {
  const outcome = step(registered(['carol', 'alice', 'bob']), setup('alice', 3, '1950'), draws(0.5, 0.5));
  assert.ok(outcome.reply.ok);
  assert.deepEqual(outcome.reply.ring?.map((t) => t.name), ['alice', 'bob', 'carol']);
});

test('setup-dht refuses each failing condition with its own message', () => {
  const none = registered(['alice', 'bob', 'carol', 'dave']);
  fails(none, setup('zed', 3), unknown('zed'));
  fails(none, setup('alice', 2), 'n must be an integer of at least 3 (got 2)');
  fails(none, setup('alice', 3.5), 'n must be an integer of at least 3 (got 3.5)');
  fails(none, setup('alice', Number.NaN), 'n must be an integer of at least 3 (got NaN)');
  fails(none, setup('alice', 3, '96'), 'year "96" is invalid: use four decimal digits');
  fails(none, setup('alice', 5), 'only 4 Free peers, fewer than n = 5');
  fails(registered(['alice']), setup('alice', 3), 'only 1 Free peer, fewer than n = 3');
  const dht = withDht(SIX, 3);
  fails(dht, setup('dave', 3), 'a DHT already exists (leader alice)');
  fails(dht, setup('bob', 3), 'peer is InDHT; only a Free peer may set up a DHT');
  fails(dht, setup('alice', 3), 'peer is Leader; only a Free peer may set up a DHT');
});

test('setup-dht picks every Free peer, and every ordered choice, about equally often', () => {
  const runs = 6000;
  const pairCounts = new Map<string, number>();
  for (let seed = 1; seed <= runs; seed++) {
    const outcome = step(registered(SIX), setup('carol', 3), mulberry32(seed));
    assert.ok(outcome.reply.ok);
    const names = outcome.reply.ring?.map((t) => t.name) ?? [];
    assert.equal(names[0], 'carol', 'the leader is first');
    assert.equal(new Set(names).size, 3, 'the ring has distinct members');
    const key = names.slice(1).join('>');
    pairCounts.set(key, (pairCounts.get(key) ?? 0) + 1);
  }
  // 5 other Free peers give 5·4 = 20 ordered pairs, each expected runs/20 = 300 times.
  assert.equal(pairCounts.size, 20);
  for (const [pair, count] of pairCounts) assert.ok(Math.abs(count - 300) < 75, `${pair} picked ${count} times`);
});

test('pickDistinct and pickIndex stay in range whatever the generator returns', () => {
  for (const draw of [0, 0.999999, 1, 1.5, -0.2, Number.NaN, Number.POSITIVE_INFINITY]) {
    const index = pickIndex(() => draw, 4);
    assert.ok(index >= 0 && index < 4, `draw ${draw} gave ${index}`);
  }
  assert.deepEqual(pickDistinct(['a', 'b', 'c'], 3, () => 1), ['c', 'a', 'b']);
  assert.deepEqual(pickDistinct(['a', 'b', 'c'], 0, draws()), []);
});

test('dht-complete from the leader completes setup; from anyone else the manager stays busy', () => {
  const awaiting = ok(registered(SIX), setup('alice', 4), FIRST);
  fails(awaiting, cmd('dht-complete', 'bob'), 'busy: waiting for dht-complete from alice');
  fails(awaiting, cmd('dht-complete', 'zed'), unknown('zed'));
  const state = ok(awaiting, cmd('dht-complete', 'alice'));
  assert.deepEqual(state.mode, { kind: 'Idle' });
  assert.deepEqual(state.dht, { year: '1996', members: ['alice', 'bob', 'carol', 'dave'], complete: true, key: FIXED_KEY, serial: 1 });
  assert.deepEqual(state.peers, awaiting.peers);
});

test('a repeated dht-complete from the leader of a complete DHT succeeds and changes nothing (D8)', () => {
  const state = withDht(SIX, 3);
  const outcome = step(state, cmd('dht-complete', 'alice'));
  assert.deepEqual(outcome, { state, reply: { ok: true } });
  fails(state, cmd('dht-complete', 'bob'), 'bob is not the leader of the DHT');
  fails(state, cmd('dht-complete', 'erin'), 'erin is not the leader of the DHT');
  fails(state, cmd('dht-complete', 'zed'), unknown('zed'));
  fails(state, cmd('dht-complete', 'peer1'), unknown('"peer1"'));
  fails(registered(SIX), cmd('dht-complete', 'alice'), 'no DHT exists');
  fails(initialState(), cmd('dht-complete', 'alice'), unknown('alice'));
});

test('query-dht gives a Free peer a member, the leader included, and the year', () => {
  const state = withDht(SIX, 5, '1950');
  const first = step(state, cmd('query-dht', 'frank'), draws(0));
  assert.deepEqual(first, { state, reply: { ok: true, node: tuple('alice', 0), year: '1950' } });
  const last = step(state, cmd('query-dht', 'frank'), draws(0.99));
  assert.deepEqual(last.reply, { ok: true, node: tuple('erin', 4), year: '1950' });
});

test('query-dht refuses each failing condition with its own message', () => {
  fails(registered(SIX), cmd('query-dht', 'alice'), 'no DHT exists');
  const state = withDht(SIX, 5);
  fails(state, cmd('query-dht', 'zed'), unknown('zed'));
  fails(state, cmd('query-dht', 'bob'), 'peer is InDHT; only a Free peer may query the DHT');
  fails(state, cmd('query-dht', 'alice'), 'peer is Leader; only a Free peer may query the DHT');
});

test('query-dht picks each member about equally often', () => {
  const state = withDht(SIX, 5);
  const counts = new Map<string, number>();
  const random = mulberry32(42);
  for (let i = 0; i < 5000; i++) {
    const { reply } = step(state, cmd('query-dht', 'frank'), random);
    assert.ok(reply.ok && reply.node !== undefined);
    counts.set(reply.node.name, (counts.get(reply.node.name) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), ['alice', 'bob', 'carol', 'dave', 'erin']);
  for (const [name, count] of counts) assert.ok(Math.abs(count - 1000) < 120, `${name} picked ${count} times`);
});
