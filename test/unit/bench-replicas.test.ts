// The replica scenario's pure helpers (bench/replica-scenario.ts; its ratios in bench/paired-runs.ts):
// the copies each node must hold with R copies, ratios, and the check of a result's or counts
// event's counts. Nothing here is timed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOnly } from '../../bench/options.js';
import { pairedRatios, ratioOf } from '../../bench/paired-runs.js';
import { countsProblem, expectedReplicaCounts, sameNumbers } from '../../bench/replica-scenario.js';

const SPEC_N4 = [12169, 12144, 12128, 12120];
const SPEC_N5 = [9710, 9720, 9714, 9700, 9717];

test('expectedReplicaCounts: R = 2 is recordsPerNode shifted by one node (node i holds node i−1)', () => {
  assert.deepEqual(expectedReplicaCounts(SPEC_N4, 2), [12120, 12169, 12144, 12128]);
  assert.deepEqual(expectedReplicaCounts(SPEC_N5, 2), [9717, 9710, 9720, 9714, 9700]);
  assert.deepEqual(expectedReplicaCounts([1, 2, 3], 2), [3, 1, 2]);
});

test('expectedReplicaCounts: R = 1 holds no copies; R = 3 the two nodes before; R capped at n', () => {
  assert.deepEqual(expectedReplicaCounts([1, 2, 3, 4], 1), [0, 0, 0, 0]);
  assert.deepEqual(expectedReplicaCounts([1, 2, 3, 4], 3), [4 + 3, 1 + 4, 2 + 1, 3 + 2]);
  // R = 5 on a ring of 3: every node holds the records of both others.
  assert.deepEqual(expectedReplicaCounts([1, 2, 3], 5), [5, 4, 3]);
  assert.deepEqual(expectedReplicaCounts([], 2), []);
  const input = [7, 8];
  expectedReplicaCounts(input, 2);
  assert.deepEqual(input, [7, 8]);
});

test('ratioOf: NaN unless both are finite and the divisor positive', () => {
  assert.equal(ratioOf(3, 2), 1.5);
  assert.ok(Number.isNaN(ratioOf(1, 0)));
  assert.ok(Number.isNaN(ratioOf(Number.NaN, 2)));
  assert.ok(Number.isNaN(ratioOf(2, Number.NaN)));
});

test('sameNumbers: same length and values, arrays only', () => {
  assert.ok(sameNumbers([1, 2], [1, 2]));
  assert.ok(!sameNumbers([1, 2], [2, 1]));
  assert.ok(!sameNumbers([1], [1, 2]));
  assert.ok(!sameNumbers(undefined, []));
  assert.ok(!sameNumbers('1,2', [1, 2]));
});

test("countsProblem: null for SPEC's counts and shifted replicas; a reason otherwise", () => {
  assert.equal(countsProblem(SPEC_N4, [12120, 12169, 12144, 12128], SPEC_N4, 2), null);
  assert.equal(countsProblem(SPEC_N5, undefined, SPEC_N5, 1), null);
  assert.match(countsProblem(SPEC_N5, [1, 2, 3, 4, 5], SPEC_N5, 1)!, /with R = 1/);
  assert.match(countsProblem(SPEC_N4, SPEC_N4, SPEC_N4, 2)!, /replicasPerNode .* expected 12120\/12169\/12144\/12128/);
  assert.match(countsProblem(SPEC_N4, undefined, SPEC_N4, 2)!, /replicasPerNode undefined/);
  assert.match(countsProblem([12169, 12144, 12128], [1, 2, 3], SPEC_N4, 2)!, /recordsPerNode .* SPEC §13 says/);
});

test('--only replicas (and its aliases) names the replica scenario', () => {
  assert.deepEqual([...parseOnly('replicas')], ['replicas']);
  assert.deepEqual([...parseOnly('replica,copies')], ['replicas']);
});

test('pairedRatios: run by run, as far as both have runs, without the undefined ones', () => {
  assert.deepEqual(pairedRatios([2, 3, 4], [1, 3, 8]), [2, 1, 0.5]);
  assert.deepEqual(pairedRatios([2, 3], [1]), [2]);
  assert.deepEqual(pairedRatios([2, 3], [0, 3]), [1]);
  assert.deepEqual(pairedRatios([], [1]), []);
});
