// Replication (issue 12), the pure parts and one node's decisions: where a record's copies live
// (ring-state.ts), the count's check of the copies (distribute.ts copyError), and how a node of a
// ring with R = 2 answers a query (handlers/find-copies.ts): from its copy when the owner is
// suspected, by sending it to a copy when the owner is suspected elsewhere, from its held build
// while its new build is not whole, and with the lost-records error instead of "not found".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalTable } from '../../src/data/local-table.js';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { copyError } from '../../src/peer/procedures/distribute.js';
import { PeerNode } from '../../src/peer/node.js';
import { chainIndex, chainOf, copiesOf, holdsRecordsOf, type RingState } from '../../src/peer/ring-state.js';
import type { Tuple } from '../../src/wire/messages.js';
import { encode } from '../../src/wire/codec.js';
import { rawSocket, virtualNet } from './transport-fixtures.js';

const RING: Tuple[] = [
  { name: 'alice', ip: '10.0.0.2', port: 7002 },
  { name: 'bob', ip: '10.0.0.3', port: 7004 },
  { name: 'carol', ip: '10.0.0.4', port: 7006 },
];
const QUERIER: Tuple = { name: 'dave', ip: '10.0.0.5', port: 7008 };
const S = 83;
/** With s = 83 an event id below 83 sits at its own position, so event e is owned by node e mod 3. */
const fieldsOf = (eventId: number): string[] => [String(eventId), ...Array.from({ length: 13 }, (_, k) => `f${k}`)];

test('a record lives on its owner and the R − 1 nodes after it; a ring smaller than R keeps one on each', () => {
  const five = { n: 5, replicas: 2 };
  assert.equal(copiesOf(five), 2);
  assert.deepEqual(chainOf(five, 4), [4, 0]);
  assert.deepEqual([0, 1, 2, 3, 4].filter((id) => holdsRecordsOf(five, 4, id)), [0, 4]);
  assert.equal(chainIndex(five, 4, 0), 1);
  const three = { n: 3, replicas: 5 };
  assert.equal(copiesOf(three), 3);
  assert.deepEqual(chainOf(three, 1), [1, 2, 0]);
  assert.deepEqual(chainOf({ n: 4, replicas: 1 }, 2), [2], 'R = 1: the owner alone, as SPEC places it');
});

test("the count's check: each node's copies are the records of the R − 1 nodes before it", () => {
  const counts = [10, 20, 30, 40];
  assert.equal(copyError(counts, [40, 10, 20, 30], 2), null);
  assert.equal(copyError(counts, [70, 50, 30, 50], 3), null);
  assert.match(copyError(counts, [40, 10, 19, 30], 2) ?? '', /^node 2 counted 19 copies, but the 1 nodes before it own 20 records$/);
});

/** bob, node 1 of a ring of 3 keeping 2 copies, whose build `e1` is whole; alice, carol and the querier as raw sockets. */
async function bobWithCopies(ring: Partial<RingState> = {}) {
  const { clock, net } = virtualNet();
  const node = new PeerNode({ manager: { ip: '10.0.0.1', port: 7000 }, dataDir: '.', clock, random: mulberry32(1), bind: (ip, port) => net.bind(ip, port) });
  node.attach('bob', '10.0.0.3', await net.bind('10.0.0.3', 7003), await net.bind('10.0.0.3', 7004));
  node.ring = { id: 1, n: 3, s: S, year: '1950', ring: RING, epoch: 'e1', key: Buffer.alloc(32), replicas: 2, l: 9, ...ring };
  node.countedEpoch = 'e1';
  const querier = await rawSocket(net, clock, QUERIER);
  const alice = await rawSocket(net, clock, RING[0]!);
  const carol = await rawSocket(net, clock, RING[2]!);
  const ask = (eventId: number, extra: Record<string, unknown> = {}) => {
    querier.socket.send(encode({ type: 'find-event', rid: `q.${eventId}`, eventId, querier: QUERIER, path: [], ...extra }), RING[1]!);
    clock.advance(0);
    clock.advance(0);
  };
  return { node, clock, querier, alice, carol, ask };
}

test('the owner suspected: the node after it answers from its copy, and says so', async () => {
  const { node, querier, ask } = await bobWithCopies();
  node.copies.put(3, { eventId: 3, fields: fieldsOf(3) }); // event 3: owner alice (node 0), copy on bob
  node.liveness = { suspects: new Set(['alice']), dead: new Set() };
  ask(3);
  assert.deepEqual(querier.arrivals.map((a) => a.msg), [{ v: 1, type: 'find-result', rid: 'q.3', eventId: 3, found: true, path: [1], fields: fieldsOf(3), copy: true, by: 'bob' }]);
});

test('the owner up: the owner answers, as SPEC says (the copy holder passes the query on)', async () => {
  const { node, querier, alice, carol, ask } = await bobWithCopies();
  node.copies.put(3, { eventId: 3, fields: fieldsOf(3) });
  ask(3);
  assert.deepEqual(querier.arrivals, [], 'not answered by the copy');
  const forwarded = [...alice.arrivals, ...carol.arrivals].map((a) => a.msg as unknown as Record<string, unknown>);
  assert.equal(forwarded.length, 1);
  assert.equal(forwarded[0]!.copy, undefined);
});

test("another node's owner suspected: the query goes straight to the owner's copy, marked copy", async () => {
  const { node, querier, alice, carol, ask } = await bobWithCopies();
  node.liveness = { suspects: new Set(['carol']), dead: new Set() };
  ask(2); // event 2: owner carol (node 2), copy on alice (node 0)
  assert.deepEqual(querier.arrivals, []);
  assert.deepEqual(carol.arrivals, [], 'not to the suspect');
  assert.deepEqual(alice.arrivals.map((a) => a.msg as unknown as Record<string, unknown>).map((m) => [m.type, m.copy, m.path]), [['find-event', true, [1]]]);
});

test('a rebuild in progress: a record not yet stored is answered from the held build, or sent to its holder there', async () => {
  const { node, querier, carol, ask } = await bobWithCopies();
  // The held build e0 (bob was node 1 of alice, bob, carol) and a new build e2 not yet whole.
  const table = new LocalTable();
  table.put(4, { eventId: 4, fields: fieldsOf(4) }); // event 4: owner node 1 in e0
  node.held = { epoch: 'e0', ring: node.ring!, table, copies: new LocalTable() };
  node.ring = { ...node.ring!, epoch: 'e2' };
  node.countedEpoch = null;
  ask(4);
  assert.deepEqual(querier.arrivals.map((a) => (a.msg as unknown as Record<string, unknown>).found), [true]);
  ask(5); // owner carol in e0, whose copy is on alice: bob kept neither, so carol is asked, in e0
  const sent = carol.arrivals.map((a) => a.msg as unknown as Record<string, unknown>);
  assert.deepEqual(sent.map((m) => [m.type, m.held]), [['find-event', 'e0']]);
});

test('a ring that lost records never says "not found" when the record may be one of them', async () => {
  const { querier, ask } = await bobWithCopies({ lost: { count: 3, dead: ['erin', 'frank'] } });
  ask(7); // owner bob (node 1), not held
  const answer = querier.arrivals[0]!.msg as unknown as Record<string, unknown>;
  assert.equal(answer.found, false);
  assert.equal(answer.error, 'event 7 is not in the DHT, which lost every copy of 3 records when erin, frank died: it may be one of them');
});

test('a ring that lost nothing answers "not found" as SPEC says', async () => {
  const { querier, ask } = await bobWithCopies();
  ask(7);
  assert.deepEqual(querier.arrivals.map((a) => a.msg), [{ v: 1, type: 'find-result', rid: 'q.7', eventId: 7, found: false, path: [1], by: 'bob' }]);
});
