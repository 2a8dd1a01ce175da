// The live view's model (issue 16): buildViewState from the manager's state, the detector's view,
// the peers' heartbeat figures and the event log; the figures' rates (peer-figures.ts); the event
// log's lines for each command and verdict (event-log.ts); and the heartbeat's optional figures
// on the wire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerFigures, RATE_WINDOW_MS } from '../../src/manager/peer-figures.js';
import type { ManagerObservation } from '../../src/manager/server.js';
import type { ManagerState } from '../../src/manager/state.js';
import { describeObservation, EventLog, EVENT_LOG_SIZE } from '../../src/live/event-log.js';
import { buildViewState, type ViewSources } from '../../src/live/view-state.js';
import { decode, encode } from '../../src/wire/codec.js';
import type { HeartbeatFigures, ManagerRequest } from '../../src/wire/messages.js';
import { cmd, FIRST, ok, rebuilt, reg, registered, SIX, step, withDht } from './manager-fixtures.js';

function sources(state: ManagerState, more: Partial<ViewSources> = {}): ViewSources {
  return { state, dead: [], figures: () => null, events: [], ...more };
}

function figuresFrom(table: Record<string, HeartbeatFigures>): PeerFigures {
  const f = new PeerFigures();
  for (const [name, figures] of Object.entries(table)) f.record(name, figures, 0);
  return f;
}

test('no peers, no DHT: an empty, idle view', () => {
  const view = buildViewState(sources(registered([])));
  assert.deepEqual(view, { mode: 'Idle', waitingFor: null, replicas: 1, peers: [], dht: null, departed: [], events: [] });
});

test('every registered peer, in registration order, with its state, address, id and liveness', () => {
  const state = { ...withDht(SIX, 3), suspects: new Set(['bob']) };
  const view = buildViewState(sources(state));
  assert.deepEqual(
    view.peers.map((p) => [p.name, p.state, p.id, p.liveness, p.ip, p.mPort, p.pPort]),
    [
      ['alice', 'Leader', 0, 'alive', '127.0.0.1', 7001, 7002],
      ['bob', 'InDHT', 1, 'suspect', '127.0.0.1', 7003, 7004],
      ['carol', 'InDHT', 2, 'alive', '127.0.0.1', 7005, 7006],
      ['dave', 'Free', null, 'alive', '127.0.0.1', 7007, 7008],
      ['erin', 'Free', null, 'alive', '127.0.0.1', 7009, 7010],
      ['frank', 'Free', null, 'alive', '127.0.0.1', 7011, 7012],
    ],
  );
  // Before any heartbeat figures, records and traffic are unknown, not zero.
  assert.equal(view.peers[0]!.records, null);
  assert.equal(view.peers[0]!.traffic, null);
});

test('the DHT: year, n, members in id order with their records, l as their sum and s the first prime above 2l', () => {
  // SPEC §13, 1950 with n = 3: 72, 75, 76 records, l = 223, s = 449.
  const state = withDht(SIX, 3, '1950');
  const figures = figuresFrom({ alice: { records: 72 }, bob: { records: 75 }, carol: { records: 76 }, dave: { records: 0 } });
  const view = buildViewState(sources(state, { figures: (name) => figures.get(name) }));
  assert.deepEqual(view.dht, {
    year: '1950',
    n: 3,
    l: 223,
    s: 449,
    leader: 'alice',
    complete: true,
    replicas: 1,
    members: [
      { id: 0, name: 'alice', records: 72, replicas: null, liveness: 'alive' },
      { id: 1, name: 'bob', records: 75, replicas: null, liveness: 'alive' },
      { id: 2, name: 'carol', records: 76, replicas: null, liveness: 'alive' },
    ],
  });
  assert.equal(view.peers.find((p) => p.name === 'dave')!.records, 0);
});

test('a DHT being set up is not complete, and the view says what the manager waits for', () => {
  const state = ok(registered(SIX), { type: 'setup-dht', rid: 's1', name: 'carol', n: 4, year: '1996' }, FIRST);
  const view = buildViewState(sources(state));
  assert.equal(view.mode, 'AwaitDhtComplete');
  assert.equal(view.waitingFor, 'dht-complete from carol');
  assert.equal(view.dht!.complete, false);
  assert.equal(view.dht!.leader, 'carol');
  assert.equal(view.dht!.n, 4);
  // No records reported yet: l is 0 and s is not drawn.
  assert.equal(view.dht!.l, 0);
  assert.equal(view.dht!.s, null);
});

test('peers declared dead lately: listed as departed once evicted; a registered one is dead, not alive', () => {
  const state = withDht(SIX, 3);
  const view = buildViewState(sources(state, { dead: ['zed', 'bob'] }));
  assert.deepEqual(view.departed, ['zed']);
  assert.equal(view.peers.find((p) => p.name === 'bob')!.liveness, 'dead');
  assert.equal(view.dht!.members[1]!.liveness, 'dead');
});

test('traffic figures and copies pass through; the rate is rounded to a tenth', () => {
  const f = new PeerFigures();
  f.record('alice', { records: 10, replicas: 20, sent: 100, received: 50, retransmits: 3, dropped: 2 }, 0);
  f.record('alice', { records: 10, replicas: 20, sent: 130, received: 70, retransmits: 4, dropped: 2 }, 1_500);
  const view = buildViewState(sources(withDht(SIX, 3), { figures: (name) => f.get(name) }));
  const alice = view.peers[0]!;
  assert.equal(alice.replicas, 20);
  assert.deepEqual(alice.traffic, { sent: 130, received: 70, retransmits: 4, dropped: 2, datagramsPerSecond: 33.3 });
});

test('datagrams per second: measured over at least a second, from the first figures; counters that start again start a new measure', () => {
  const f = new PeerFigures();
  assert.equal(f.get('bob'), null);
  f.record('bob', {}, 0); // a heartbeat without figures (a registration's confirmation) changes nothing
  assert.equal(f.get('bob'), null);
  f.record('bob', { sent: 0, received: 0 }, 0);
  assert.equal(f.get('bob')!.datagramsPerSecond, null);
  for (let t = 100; t < RATE_WINDOW_MS; t += 100) f.record('bob', { sent: t, received: t }, t);
  assert.equal(f.get('bob')!.datagramsPerSecond, null, 'not measured before a whole window');
  f.record('bob', { sent: 1_000, received: 1_000 }, RATE_WINDOW_MS);
  assert.equal(f.get('bob')!.datagramsPerSecond, 2_000);
  assert.deepEqual(f.get('bob')!.figures, { sent: 1_000, received: 1_000 });
  // Idle for the next second: 0 datagrams/s.
  f.record('bob', { sent: 1_000, received: 1_000 }, 2 * RATE_WINDOW_MS);
  assert.equal(f.get('bob')!.datagramsPerSecond, 0);
  // Registered again: its counters went back to 0, and the rate is measured anew.
  f.record('bob', { sent: 5, received: 5 }, 2_100);
  assert.equal(f.get('bob')!.datagramsPerSecond, null);
  f.keepOnly(new Set(['alice']));
  assert.equal(f.get('bob'), null);
});

test('the event log: a line for every command worth seeing, in words', () => {
  let state = registered(['alice', 'bob', 'carol', 'dave']);
  const lines: Array<[string, string]> = [];
  const run = (req: ManagerRequest, random = FIRST): void => {
    const outcome = step(state, req, random);
    state = outcome.state;
    for (const e of describeObservation({ kind: 'command', request: req, reply: outcome.reply, state })) lines.push([e.kind, e.text]);
  };
  run(reg('erin', 7101, 7102));
  run({ type: 'setup-dht', rid: 'x', name: 'alice', n: 3, year: '1996' });
  run(cmd('dht-complete', 'alice'));
  run({ type: 'query-dht', rid: 'q', name: 'dave' });
  run({ type: 'members', rid: 'm', name: 'dave' }); // read-only: no line
  run(cmd('join-dht', 'dave'));
  run(rebuilt('dave', 'alice'));
  run(cmd('leave-dht', 'bob'));
  run(rebuilt('bob', 'carol'));
  run(cmd('deregister', 'carol')); // refused: carol is the leader now
  run(cmd('teardown-dht', 'carol'));
  run(cmd('teardown-complete', 'carol'));
  run(cmd('deregister', 'bob'));
  assert.deepEqual(lines, [
    ['register', 'erin registered at 127.0.0.1 (m-port 7101, p-port 7102)'],
    ['setup', 'alice sets up a DHT of 3 for 1996: alice, bob, carol'],
    ['setup', 'the DHT of 1996 is complete: 3 nodes, leader alice'],
    ['query', 'query from dave → first node alice'],
    ['join', 'dave joins the DHT'],
    ['join', 'dave joined the DHT: 4 nodes, leader alice'],
    ['leave', 'bob leaves the DHT'],
    ['leave', 'the DHT is rebuilt without bob: 3 nodes, leader carol'],
    ['deregister', 'deregister from carol refused: peer is Leader; only a Free peer may deregister'],
    ['teardown', 'carol tears the DHT down'],
    ['teardown', 'the DHT is torn down: its members are Free'],
    ['deregister', 'bob deregistered'],
  ]);
});

test("the event log: the detector's verdicts, a death and the repair it starts, a failed procedure, an abandoned DHT", () => {
  const state = withDht(SIX, 4);
  const repairing: ManagerState = { ...state, mode: { kind: 'AwaitDhtRepaired', leader: 'carol', dead: ['bob'] }, dht: { ...state.dht!, members: ['carol', 'dave', 'alice'] } };
  const observations: ManagerObservation[] = [
    { kind: 'suspect', name: 'bob', silentMs: 1_000 },
    { kind: 'alive', name: 'erin', silentMs: 1_200 },
    { kind: 'evicted', name: 'bob', reason: 'bob died (no heartbeat for 2.5 s): carol rebuilds the ring of 3 without it', state: repairing },
    { kind: 'command', request: { type: 'dht-repaired', rid: 'r', name: 'carol' }, reply: { ok: true }, state: { ...repairing, mode: { kind: 'Idle' } } },
    { kind: 'command', request: { type: 'dht-rebuilt', rid: 'f', name: 'dave', newLeader: 'alice', failed: 'no response from carol' }, reply: { ok: true }, state },
    { kind: 'abandoned', reason: 'no dht-complete from alice in 150 s', state },
  ];
  assert.deepEqual(
    observations.flatMap((o) => describeObservation(o).map((e) => [e.kind, e.text])),
    [
      ['death', 'suspect bob: no heartbeat for 1.0 s'],
      ['death', 'erin is alive: heard again after 1.2 s'],
      ['death', 'evicted bob died (no heartbeat for 2.5 s): carol rebuilds the ring of 3 without it'],
      ['repair', 'repair: carol rebuilds the ring of 3 without bob'],
      ['repair', 'the DHT is repaired: 3 nodes, leader carol'],
      ['join', 'dht-rebuilt from dave: failed (no response from carol)'],
      ['abandon', 'the DHT is abandoned: no dht-complete from alice in 150 s'],
    ],
  );
});

test(`the event log keeps the last ${EVENT_LOG_SIZE} entries, oldest first, each with its time`, () => {
  const log = new EventLog();
  const state = registered(['bob']);
  for (let i = 0; i < EVENT_LOG_SIZE + 50; i++) log.observe({ kind: 'command', request: { type: 'query-dht', rid: `q${i}`, name: 'bob' }, reply: { ok: true, node: { name: `n${i}`, ip: '127.0.0.1', port: 1 } }, state }, 1_000 + i);
  const list = log.list();
  assert.equal(list.length, EVENT_LOG_SIZE);
  assert.deepEqual(list[0], { at: 1_050, kind: 'query', text: 'query from bob → first node n50' });
  assert.equal(list.at(-1)!.text, `query from bob → first node n${EVENT_LOG_SIZE + 49}`);
  // The view carries the log as given.
  assert.equal(buildViewState(sources(state, { events: list })).events, list);
});

test('a heartbeat carries its figures as optional natural numbers; one without them is as before', () => {
  const plain = { type: 'heartbeat', rid: 'a.1', name: 'bob' } as const;
  assert.deepEqual(decode(encode(plain)), { ok: true, msg: { v: 1, ...plain } });
  const full = { ...plain, records: 16187, replicas: 32374, sent: 9, received: 8, retransmits: 1, dropped: 0 };
  assert.deepEqual(decode(encode(full)), { ok: true, msg: { v: 1, ...full } });
  for (const field of ['records', 'replicas', 'sent', 'received', 'retransmits', 'dropped']) {
    for (const wrong of [-1, 1.5, '3', null]) {
      const d = decode(Buffer.from(JSON.stringify({ v: 1, ...plain, [field]: wrong })));
      assert.equal(d.ok, false, `${field} = ${JSON.stringify(wrong)}`);
      if (!d.ok) assert.equal(d.reason, `heartbeat: invalid field "${field}"`);
    }
  }
});
