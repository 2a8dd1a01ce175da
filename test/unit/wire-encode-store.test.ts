// encodeStore builds store datagrams from pre-serialised records; it must carry exactly the
// message the generic encoder would, and the batcher's plan must fit the budget with it.
import assert from 'node:assert/strict';
import test from 'node:test';
import { decode, encode, encodeStore } from '../../src/wire/codec.js';
import type { StoreRequest, Tuple, WireRecord } from '../../src/wire/messages.js';
import { planStoreBatches } from '../../src/peer/procedures/store-batches.js';

const ORIGIN: Tuple = { name: 'alice', ip: '127.0.0.1', port: 7002 };
const row = (id: number, county: string): WireRecord => ({
  pos: id % 97127,
  fields: [String(id), 'ALABAMA', '1996', 'January', 'Winter Storm', 'Z', county, '0', '0', '0', '0', '10K', '1K', ''],
});

test('encodeStore decodes to the same store as encode() of the message', () => {
  const records = [row(5536849, 'SHELBY'), row(5539287, 'NORTHERN GREENLEE'), row(10, 'O\'BRIEN & SONS / (X) - Y.')];
  const msg: StoreRequest = { type: 'store', rid: 'abc123.7f', origin: ORIGIN, owner: 3, epoch: 'q1w2e3', records };
  const fast = decode(encodeStore(msg.rid, ORIGIN, 3, 'q1w2e3', JSON.stringify(records)));
  const generic = decode(encode(msg));
  assert.equal(fast.ok, true);
  assert.deepEqual(fast, generic);
  assert.equal(encodeStore(msg.rid, ORIGIN, 3, 'q1w2e3', JSON.stringify(records)).length, encode(msg).length);
});

test('every planned batch, encoded by encodeStore with a long rid, fits its budget and keeps the records in order', () => {
  const records = Array.from({ length: 700 }, (_, i) => row(5_500_000 + i * 37, i % 50 === 0 ? 'GORE AND ELK MOUNTAINS/CENTRAL MOUNTAIN VALLEYS/'.repeat(3) : 'SHELBY'));
  for (const budget of [600, 1_400, 8_000]) {
    const plan = planStoreBatches(records, ORIGIN, 2, 'e1', budget);
    assert.deepEqual(plan.flatMap((b) => b.records), records);
    for (const b of plan) {
      assert.equal(b.json, JSON.stringify(b.records));
      assert.ok(encodeStore('zzzzzz.zzzzzz', ORIGIN, 2, 'e1', b.json).length <= budget, `batch over ${budget}`);
    }
  }
});
