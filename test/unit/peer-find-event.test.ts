// handlers/find-event.ts: a query copy that can no longer be routed — it crossed a leave or join,
// so its path holds every id of the ring it reached without the owner deciding — is answered
// with an error instead of crashing the peer (found by the simulation: seed 1160 under heavy
// overlap, a TypeError out of the socket callback).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { PeerNode } from '../../src/peer/node.js';
import type { Tuple } from '../../src/wire/messages.js';
import { encode } from '../../src/wire/codec.js';
import { rawSocket, virtualNet } from './transport-fixtures.js';

const RING: Tuple[] = [
  { name: 'alice', ip: '10.0.0.2', port: 7002 },
  { name: 'bob', ip: '10.0.0.3', port: 7004 },
  { name: 'carol', ip: '10.0.0.2', port: 7006 },
];
const QUERIER: Tuple = { name: 'dave', ip: '10.0.0.4', port: 7008 };

async function bobInRing() {
  const { clock, net } = virtualNet();
  const node = new PeerNode({ manager: { ip: '10.0.0.1', port: 7000 }, dataDir: '.', clock, random: mulberry32(1), bind: (ip, port) => net.bind(ip, port) });
  node.attach('bob', '10.0.0.3', await net.bind('10.0.0.3', 7003), await net.bind('10.0.0.3', 7004));
  node.ring = { id: 1, n: 3, s: 83, year: '1950', ring: RING, epoch: 'e1', key: Buffer.alloc(32), replicas: 1 };
  const querier = await rawSocket(net, clock, QUERIER);
  return { clock, querier, node };
}

test('a find-event whose path already holds every id is answered with an error, not a crash', async () => {
  const { clock, querier } = await bobInRing();
  // Event 2 sits at pos 2 of node 2 (s = 83, n = 3); the path says 0 and 2 were probed already.
  querier.socket.send(encode({ type: 'find-event', rid: 'q.1', eventId: 2, querier: QUERIER, path: [0, 2] }), RING[1]!);
  clock.advance(0);
  clock.advance(0);
  const answers = querier.arrivals.map((a) => a.msg);
  assert.deepEqual(answers, [
    { v: 1, type: 'find-result', rid: 'q.1', eventId: 2, found: false, path: [0, 2, 1], error: 'the ring changed during the query', by: 'bob' },
  ]);
});

test('a find-event with an unprobed id left is passed on, as before', async () => {
  const { clock, querier } = await bobInRing();
  querier.socket.send(encode({ type: 'find-event', rid: 'q.2', eventId: 2, querier: QUERIER, path: [0] }), RING[1]!);
  clock.advance(0);
  clock.advance(0);
  assert.deepEqual(querier.arrivals, [], 'forwarded to carol (node 2), not answered');
});

test('a peer declared dead that registered again and is in a new ring is no longer taken for dead (a stale heartbeat view)', async () => {
  const { clock, querier, node } = await bobInRing();
  // alice's last heartbeat answer still named carol dead; a new ring with carol in it is built.
  node.liveness = { suspects: new Set(), dead: new Set(['carol', 'erin']) };
  node.ring = { ...node.ring!, ring: [...RING], epoch: 'e2' };
  assert.deepEqual([...node.liveness.dead], ['erin'], 'carol is in the new ring: registered again, not dead');
  node.countedEpoch = 'e2';
  // Event 2 is carol's (node 2): passed on to her, not failed as a dead node's.
  querier.socket.send(encode({ type: 'find-event', rid: 'q.3', eventId: 2, querier: QUERIER, path: [0] }), RING[1]!);
  clock.advance(0);
  clock.advance(0);
  assert.deepEqual(querier.arrivals, []);
  // The same member list taken again (a count's lost field, say) changes nothing.
  node.liveness = { suspects: new Set(), dead: new Set(['carol']) };
  node.ring = { ...node.ring! };
  assert.deepEqual([...node.liveness.dead], ['carol']);
});
