// distribute.ts batches(): the store datagrams it plans, built for real and measured with the
// codec, fit the byte budget; every record travels exactly once, in order; a record larger than
// the budget travels alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32, type Rng } from '../../src/data/seeded-random.js';
import { roundRobin } from '../../src/peer/procedures/distribute.js';
import { batches } from '../../src/peer/procedures/store-batches.js';
import { newEpoch } from '../../src/peer/ring-state.js';
import { encode } from '../../src/wire/codec.js';
import type { StoreRequest, Tuple, WireRecord } from '../../src/wire/messages.js';
import { SHELBY_FIELDS } from './wire-fixtures.js';

/** A worst-case origin: the longest name, IPv4 text and port. */
const ORIGIN: Tuple = { name: 'Bartholomewbcde', ip: '255.255.255.255', port: 65535 };
/** A realistic rid: a 6-char prefix and a counter (the endpoint's form), longer than most. */
const RID = 'abcdef.zzzzz';
const BUDGETS = [600, 1_400, 8_000, 60_000];

/** Rows shaped like 1996's: the SHELBY row, a dust storm, and a tornado with a 132-char cz_name. */
function records(rng: Rng, count: number): WireRecord[] {
  const longName = 'NORTHERN GREENLEE & SOUTHEASTERN GRAHAM COUNTIES BELOW 4500 FT / INCLUDING THE SAFFORD - MORENCI (CLIFTON) AREA AND GRAHAM FOOTHILLS';
  assert.equal(longName.length, 132);
  const shapes = [
    SHELBY_FIELDS,
    ['5539287', 'ARIZONA', '1996', 'January', 'Dust Storm', 'Z', 'NORTHERN GREENLEE', '17', '0', '0', '0', '', '', ''],
    ['5574135', 'TEXAS', '1996', 'September', 'Thunderstorm Wind', 'C', longName, '12', '3', '1', '0', '2.5M', '150K', 'F2'],
  ];
  return Array.from({ length: count }, (_, i) => {
    const shape = shapes[Math.floor(rng() * shapes.length)]!;
    const eventId = 5_500_000 + Math.floor(rng() * 100_000);
    return { pos: eventId % 97127, fields: [String(eventId), ...shape.slice(1)] };
  });
}

function storeOf(batch: readonly WireRecord[], owner: number, epoch: string): StoreRequest {
  return { type: 'store', rid: RID, origin: ORIGIN, owner, epoch, records: batch };
}

for (const budget of BUDGETS) {
  test(`every store datagram fits ${budget} bytes, and every record travels once, in order`, () => {
    const rng = mulberry32(budget);
    const epoch = newEpoch(rng);
    const input = records(rng, 3_000);
    for (const owner of [1, 12]) {
      const planned = batches(input, ORIGIN, owner, epoch, budget);
      for (const batch of planned) {
        assert.ok(batch.length > 0);
        const size = encode(storeOf(batch, owner, epoch)).length;
        assert.ok(size <= budget, `a batch of ${batch.length} records is ${size} bytes > ${budget}`);
      }
      assert.deepEqual(planned.flat(), input, 'all present exactly once, in order');
      // Batches are full: adding the next batch's first record would overflow the budget.
      for (let b = 0; b + 1 < planned.length; b++) {
        const grown = [...planned[b]!, planned[b + 1]![0]!];
        assert.ok(encode(storeOf(grown, owner, epoch)).length > budget - 30, 'batches are not left half empty');
      }
    }
  });
}

test('the default budget of 1400 bytes carries several records per datagram', () => {
  const rng = mulberry32(1);
  const planned = batches(records(rng, 500), ORIGIN, 3, newEpoch(rng), 1_400);
  assert.ok(planned.length < 500 / 3, `${planned.length} batches for 500 records`);
});

test('a record larger than the budget travels alone, and its neighbours still batch', () => {
  const rng = mulberry32(2);
  const [a, b, c, d] = records(rng, 4);
  const huge: WireRecord = { pos: 1, fields: SHELBY_FIELDS.map((f, i) => (i === 6 ? 'X'.repeat(700) : f)) };
  const planned = batches([a!, b!, huge, c!, d!], ORIGIN, 1, 'e', 600);
  assert.ok(planned.some((batch) => batch.length === 1 && batch[0] === huge));
  assert.deepEqual(planned.flat(), [a, b, huge, c, d]);
  assert.deepEqual(batches([huge], ORIGIN, 1, 'e', 600), [[huge]]);
});

test('no records, no batches', () => {
  assert.deepEqual(batches([], ORIGIN, 1, 'e', 1_400), []);
});

test('roundRobin takes the first of each list, then the second of each, keeping each list in order', () => {
  assert.deepEqual([...roundRobin([[], ['a1', 'a2', 'a3'], ['b1'], ['c1', 'c2']])], [
    [1, 'a1'],
    [2, 'b1'],
    [3, 'c1'],
    [1, 'a2'],
    [3, 'c2'],
    [1, 'a3'],
  ]);
  assert.deepEqual([...roundRobin([])], []);
  assert.deepEqual([...roundRobin([[], []])], []);
});
