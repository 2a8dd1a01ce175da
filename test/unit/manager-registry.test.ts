// register and deregister (SPEC §4 rows 1 and 8, D11, D12): every FAILURE condition on its own,
// with its message, and what SUCCESS changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initialState } from '../../src/manager/state.js';
import { cmd, fails, IP, ok, reg, registered, SIX, statesOf, withDht, FIXED_KEY, unknown } from './manager-fixtures.js';

test('register adds a Free peer with its address and ports, in registration order', () => {
  const state = ok(ok(initialState(), reg('bob', 7003, 7004)), reg('alice', 7001, 7002, '10.0.0.2'));
  assert.deepEqual([...state.peers.keys()], ['bob', 'alice']);
  assert.deepEqual(state.peers.get('alice'), { name: 'alice', ip: '10.0.0.2', mPort: 7001, pPort: 7002, state: 'Free', key: FIXED_KEY });
  assert.equal(state.dht, null);
  assert.deepEqual(state.mode, { kind: 'Idle' });
});

test('register refuses an invalid name, address or port, naming the value', () => {
  const state = initialState();
  fails(state, reg('peer1', 7001, 7002), 'peer name "peer1" is invalid: use 1 to 15 letters');
  fails(state, reg('abcdefghijklmnop', 7001, 7002), 'peer name "abcdefghijklmnop" is invalid: use 1 to 15 letters');
  fails(state, reg('', 7001, 7002), 'peer name "" is invalid: use 1 to 15 letters');
  fails(
    state,
    reg('bob', 7001, 7002, '127.0.0.256'),
    'IPv4 address "127.0.0.256" is invalid: use a dotted quad of four decimal octets 0-255, without leading zeros',
  );
  fails(state, reg('bob', 80, 7002), 'm-port 80 is invalid: use an integer 1024-65535');
  fails(state, reg('bob', 7001, 70000), 'p-port 70000 is invalid: use an integer 1024-65535');
  fails(state, reg('bob', 7001.5, 7002), 'm-port 7001.5 is invalid: use an integer 1024-65535');
  fails(state, reg('bob', 7001, 7001), 'm-port and p-port must differ (both are 7001)');
});

test('register refuses a name that is already registered, even with other ports', () => {
  const state = registered(['alice']);
  fails(state, reg('alice', 9001, 9002), 'peer "alice" is already registered');
  // Names are case-sensitive: Alice is another peer.
  assert.deepEqual(Object.keys(statesOf(ok(state, reg('Alice', 9001, 9002)))), ['alice', 'Alice']);
});

test('register refuses an (IPv4, port) pair in use as any registered m-port or p-port (D11)', () => {
  const state = registered(['alice']); // 127.0.0.1, m-port 7001, p-port 7002
  fails(state, reg('bob', 7001, 7010), 'address 127.0.0.1:7001 is already used by alice');
  fails(state, reg('bob', 7002, 7010), 'address 127.0.0.1:7002 is already used by alice');
  fails(state, reg('bob', 7010, 7001), 'address 127.0.0.1:7001 is already used by alice');
  fails(state, reg('bob', 7010, 7002), 'address 127.0.0.1:7002 is already used by alice');
  // The same ports on another host are another address; IPv4 addresses need not be unique.
  ok(state, reg('bob', 7001, 7002, '10.0.0.7'));
  ok(state, reg('bob', 7003, 7004, IP));
});

test('a FAILED register leaves the peer unregistered, and the checks run in the order of §4', () => {
  const state = registered(['alice']);
  // An invalid name is reported before a port problem, a duplicate before an address clash.
  fails(state, reg('peer1', 7001, 7001), 'peer name "peer1" is invalid: use 1 to 15 letters');
  fails(state, reg('alice', 7003, 7004), 'peer "alice" is already registered');
  fails(state, reg('bob', 7003, 7003), 'm-port and p-port must differ (both are 7003)');
  assert.deepEqual(Object.keys(statesOf(state)), ['alice']);
});

test('the same peer registering again from the same address is the registration it has: SUCCESS, no change', () => {
  const state = registered(['alice']);
  assert.equal(ok(state, reg('alice', 7001, 7002)), state);
  // Not once it is in a DHT: then it is a second registration of a busy name.
  const inDht = withDht(['alice', 'bob', 'carol'], 3);
  fails(inDht, reg('alice', 7001, 7002), 'peer "alice" is already registered');
});

test('deregister removes a Free peer, whose name and ports can then be registered again', () => {
  const state = ok(registered(['alice', 'bob']), cmd('deregister', 'alice'));
  assert.deepEqual(statesOf(state), { bob: 'Free' });
  ok(state, reg('alice', 7001, 7002));
  ok(state, reg('carol', 7001, 7002));
});

test('deregister refuses an unregistered name and a peer in the DHT (D12)', () => {
  fails(initialState(), cmd('deregister', 'zed'), unknown('zed'));
  const state = withDht(SIX, 5);
  fails(state, cmd('deregister', 'alice'), 'peer is Leader; only a Free peer may deregister');
  fails(state, cmd('deregister', 'bob'), 'peer is InDHT; only a Free peer may deregister');
  assert.deepEqual(statesOf(ok(state, cmd('deregister', 'frank'))), {
    alice: 'Leader',
    bob: 'InDHT',
    carol: 'InDHT',
    dave: 'InDHT',
    erin: 'InDHT',
  });
});

test('a long hostile name is echoed cut short, so the reply stays small', () => {
  const long = 'x'.repeat(50_000);
  fails(initialState(), cmd('deregister', long), unknown(JSON.stringify(`${'x'.repeat(40)}…`)));
});
