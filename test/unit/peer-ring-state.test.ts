// ring-state.ts: the right neighbour, tuple equality, and the rings after a leave (SPEC §6.5:
// new[k] = ring[(i+1+k) mod n], so the leaver's right neighbour becomes node 0) and a join (D16).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressOf, newEpoch, rightNeighbour, ringWith, ringWithout, sameTuple, type RingState } from '../../src/peer/ring-state.js';
import { mulberry32 } from '../../src/data/seeded-random.js';
import type { Tuple } from '../../src/wire/messages.js';

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin'];
const ringOf = (n: number): Tuple[] => NAMES.slice(0, n).map((name, i) => ({ name, ip: '127.0.0.1', port: 7002 + 2 * i }));

function state(id: number, ring: readonly Tuple[]): RingState {
  return { id, n: ring.length, s: 97127, year: '1996', ring, epoch: 'e', key: Buffer.alloc(32), replicas: 1 };
}

for (const n of [4, 5]) {
  test(`ringWithout for every leaver position, n = ${n}`, () => {
    const ring = ringOf(n);
    for (let i = 0; i < n; i++) {
      const next = ringWithout(ring, i);
      assert.equal(next.length, n - 1);
      for (let k = 0; k < n - 1; k++) assert.equal(next[k], ring[(i + 1 + k) % n], `leaver ${i}, new[${k}]`);
      assert.ok(!next.includes(ring[i]!), 'the leaver is gone');
      assert.equal(next[0], ring[(i + 1) % n], 'its right neighbour leads the new ring');
      // The cyclic order of those who stay is unchanged.
      const stay = ring.filter((_, j) => j !== i);
      const rotation = stay.indexOf(next[0]!);
      assert.deepEqual(next, [...stay.slice(rotation), ...stay.slice(0, rotation)]);
    }
  });
}

test('ringWithout names the SPEC §11.2 demo case: carol (id 2 of 5) leaves, dave leads', () => {
  const ring = ringOf(5);
  assert.deepEqual(ringWithout(ring, 2).map((t) => t.name), ['dave', 'erin', 'alice', 'bob']);
  assert.deepEqual(ringWithout(ring, 0).map((t) => t.name), ['bob', 'carol', 'dave', 'erin']);
  assert.deepEqual(ringWithout(ring, 4).map((t) => t.name), ['alice', 'bob', 'carol', 'dave']);
});

test('ringWith appends the joiner as id n and leaves the input alone', () => {
  const ring = ringOf(3);
  const joiner: Tuple = { name: 'frank', ip: '10.0.0.9', port: 7100 };
  const next = ringWith(ring, joiner);
  assert.deepEqual(next, [...ringOf(3), joiner]);
  assert.equal(ring.length, 3);
  assert.equal(rightNeighbour(state(2, next)), joiner, 'old node n−1 now points at the joiner');
  assert.equal(rightNeighbour(state(3, next)), ring[0], 'and the joiner at node 0');
});

test('rightNeighbour is ring[(id+1) mod n]', () => {
  const ring = ringOf(5);
  for (let id = 0; id < 5; id++) assert.equal(rightNeighbour(state(id, ring)), ring[(id + 1) % 5]);
});

test('sameTuple compares name, ip and port', () => {
  const a: Tuple = { name: 'alice', ip: '127.0.0.1', port: 7002 };
  assert.equal(sameTuple(a, { ...a }), true);
  assert.equal(sameTuple(a, { ...a, name: 'Alice' }), false, 'names are case-sensitive');
  assert.equal(sameTuple(a, { ...a, ip: '127.0.0.2' }), false);
  assert.equal(sameTuple(a, { ...a, port: 7004 }), false);
  assert.deepEqual(addressOf(a), { ip: '127.0.0.1', port: 7002 });
});

test('newEpoch gives distinct names from distinct draws', () => {
  const rng = mulberry32(5);
  const epochs = Array.from({ length: 1000 }, () => newEpoch(rng));
  assert.equal(new Set(epochs).size, 1000);
  for (const e of epochs) assert.match(e, /^[0-9a-z]{1,10}$/);
});
