// expiring-map.ts: an entry lives ttl ms after its (last) set, by the injected clock; expired
// entries are swept from the front on set; setting a key again moves it to the back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiringMap } from '../../src/transport/expiring-map.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';

test('an entry expires ttl ms after it was set', () => {
  const clock = new VirtualClock();
  const map = new ExpiringMap<string, number>(clock, 100);
  map.set('a', 1);
  clock.advance(99);
  assert.equal(map.get('a'), 1);
  assert.equal(map.has('a'), true);
  clock.advance(1);
  assert.equal(map.get('a'), undefined, 'gone at exactly ttl');
  assert.equal(map.has('a'), false);
  assert.equal(map.size, 0, 'a get of an expired entry deletes it');
});

test('set sweeps expired entries from the front', () => {
  const clock = new VirtualClock();
  const map = new ExpiringMap<string, number>(clock, 100);
  for (const [k, t] of [['a', 0], ['b', 10], ['c', 20]] as const) {
    clock.advance(t - clock.now());
    map.set(k, t);
  }
  clock.advance(115 - clock.now());
  map.set('d', 115);
  assert.equal(map.size, 2, 'a and b swept, c and d kept');
  assert.equal(map.get('c'), 20);
  map.clear();
  assert.equal(map.size, 0);
});

test('setting a key again renews it and moves it to the back', () => {
  const clock = new VirtualClock();
  const map = new ExpiringMap<string, string>(clock, 100);
  map.set('a', 'first');
  clock.advance(10);
  map.set('b', 'b');
  clock.advance(10);
  map.set('a', 'second');
  clock.advance(90);
  // At 110: b (expires 110) is expired, a (renewed at 20, expires 120) is not. Had a stayed at the
  // front, the sweep would stop at it and leave b behind.
  map.set('c', 'c');
  assert.equal(map.size, 2);
  assert.equal(map.get('a'), 'second');
  assert.equal(map.get('b'), undefined);
});
