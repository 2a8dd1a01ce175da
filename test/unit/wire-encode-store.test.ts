// encodeStore builds store datagrams from pre-serialised records; it must carry exactly the
// message the generic encoder would, and the batcher's plan must fit the budget with it.
import assert from 'node:assert/strict';
import test from 'node:test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { decode, encode, encodePackedStore, encodeStore, peekStore } from '../../src/wire/codec.js';
import { MAX_UNPACKED_BYTES, PACKED_FORMAT, packedLine, packLines } from '../../src/wire/packed-records.js';
import { appendMac, verifyMac } from '../../src/wire/mac.js';
import { STORE_DICTIONARY } from '../../src/wire/store-dictionary.js';
import type { StoreRequest, Tuple, WireRecord } from '../../src/wire/messages.js';
import { encodeRecord, ownerBatches, planPackedBatches, planStoreBatches, positionsOf } from '../../src/peer/procedures/store-batches.js';
import { ownerOf } from '../../src/data/hashing.js';
import { parseYearText } from '../../src/data/csv.js';

const ORIGIN: Tuple = { name: 'alice', ip: '127.0.0.1', port: 7002 };
/** The packed tail of these records (their packed lines, as the batcher makes them from the file's lines). */
const packRecords = (records: readonly WireRecord[]) => packLines(records.map((r) => packedLine(r.pos, r.fields.join(','))));

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

test('a packed store decodes to the same store as the plain one; its header peeks alike', () => {
  const records = [row(5536849, 'SHELBY'), row(5539287, 'NORTHERN GREENLEE'), row(10, '{"pos":3} "quoted"'), row(11, '')];
  const json = JSON.stringify(records);
  const buf = encodePackedStore('abc123.7f', ORIGIN, 3, 'q1w2e3', records.length, packRecords(records));
  assert.deepEqual(decode(buf), decode(encodeStore('abc123.7f', ORIGIN, 3, 'q1w2e3', json)));
  assert.deepEqual(peekStore(buf), { rid: 'abc123.7f', origin: ORIGIN, owner: 3, epoch: 'q1w2e3', records: 4, packed: PACKED_FORMAT });
  // The JSON text ends at the NUL; the records follow in binary, not in base64 or as text.
  const nul = buf.indexOf(0);
  assert.ok(nul > 0 && JSON.parse(buf.toString('utf8', 0, nul)).packed === PACKED_FORMAT);
  const lines = records.map((r) => `${r.pos},${r.fields.join(',')}`).join('\n');
  assert.equal(inflateRawSync(buf.subarray(nul + 1), { dictionary: STORE_DICTIONARY }).toString('utf8'), lines);
});

test('the ring MAC of a packed store covers its binary tail', () => {
  const key = Buffer.alloc(32, 7);
  const records = [row(1, 'X'), row(2, 'Y')];
  const sealed = appendMac(encodePackedStore('r.1', ORIGIN, 1, 'e', 2, packRecords(records)), key);
  assert.equal(verifyMac(sealed, key), true);
  const d = decode(sealed);
  assert.ok(d.ok && d.msg.type === 'store' && d.msg.records.length === 2);
  assert.equal(peekStore(sealed)?.records, 2);
  // One bit of the tail changed: the MAC no longer holds.
  const flipped = Buffer.from(sealed);
  flipped[flipped.length - 1]! ^= 1;
  assert.equal(verifyMac(flipped, key), false);
  assert.equal(verifyMac(sealed, Buffer.alloc(32, 8)), false);
  // Sealing again replaces the MAC and keeps the tail.
  assert.deepEqual(appendMac(sealed, key), sealed);
});

test('a packed store that is not raw DEFLATE with the dictionary of `count` lines of a position and 14 fields is refused', () => {
  const records = [row(1, 'X'), row(2, 'Y')];
  const lines = records.map((r) => packedLine(r.pos, r.fields.join(',')));
  const packed = (tail: Uint8Array, count: unknown, format: unknown = PACKED_FORMAT) =>
    Buffer.concat([Buffer.from(JSON.stringify({ v: 1, type: 'store', rid: 'r.1', origin: ORIGIN, owner: 1, epoch: 'e', count, packed: format })), Buffer.of(0), tail]);
  const invalid = 'store: invalid field "packed"';
  const bad: Array<[Buffer, string]> = [
    [packed(Buffer.from('plain text, not deflated'), 2), invalid],
    // Deflated with another dictionary: refers back into text the owner's window does not hold.
    [packed(deflateRawSync(lines.join('\n'), { dictionary: Buffer.from(lines.join('\n')) }), 2), invalid],
    [packed(packLines(lines), 3), invalid],
    [packed(packLines(lines), 1), invalid],
    [packed(packLines(lines), -1), 'store: invalid field "count"'],
    [packed(packLines([]), 1), invalid],
    [packed(packLines(['x']), 0), invalid],
    [packed(packLines(['1,2,3']), 1), invalid],
    [packed(packLines([`${lines[0]},extra`]), 1), invalid],
    [packed(packLines([`x${lines[0]}`]), 1), invalid],
    [packed(packLines([`-${lines[0]}`]), 1), invalid],
    [packed(packLines([`01,${records[0]!.fields.join(',')}`]), 1), invalid],
    // A bomb: 1 MiB and more of one line inflate past MAX_UNPACKED_BYTES.
    [packed(packLines([`${lines[0]}${' '.repeat(MAX_UNPACKED_BYTES + 1)}`]), 1), invalid],
    [packed(packLines(lines), 2, 7), invalid],
    // Packed with another build's dictionary or in another form: said so.
    [packed(packLines(lines), 2, 'csv+deflate+dict-00000000'), 'store: packed as "csv+deflate+dict-00000000", which this build does not read (it reads "' + PACKED_FORMAT + '": another stormdht version?)'],
    // No tail at all, or a tail on another message.
    [Buffer.from(JSON.stringify({ v: 1, type: 'store', rid: 'r.1', origin: ORIGIN, owner: 1, epoch: 'e', count: 2, packed: PACKED_FORMAT })), 'store: packed records missing'],
    [Buffer.concat([encode({ type: 'store-ack', rid: 'r.1' }), Buffer.of(0, 1, 2)]), 'store-ack: bytes after the JSON text'],
  ];
  for (const [i, [buf, reason]] of bad.entries()) {
    const d = decode(buf);
    assert.equal(d.ok, false, `case ${i}: ${reason}`);
    assert.equal(!d.ok && d.reason, reason);
  }
  // No records at all is a valid (empty) packed store.
  const empty = decode(packed(packLines([]), 0));
  assert.ok(empty.ok && empty.msg.type === 'store' && empty.msg.records.length === 0);
});

test('every packed batch, encoded with a long rid, fits its budget, keeps the lines in order and inflates to them', () => {
  const records = Array.from({ length: 900 }, (_, i) => row(5_500_000 + i * 37, i % 50 === 0 ? 'GORE AND ELK MOUNTAINS/CENTRAL MOUNTAIN VALLEYS/'.repeat(3) : `COUNTY ${i % 17}`));
  const lines = records.map((r) => packedLine(r.pos, r.fields.join(',')));
  for (const budget of [600, 1_400, 8_000]) {
    const plan = planPackedBatches(lines, ORIGIN, 2, 'e1', budget);
    const unpacked = plan.flatMap((b) => inflateRawSync(b.packed, { dictionary: STORE_DICTIONARY }).toString('utf8').split('\n'));
    assert.deepEqual(unpacked, lines);
    for (const b of plan) {
      assert.ok(encodePackedStore('zzzzzz.zzzzzz', ORIGIN, 2, 'e1', b.count, b.packed).length <= budget, `batch over ${budget}`);
      const d = decode(encodePackedStore('zzzzzz.zzzzzz', ORIGIN, 2, 'e1', b.count, b.packed));
      assert.ok(d.ok && d.msg.type === 'store' && d.msg.records.length === b.count);
    }
    const plain = planStoreBatches(records.map(encodeRecord), ORIGIN, 2, 'e1', budget);
    assert.ok(plan.length * 3 < plain.length, `packing should at least third the datagrams: ${plan.length} vs ${plain.length} at ${budget}`);
  }
});

test('an owner\'s batches are planned once per year and ring size, whatever epoch each build draws', () => {
  const text = ['EVENT_ID,STATE,YEAR,MONTH_NAME,EVENT_TYPE,CZ_TYPE,CZ_NAME,INJURIES_DIRECT,INJURIES_INDIRECT,DEATHS_DIRECT,DEATHS_INDIRECT,DAMAGE_PROPERTY,DAMAGE_CROPS,TOR_F_SCALE']
    .concat(Array.from({ length: 400 }, (_, i) => `${100_000 + i * 7},TEXAS,1997,May,Hail,C,COUNTY ${i % 40},0,0,0,0,1K,0K,`))
    .join('\n');
  const parsed = parseYearText(text, 'x', '1997');
  assert.ok(parsed.ok);
  const data = parsed.data;
  const mine = data.records.filter((_, i) => ownerOf(positionsOf(data)[i]!, 3) === 1);
  for (const encoding of ['deflate', 'json'] as const) {
    const first = ownerBatches(data, 3, 1, ORIGIN, '1', 1_400, encoding);
    assert.equal(ownerBatches(data, 3, 1, ORIGIN, '2lq8v0fz1x', 1_400, encoding), first, `${encoding}: the plan is kept`);
    assert.notEqual(ownerBatches(data, 3, 1, ORIGIN, '1', 8_000, encoding), first, `${encoding}: another budget is another plan`);
    const carried: WireRecord[] = [];
    for (const b of first) {
      const buf = b.packed === undefined ? encodeStore('zzzzzz.zzzzzz', ORIGIN, 1, '2lq8v0fz1x', b.json) : encodePackedStore('zzzzzz.zzzzzz', ORIGIN, 1, '2lq8v0fz1x', b.count, b.packed);
      assert.ok(buf.length <= 1_400, `${encoding}: a batch of ${buf.length} bytes with a long epoch`);
      const d = decode(buf);
      assert.ok(d.ok && d.msg.type === 'store');
      carried.push(...(d.msg as StoreRequest).records);
    }
    // Exactly node 1's records, in file order, at their positions.
    const s = data.s;
    assert.deepEqual(carried, mine.map((rec): WireRecord => ({ pos: rec.eventId % s, fields: rec.fields })));
  }
});

test('an owner\'s packed plan gives the same batches asked for one by one, in any order, as planned at once', () => {
  const text = ['EVENT_ID,STATE,YEAR,MONTH_NAME,EVENT_TYPE,CZ_TYPE,CZ_NAME,INJURIES_DIRECT,INJURIES_INDIRECT,DEATHS_DIRECT,DEATHS_INDIRECT,DAMAGE_PROPERTY,DAMAGE_CROPS,TOR_F_SCALE']
    .concat(Array.from({ length: 3000 }, (_, i) => `${200_000 + i * 11},KANSAS,1998,June,Thunderstorm Wind,C,COUNTY ${i % 90},0,0,0,0,${i % 7}K,,`))
    .join('\n');
  const parsed = parseYearText(text, 'x', '1998');
  assert.ok(parsed.ok);
  const data = parsed.data;
  const plan = ownerBatches(data, 4, 2, ORIGIN, 'e', 1_400, 'deflate');
  // Asked for out of order: the last first, then the rest; each is planned once and kept.
  const lines = data.lines.flatMap((line, i) => (ownerOf(positionsOf(data)[i]!, 4) === 2 ? [packedLine(positionsOf(data)[i]!, line)] : []));
  const whole = planPackedBatches(lines, ORIGIN, 2, 'x'.repeat(12), 1_400);
  assert.ok(whole.length > 3);
  const last = plan.at(whole.length - 1);
  assert.equal(plan.at(whole.length), undefined);
  const oneByOne = whole.map((_, k) => plan.at(k));
  assert.equal(oneByOne[whole.length - 1], last);
  assert.deepEqual(oneByOne, whole);
  assert.deepEqual([...plan], whole);
});
