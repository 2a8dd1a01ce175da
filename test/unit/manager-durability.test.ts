// The durable manager (issue 13): what it writes (durability.ts), what a restart takes back from
// it (memory-state-store.ts reads the same text a state directory holds), and the server's life
// after a restart on a virtual network: repeats answered from the journaled replies, a grace
// period before anyone is evicted, and the requests the state still calls for sent again under
// their rids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Durability, sendsStillDue, type SavedSend } from '../../src/manager/durability.js';
import { evictDead } from '../../src/manager/eviction.js';
import { handleCommand } from '../../src/manager/handle.js';
import { encodeLine, LOCK_FILE, StateDir, StateDirError } from '../../src/manager/journal.js';
import { emptyDisk, openMemoryState, type MemoryDisk } from '../../src/manager/memory-state-store.js';
import { ManagerServer, type ManagerEvent } from '../../src/manager/server.js';
import { snapshotOf } from '../../src/manager/state-delta.js';
import { initialState, type ManagerState } from '../../src/manager/state.js';
import { DEFAULT_DETECTOR } from '../../src/membership/failure-detector.js';
import { REPLY_CACHE_TTL_MS, REQUEST_BUDGET_MS, RESTART_GRACE_MS } from '../../src/transport/timing.js';
import { encode } from '../../src/wire/codec.js';
import type { Message, Reply, RepairDhtRequest } from '../../src/wire/messages.js';
import { tempDir } from '../helpers/temp-dir.js';
import { cmd, FIRST, FIXED_KEYS, IP, ok, portsOf, reg, registered, setup, SIX, withDht } from './manager-fixtures.js';
import { flush, rawSocket, virtualNet } from './transport-fixtures.js';

const MANAGER = { ip: '10.0.0.2', port: 6000 };

/** A life cycle's states, each written through Durability as the server writes them; returns the disk too. */
function journaled(compactAfterBytes?: number): { disk: MemoryDisk; states: ManagerState[] } {
  const disk = emptyDisk();
  const { store, restored } = openMemoryState(disk, 1, 0);
  const durability = new Durability(store, restored, () => 0, compactAfterBytes);
  const states: ManagerState[] = [initialState()];
  const next = (req: Parameters<typeof handleCommand>[1], random = FIRST) => {
    const before = states[states.length - 1]!;
    const outcome = handleCommand(before, req, req.type === 'register' ? { ip: req.ip, port: req.mPort } : from(before, req.name), random, FIXED_KEYS);
    assert.equal(outcome.reply.ok, true, JSON.stringify(outcome.reply));
    durability.record(before, outcome.state, { to: MANAGER, rid: req.rid, body: outcome.reply });
    states.push(outcome.state);
  };
  SIX.slice(0, 5).forEach((name, k) => next(reg(name, portsOf(k).mPort, portsOf(k).pPort)));
  next(setup('alice', 4));
  next(cmd('dht-complete', 'alice'));
  next(cmd('leave-dht', 'bob'));
  next({ type: 'dht-rebuilt', rid: 'rb', name: 'bob', newLeader: 'carol' });
  next(cmd('deregister', 'bob'));
  return { disk, states };
}

function from(state: ManagerState, name: string): { ip: string; port: number } {
  const entry = state.peers.get(name)!;
  return { ip: entry.ip, port: entry.mPort };
}

test('a restart restores the state the last record left, with the replies of the changes', () => {
  const { disk, states } = journaled();
  const { restored } = openMemoryState(disk, 1, 0);
  assert.deepEqual(snapshotOf(restored.state), snapshotOf(states[states.length - 1]!));
  assert.equal(restored.records, states.length - 1, 'one record per change');
  assert.equal(restored.replies.length, states.length - 1);
  assert.equal(restored.dropped, null);
});

test('every cut of the journal restores a state that was written: the whole records before the cut', () => {
  const { disk, states } = journaled();
  const text = disk.journal;
  const ends = [...text.matchAll(/\n/g)].map((m) => m.index + 1);
  for (let cut = 0; cut <= text.length; cut += 7) {
    const whole = ends.filter((e) => e <= cut).length;
    const { restored } = openMemoryState({ snapshot: null, journal: text.slice(0, cut) }, 1, 0);
    assert.deepEqual(snapshotOf(restored.state), snapshotOf(states[whole]!), `cut at byte ${cut}`);
    assert.equal(restored.dropped !== null, !ends.includes(cut) && cut > 0, `cut at byte ${cut}: a partial record is dropped and said so`);
  }
});

test('compaction keeps the state and the recent replies, and the journal starts again', () => {
  const { disk, states } = journaled(2_000);
  assert.notEqual(disk.snapshot, null);
  assert.ok(disk.journal.length < 2_000, 'the journal starts again after each compaction');
  assert.ok(disk.journal.split('\n').filter(Boolean).length < states.length - 1);
  const { restored } = openMemoryState(disk, 1, 0);
  assert.deepEqual(snapshotOf(restored.state), snapshotOf(states[states.length - 1]!));
  assert.equal(restored.replies.length, states.length - 1);
});

test('replies older than the reply cache keeps them are not restored, nor requests whose retries could outlive the peer\'s', () => {
  const { disk } = journaled();
  assert.ok(openMemoryState(disk, 1, REPLY_CACHE_TTL_MS - 1).restored.replies.length > 0);
  assert.equal(openMemoryState(disk, 1, REPLY_CACHE_TTL_MS).restored.replies.length, 0);
  const sent = emptyDisk();
  const { store, restored } = openMemoryState(sent, 1, 0);
  const reset: SavedSend = { to: { ip: IP, port: 7001 }, who: 'alice', msg: { type: 'dht-reset', rid: 'x.1', reason: 'r', serial: 1 } };
  new Durability(store, restored, () => 0).record(initialState(), registered(['alice']), undefined, [reset]);
  const window = REPLY_CACHE_TTL_MS - REQUEST_BUDGET_MS;
  assert.equal(openMemoryState({ ...sent }, 1, window - 1).restored.sends.length, 1);
  assert.equal(openMemoryState({ ...sent }, 1, window).restored.sends.length, 0);
});

test('a line with a right checksum but a shape this manager never writes is refused, also as the last line', () => {
  for (const body of [{ at: 0, deltas: [{ op: 'bogus' }] }, { at: 0, deltas: [{ op: 'peer', name: 'x', entry: { name: 'x' } }] }, { at: 0, deltas: [], reply: { to: MANAGER, rid: 'r', body: { ok: 'yes' } } }]) {
    const good = encodeLine({ seq: 1, body: { at: 0, deltas: [] } });
    // Wherever it is, also last: a crash does not write a whole line with a right checksum.
    for (const journal of [encodeLine({ seq: 1, body }) + encodeLine({ seq: 2, body: { at: 0, deltas: [] } }), good + encodeLine({ seq: 2, body })]) {
      assert.throws(() => openMemoryState({ snapshot: null, journal }, 1, 0), /is not a record this manager writes/, JSON.stringify(body));
    }
  }
});

test('a replayed state that breaks an invariant is refused: it was never written', () => {
  const dht = { year: '1996', members: ['alice', 'bob', 'zed'], complete: true, key: 'k', serial: 1 };
  const disk = { snapshot: null, journal: encodeLine({ seq: 1, body: { at: 0, deltas: [{ op: 'dht', dht }] } }) };
  assert.throws(() => openMemoryState(disk, 1, 0), /inconsistent \(the DHT has 3 members|inconsistent \(member/);
});

test('the requests sent again after a restart are those the state still calls for', () => {
  const state = withDht(SIX, 4);
  const eviction = evictDead(state, 'dave', 'no heartbeat for 2.5 s');
  assert.equal(eviction.state.mode.kind, 'AwaitDhtRepaired');
  const leader = eviction.repair!.leader;
  const repair: SavedSend = { to: { ip: leader.ip, port: leader.mPort }, who: leader.name, msg: { type: 'repair-dht', rid: 'x.1', reason: 'r', year: '1996', ring: eviction.repair!.ring } };
  const erin = eviction.state.peers.get('erin')!;
  const reset = (rid: string, who = erin): SavedSend => ({ to: { ip: who.ip, port: who.mPort }, who: who.name, msg: { type: 'dht-reset', rid, reason: 'r', serial: 1 } });
  // The repair the manager awaits, and the latest reset of a Free peer at its address.
  assert.deepEqual(sendsStillDue(eviction.state, [repair, reset('x.2'), reset('x.3')]), [repair, reset('x.3')]);
  // Not once the repair is over; not for a peer in the DHT; not at an address the peer no longer has.
  assert.deepEqual(sendsStillDue(state, [repair]), []);
  assert.deepEqual(sendsStillDue(state, [reset('x.4', state.peers.get('bob')!)]), []);
  assert.deepEqual(sendsStillDue(state, [{ ...reset('x.5'), to: { ip: IP, port: 1 } }]), []);
  // Not for the joiner the manager awaits: its join is the current one.
  const joining = ok(state, cmd('join-dht', 'erin'));
  assert.deepEqual(sendsStillDue(joining, [reset('x.6')]), []);
});

/** A manager on the virtual network, from `disk`, recording its events. */
async function manager(net: ReturnType<typeof virtualNet>, disk: MemoryDisk, detector: boolean) {
  const events: ManagerEvent[] = [];
  const server = await ManagerServer.start({
    host: MANAGER.ip,
    port: MANAGER.port,
    clock: net.clock,
    wallClock: () => net.clock.now(),
    bind: (ip, port) => net.net.bind(ip, port),
    detector: detector ? DEFAULT_DETECTOR : false,
    keys: FIXED_KEYS,
    onEvent: (e) => events.push(e),
    durable: openMemoryState(disk, 1, net.clock.now()),
  });
  return { server, events };
}

function replies(arrivals: { msg: Message | null }[]): Reply[] {
  return arrivals.map((a) => a.msg).filter((m): m is Reply => m?.type === 'reply');
}

test('a command repeated across a restart gets the reply it had and is not applied twice', async () => {
  const net = virtualNet();
  const disk = emptyDisk();
  const first = await manager(net, disk, false);
  const alice = await rawSocket(net.net, net.clock, { ip: IP, port: 7001 });
  const send = (msg: Message) => alice.socket.send(encode(msg), MANAGER);
  send(reg('alice', 7001, 7002));
  await net.clock.advanceSettled(10);
  const deregister = encode({ type: 'deregister', rid: 'd1', name: 'alice' });
  alice.socket.send(deregister, MANAGER);
  await net.clock.advanceSettled(10);
  const before = replies(alice.arrivals);
  assert.deepEqual(before.map((r) => r.ok), [true, true]);
  await first.server.close(); // the process dies
  const second = await manager(net, disk, false);
  assert.equal(second.server.state.peers.size, 0);
  alice.socket.send(deregister, MANAGER); // its first reply was lost: the repeat
  await net.clock.advanceSettled(10);
  const after = replies(alice.arrivals);
  assert.equal(after.length, 3);
  assert.deepEqual(after[2], before[1], 'the same SUCCESS, not "the manager does not know alice"');
  // A new command from the forgotten name is told so, with the key the peer acts on.
  send({ type: 'members', rid: 'm1', name: 'alice' });
  await net.clock.advanceSettled(10);
  const told = replies(alice.arrivals)[3]!;
  assert.equal(told.ok, false);
  assert.equal(told.forgotten, true);
  assert.match(told.error ?? '', /^the manager does not know alice at 127\.0\.0\.1:7001: register again$/);
  await second.server.close();
});

test('after a restart no silent peer is evicted within the grace period; one still silent after it is', async () => {
  const net = virtualNet();
  const disk = emptyDisk();
  const { store, restored } = openMemoryState(disk, 1, 0);
  new Durability(store, restored, () => 0).record(initialState(), registered(SIX.slice(0, 3)));
  const { server, events } = await manager(net, disk, true);
  const deadAfter = DEFAULT_DETECTOR.deadAfterMs;
  await net.clock.advanceSettled(RESTART_GRACE_MS + deadAfter - 200);
  assert.equal(server.state.peers.size, 3, 'nobody evicted during the grace and a full dead interval after it');
  assert.equal(events.filter((e) => e.kind === 'note' && /evicted/.test(e.text)).length, 0);
  await net.clock.advanceSettled(400);
  assert.equal(server.state.peers.size, 0, 'silent past the grace: evicted');
  await server.close();
});

test('a repair-dht the crash may have cut short goes out again under its rid', async () => {
  const net = virtualNet();
  const disk = emptyDisk();
  const { store, restored } = openMemoryState(disk, 1, 0);
  const durability = new Durability(store, restored, () => 0);
  const state = withDht(SIX, 4);
  durability.record(initialState(), state);
  const eviction = evictDead(state, 'dave', 'no heartbeat for 2.5 s');
  const leader = eviction.repair!.leader;
  const msg: RepairDhtRequest = { type: 'repair-dht', rid: 'old.7', reason: eviction.reason, year: '1996', ring: eviction.repair!.ring };
  durability.record(state, eviction.state, undefined, [{ to: { ip: leader.ip, port: leader.mPort }, who: leader.name, msg }]);
  const alice = await rawSocket(net.net, net.clock, { ip: leader.ip, port: leader.mPort });
  const { server } = await manager(net, disk, false);
  await flush();
  await net.clock.advanceSettled(10);
  const got = alice.arrivals.map((a) => a.msg).filter((m) => m?.type === 'repair-dht');
  assert.equal(got.length, 1);
  assert.deepEqual(got[0], { v: 1, ...msg });
  assert.equal(server.state.mode.kind, 'AwaitDhtRepaired');
  await server.close();
});

test('a crash in the middle of a write: the change is never announced, and a restart drops the torn record', async () => {
  const net = virtualNet();
  const disk = emptyDisk();
  const first = await manager(net, disk, false);
  const alice = await rawSocket(net.net, net.clock, { ip: IP, port: 7001 });
  const bob = await rawSocket(net.net, net.clock, { ip: IP, port: 7003 });
  alice.socket.send(encode(reg('alice', 7001, 7002)), MANAGER);
  await net.clock.advanceSettled(10);
  (first.server as unknown as { durability: { store: { crashDuringNextWrite(f: number): void } } }).durability.store.crashDuringNextWrite(0.5);
  bob.socket.send(encode(reg('bob', 7003, 7004)), MANAGER);
  await net.clock.advanceSettled(10);
  assert.equal(replies(bob.arrivals).length, 0, 'no reply for a change that is not on disk');
  assert.equal(first.events.filter((e) => e.kind === 'fatal').length, 1);
  await first.server.close();
  const { restored } = openMemoryState({ ...disk }, 1, 0);
  assert.deepEqual([...restored.state.peers.keys()], ['alice']);
  assert.match(restored.dropped ?? '', /cut short by a torn write|damaged last record/);
});

test('a state directory in use by a live process is refused; one left by a dead process is taken over', (t) => {
  const dir = tempDir(t, 'stormdht-lock-');
  const isAny = (v: unknown): v is unknown => true;
  writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid}\n`);
  assert.throws(() => StateDir.open(dir, isAny, isAny), (err: unknown) => err instanceof StateDirError && err.message.includes(`in use by another manager (pid ${process.ppid}`));
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  writeFileSync(path.join(dir, LOCK_FILE), `${gone}\n`);
  const { store } = StateDir.open(dir, isAny, isAny);
  store.close();
});
