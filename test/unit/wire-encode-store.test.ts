// encodeStore builds store datagrams from pre-serialised records; it must carry exactly the
// message the generic encoder would, and the batcher's plan must fit the budget with it.
import assert from 'node:assert/strict';
import test from 'node:test';
import { decode, encode, encodeStore, peekStore } from '../../src/wire/codec.js';
import type { StoreRequest, Tuple, WireRecord } from '../../src/wire/messages.js';
import { encodeRecord, planStoreBatches } from '../../src/peer/procedures/store-batches.js';

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
    const plan = planStoreBatches(records.map(encodeRecord), ORIGIN, 2, 'e1', budget);
    assert.deepEqual(plan.flatMap((b) => b.records), records);
    for (const b of plan) {
      assert.equal(b.json, JSON.stringify(b.records));
      assert.ok(encodeStore('zzzzzz.zzzzzz', ORIGIN, 2, 'e1', b.json).length <= budget, `batch over ${budget}`);
    }
  }
});

test('peekStore reads the header and counts the records of an encodeStore datagram without parsing them', () => {
  // Values that look like the keys searched for, but inside strings, where JSON escapes the quotes.
  const tricky = row(7, 'A,"records":[{"pos":1} B');
  const records = [row(5536849, 'SHELBY'), tricky, row(10, '{"pos":3}')];
  const buf = encodeStore('abc123.7f', ORIGIN, 3, 'q1w2e3', JSON.stringify(records));
  assert.deepEqual(peekStore(buf), { rid: 'abc123.7f', origin: ORIGIN, owner: 3, epoch: 'q1w2e3', records: 3 });
  assert.deepEqual(peekStore(encodeStore('r.1', ORIGIN, 1, 'e', '[]')), { rid: 'r.1', origin: ORIGIN, owner: 1, epoch: 'e', records: 0 });
  // encode() of the same message lays the keys out in the same order: it peeks alike.
  assert.deepEqual(peekStore(encode({ type: 'store', rid: 'abc123.7f', origin: ORIGIN, owner: 3, epoch: 'q1w2e3', records })), peekStore(buf));
});

test('peekStore refuses what is not a well-formed store header, leaving it to the full decode', () => {
  const good = encodeStore('abc123.7f', ORIGIN, 3, 'q1w2e3', JSON.stringify([row(1, 'X')])).toString('utf8');
  const refused = [
    encode({ type: 'store-ack', rid: 'abc123.7f' }).toString('utf8'),
    good.replace('"owner":3', '"owner":-3'),
    good.replace('"owner":3', '"owner":"3"'),
    good.replace('"epoch":"q1w2e3"', '"epoch":7'),
    good.replace('"port":7002', '"port":0'),
    good.replace('"rid":"abc123.7f"', '"rid":""'),
    good.replace('"v":1', '"v":2'),
    good.replace(',"records":[', ',"recs":['),
    good.slice(0, 40),
    '{"v":1,"type":"store","rid":"a.1","origin":{"name":"a","ip":"1.2.3.4","port":5,"records":[1]},"owner":1,"epoch":"e","records":[]}',
    '{"v":1,"type":"store","rid":"a.1",garbage,"records":[]}',
  ];
  for (const text of refused) assert.equal(peekStore(Buffer.from(text, 'utf8')), null, text);
  assert.equal(peekStore(Buffer.alloc(60_001, 0x20)), null);
});
