// endpoint.ts, the answering side (SPEC §1.4 items 3 and 6): a repeated request is executed once
// and answered from the reply cache (keyed by source address and rid) for REPLY_CACHE_TTL_MS; a
// copy that arrives while the first still executes is dropped; forwarded messages are not cached;
// a malformed request with a rid is told "malformed request", a malformed answer gets nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '../../src/wire/codec.js';
import { REPLY_CACHE_TTL_MS } from '../../src/transport/timing.js';
import type { Request } from '../../src/wire/messages.js';
import { CLIENT, OTHER, rawSocket, server, SERVER, virtualNet } from './transport-fixtures.js';

const SET_ID: Request = {
  type: 'set-id',
  rid: 'ab12cd.7',
  id: 1,
  n: 3,
  s: 449,
  year: '1996',
  ring: [{ name: 'alice', ip: '10.0.0.1', port: 5000 }, { name: 'bob', ip: '10.0.0.2', port: 6000 }, { name: 'carol', ip: '10.0.0.3', port: 5000 }],
  epoch: 'e1',
};

test('a repeated request is executed once; the copy gets the cached reply, byte-identical', async () => {
  const { clock, net } = virtualNet();
  const duplicates: string[] = [];
  const { endpoint, handled } = await server(net, clock, { onEvent: (e) => e.kind === 'duplicate' && duplicates.push(e.msg.rid) });
  const { socket, arrivals } = await rawSocket(net, clock, CLIENT);
  socket.send(encode(SET_ID), SERVER);
  clock.advance(0);
  clock.advance(1_000);
  socket.send(encode(SET_ID), SERVER);
  clock.advance(0);
  assert.equal(handled.length, 1);
  assert.equal(arrivals.length, 2);
  assert.ok(arrivals[1]!.buf.equals(arrivals[0]!.buf), 'the remembered reply, byte for byte');
  assert.deepEqual(arrivals[0]!.msg, { v: 1, type: 'reply', rid: SET_ID.rid, ok: true });
  assert.equal(endpoint.stats.duplicates, 1);
  assert.deepEqual(duplicates, [SET_ID.rid]);
});

test('the reply is remembered for REPLY_CACHE_TTL_MS, then a copy is a new request', async () => {
  const { clock, net } = virtualNet();
  const { handled } = await server(net, clock);
  const { socket, arrivals } = await rawSocket(net, clock, CLIENT);
  socket.send(encode(SET_ID), SERVER);
  clock.advance(REPLY_CACHE_TTL_MS - 1);
  socket.send(encode(SET_ID), SERVER);
  clock.advance(0);
  assert.equal(handled.length, 1, 'still cached 1 ms before the TTL');
  clock.advance(1);
  socket.send(encode(SET_ID), SERVER);
  clock.advance(0);
  assert.equal(handled.length, 2, 'executed again once the TTL has passed');
  assert.equal(arrivals.length, 3);
});

test('a copy that arrives while the first is still executing is dropped, then answered from the cache', async () => {
  const { clock, net } = virtualNet();
  const { endpoint, handled } = await server(net, clock, { autoReply: false });
  const { socket, arrivals } = await rawSocket(net, clock, CLIENT);
  socket.send(encode(SET_ID), SERVER);
  clock.advance(0);
  socket.send(encode(SET_ID), SERVER);
  clock.advance(500);
  assert.equal(handled.length, 1, 'not executed twice');
  assert.equal(arrivals.length, 0, 'nothing to send back yet');
  assert.equal(endpoint.stats.duplicates, 1);
  endpoint.reply(handled[0]!.from, SET_ID.rid, { ok: false, error: 'already in a DHT' });
  clock.advance(0);
  socket.send(encode(SET_ID), SERVER);
  clock.advance(0);
  assert.equal(handled.length, 1);
  assert.equal(arrivals.length, 2);
  assert.ok(arrivals[1]!.buf.equals(arrivals[0]!.buf));
  assert.deepEqual(arrivals[0]!.msg, { v: 1, type: 'reply', rid: SET_ID.rid, ok: false, error: 'already in a DHT' });
});

test('the cache key includes the source address: the same rid from elsewhere is a new request', async () => {
  const { clock, net } = virtualNet();
  const { handled } = await server(net, clock);
  const a = await rawSocket(net, clock, CLIENT);
  const b = await rawSocket(net, clock, OTHER);
  const c = await rawSocket(net, clock, { ip: CLIENT.ip, port: CLIENT.port + 1 });
  for (const r of [a, b, c, a, b, c]) r.socket.send(encode(SET_ID), SERVER);
  clock.advance(0);
  assert.deepEqual(
    handled.map((h) => h.from),
    [CLIENT, OTHER, { ip: CLIENT.ip, port: CLIENT.port + 1 }],
  );
  for (const r of [a, b, c]) assert.equal(r.arrivals.length, 2);
});

test('forwarded requests (store, count, find-event, teardown, reset-id) are not cached: every copy reaches the handler', async () => {
  const { clock, net } = virtualNet();
  const { handled } = await server(net, clock, { autoReply: false });
  const { socket } = await rawSocket(net, clock, CLIENT);
  const origin = { name: 'alice', ip: '10.0.0.1', port: 5000 };
  const forwarded: Request[] = [
    { type: 'store', rid: 'f.1', origin, owner: 1, epoch: 'e', records: [] },
    { type: 'count', rid: 'f.2', origin, epoch: 'e', counts: [1] },
    { type: 'find-event', rid: 'f.3', eventId: 5, querier: origin, path: [] },
    { type: 'teardown', rid: 'f.4', origin, final: true },
    { type: 'reset-id', rid: 'f.5', origin, id: 0, n: 3, ring: [origin], epoch: 'e' },
  ];
  for (const msg of [...forwarded, ...forwarded]) socket.send(encode(msg), SERVER);
  clock.advance(0);
  assert.deepEqual(
    handled.map((h) => h.msg.rid),
    ['f.1', 'f.2', 'f.3', 'f.4', 'f.5', 'f.1', 'f.2', 'f.3', 'f.4', 'f.5'],
  );
});

test('a malformed request with a rid is answered ok:false "malformed request" (once, from the cache after)', async () => {
  const { clock, net } = virtualNet();
  const malformed: string[] = [];
  const { endpoint, handled } = await server(net, clock, { onEvent: (e) => e.kind === 'malformed' && malformed.push(e.reason) });
  const { socket, arrivals } = await rawSocket(net, clock, CLIENT);
  const bad = [
    { v: 1, type: 'register', rid: 'm.1', name: 'alice' },
    { v: 1, type: 'no-such-type', rid: 'm.2' },
    { v: 2, type: 'set-id', rid: 'm.3' },
  ];
  for (const msg of bad) socket.send(Buffer.from(JSON.stringify(msg)), SERVER);
  clock.advance(0);
  assert.equal(handled.length, 0);
  assert.equal(endpoint.stats.malformed, 3);
  assert.deepEqual(malformed, ['register: missing field "ip"', 'unknown type "no-such-type"', 'unsupported protocol version 2']);
  assert.deepEqual(
    arrivals.map((a) => a.msg),
    ['m.1', 'm.2', 'm.3'].map((rid) => ({ v: 1, type: 'reply', rid, ok: false, error: 'malformed request' })),
  );
});

test('a malformed answer, or a datagram without a usable rid, gets nothing back', async () => {
  const { clock, net } = virtualNet();
  const { endpoint, handled } = await server(net, clock);
  const { socket, arrivals } = await rawSocket(net, clock, CLIENT);
  const silent = [
    '{"v":1,"type":"reply","rid":"m.1"}',
    '{"v":1,"type":"store-ack"}',
    '{"v":1,"type":"find-result","rid":"m.2","eventId":-1,"found":false,"path":[]}',
    '{"v":1,"type":"register","name":"alice"}',
    'not json at all',
    '[1,2,3]',
    '',
  ];
  for (const text of silent) socket.send(Buffer.from(text), SERVER);
  clock.advance(0);
  assert.equal(endpoint.stats.malformed, silent.length);
  assert.equal(handled.length, 0);
  assert.equal(arrivals.length, 0);
  assert.equal(endpoint.stats.stray, 0, 'malformed, not stray');
});

test('a closed endpoint ignores what still arrives', async () => {
  const { clock, net } = virtualNet();
  const { endpoint, handled } = await server(net, clock);
  const { socket, arrivals } = await rawSocket(net, clock, CLIENT);
  socket.send(encode(SET_ID), SERVER);
  await endpoint.close();
  clock.advance(0);
  assert.equal(handled.length, 0);
  assert.equal(arrivals.length, 0);
});
