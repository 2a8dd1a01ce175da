// eviction.ts and repair-commands.ts: what the manager does when the failure detector declares a
// peer dead, in every mode (issue 11), how dht-repaired ends a repair, what members shows, and how
// query-dht starts a query away from suspects and from members the querier found silent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evictDead } from '../../src/manager/eviction.js';
import { invariantViolations } from '../../src/manager/invariants.js';
import type { ManagerState } from '../../src/manager/state.js';
import { cmd, draws, errorOf, FIRST, ok, registered, setup, SIX, statesOf, step, withDht, unknown } from './manager-fixtures.js';

const WHY = 'no heartbeat for 2.5 s';

function evict(state: ManagerState, name: string) {
  const e = evictDead(state, name, WHY);
  assert.deepEqual(invariantViolations(e.state), [], `after ${name} died`);
  return e;
}

test('a Free peer that dies leaves the registry, whatever the mode, and nothing else changes', () => {
  const state = withDht(SIX, 4); // alice (leader), bob, carol, dave; erin and frank Free
  const e = evict(state, 'erin');
  assert.equal(e.state.peers.has('erin'), false);
  assert.equal(e.state.dht, state.dht);
  assert.equal(e.state.mode, state.mode);
  assert.deepEqual([e.repair, e.notify], [null, []]);
  // In a procedure too: frank is nobody's awaited peer during alice's teardown.
  const tearing = ok(state, cmd('teardown-dht', 'alice'));
  assert.equal(evict(tearing, 'frank').state.peers.has('frank'), false);
  // A name that is not registered changes nothing.
  assert.equal(evict(state, 'zed').state, state);
});

test('a member that dies is cut out: the leader rebuilds the ring of the survivors, in ring order', () => {
  const e = evict(withDht(SIX, 4), 'carol');
  assert.deepEqual(e.state.dht?.members, ['alice', 'bob', 'dave']);
  assert.deepEqual(e.state.mode, { kind: 'AwaitDhtRepaired', leader: 'alice', dead: ['carol'] });
  assert.equal(e.repair?.leader.name, 'alice');
  assert.deepEqual(e.repair?.ring.map((t) => t.name), ['alice', 'bob', 'dave']);
  assert.equal(e.repair?.year, '1996');
  assert.match(e.reason, /^carol died \(no heartbeat for 2\.5 s\): alice rebuilds the ring of 3 without it$/);
  assert.deepEqual(statesOf(e.state), { alice: 'Leader', bob: 'InDHT', dave: 'InDHT', erin: 'Free', frank: 'Free' });
});

test('a leader that dies: the next member leads the repaired ring', () => {
  const e = evict(withDht(SIX, 5), 'alice');
  assert.deepEqual(e.state.dht?.members, ['bob', 'carol', 'dave', 'erin']);
  assert.equal(e.repair?.leader.name, 'bob');
  assert.deepEqual(statesOf(e.state), { bob: 'Leader', carol: 'InDHT', dave: 'InDHT', erin: 'InDHT', frank: 'Free' });
});

test('a ring that would fall below 3 is torn down, and every survivor is told', () => {
  const e = evict(withDht(SIX, 3), 'bob');
  assert.equal(e.state.dht, null);
  assert.equal(e.state.mode.kind, 'Idle');
  assert.equal(e.repair, null);
  assert.deepEqual(e.notify.map((p) => p.name), ['alice', 'carol']);
  assert.match(e.reason, /2 members would be left, fewer than 3; the DHT is torn down/);
  assert.deepEqual(statesOf(e.state), { alice: 'Free', carol: 'Free', dave: 'Free', erin: 'Free', frank: 'Free' });
});

test('another member dying during a repair is cut out too: the repair starts again without both', () => {
  const first = evict(withDht(SIX, 5), 'bob').state;
  const e = evict(first, 'alice');
  assert.deepEqual(e.state.mode, { kind: 'AwaitDhtRepaired', leader: 'carol', dead: ['bob', 'alice'] });
  assert.deepEqual(e.repair?.ring.map((t) => t.name), ['carol', 'dave', 'erin']);
});

test('the awaited peer of a procedure dies: the manager stops waiting at once', () => {
  const ring = withDht(SIX, 4);
  // A leaver: its ring starts at its right neighbour, which may be rebuilding already (SPEC §6.5).
  const leave = evict(ok(ring, cmd('leave-dht', 'bob')), 'bob');
  assert.deepEqual(leave.state.dht?.members, ['carol', 'dave', 'alice']);
  assert.deepEqual(leave.state.mode, { kind: 'AwaitDhtRepaired', leader: 'carol', dead: ['bob'] });
  // A joiner was never a member: the ring as it was is rebuilt by its leader.
  const join = evict(ok(ring, cmd('join-dht', 'erin')), 'erin');
  assert.deepEqual(join.state.dht?.members, ['alice', 'bob', 'carol', 'dave']);
  assert.equal(join.repair?.leader.name, 'alice');
  // The leader of a setup or of a teardown: the DHT is abandoned and its members reset.
  for (const state of [ok(registered(SIX), setup('alice', 4), FIRST), ok(ring, cmd('teardown-dht', 'alice'))]) {
    const e = evict(state, 'alice');
    assert.equal(e.state.dht, null);
    assert.equal(e.state.mode.kind, 'Idle');
    assert.deepEqual(e.notify.map((p) => p.name), ['bob', 'carol', 'dave']);
    assert.match(e.reason, /^alice died \(no heartbeat for 2\.5 s\) while (setting up|tearing down) the DHT/);
  }
});

test('another member dies during a leave or join: the ring is repaired without it, and the leaver or joiner is told to stop', () => {
  const ring = withDht(SIX, 5); // alice, bob, carol, dave, erin; frank Free
  const leave = evict(ok(ring, cmd('leave-dht', 'bob')), 'dave');
  assert.deepEqual(leave.state.dht?.members, ['carol', 'erin', 'alice'], 'the leave order, without the leaver and the dead');
  assert.deepEqual(leave.notify.map((p) => p.name), ['bob']);
  assert.equal(leave.state.peers.get('bob')?.state, 'Free', 'the leaver is out, as it asked');
  assert.match(leave.reason, /^dave died \(no heartbeat for 2\.5 s\) during bob's leave: carol rebuilds the ring of 3 without both$/);
  const join = evict(ok(ring, cmd('join-dht', 'frank')), 'dave');
  assert.deepEqual(join.state.dht?.members, ['alice', 'bob', 'carol', 'erin']);
  assert.deepEqual(join.notify.map((p) => p.name), ['frank']);
  assert.equal(join.state.peers.get('frank')?.state, 'Free');
  // Too few would be left: torn down, the leaver told with the others.
  const small = evict(ok(withDht(SIX, 4), cmd('leave-dht', 'bob')), 'dave');
  assert.equal(small.state.dht, null);
  assert.deepEqual(small.notify.map((p) => p.name).sort(), ['alice', 'bob', 'carol']);
});

test('another member dies during a setup or a teardown: the DHT is given up at once and every other member reset', () => {
  for (const state of [ok(withDht(SIX, 4), cmd('teardown-dht', 'alice')), ok(registered(SIX), setup('alice', 4), FIRST)]) {
    const e = evict(state, 'dave');
    assert.equal(e.state.dht, null, state.mode.kind);
    assert.equal(e.state.mode.kind, 'Idle');
    assert.deepEqual(e.notify.map((p) => p.name), ['alice', 'bob', 'carol']);
    assert.match(e.reason, /^dave died \(no heartbeat for 2\.5 s\) while alice was (setting up|tearing down) the DHT/);
  }
});

test('dht-repaired ends the repair; a reported failure tears the DHT down; outside a repair it is refused', () => {
  const repairing = evict(withDht(SIX, 4), 'carol').state;
  const done = step(repairing, { type: 'dht-repaired', rid: 'r1', name: 'alice' });
  assert.equal(errorOf(done), undefined);
  assert.equal(done.state.mode.kind, 'Idle');
  assert.deepEqual(done.state.dht?.members, ['alice', 'bob', 'dave']);
  const failed = step(repairing, { type: 'dht-repaired', rid: 'r2', name: 'alice', failed: 'no response from bob' });
  assert.equal(failed.state.dht, null);
  assert.deepEqual(failed.reset?.notify.map((p) => p.name), ['bob', 'dave']);
  // Anyone else is told the manager is busy, and names who died.
  assert.equal(errorOf(step(repairing, { type: 'dht-repaired', rid: 'r3', name: 'bob' })), 'busy: the ring is being repaired after carol died; waiting for dht-repaired from alice');
  assert.equal(errorOf(step(withDht(SIX, 4), { type: 'dht-repaired', rid: 'r4', name: 'alice' })), 'no repair of the DHT is in progress');
});

test('members lists every peer and the ring in id order, in any mode; an unregistered caller is refused', () => {
  const repairing = evict(withDht(SIX, 4), 'carol').state;
  const out = step(repairing, { type: 'members', rid: 'm1', name: 'erin' });
  assert.equal(errorOf(out), undefined);
  const reply = out.reply as unknown as { peers: { name: string; state: string; ip: string; port: number }[]; dht: unknown; total: number };
  assert.deepEqual(reply.peers.map((p) => `${p.name}:${p.state}`), ['alice:Leader', 'bob:InDHT', 'dave:InDHT', 'erin:Free', 'frank:Free']);
  assert.deepEqual(reply.peers[0], { name: 'alice', state: 'Leader', ip: '127.0.0.1', port: 7002 });
  assert.deepEqual(reply.dht, { year: '1996', ring: ['alice', 'bob', 'dave'], leader: 'alice' });
  assert.equal(reply.total, 5);
  assert.equal(out.state, repairing);
  assert.equal((step(registered(SIX), { type: 'members', rid: 'm2', name: 'bob' }).reply as { dht: unknown }).dht, null);
  assert.equal(errorOf(step(repairing, { type: 'members', rid: 'm3', name: 'zed' })), unknown('zed'));
});

test('query-dht starts away from suspects and from members the querier found silent, while another is there', () => {
  const ring = withDht(SIX, 4);
  const pick = (state: ManagerState, avoid?: string[]) =>
    (step(state, { type: 'query-dht', rid: 'q', name: 'erin', ...(avoid ? { avoid } : {}) }, draws(0.99)).reply as { node: { name: string } }).node.name;
  assert.equal(pick(ring), 'dave', 'with nothing to avoid, SPEC uniform draw over all members');
  assert.equal(pick(ring, ['dave']), 'carol');
  assert.equal(pick({ ...ring, suspects: new Set(['carol', 'dave']) }, ['bob']), 'alice');
  // Everyone avoided: the draw falls back on the members not avoided, then on all of them.
  assert.equal(pick({ ...ring, suspects: new Set(['alice', 'bob', 'carol']) }, ['dave']), 'carol');
  assert.equal(pick(ring, ['alice', 'bob', 'carol', 'dave']), 'dave');
});

test('setup-dht does not pick a suspected Free peer', () => {
  const state = { ...registered(SIX), suspects: new Set(['bob', 'carol']) };
  const out = step(state, setup('alice', 4), FIRST);
  assert.deepEqual(out.state.dht?.members, ['alice', 'dave', 'erin', 'frank']);
  assert.match(errorOf(step(state, setup('alice', 5), FIRST)) ?? '', /fewer than n = 5/);
});
