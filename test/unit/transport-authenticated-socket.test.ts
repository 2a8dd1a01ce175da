// authenticated-socket.ts on a virtual network: with the same secret everything passes; a missing,
// wrong or stale one is refused with a plain "authentication failed" that the requester's command
// shows; a forged or altered envelope is dropped; refusals are rate-limited.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthenticatedSocket } from '../../src/transport/authenticated-socket.js';
import type { VirtualClock } from '../../src/transport/virtual-clock.js';
import type { Address, DatagramSocket } from '../../src/transport/udp-socket.js';
import type { Endpoint } from '../../src/transport/endpoint.js';
import { encode } from '../../src/wire/codec.js';
import type { Message } from '../../src/wire/messages.js';
import { client, rawSocket, server, SERVER, track, virtualNet, type Binder } from './transport-fixtures.js';

const REGISTER = { type: 'register', name: 'alice', ip: '10.0.0.1', mPort: 5000, pPort: 5001 } as const;

/** A binder whose sockets authenticate with `secret` (none: plain), on `skewMs` of clock offset. */
function authBinder(net: Binder, clock: VirtualClock, secret: string | undefined, skewMs = 0, sockets: AuthenticatedSocket[] = []): Binder {
  return {
    async bind(ip, port) {
      const inner = await net.bind(ip, port);
      if (secret === undefined) return inner;
      const s = new AuthenticatedSocket(inner, secret, () => 1_700_000_000_000 + clock.now() + skewMs, clock);
      sockets.push(s);
      return s;
    },
  };
}

async function ask(c: Endpoint, clock: VirtualClock): Promise<Message | Error> {
  const t = track(c.request(SERVER, REGISTER, { budgetMs: 2_000, who: 'manager' }));
  while (t.state === 'pending') await clock.advanceSettled(100);
  return t.state === 'resolved' ? t.value! : (t.error as Error);
}

function errorOf(answer: Message | Error): string | undefined {
  if (answer instanceof Error) return answer.message;
  return answer.type === 'reply' ? answer.error : undefined;
}

for (const [what, serverSecret, clientSecret, skew, expected] of [
  ['the same secret', 's3cret', 's3cret', 0, undefined],
  ['no secret at the client', 's3cret', undefined, 0, 'authentication failed: wrong or missing secret'],
  ['another secret at the client', 's3cret', 'other', 0, 'authentication failed: wrong or missing secret'],
  ['no secret at the server', undefined, 's3cret', 0, /^authentication failed: 10\.0\.0\.2:6000 answered without the secret/],
  ['a client clock 31 s ahead', 's3cret', 's3cret', 31_000, /^authentication failed: its timestamp is 31 s off this clock, beyond the 30 s replay window$/],
  ['a client clock 29 s behind', 's3cret', 's3cret', -29_000, undefined],
] as const) {
  test(`a request with ${what}: ${expected === undefined ? 'served' : 'refused with a clear reason'}`, async () => {
    const { clock, net } = virtualNet();
    const { handled } = await server(authBinder(net, clock, serverSecret), clock);
    const c = await client(authBinder(net, clock, clientSecret, skew), clock);
    const answer = await ask(c, clock);
    const error = errorOf(answer);
    if (expected === undefined) {
      assert.equal(error, undefined);
      assert.equal(handled.length, 1);
    } else {
      assert.equal(handled.length, 0, 'the request must not run');
      if (typeof expected === 'string') assert.equal(error, expected);
      else assert.match(error ?? '', expected);
    }
  });
}

test('an altered envelope is dropped and counted; plain requests get at most a burst of refusals', async () => {
  const { clock, net } = virtualNet();
  const sockets: AuthenticatedSocket[] = [];
  const { handled } = await server(authBinder(net, clock, 's3cret', 0, sockets), clock);
  const { socket, arrivals } = await rawSocket(net, clock, { ip: '10.0.0.9', port: 4000 });
  // A real envelope, captured, then altered in its message.
  const altering: DatagramSocket = {
    local: socket.local,
    send: (buf: Uint8Array, to: Address) => socket.send(Buffer.from(Buffer.from(buf).toString().replace('alice', 'mallo')), to),
    onDatagram() {},
    close: async () => {},
  };
  const sender = new AuthenticatedSocket(altering, 's3cret', () => 1_700_000_000_000 + clock.now(), clock);
  sender.send(encode({ ...REGISTER, rid: 'x.1' }), SERVER);
  for (let i = 0; i < 20; i++) socket.send(encode({ ...REGISTER, rid: `p.${i}` }), SERVER);
  await clock.advanceSettled(10);
  assert.equal(handled.length, 0);
  assert.equal(sockets[0]!.stats.unauthenticated, 21);
  assert.equal(sockets[0]!.stats.refusals, 3, 'a burst of refusals, then silence');
  assert.equal(arrivals.length, 3);
});
