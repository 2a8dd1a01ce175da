// endpoint.ts, the requesting side: a request gets its answer; retransmission of the identical
// datagram at 500 ms doubling to 2 s until the budget; ETIMEDOUT `no response from <who>`;
// complete(); awaitMessage/deliver; close(); unique rids; an answer is received in its requester's
// async context. Over a MemoryNetwork on a VirtualClock.
import { AsyncLocalStorage } from 'node:async_hooks';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransportError } from '../../src/transport/errors.js';
import { REQUEST_BUDGET_MS } from '../../src/transport/timing.js';
import type { Message } from '../../src/wire/messages.js';
import { encode } from '../../src/wire/codec.js';
import { CLIENT, client, flush, rawSocket, server, SERVER, track, virtualNet } from './transport-fixtures.js';
import { Endpoint } from '../../src/transport/endpoint.js';
import type { DatagramSocket } from '../../src/transport/udp-socket.js';
import { RttEstimator } from '../../src/transport/rtt.js';

/** A TransportError with this code and message. */
function transportError(code: string, message: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  };
}

const QUERY = { type: 'query-dht', name: 'bob' } as const;

test('a request resolves with the reply that carries its rid, and leaves no timer behind', async () => {
  const { clock, net } = virtualNet();
  const { handled } = await server(net, clock);
  const c = await client(net, clock);
  const p = c.request(SERVER, QUERY);
  clock.advance(0);
  const answer = await p;
  assert.equal(handled.length, 1);
  assert.deepEqual(answer, { v: 1, type: 'reply', rid: handled[0]!.msg.rid, ok: true });
  assert.deepEqual(handled[0]!.msg, { v: 1, ...QUERY, rid: handled[0]!.msg.rid });
  assert.equal(c.isPending(handled[0]!.msg.rid), false);
  assert.equal(clock.pendingTimers, 0);
  assert.deepEqual({ sent: c.stats.sent, received: c.stats.received, retransmits: c.stats.retransmits }, { sent: 1, received: 1, retransmits: 0 });
});

test('an answer is received, and its request settled, in the async context of the code that made the request', async () => {
  const { clock, net } = virtualNet();
  const { endpoint: srv, handled } = await server(net, clock, { autoReply: false });
  const context = new AsyncLocalStorage<string>();
  const seen: string[] = [];
  const c = await client(net, clock, undefined, { onEvent: (e) => seen.push(`${e.kind} ${'msg' in e ? e.msg.type : ''} in ${context.getStore() ?? 'none'}`) });
  const first = context.run('first', () => c.request(SERVER, QUERY));
  const second = context.run('second', () => c.request(SERVER, QUERY));
  clock.advance(0);
  // Answered in the reverse order, from the network's delivery timers, which run in no context.
  for (const h of [...handled].reverse()) srv.reply(h.from, h.msg.rid, { ok: true });
  clock.advance(0);
  await Promise.all([first, second]);
  assert.deepEqual(seen, ['send query-dht in first', 'send query-dht in second', 'recv reply in second', 'recv reply in first']);
  // A stray copy belongs to no request, hence to no context; it is not traced as received (issue 14).
  srv.reply(handled[0]!.from, handled[0]!.msg.rid, { ok: true });
  clock.advance(0);
  assert.deepEqual(seen.slice(4), ['stray reply in none']);
});

test('before any round trip is measured, retransmits the byte-identical datagram every 500 ms, then fails at the 10 s budget', async () => {
  const { clock, net } = virtualNet();
  const { arrivals } = await rawSocket(net, clock, SERVER);
  const events: string[] = [];
  const c = await client(net, clock, undefined, { onEvent: (e) => events.push(e.kind) });
  const p = track(c.request(SERVER, QUERY));
  clock.advance(REQUEST_BUDGET_MS - 1);
  await flush();
  const times = arrivals.map((a) => a.at);
  assert.deepEqual(times, Array.from({ length: 20 }, (_, i) => i * 500));
  for (const a of arrivals) assert.ok(a.buf.equals(arrivals[0]!.buf), 'identical datagram, same rid');
  assert.equal(p.state, 'pending', 'still pending 1 ms before the budget');
  clock.advance(1);
  await flush();
  assert.equal(p.state, 'rejected');
  transportError('ETIMEDOUT', 'no response from 10.0.0.2:6000')(p.error);
  assert.equal(arrivals.length, 20, 'nothing sent at the deadline itself');
  assert.equal(c.stats.retransmits, 19);
  assert.equal(c.stats.timeouts, 1);
  assert.deepEqual(events, ['send', ...Array(19).fill(['retransmit', 'send']).flat(), 'timeout']);
  assert.equal(clock.pendingTimers, 0);
});

test('the timeout names `who`, and a longer budget keeps resending every 500 ms until it ends', async () => {
  const { clock, net } = virtualNet();
  const { arrivals } = await rawSocket(net, clock, SERVER);
  const c = await client(net, clock);
  const p = c.request(SERVER, QUERY, { who: 'bob', budgetMs: 30_000 });
  clock.advance(30_000);
  await assert.rejects(p, transportError('ETIMEDOUT', 'no response from bob'));
  const times = arrivals.map((a) => a.at);
  for (let i = 1; i < times.length; i++) assert.equal(times[i]! - times[i - 1]!, 500);
  assert.equal(times.at(-1), 29_500);
});

test('after a measured round trip, retransmissions stay identical, at most 2 s apart, and the budget still ends them', async () => {
  const { clock, net } = virtualNet({ delayMs: 10 });
  await server(net, clock);
  const c = await client(net, clock);
  const answered = c.request(SERVER, QUERY);
  clock.advance(20);
  await answered;
  assert.equal(c.rtt.smoothed, 20, 'one round trip of 2 × 10 ms measured');
  const silent = { ip: '10.0.0.7', port: 7000 };
  const { arrivals } = await rawSocket(net, clock, silent);
  const p = track(c.request(silent, QUERY, { who: 'dave' }));
  clock.advance(REQUEST_BUDGET_MS - 1);
  await flush();
  assert.equal(p.state, 'pending');
  assert.ok(arrivals.length >= 7, `${arrivals.length} copies`);
  for (const a of arrivals) assert.ok(a.buf.equals(arrivals[0]!.buf));
  const times = arrivals.map((a) => a.at);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! <= 2_000);
  clock.advance(1);
  await flush();
  transportError('ETIMEDOUT', 'no response from dave')(p.error);
  assert.equal(clock.pendingTimers, 0);
});

test('an answer after a retransmission completes the request once; later copies are stray', async () => {
  const { clock, net } = virtualNet();
  const { socket, arrivals } = await rawSocket(net, clock, SERVER);
  const c = await client(net, clock);
  const p = track(c.request(SERVER, QUERY));
  clock.advance(600);
  assert.equal(arrivals.length, 2);
  const rid = arrivals[0]!.msg!.rid;
  const reply = Buffer.from(JSON.stringify({ v: 1, type: 'reply', rid, ok: true, node: { name: 'bob', ip: '10.0.0.2', port: 6000 }, year: '1996' }));
  socket.send(reply, c.local);
  socket.send(reply, c.local);
  clock.advance(0);
  await flush();
  assert.equal(p.state, 'resolved');
  assert.equal((p.value as Message & { year?: string }).year, '1996');
  assert.equal(c.stats.stray, 1);
  clock.advance(60_000);
  assert.equal(arrivals.length, 2, 'no retransmission after the answer');
});

test('stray answers (unknown rid) of every answer type are counted and ignored', async () => {
  const { clock, net } = virtualNet();
  const { socket } = await rawSocket(net, clock, SERVER);
  const strays: string[] = [];
  const c = await client(net, clock, undefined, { onEvent: (e) => e.kind === 'stray' && strays.push(e.msg.type) });
  for (const msg of [
    { v: 1, type: 'reply', rid: 'nobody.1', ok: true },
    { v: 1, type: 'store-ack', rid: 'nobody.2' },
    { v: 1, type: 'find-result', rid: 'nobody.3', eventId: 1, found: false, path: [0] },
  ]) {
    socket.send(Buffer.from(JSON.stringify(msg)), c.local);
  }
  clock.advance(0);
  assert.equal(c.stats.stray, 3);
  assert.deepEqual(strays, ['reply', 'store-ack', 'find-result']);
});

test('complete() resolves a pending request with any message the layer above recognises', async () => {
  const { clock, net } = virtualNet();
  const { arrivals } = await rawSocket(net, clock, SERVER);
  const c = await client(net, clock);
  const p = c.request(SERVER, { type: 'count', origin: { name: 'alice', ip: '10.0.0.1', port: 5000 }, epoch: 'e1', counts: [3] });
  clock.advance(0);
  const rid = arrivals[0]!.msg!.rid;
  assert.equal(c.isPending(rid), true);
  const returned: Message = { type: 'count', rid, origin: { name: 'alice', ip: '10.0.0.1', port: 5000 }, epoch: 'e1', counts: [3, 4, 5] };
  assert.equal(c.complete(rid, returned), true);
  assert.equal(await p, returned);
  assert.equal(c.complete(rid, returned), false, 'already finished');
  assert.equal(c.complete('no.such', returned), false);
  assert.equal(clock.pendingTimers, 0);
});

test('awaitMessage resolves on deliver, and times out with ETIMEDOUT after its budget', async () => {
  const { clock, net } = virtualNet();
  const c = await client(net, clock);
  const done: Message = { type: 'rebuild-done', rid: 'x.1', ok: true, records: 10, recordsPerNode: [5, 5] };
  assert.equal(c.deliver('rebuild', done), false, 'nobody waits yet');
  const waiting = c.awaitMessage('rebuild', 300_000, 'erin');
  clock.advance(299_999);
  assert.equal(c.deliver('rebuild', done), true);
  assert.equal(await waiting, done);
  assert.equal(c.deliver('rebuild', done), false, 'delivered once');
  assert.equal(clock.pendingTimers, 0);

  const late = track(c.awaitMessage('join', 1_000, 'alice'));
  clock.advance(999);
  await flush();
  assert.equal(late.state, 'pending');
  clock.advance(1);
  await flush();
  transportError('ETIMEDOUT', 'no response from alice')(late.error);
  assert.equal(c.stats.timeouts, 1);
  assert.equal(c.deliver('join', done), false);
});

test('a second awaitMessage on the same key supersedes the first, and the first one’s budget does not end the second', async () => {
  const { clock, net } = virtualNet();
  const c = await client(net, clock);
  const first = c.awaitMessage('k', 1_000, 'erin');
  const second = track(c.awaitMessage('k', 5_000, 'erin'));
  await assert.rejects(first, transportError('ECLOSED', 'superseded wait for k'));
  clock.advance(1_000);
  await flush();
  assert.equal(second.state, 'pending');
  const msg: Message = { type: 'join-done', rid: 'x', ok: true, records: 1, recordsPerNode: [1], ring: [] };
  assert.equal(c.deliver('k', msg), true, 'the second wait still receives its message');
  await flush();
  assert.equal(second.value, msg);
  assert.equal(c.stats.timeouts, 0, 'no wait timed out');
});

test('close() rejects pending requests and waits with ECLOSED, clears every timer, and is safe twice', async () => {
  const { clock, net } = virtualNet();
  await rawSocket(net, clock, SERVER);
  const c = await client(net, clock);
  const requests = [c.request(SERVER, QUERY), c.request(SERVER, QUERY, { budgetMs: 300_000 })];
  const wait = c.awaitMessage('rebuild', 300_000, 'erin');
  clock.advance(700);
  assert.ok(clock.pendingTimers >= 3);
  await Promise.all([c.close(), c.close()]);
  await c.close();
  for (const p of [...requests, wait]) await assert.rejects(p, transportError('ECLOSED', 'endpoint closed'));
  assert.equal(clock.pendingTimers, 0);
  await assert.rejects(c.request(SERVER, QUERY), transportError('ECLOSED', 'endpoint closed'));
  await assert.rejects(c.awaitMessage('x', 10, 'y'), transportError('ECLOSED', 'endpoint closed'));
  const sent = c.stats.sent;
  c.send(SERVER, { type: 'store-ack', rid: 'a.1' });
  assert.equal(c.stats.sent, sent, 'a closed endpoint sends nothing');
  // The socket is closed too: its address can be bound again.
  assert.deepEqual((await net.bind(c.local.ip, c.local.port)).local, c.local);
});

test('a superseded wait leaves no timer behind after close()', async () => {
  const { clock, net } = virtualNet();
  const c = await client(net, clock);
  c.awaitMessage('k', 1_000, 'erin').catch(() => {});
  c.awaitMessage('k', 2_000, 'erin').catch(() => {});
  await c.close();
  assert.equal(clock.pendingTimers, 0);
});

test('a request too big for one datagram is refused with ETOOBIG, before anything is sent', async () => {
  const { clock, net } = virtualNet();
  const c = await client(net, clock);
  await assert.rejects(
    c.request(SERVER, { type: 'query-dht', name: 'x'.repeat(60_000) }),
    (err: unknown) => err instanceof TransportError && err.code === 'ETOOBIG',
  );
  assert.equal(c.stats.sent, 0);
  assert.equal(clock.pendingTimers, 0);
});

test('rids are unique across many requests and carry the endpoint’s random prefix', async () => {
  const { clock, net } = virtualNet();
  const { arrivals } = await rawSocket(net, clock, SERVER);
  const c = await client(net, clock, undefined, { random: () => 0.5 });
  const other = await client(net, clock, { ip: '10.0.0.9', port: 5000 }, { random: () => 0.25 });
  for (let i = 0; i < 2_000; i++) {
    c.request(SERVER, QUERY, { budgetMs: 1 }).catch(() => {});
    other.request(SERVER, QUERY, { budgetMs: 1 }).catch(() => {});
  }
  clock.runUntilIdle(10);
  const rids = arrivals.map((a) => a.msg!.rid);
  assert.equal(rids.length, 4_000);
  assert.equal(new Set(rids).size, 4_000);
  for (const rid of rids) assert.match(rid, /^[0-9a-z]{6}\.[0-9a-z]+$/);
  assert.ok(rids.every((r) => r.length <= 14), 'short enough for batches()’ 24-char allowance');
});

test('a request with a minimum timeout is not sent again before it, however short the measured round trip (issue 14)', async () => {
  for (const [minTimeoutMs, expected] of [
    [undefined, [0, 40, 80, 120, 160, 200]],
    [200, [0, 200]],
  ] as const) {
    const { clock, net } = virtualNet();
    const { arrivals } = await rawSocket(net, clock, SERVER);
    const rtt = new RttEstimator();
    rtt.sample(1); // a fast path: the adaptive timeout sits at its floor
    const c = await client(net, clock, undefined, { rtt });
    const p = track(c.request(SERVER, QUERY, minTimeoutMs === undefined ? {} : { minTimeoutMs }));
    clock.advance(200);
    await flush();
    assert.deepEqual(
      arrivals.map((a) => a.at),
      expected,
      `minTimeoutMs ${minTimeoutMs}`,
    );
    assert.equal(p.state, 'pending');
    await c.close();
  }
});

test('a minimum timeout given as a function is asked again when the timer fires: a load that grew meanwhile delays the copy (issue 14)', async () => {
  const { clock, net } = virtualNet();
  const { arrivals } = await rawSocket(net, clock, SERVER);
  const rtt = new RttEstimator();
  rtt.sample(1);
  const c = await client(net, clock, undefined, { rtt });
  let inFlight = 1;
  const p = track(c.request(SERVER, QUERY, { minTimeoutMs: () => 10 * inFlight }));
  // Sent while one query was in flight (the wait is the adaptive floor, 40 ms); twenty more follow.
  inFlight = 20;
  clock.advance(199);
  await flush();
  assert.deepEqual(arrivals.map((a) => a.at), [0], 'no copy before 200 ms: the minimum grew to 10 ms × 20');
  clock.advance(1);
  await flush();
  assert.deepEqual(arrivals.map((a) => a.at), [0, 200]);
  assert.equal(p.state, 'pending');
  await c.close();
});

test('a request is handled inside the hold the layer above gives, its recv event first, and its reply leaves before the send event (issue 14)', async () => {
  const { clock, net } = virtualNet();
  const log: string[] = [];
  const socket = await net.bind(SERVER.ip, SERVER.port);
  const watched: DatagramSocket = {
    local: socket.local,
    send: (buf, to) => {
      log.push('datagram sent');
      socket.send(buf, to);
    },
    onDatagram: (handler) => socket.onDatagram(handler),
    close: () => socket.close(),
  };
  const srv: Endpoint = new Endpoint(watched, (msg, from) => {
    log.push(`handler ${msg.type}`);
    srv.reply(from, msg.rid, { ok: true });
  }, {
    clock,
    onEvent: (e) => log.push(`${e.kind} ${'msg' in e ? e.msg.type : ''}`),
    hold: (work) => {
      log.push('hold begins');
      work();
      log.push('hold ends');
    },
  });
  const sender = await net.bind(CLIENT.ip, CLIENT.port);
  sender.send(encode({ type: 'query-dht', name: 'bob', rid: 'r1' }), SERVER);
  clock.advance(0);
  await flush();
  assert.deepEqual(log, ['hold begins', 'recv query-dht', 'handler query-dht', 'datagram sent', 'send reply', 'hold ends']);
  await srv.close();
});
