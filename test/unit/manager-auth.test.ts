// Sender authentication (issue 5): every command that names a peer acts only when it comes from
// that peer's registered IPv4 and m-port, and register only from the address and m-port it names.
// Each forged command is shown to succeed from its rightful sender in the same state, so that its
// FAILURE from another socket is the authentication's doing; `step` checks that it changed nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sender } from '../../src/manager/handle.js';
import type { ManagerState } from '../../src/manager/state.js';
import type { ManagerRequest } from '../../src/wire/messages.js';
import { cmd, errorOf, FIRST, IP, ok, portsOf, reg, rebuilt, registered, setup, SIX, step, withDht, unknown } from './manager-fixtures.js';

/** alice's registered address (the first name of SIX registers with portsOf(0)). */
const ALICE: Sender = { ip: IP, port: portsOf(0).mPort };

/** Sockets that are not alice's m-port: her p-port, another port, another host with her port. */
const FORGERS: readonly Sender[] = [
  { ip: IP, port: portsOf(0).pPort },
  { ip: IP, port: 45000 },
  { ip: '127.0.0.2', port: ALICE.port },
  { ip: '10.9.8.7', port: 7001 },
];

const FORGED = /^alice is registered at another address: a command for alice must come from its m-port$/;

/** The command succeeds from its rightful sender, and fails, changing nothing, from every forger. */
function refusedWhenForged(state: ManagerState, req: ManagerRequest, random: () => number = FIRST): void {
  assert.equal(errorOf(step(state, req, random)), undefined, `${req.type} from its rightful sender must succeed here`);
  for (const from of FORGERS) {
    const outcome = step(state, req, random, from);
    assert.match(errorOf(outcome) ?? 'SUCCESS', FORGED, `${req.type} from ${from.ip}:${from.port}`);
    assert.equal(outcome.state, state, `${req.type} forged from ${from.ip}:${from.port} must hand the state back`);
  }
}

test('forged setup-dht, query-dht, join-dht and deregister from another socket are refused', () => {
  const state = registered(SIX);
  refusedWhenForged(state, setup('alice', 3));
  refusedWhenForged(state, cmd('deregister', 'alice'));
  // alice is Free outside a DHT of bob, carol, dave, erin.
  const outside = ok(ok(registered(['bob', 'carol', 'dave', 'erin', 'alice']), setup('bob', 4), FIRST), cmd('dht-complete', 'bob'));
  const aliceAt = { ip: IP, port: portsOf(4).mPort };
  assert.equal(errorOf(step(outside, cmd('query-dht', 'alice'), FIRST, aliceAt)), undefined);
  for (const command of ['query-dht', 'join-dht'] as const) {
    const req = cmd(command, 'alice');
    assert.equal(errorOf(step(outside, req, FIRST)), undefined);
    for (const from of [ALICE, ...FORGERS].filter((f) => f.port !== aliceAt.port)) {
      assert.match(errorOf(step(outside, req, FIRST, from)) ?? 'SUCCESS', FORGED, `${command} from ${from.ip}:${from.port}`);
    }
  }
});

test('forged leave-dht, teardown-dht and dht-complete of the leader are refused', () => {
  const dht = withDht(SIX, 4);
  refusedWhenForged(dht, cmd('leave-dht', 'alice'));
  refusedWhenForged(dht, cmd('teardown-dht', 'alice'));
  refusedWhenForged(dht, cmd('dht-complete', 'alice'));
  refusedWhenForged(ok(registered(SIX), setup('alice', 3), FIRST), cmd('dht-complete', 'alice'));
});

test('forged completions are refused: dht-rebuilt, teardown-complete, and reported failures', () => {
  const leaving = ok(withDht(SIX, 4), cmd('leave-dht', 'alice'));
  refusedWhenForged(leaving, rebuilt('alice', 'bob'));
  refusedWhenForged(leaving, { ...rebuilt('alice', 'bob'), failed: 'no response from bob' } as ManagerRequest);
  const tearing = ok(withDht(SIX, 4), cmd('teardown-dht', 'alice'));
  refusedWhenForged(tearing, cmd('teardown-complete', 'alice'));
  refusedWhenForged(tearing, { ...cmd('teardown-complete', 'alice'), failed: 'no response from the ring' } as ManagerRequest);
});

test('a forged repeat of the awaited command gets no SUCCESS: authentication comes before the busy rule', () => {
  const awaiting = ok(registered(SIX), setup('alice', 3), FIRST);
  const repeat = setup('alice', 3);
  const rightful = step(awaiting, repeat, FIRST);
  assert.ok(rightful.reply.ok && rightful.reply.ring?.length === 3, 'the awaited leader gets its ring again');
  for (const from of FORGERS) {
    const forged = step(awaiting, repeat, FIRST, from);
    assert.match(errorOf(forged) ?? 'SUCCESS', FORGED);
    assert.equal('ring' in forged.reply, false, 'a forger must not learn the ring');
  }
  // Another peer's command meets the busy rule only when it comes from that peer.
  assert.equal(errorOf(step(awaiting, cmd('deregister', 'bob'))), 'busy: waiting for dht-complete from alice');
  assert.match(errorOf(step(awaiting, cmd('deregister', 'bob'), FIRST, ALICE)) ?? '', /^bob is registered at another address/);
});

test('register only from the IPv4 address and m-port it names', () => {
  const req = reg('gina', 9001, 9002);
  assert.equal(errorOf(step(registered(SIX), req)), undefined);
  for (const from of [
    { ip: IP, port: 9002 },
    { ip: IP, port: 40000 },
    { ip: '127.0.0.2', port: 9001 },
  ]) {
    const outcome = step(registered(SIX), req, undefined, from);
    assert.equal(errorOf(outcome), `register must be sent from the IPv4 address and m-port it names (it came from ${from.ip}:${from.port})`);
  }
  // A name's repeated register from its own address stays the same registration; from elsewhere it is refused.
  const state = registered(SIX);
  assert.equal(errorOf(step(state, reg('alice', portsOf(0).mPort, portsOf(0).pPort))), undefined);
  assert.match(errorOf(step(state, reg('alice', portsOf(0).mPort, portsOf(0).pPort), undefined, { ip: IP, port: 45000 })) ?? '', /^register must be sent from/);
});

test('an unregistered name has no address to check: its command meets the usual checks', () => {
  assert.equal(errorOf(step(withDht(SIX, 4), cmd('teardown-dht', 'zed'), undefined, { ip: '10.1.1.1', port: 1 })), unknown('zed', { ip: '10.1.1.1', port: 1 }));
  assert.equal(errorOf(step(registered(SIX), cmd('deregister', 'zed'), undefined, { ip: '10.1.1.1', port: 1 })), unknown('zed', { ip: '10.1.1.1', port: 1 }));
});
