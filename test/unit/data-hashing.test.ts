// hashing.ts: s, pos and owner as SPEC §9 defines them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countsPerNode, isPrime, ownerOf, positionOf, tableSize } from '../../src/data/hashing.js';

test('isPrime on small numbers and known primes', () => {
  const primesBelow50 = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47];
  for (let n = -3; n < 50; n++) assert.equal(isPrime(n), primesBelow50.includes(n), String(n));
  assert.equal(isPrime(97127), true);
  assert.equal(isPrime(7919 * 7919), false);
  assert.equal(isPrime(2147483647), true);
  assert.equal(isPrime(2.5), false);
  assert.equal(isPrime(Number.NaN), false);
});

test('tableSize is the first prime strictly greater than 2l', () => {
  assert.equal(tableSize(48561), 97127);
  assert.equal(tableSize(223), 449);
  assert.equal(tableSize(269), 541);
  assert.equal(tableSize(272), 547);
  assert.equal(tableSize(10945), 21893);
  assert.equal(tableSize(12516), 25033);
  assert.equal(tableSize(13534), 27073);
  assert.equal(tableSize(48534), 97073);
  // 2l+1 itself prime is allowed (strictly greater than 2l): l=1 → 3, l=3 → 7.
  assert.equal(tableSize(1), 3);
  assert.equal(tableSize(3), 7);
  // 2l+1 not prime: l=4 → 9 is not, so 11.
  assert.equal(tableSize(4), 11);
  assert.equal(tableSize(0), 2);
});

test('tableSize rejects a negative or fractional l', () => {
  assert.throws(() => tableSize(-1), RangeError);
  assert.throws(() => tableSize(1.5), RangeError);
});

test('positionOf and ownerOf give the demo ids of SPEC §12', () => {
  const s = 97127;
  const cases: [id: number, pos: number, owner5: number, owner4: number][] = [
    [5536849, 610, 0, 2],
    [2402920, 71872, 2, 0],
    [5539287, 3048, 3, 0],
    [55770111, 19213, 3, 1],
  ];
  for (const [id, pos, owner5, owner4] of cases) {
    assert.equal(positionOf(id, s), pos, `pos of ${id}`);
    assert.equal(ownerOf(pos, 5), owner5, `owner of ${id}, n=5`);
    assert.equal(ownerOf(pos, 4), owner4, `owner of ${id}, n=4`);
  }
});

test('positionOf and ownerOf reject misuse at once', () => {
  assert.throws(() => positionOf(-1, 7), /eventId/);
  assert.throws(() => positionOf(5, 0), /s must be/);
  assert.throws(() => ownerOf(3, 0), /n must be/);
  assert.throws(() => ownerOf(Number.NaN, 3), /pos/);
});

test('countsPerNode counts owners and sums to the number of ids', () => {
  // s = 11, n = 3: ids 0..10 sit at pos 0..10, owners 0,1,2,0,1,2,0,1,2,0,1; 11 and 22 wrap to pos 0.
  const ids = [...Array.from({ length: 11 }, (_, i) => i), 11, 22];
  assert.deepEqual(countsPerNode(ids, 11, 3), [6, 4, 3]);
  assert.deepEqual(countsPerNode([], 11, 3), [0, 0, 0]);
  assert.deepEqual(countsPerNode(new Set([5, 16]), 11, 1), [2]);
});
