// memory-network.ts: bind and port 0, EADDRINUSE, asynchronous delivery of a private copy after a
// fixed delay, and close. (Loss, duplication and reordering are FaultySocket's: faults.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Endpoint } from '../../src/transport/endpoint.js';
import { MemoryNetwork } from '../../src/transport/memory-network.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';
import { flush, rawSocket, virtualNet } from './transport-fixtures.js';

const A = { ip: '10.0.0.1', port: 5000 };
const B = { ip: '10.0.0.2', port: 6000 };

test('bind gives the address asked for; port 0 picks distinct free ports', async () => {
  const net = new MemoryNetwork();
  const a = await net.bind(A.ip, A.port);
  assert.deepEqual(a.local, A);
  const x = await net.bind('10.0.0.1', 0);
  const y = await net.bind('10.0.0.1', 0);
  assert.notEqual(x.local.port, y.local.port);
  assert.ok(x.local.port >= 49_152 && x.local.port <= 65_535);
  // The same port on another address is free.
  assert.deepEqual((await net.bind('10.0.0.2', A.port)).local, { ip: '10.0.0.2', port: A.port });
});

test('bind refuses a taken address with EADDRINUSE, and frees it on close', async () => {
  const net = new MemoryNetwork();
  const a = await net.bind(A.ip, A.port);
  await assert.rejects(net.bind(A.ip, A.port), (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, 'EADDRINUSE');
    assert.equal(err.message, 'bind EADDRINUSE 10.0.0.1:5000');
    return true;
  });
  await a.close();
  await a.close();
  assert.deepEqual((await net.bind(A.ip, A.port)).local, A);
  await assert.rejects(net.bind(A.ip, 70_000), RangeError);
  await assert.rejects(net.bind(A.ip, 1.5), RangeError);
});

test('delivery is asynchronous and hands over a private copy (no clock: next turn)', async () => {
  const net = new MemoryNetwork();
  const a = await net.bind(A.ip, A.port);
  const b = await net.bind(B.ip, B.port);
  const got: Array<[string, unknown]> = [];
  b.onDatagram((buf, from) => got.push([buf.toString(), from]));
  const buf = Buffer.from('hello');
  a.send(buf, B);
  buf.write('HELLO');
  assert.deepEqual(got, [], 'not delivered inside send()');
  await flush();
  assert.deepEqual(got, [['hello', A]]);
  assert.equal(net.stats.delivered, 1);
});

test('with a clock, even a 0 ms delivery waits for the next advance', async () => {
  const { clock, net } = virtualNet();
  const a = await net.bind(A.ip, A.port);
  const { arrivals } = await rawSocket(net, clock, B);
  a.send(Buffer.from('{}'), B);
  await flush();
  assert.equal(arrivals.length, 0);
  clock.advance(0);
  assert.equal(arrivals.length, 1);
});

test('a datagram to an unbound or closed address vanishes and is counted', async () => {
  const { clock, net } = virtualNet();
  const a = await net.bind(A.ip, A.port);
  const b = await net.bind(B.ip, B.port);
  a.send(Buffer.from('x'), { ip: '10.9.9.9', port: 1 });
  a.send(Buffer.from('y'), B);
  await b.close();
  clock.advance(0);
  assert.equal(net.stats.unreachable, 2);
  await a.close();
  a.send(Buffer.from('z'), B);
  assert.equal(net.stats.sent, 2, 'a closed socket sends nothing');
  a.send(Buffer.alloc(0), B);
  assert.equal(net.stats.sent, 2);
});

test('an oversize datagram is dropped as the kernel would refuse it', async () => {
  const { clock, net } = virtualNet();
  const a = await net.bind(A.ip, A.port);
  const { arrivals } = await rawSocket(net, clock, B);
  a.send(Buffer.alloc(65_508), B);
  a.send(Buffer.alloc(65_507), B);
  clock.advance(0);
  assert.equal(arrivals.length, 1);
  assert.equal(net.stats.oversize, 1);
});

test('every datagram arrives after the fixed delay, in the order sent', async () => {
  const clock = new VirtualClock();
  const net = new MemoryNetwork({ clock, delayMs: 25 });
  const a = await net.bind(A.ip, A.port);
  const { arrivals } = await rawSocket(net, clock, B);
  for (let i = 0; i < 100; i++) a.send(Buffer.from(String(i)), B);
  clock.advance(24);
  assert.equal(arrivals.length, 0, 'nothing before the delay');
  clock.advance(1);
  assert.deepEqual(
    arrivals.map((x) => `${x.buf}@${x.at}`),
    Array.from({ length: 100 }, (_, i) => `${i}@25`),
  );
  assert.deepEqual(net.stats, { sent: 100, delivered: 100, unreachable: 0, oversize: 0 });
  assert.equal(clock.pendingTimers, 0);
});

test('a delay out of range is refused at construction', () => {
  assert.throws(() => new MemoryNetwork({ delayMs: -1 }), RangeError);
  assert.throws(() => new MemoryNetwork({ delayMs: Number.NaN }), RangeError);
  assert.throws(() => new MemoryNetwork({ delayMs: Number.POSITIVE_INFINITY }), RangeError);
});

test('without a virtual clock, endpoints on real time talk over it (with a real delay, too)', async () => {
  const net = new MemoryNetwork({ delayMs: 2 });
  const socket = await net.bind(B.ip, B.port);
  const srv: Endpoint = new Endpoint(socket, (msg, from) => srv.reply(from, msg.rid, { ok: true, year: '1996' }));
  const cli = new Endpoint(await net.bind(A.ip, 0), () => assert.fail('no requests expected'));
  const answer = await cli.request(B, { type: 'query-dht', name: 'bob' });
  assert.equal((answer as { year?: string }).year, '1996');
  await Promise.all([cli.close(), srv.close()]);
});
