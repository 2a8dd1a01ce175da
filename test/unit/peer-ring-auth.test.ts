// Ring authentication (issue 5) on a simulated network: control messages without a valid MAC under
// the DHT's key are dropped and counted, whatever they claim; grants open only for their member;
// and the ring built by the protocol's own messages still works (setup, query, leave, join).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openGrant, sealGrant } from '../../src/wire/grant.js';
import { appendMac, verifyMac } from '../../src/wire/mac.js';
import { encode } from '../../src/wire/codec.js';
import type { Message } from '../../src/wire/messages.js';
import { memoryCluster, ringSnapshot } from './peer-fixtures.js';

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin'];
const K = Buffer.alloc(32, 7);
const OTHER_K = Buffer.alloc(32, 8);

test('a MAC holds only under its key and only for the bytes it was made for', () => {
  const buf = encode({ type: 'teardown', rid: 'r1', origin: { name: 'a', ip: '1.2.3.4', port: 7002 }, final: true });
  const sealed = appendMac(buf, K);
  assert.equal(verifyMac(sealed, K), true);
  assert.equal(verifyMac(sealed, OTHER_K), false);
  assert.equal(verifyMac(buf, K), false, 'no MAC at all');
  assert.deepEqual(appendMac(sealed, K), sealed, 'sealing again under the same key changes nothing');
  assert.equal(verifyMac(appendMac(sealed, OTHER_K), OTHER_K), true, 'sealing again replaces the old MAC');
  const tampered = Buffer.from(sealed.toString().replace('"final":true', '"final":fals'));
  assert.equal(verifyMac(tampered, K), false);
  assert.equal(JSON.parse(sealed.toString()).mac.length, 43);
});

test('a grant opens to K only with its member\'s own key and name', () => {
  const p = Buffer.alloc(32, 1);
  const grant = sealGrant(p, 'bob', 3, K);
  assert.deepEqual(openGrant(p, 'bob', grant), K);
  assert.equal(openGrant(Buffer.alloc(32, 2), 'bob', grant), null, 'another peer\'s key');
  assert.equal(openGrant(p, 'carol', grant), null, 'another name');
  assert.equal(openGrant(p, 'bob', { ...grant, serial: 4 }), null, 'another DHT');
  assert.equal(openGrant(p, 'bob', { ...grant, sealed: sealGrant(p, 'bob', 3, OTHER_K).sealed }), null, 'another K');
});

test('forged control messages are dropped and counted; the ring is unchanged and still answers', async () => {
  const c = await memoryCluster(NAMES);
  try {
    await c.ok('alice', 'setup-dht alice 4 1950');
    const members = c.manager.state.dht!.members;
    const outside = NAMES.find((n) => !members.includes(n))!;
    const bob = c.nodes.get(members[1]!)!;
    const before = ringSnapshot(c);
    const { socket } = await c.attacker();
    const self = bob.self!;
    const origin = c.nodes.get('alice')!.self!;
    const forged: Message[] = [
      { type: 'teardown', rid: 'f1', origin, final: true },
      { type: 'set-id', rid: 'f2', id: 1, n: 1, s: 3, year: '1950', ring: [self], epoch: 'evil' },
      { type: 'store', rid: 'f3', origin, owner: bob.ring!.id, epoch: bob.ring!.epoch!, records: [] },
      { type: 'reset-id', rid: 'f4', origin, id: 0, n: 1, ring: [self], epoch: 'evil' },
      { type: 'rebuild-dht', rid: 'f5', origin, year: '1950', s: bob.ring!.s },
      { type: 'join-request', rid: 'f6', joiner: origin },
      { type: 'count', rid: 'f7', origin, epoch: bob.ring!.epoch!, counts: [] },
    ];
    for (const msg of forged) {
      socket.send(encode(msg), self); // no MAC
      socket.send(appendMac(encode(msg), OTHER_K), self); // a MAC under another key
    }
    // A grant made under a key that is not bob's own P, in an otherwise well-formed set-id.
    const fakeGrant = sealGrant(Buffer.alloc(32, 9), bob.name!, 99, OTHER_K);
    socket.send(appendMac(encode({ ...forged[1], grant: fakeGrant } as Message), OTHER_K), self);
    await c.settle(100);
    assert.deepEqual(ringSnapshot(c), before, 'no forged message changed any node');
    assert.equal(bob.status().unauthenticated, forged.length * 2 + 1);
    // The ring still does what it did: a query answers, and a leave and a join rebuild it.
    const q = await c.ok(outside, `query-dht ${outside} 10104930`);
    assert.equal(q.data?.eventId, 10104930);
    await c.ok(members[2]!, `leave-dht ${members[2]}`);
    await c.ok(outside, `join-dht ${outside}`);
    assert.equal(c.manager.state.dht!.members.length, 4);
    assert.equal([...c.nodes.values()].reduce((sum, n) => sum + n.status().unauthenticated, 0), forged.length * 2 + 1, 'the protocol\'s own messages all passed');
    await c.ok(c.manager.state.dht!.members[0]!, `teardown-dht ${c.manager.state.dht!.members[0]}`);
  } finally {
    await c.close();
  }
});

test('a leaver keeps the key only until its leave is over, and a new DHT has a new key', async () => {
  const c = await memoryCluster(NAMES);
  try {
    await c.ok('alice', 'setup-dht alice 4 1950');
    const firstKey = c.nodes.get('alice')!.ring!.key;
    await c.ok('alice', 'leave-dht alice');
    const alice = c.nodes.get('alice')!;
    assert.equal(alice.ring, null);
    assert.equal(alice.keys.lingering, null, 'the leaver dropped the key when its leave ended');
    const leader = c.manager.state.dht!.members[0]!;
    await c.ok(leader, `teardown-dht ${leader}`);
    await c.ok('bob', 'setup-dht bob 3 1950');
    const secondKey = c.nodes.get('bob')!.ring!.key;
    assert.notDeepEqual(secondKey, firstKey);
    for (const name of c.manager.state.dht!.members) assert.deepEqual(c.nodes.get(name)!.ring!.key, secondKey, `${name} holds the new key`);
  } finally {
    await c.close();
  }
});
