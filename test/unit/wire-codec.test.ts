// codec.ts: every message of the inventory survives encode → decode, and every malformed datagram
// decodes to ok:false with its reason (and its rid when it has one) instead of throwing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, encodedLength, isMessageType, MAX_DATAGRAM_BYTES, type Decoded } from '../../src/wire/codec.js';
import { PROTOCOL_VERSION, type Message } from '../../src/wire/messages.js';
import { ALL_EXAMPLES, datagram, EXAMPLE, OPTIONAL_FIELDS, SHELBY_FIELDS } from './wire-fixtures.js';

/** The decode result of a datagram that must be refused, with its reason. */
function refused(buf: Uint8Array): Extract<Decoded, { ok: false }> {
  const d = decode(buf);
  assert.equal(d.ok, false, `accepted ${Buffer.from(buf).toString('utf8').slice(0, 200)}`);
  if (d.ok) throw new Error('unreachable');
  assert.ok(d.reason.length > 0);
  return d;
}

/** An example as a plain object with v, ready to be broken. */
function withV(msg: Message): Record<string, unknown> {
  return { v: PROTOCOL_VERSION, ...msg };
}

test('every message type of the inventory has an example', () => {
  for (const type of Object.keys(EXAMPLE)) assert.ok(isMessageType(type), type);
  assert.equal(isMessageType('bogus'), false);
  assert.equal(isMessageType('__proto__'), false);
  assert.equal(isMessageType(7), false);
});

test('encode → decode gives back every example, with v added', () => {
  for (const msg of ALL_EXAMPLES) {
    const buf = encode(msg);
    assert.equal(encodedLength(msg), buf.length, msg.type);
    assert.deepEqual(JSON.parse(buf.toString('utf8')), { v: PROTOCOL_VERSION, ...msg }, msg.type);
    const d = decode(buf);
    assert.deepEqual(d, { ok: true, msg: { v: PROTOCOL_VERSION, ...msg } }, msg.type);
  }
});

test('text of every kind survives the round trip, multi-byte UTF-8 included', () => {
  const fields = SHELBY_FIELDS.map((f, i) => (i === 6 ? `O'BRIEN & LAKE (N.) - ÅLAND/東京 "x" \\ \n` : f));
  const msg: Message = { type: 'store', rid: 'r.1', origin: EXAMPLE.store.origin, owner: 1, epoch: 'e', records: [{ pos: 1, fields }] };
  assert.deepEqual(decode(encode(msg)), { ok: true, msg: { v: PROTOCOL_VERSION, ...msg } });
  assert.equal(encodedLength(msg), encode(msg).length);
});

test('decode refuses what is not a JSON object', () => {
  for (const text of ['', '{', 'hello', '{"v":1,', "{'v':1}", '\u0000', 'undefined']) {
    assert.equal(refused(Buffer.from(text)).reason, 'not JSON', JSON.stringify(text));
  }
  for (const text of ['42', '"register"', 'null', 'true', '[]', '[{"v":1,"type":"register"}]']) {
    assert.equal(refused(Buffer.from(text)).reason, 'not a JSON object', text);
  }
  // Bytes that are not UTF-8 at all: decoded with replacement characters, then not JSON.
  assert.equal(refused(Uint8Array.from([0xff, 0xfe, 0x7b, 0x80])).reason, 'not JSON');
});

test('decode refuses another protocol version, reporting the rid and type', () => {
  const base = withV(EXAMPLE['query-dht']);
  for (const v of [0, 2, '1', 1.5, null, true]) {
    const d = refused(datagram({ ...base, v }));
    assert.equal(d.reason, `unsupported protocol version ${JSON.stringify(v)}`);
    assert.equal(d.rid, 'k3j9qz.3');
    assert.equal(d.type, 'query-dht');
  }
  const { v: _v, ...noV } = base;
  const d = refused(datagram(noV));
  assert.match(d.reason, /^unsupported protocol version/);
  assert.equal(d.rid, 'k3j9qz.3');
});

test('decode refuses an unknown or missing type, reporting the rid', () => {
  for (const type of ['bogus', 'REGISTER', '__proto__', 'constructor', 'hasOwnProperty', '']) {
    const d = refused(datagram({ v: 1, type, rid: 'ab.1' }));
    assert.equal(d.reason, type === '' ? 'unknown type ""' : `unknown type "${type}"`);
    assert.equal(d.rid, 'ab.1');
  }
  for (const type of [undefined, 7, null, ['register']]) {
    const d = refused(datagram({ v: 1, type, rid: 'ab.2', name: 'x' }));
    assert.equal(d.reason, 'no type');
    assert.equal(d.rid, 'ab.2');
    assert.equal(d.type, undefined);
  }
  // A long type is cut for the trace.
  assert.equal(refused(datagram({ v: 1, type: 'x'.repeat(500), rid: 'ab.3' })).type, 'x'.repeat(40));
});

test('decode refuses a missing or unusable rid, and then reports none', () => {
  const { rid: _rid, ...noRid } = withV(EXAMPLE.register);
  for (const rid of [undefined, '', 7, null, { id: 1 }, 'x'.repeat(65)]) {
    const d = refused(datagram({ ...noRid, rid }));
    assert.equal(d.reason, 'missing or invalid rid');
    assert.equal(d.rid, undefined);
    assert.equal(d.type, 'register');
  }
  assert.equal(decode(datagram({ ...noRid, rid: 'x'.repeat(64) })).ok, true, 'a 64-char rid is usable');
});

/** Values of another JSON kind than `value`, each of which the schema must refuse. */
function wrongKinds(value: unknown): unknown[] {
  if (typeof value === 'string') return [7, null, [value], { s: value }];
  if (typeof value === 'number') return [String(value), null, true, [value]];
  if (typeof value === 'boolean') return [1, 'true', null];
  if (Array.isArray(value)) return [{}, 'x', null, 7];
  return ['x', 7, null, [value]];
}

test('each field missing or of the wrong kind, for every example (table-driven)', () => {
  let cases = 0;
  for (const msg of ALL_EXAMPLES) {
    const optional = OPTIONAL_FIELDS[msg.type] ?? [];
    for (const [field, value] of Object.entries(msg)) {
      if (field === 'type' || field === 'rid') continue;
      const { [field]: _dropped, ...without } = withV(msg);
      const missing = decode(datagram(without));
      if (optional.includes(field)) {
        assert.equal(missing.ok, true, `${msg.type} without its optional ${field}`);
      } else {
        const d = refused(datagram(without));
        assert.equal(d.reason, `${msg.type}: missing field "${field}"`);
        assert.equal(d.rid, msg.rid, 'the rid is reported');
        assert.equal(d.type, msg.type);
      }
      for (const wrong of wrongKinds(value)) {
        const d = refused(datagram({ ...withV(msg), [field]: wrong }));
        assert.equal(d.reason, `${msg.type}: invalid field "${field}"`, `${msg.type}.${field} = ${JSON.stringify(wrong)}`);
        assert.equal(d.rid, msg.rid);
        cases++;
      }
    }
  }
  assert.ok(cases > 200, `only ${cases} cases`);
});

test('values of the right kind but out of range are refused', () => {
  const bad: Array<[Message, string, unknown]> = [
    [EXAMPLE.store, 'records', [{ pos: 610, fields: SHELBY_FIELDS.slice(0, 13) }]],
    [EXAMPLE.store, 'records', [{ pos: 610, fields: [...SHELBY_FIELDS, 'x'] }]],
    [EXAMPLE.store, 'records', [{ pos: 610, fields: SHELBY_FIELDS.map((f, i) => (i === 3 ? 3 : f)) }]],
    [EXAMPLE.store, 'records', [{ pos: -1, fields: SHELBY_FIELDS }]],
    [EXAMPLE.store, 'records', [{ fields: SHELBY_FIELDS }]],
    [EXAMPLE.store, 'owner', -1],
    [EXAMPLE.store, 'owner', 1.5],
    [EXAMPLE.store, 'origin', { ...EXAMPLE.store.origin, port: 70000 }],
    [EXAMPLE.store, 'origin', { ...EXAMPLE.store.origin, port: 0 }],
    [EXAMPLE.store, 'origin', { ...EXAMPLE.store.origin, port: 7002.5 }],
    [EXAMPLE.store, 'origin', { ip: '127.0.0.1', port: 7002 }],
    [EXAMPLE['set-id'], 'ring', [EXAMPLE.store.origin, { name: 'bob', ip: '127.0.0.1', port: 70000 }]],
    [EXAMPLE['set-id'], 'id', -1],
    [EXAMPLE['set-id'], 's', 2 ** 53],
    [EXAMPLE.count, 'counts', [1, -2]],
    [EXAMPLE.count, 'counts', [1, 2.5]],
    [EXAMPLE['find-event'], 'path', [0, '1']],
    [EXAMPLE['find-event'], 'eventId', 1e300],
    [EXAMPLE['find-result'], 'fields', SHELBY_FIELDS.slice(1)],
    [EXAMPLE['find-result'], 'fields', Array.from({ length: 13 }, () => 'x')],
    [EXAMPLE.reply, 'node', { name: 'bob', ip: '127.0.0.1', port: 70000 }],
    [EXAMPLE.reply, 'ring', [{ name: 'bob', ip: 7, port: 7004 }]],
    [EXAMPLE['rebuild-done'], 'recordsPerNode', [1, null]],
    [EXAMPLE['join-request'], 'joiner', { name: 'dave', ip: '127.0.0.1', port: 70000 }],
  ];
  for (const [msg, field, value] of bad) {
    const d = refused(datagram({ ...withV(msg), [field]: value }));
    assert.equal(d.reason, `${msg.type}: invalid field "${field}"`, `${msg.type}.${field} = ${JSON.stringify(value)}`);
    assert.equal(d.rid, msg.rid);
  }
});

test('unknown extra keys pass through (consumers ignore what they do not know)', () => {
  const d = decode(datagram({ ...withV(EXAMPLE['query-dht']), hint: 'x', extra: [1] }));
  assert.equal(d.ok, true);
});

test('the size cap: exactly MAX_DATAGRAM_BYTES is accepted, one byte more is refused', () => {
  const shell: Message = { type: 'reply', rid: 'big.1', ok: false, error: '' };
  const pad = MAX_DATAGRAM_BYTES - encode(shell).length;
  const atCap: Message = { ...shell, error: 'e'.repeat(pad) };
  assert.equal(encode(atCap).length, MAX_DATAGRAM_BYTES);
  assert.equal(decode(encode(atCap)).ok, true);
  const over = encode({ ...shell, error: 'e'.repeat(pad + 1) });
  assert.equal(over.length, MAX_DATAGRAM_BYTES + 1);
  assert.equal(refused(over).reason, `datagram of ${MAX_DATAGRAM_BYTES + 1} bytes exceeds ${MAX_DATAGRAM_BYTES}`);
});

test('decode reads a Uint8Array view at an offset of a larger buffer', () => {
  const inner = encode(EXAMPLE['store-ack']);
  const outer = new Uint8Array(inner.length + 10);
  outer.set(inner, 5);
  assert.deepEqual(decode(outer.subarray(5, 5 + inner.length)), { ok: true, msg: { v: 1, ...EXAMPLE['store-ack'] } });
});

test("a heartbeat's query reports (issue 16): valid ones pass, and any broken one makes the heartbeat malformed", () => {
  const report = { n: 3, eventId: 10096222, found: true, path: [2, 0], by: 'alice' };
  const ok = { ...withV(EXAMPLE.heartbeat), records: 72, queries: [report, { n: 4, eventId: 5, found: false, path: [1, 2, 0] }] };
  const d = decode(Buffer.from(JSON.stringify(ok)));
  assert.ok(d.ok, JSON.stringify(d));
  assert.deepEqual((d.msg as unknown as { queries: unknown }).queries, ok.queries);
  for (const broken of [
    [{ ...report, n: -1 }],
    [{ ...report, eventId: '10096222' }],
    [{ ...report, found: 'yes' }],
    [{ ...report, path: [2, -1] }],
    [{ ...report, by: 7 }],
    [{ n: 1, eventId: 1, found: true }],
    Array.from({ length: 9 }, (_, i) => ({ ...report, n: i + 1 })), // MAX_QUERY_REPORTS is 8
    report,
  ]) {
    refused(Buffer.from(JSON.stringify({ ...withV(EXAMPLE.heartbeat), queries: broken })));
  }
});
