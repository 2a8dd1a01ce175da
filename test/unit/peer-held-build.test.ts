// The build a rebuild replaces (held-build.ts, issue 12), and two bugs the simulation found with
// R ≥ 2 copies (test/sim/replicas.test.ts). The first (seed 70 of the replicated runs of 40 steps,
// before the fix): a build counted at some nodes and not at others — its joiner died while the
// count went round — is whole everywhere, and the nodes that counted it have dropped the build
// before it. A record the join moved from nodes 1 and 2 to the joiner and node 0 was then only in
// node 0's uncounted tables, which the repair emptied: the ring lost it with one death and R = 2.
// A build not counted here is now kept for the rebuild (`later`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalTable } from '../../src/data/local-table.js';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { onRebuildDht } from '../../src/peer/handlers/rebuild-dht.js';
import { onResetId } from '../../src/peer/handlers/reset-id.js';
import { heldTables, retireBuild } from '../../src/peer/held-build.js';
import { PeerNode } from '../../src/peer/node.js';
import type { Tuple } from '../../src/wire/messages.js';
import { rawSocket, virtualNet } from './transport-fixtures.js';

const RING: Tuple[] = [
  { name: 'alice', ip: '10.0.0.2', port: 7002 },
  { name: 'bob', ip: '10.0.0.3', port: 7004 },
  { name: 'carol', ip: '10.0.0.4', port: 7006 },
];
const line = (eventId: number): string => [String(eventId), ...Array.from({ length: 13 }, (_, k) => `f${k}`)].join(',');
const ids = (tables: readonly LocalTable[]): number[] => tables.flatMap((t) => [...t.lines()].map((r) => r.eventId)).sort((a, b) => a - b);

function alice(): PeerNode {
  const { clock, net } = virtualNet();
  const node = new PeerNode({ manager: { ip: '10.0.0.1', port: 7000 }, dataDir: '.', clock, random: mulberry32(1), bind: (ip, port) => net.bind(ip, port) });
  node.ring = { id: 0, n: 3, s: 83, year: '1950', ring: RING, epoch: 'e1', key: Buffer.alloc(32), replicas: 2, l: 9 };
  return node;
}

test('a counted build is held whole when a new one starts; its tables are then empty', () => {
  const node = alice();
  node.table.putLine(3, 3, line(3));
  node.copies.putLine(2, 2, line(2));
  node.countedEpoch = 'e1';
  retireBuild(node);
  assert.equal(node.held?.epoch, 'e1');
  assert.deepEqual(ids(heldTables(node.held!)), [2, 3]);
  assert.equal(node.table.size + node.copies.size, 0);
  assert.equal(node.countedEpoch, null);
});

test('a build not counted here goes with the held build, for the rebuild: later records, in no query', () => {
  const node = alice();
  node.table.putLine(3, 3, line(3));
  node.countedEpoch = 'e1';
  retireBuild(node); // the join's build e2 starts
  node.ring = { ...node.ring!, epoch: 'e2' };
  node.table.putLine(6, 6, line(6)); // e2's stores all arrived; its count never came back here
  node.copies.putLine(5, 5, line(5));
  retireBuild(node); // the repair's build e3 starts
  const held = node.held!;
  assert.equal(held.epoch, 'e1', 'the held build stays the last whole one, which queries read');
  assert.deepEqual(ids([held.table, held.copies]), [3]);
  assert.deepEqual(ids(heldTables(held)), [3, 5, 6], 'the repair collects e2 too');
  assert.equal(held.pages, undefined, 'fetch plans its pages again');
  // Another build not counted adds to them, and a repeated record is kept once.
  node.ring = { ...node.ring!, epoch: 'e3' };
  node.table.putLine(6, 6, line(6));
  node.table.putLine(7, 7, line(7));
  retireBuild(node);
  assert.deepEqual(ids(heldTables(node.held!)), [3, 5, 6, 7]);
});

test('with no held build, a build not counted is emptied, as before (a first build, R = 1)', () => {
  const node = alice();
  node.table.putLine(3, 3, line(3));
  retireBuild(node);
  assert.equal(node.held, null);
  assert.equal(node.table.size, 0);
});

// A second bug the replicated runs found (seed 1809, 30 steps, before the fix): a leaver stopped
// after its reset-id round is evicted, and the ring repaired without it; woken, it sends its
// rebuild-dht to the new leader, which rebuilt the repaired ring once more. With R ≥ 2 that rebuild
// takes its records from the held builds, which the repair's count had dropped: it found none,
// emptied the leader's table, and the ring reported every record lost. The new leader now takes a
// rebuild-dht only from the leaver whose reset-id gave it its current build.
test("a rebuild-dht from a leaver the ring has moved past is refused; the leaver's own is taken", async () => {
  const { clock, net } = virtualNet();
  const node = new PeerNode({ manager: { ip: '10.0.0.1', port: 7000 }, dataDir: '.', clock, random: mulberry32(1), bind: (ip, port) => net.bind(ip, port) });
  node.attach('alice', '10.0.0.2', await net.bind('10.0.0.2', 7001), await net.bind('10.0.0.2', 7002));
  const leaver: Tuple = { name: 'dave', ip: '10.0.0.5', port: 7008 };
  const dave = await rawSocket(net, clock, leaver);
  const replies = () => dave.arrivals.map((a) => a.msg as unknown as { ok: boolean; error?: string });
  // alice, bob, carol and dave; dave leaves: its reset-id makes alice node 0 of the ring without it.
  node.ring = { id: 1, n: 4, s: 83, year: '1950', ring: [leaver, ...RING], epoch: null, key: Buffer.alloc(32), replicas: 2, l: 9 };
  onResetId(node, { type: 'reset-id', rid: 'd.1', origin: leaver, id: 0, n: 3, ring: RING, epoch: 'e2' });
  // Before that leave's rebuild, a repair rebuilt the ring (a new epoch): dave's rebuild-dht is stale.
  node.ring = { ...node.ring!, epoch: 'e3' };
  node.countedEpoch = 'e3';
  onRebuildDht(node, { type: 'rebuild-dht', rid: 'd.2', origin: leaver, year: '1950', s: 83 }, leaver);
  clock.advance(0);
  assert.equal(replies().at(-1)?.ok, false);
  assert.match(replies().at(-1)?.error ?? '', /not the one dave renumbered/);
  assert.equal(node.ring!.epoch, 'e3', 'the repaired build stays');
  // The build dave's reset-id gave: its rebuild-dht is taken.
  node.ring = { ...node.ring!, epoch: 'e2' };
  node.countedEpoch = null;
  onRebuildDht(node, { type: 'rebuild-dht', rid: 'd.3', origin: leaver, year: '1950', s: 83 }, leaver);
  clock.advance(0);
  assert.equal(replies().at(-1)?.ok, true);
  await node.detach();
});
