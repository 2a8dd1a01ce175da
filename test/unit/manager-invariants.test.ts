// Property-style test: seeded random command sequences, valid and invalid, from registered and
// unknown peers, with the invariants checked after every step. The invariant checker itself is
// shown to catch each kind of broken state, so a passing run means something.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickUniform } from '../../src/data/seeded-random.js';
import { invariantViolations } from '../../src/manager/invariants.js';
import { evictDead } from '../../src/manager/eviction.js';
import { awaitedOf, leaderOf, type ManagerState, type PeerEntry } from '../../src/manager/state.js';
import { MANAGER_COMMANDS, type ManagerCommand, type ManagerRequest, type NameOnlyCommand } from '../../src/wire/messages.js';
import { cmd, FIRST, mulberry32, ok, reg, rebuilt, registered, setup, SIX, step, withDht } from './manager-fixtures.js';

/** Names the generator uses: the demo's six, two more, an unknown-but-valid one and an invalid one. */
const NAMES = [...SIX, 'gina', 'hal', 'zed', 'peer1'];

/** A random request; half the time in an Await mode, the awaited one, so sequences make progress. */
function randomRequest(state: ManagerState, random: () => number): ManagerRequest {
  const awaited = awaitedOf(state.mode);
  // The awaited leader fetching grants during its setup (dht-grants), now and then.
  if (awaited?.command === 'dht-complete' && random() < 0.2) {
    return { type: 'dht-grants', rid: `g${Math.floor(random() * 1e9)}`, name: awaited.peer, from: Math.floor(random() * 5), count: random() < 0.9 ? 1 + Math.floor(random() * 6) : 201 };
  }
  if (awaited !== null && random() < 0.5) {
    const members = state.dht?.members ?? [];
    const i = members.indexOf(awaited.peer);
    const right = i < 0 ? members[0] : members[(i + 1) % members.length];
    const newLeader = random() < 0.8 ? (right as string) : pickUniform(random, NAMES);
    if (awaited.command === 'dht-repaired') return { type: 'dht-repaired', rid: `r${Math.floor(random() * 1e9)}`, name: awaited.peer };
    return awaited.command === 'dht-rebuilt' ? rebuilt(awaited.peer, newLeader) : cmd(awaited.command, awaited.peer);
  }
  const command: ManagerCommand = pickUniform(random, MANAGER_COMMANDS);
  const name = pickUniform(random, NAMES);
  switch (command) {
    case 'register': {
      // A small port range and a few addresses, so that clashes (D11) happen often.
      const port = (): number => (random() < 0.05 ? 80 : 7001 + Math.floor(random() * 16));
      return reg(name, port(), port(), pickUniform(random, ['127.0.0.1', '127.0.0.1', '10.0.0.2', '1.2.3.256']));
    }
    case 'setup-dht':
      return setup(name, 2 + Math.floor(random() * 7), random() < 0.9 ? '1996' : '96');
    case 'dht-rebuilt':
      return rebuilt(name, pickUniform(random, NAMES));
    case 'dht-grants':
      return { type: 'dht-grants', rid: `g${Math.floor(random() * 1e9)}`, name, from: Math.floor(random() * 5), count: random() < 0.9 ? 1 + Math.floor(random() * 6) : 201 };
    case 'dht-repaired':
    case 'members':
      return { type: command, rid: `r${Math.floor(random() * 1e9)}`, name };
    default:
      return cmd(command, name);
  }
}

/** What a SUCCESS reply must carry, beyond the invariants of the new state. */
function checkPayload(req: ManagerRequest, before: ManagerState, after: ManagerState, reply: object): void {
  const members = after.dht?.members ?? [];
  if (req.type === 'dht-grants') {
    const names = (reply as { grants: { name: string }[] }).grants.map((g) => g.name);
    assert.deepEqual(names, members.slice(req.from, req.from + req.count), 'dht-grants gives the grants of the members asked for');
    assert.equal(after, before, 'dht-grants changes nothing');
  }
  if (req.type === 'setup-dht') {
    const ring = (reply as { ring: { name: string }[] }).ring.map((t) => t.name);
    assert.deepEqual(ring, members);
    assert.equal(ring[0], req.name);
  } else if (req.type === 'query-dht') {
    assert.ok(members.includes((reply as { node: { name: string } }).node.name));
    assert.equal(after, before);
  } else if (req.type === 'join-dht') {
    assert.equal((reply as { leader: { name: string } }).leader.name, members[0]);
  }
}

test('random command sequences keep every invariant after every step', () => {
  const successes = new Map<string, number>();
  let biggest = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const random = mulberry32(seed);
    let state = registered(SIX.slice(0, 3 + (seed % 4)));
    for (let i = 0; i < 300; i++) {
      // Now and then a registered peer dies and is evicted (issue 11), in whatever mode.
      if (random() < 0.04 && state.peers.size > 0) {
        const victim = pickUniform(random, [...state.peers.keys()]);
        const eviction = evictDead(state, victim, 'no heartbeat for 2.5 s');
        assert.deepEqual(invariantViolations(eviction.state), [], `seed ${seed}, step ${i}: ${victim} died in ${state.mode.kind}`);
        assert.equal(eviction.state.peers.has(victim), false, `${victim} was evicted`);
        successes.set('evicted', (successes.get('evicted') ?? 0) + 1);
        state = eviction.state;
        continue;
      }
      const req = randomRequest(state, random);
      const outcome = step(state, req, random);
      assert.deepEqual(invariantViolations(outcome.state), [], `seed ${seed}, step ${i}: ${JSON.stringify(req)}`);
      if (outcome.reply.ok) {
        checkPayload(req, state, outcome.state, outcome.reply);
        const key = req.type === 'dht-rebuilt' && state.mode.kind === 'AwaitDhtRebuilt' ? `dht-rebuilt/${state.mode.action}` : req.type;
        successes.set(key, (successes.get(key) ?? 0) + 1);
      }
      biggest = Math.max(biggest, outcome.state.dht?.members.length ?? 0);
      state = outcome.state;
    }
  }
  // The sequences really exercised the machine: every command succeeded, both kinds of rebuild.
  for (const key of [...MANAGER_COMMANDS.filter((c) => c !== 'dht-rebuilt'), 'dht-rebuilt/leave', 'dht-rebuilt/join', 'evicted']) {
    assert.ok((successes.get(key) ?? 0) >= 10, `${key} succeeded ${successes.get(key) ?? 0} times`);
  }
  assert.ok(biggest >= 6, `largest ring ${biggest}`);
});

const entry = (state: ManagerState, name: string): PeerEntry => state.peers.get(name) as PeerEntry;
const withPeer = (state: ManagerState, peer: PeerEntry): ManagerState => ({
  ...state,
  peers: new Map(state.peers).set(peer.name, peer),
});

test('the invariant checker reports each kind of broken state', () => {
  const good = withDht(SIX, 4);
  assert.deepEqual(invariantViolations(good), []);
  const dht = good.dht!;
  const broken: [string, ManagerState][] = [
    ['a Free member', withPeer(good, { ...entry(good, 'bob'), state: 'Free' })],
    ['a second Leader', withPeer(good, { ...entry(good, 'bob'), state: 'Leader' })],
    ['an InDHT outsider', withPeer(good, { ...entry(good, 'erin'), state: 'InDHT' })],
    ['a key not the name', { ...good, peers: new Map(good.peers).set('zed', entry(good, 'erin')) }],
    ['a ring of 2', { ...good, dht: { ...dht, members: ['alice', 'bob'] } }],
    ['a repeated member', { ...good, dht: { ...dht, members: ['alice', 'bob', 'bob', 'carol', 'dave'] } }],
    ['an unregistered member', { ...good, dht: { ...dht, members: [...dht.members, 'zed'] } }],
    ['a bad year', { ...good, dht: { ...dht, year: '96' } }],
    ['Idle and incomplete', { ...good, dht: { ...dht, complete: false } }],
    ['awaiting a non-leader', { ...good, dht: { ...dht, complete: false }, mode: { kind: 'AwaitDhtComplete', leader: 'bob' } }],
    ['awaiting completion of a complete DHT', { ...good, mode: { kind: 'AwaitDhtComplete', leader: 'alice' } }],
    ['a leave from outside', { ...good, mode: { kind: 'AwaitDhtRebuilt', peer: 'erin', action: 'leave' } }],
    ['a join from inside', { ...good, mode: { kind: 'AwaitDhtRebuilt', peer: 'bob', action: 'join' } }],
    ['a teardown by a non-leader', { ...good, mode: { kind: 'AwaitTeardownComplete', leader: 'bob' } }],
    ['a teardown without a DHT', { ...registered(SIX), mode: { kind: 'AwaitTeardownComplete', leader: 'alice' } }],
  ];
  for (const [what, state] of broken) assert.notDeepEqual(invariantViolations(state), [], what);
  const three = withDht(SIX, 3);
  assert.notDeepEqual(invariantViolations({ ...three, mode: { kind: 'AwaitDhtRebuilt', peer: 'bob', action: 'leave' } }), []);
  assert.equal(leaderOf(ok(registered(SIX), setup('dave', 3), FIRST).dht!), 'dave');
});

const NAME_ONLY = MANAGER_COMMANDS.filter(
  (command): command is NameOnlyCommand =>
    command !== 'register' && command !== 'setup-dht' && command !== 'dht-rebuilt' && command !== 'dht-grants' && command !== 'dht-repaired' && command !== 'members',
);

test('odd values never make handleCommand throw, in Idle or in an Await mode', () => {
  const odd = ['', '__proto__', 'constructor', 'x'.repeat(70_000), 'peer1', 'ALICE'];
  const requests: ManagerRequest[] = [
    ...odd.flatMap((name) => [...NAME_ONLY.map((command) => cmd(command, name)), rebuilt(name, name)]),
    ...odd.map((name) => reg(name, 7100, 7101)),
    reg('gina', Number.NaN, Number.POSITIVE_INFINITY),
    reg('gina', 7100, 7101, 'x'.repeat(70_000)),
    setup('erin', Number.MAX_SAFE_INTEGER * 4, '1996'),
    setup('erin', -3, '1996'),
    { type: 'no-such-command', rid: 'r', name: 'alice' } as unknown as ManagerRequest,
  ];
  for (const state of [withDht(SIX, 4), ok(withDht(SIX, 4), cmd('leave-dht', 'bob'))]) {
    for (const req of requests) {
      // Valid names such as "constructor" may register; everything else is a short FAILURE.
      const outcome = step(state, req, () => Number.NaN);
      assert.deepEqual(invariantViolations(outcome.state), []);
      if (!outcome.reply.ok) assert.ok(outcome.reply.error.length < 200, outcome.reply.error);
      else assert.ok(req.type === 'register' && /^[a-zA-Z]+$/.test(req.name) && state.mode.kind === 'Idle');
    }
  }
});
