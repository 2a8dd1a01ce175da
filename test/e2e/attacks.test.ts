// Attacks on a running system of real processes (issue 5), ports 44000-44999. One UDP socket of the
// test's own floods the manager and the leader with 100,000 junk datagrams while the peers set up
// a DHT and query it; then forges every manager command in another peer's name, sends ring control
// messages without the ring's key, and fuzzes every port with thousands of random and mutated
// datagrams (mutations of real ones it captured). After each, every process is alive, every count
// is SPEC §13's and every query equals the file. Then the system secret: a peer with the right one
// is served, and one with a missing or wrong one is refused with a clear message.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { startManager, startPeer, type JsonChild, type ManagerProcess } from '../../src/cli/processes.js';
import { encode } from '../../src/wire/codec.js';
import type { Message, Tuple } from '../../src/wire/messages.js';
import { skipUnlessYear, SHARED_DATA_DIR } from '../helpers/shared-data.js';
import { AttackSocket, junk, mutate, wellFormedCorpus, type Target } from './attack-tools.js';
import { absentIds, assertFailure, assertQuery, assertSetup, assertSuccess, Cluster, pickIds, registeredAddress, show } from './cluster.js';

const SIX = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const YEAR = '1950';
const FLOOD = 100_000;
const FUZZ = 6_000;
/** Generous: the flood may make a peer retransmit its commands for a while. */
const COMMAND_TIMEOUT_MS = 90_000;

describe('attacks on a running DHT', { skip: skipUnlessYear(YEAR) }, () => {
  let c: Cluster;
  let attacker: AttackSocket;
  let ring: string[] = [];
  let free: string[] = [];
  const manager = (): Target => ({ ip: c.manager.ip, port: c.manager.port });
  const ports = (name: string) => {
    const a = registeredAddress(c.peer(name));
    return { m: { ip: a.ip, port: a.mPort }, p: { ip: a.ip, port: a.pPort } };
  };
  const tuple = (name: string): Tuple => ({ name, ip: ports(name).p.ip, port: ports(name).p.port });

  /** Every process runs; every member holds its §13 count; 24 queries equal the file. */
  async function assertIntact(seed: number): Promise<void> {
    for (const [label, p] of [['manager', c.manager.proc] as const, ...[...c.peers].map(([n, child]) => [n, child] as const)]) {
      assert.equal(p.child.exitCode, null, `${label} exited: ${p.stderr}`);
    }
    const idOf = await c.assertRing(ring, YEAR, ring);
    const rng = mulberry32(seed);
    const ids = [...pickIds(YEAR, 16, rng), ...absentIds(YEAR, 6, rng)];
    for (const [i, id] of ids.entries()) {
      const who = free[i % free.length]!;
      assertQuery(YEAR, id, ring.length, await c.query(who, `query-dht ${who} ${id}`), idOf);
    }
  }

  before(async () => {
    c = await Cluster.start({ portRange: '44000-44099' });
    await c.addRegistered(SIX);
    attacker = await AttackSocket.open();
  });
  after(async () => {
    attacker?.close();
    await c?.close();
  });

  test(`a flood of ${FLOOD} junk datagrams at the manager and the leader: the DHT is still set up and queried`, async (t) => {
    const targets = [manager(), manager(), ports('alice').p, ports('alice').m];
    let sent = 0;
    const flood = (async () => {
      for (const buf of junk(FLOOD, 5)) {
        await attacker.send(buf, targets[sent++ % targets.length]!);
      }
    })();
    const setup = await c.run('alice', `setup-dht alice 5 ${YEAR}`, COMMAND_TIMEOUT_MS);
    ring = assertSetup(setup, 'alice', YEAR, 5);
    free = SIX.filter((n) => !ring.includes(n));
    const during = await c.query(free[0]!, `query-dht ${free[0]} 10104930`);
    assertSuccess(during.result, 'query-dht');
    await flood;
    assert.equal(sent, FLOOD);
    await assertIntact(1);
    // The flood reached them, and was dropped and summarised, not traced datagram by datagram.
    const st = await c.status('alice');
    assert.ok((st.malformed as number) + (st.rateLimited as number) > 0, `alice saw the flood: ${show(st)}`);
    const managerNotes = c.manager.proc.lines.filter((l) => l.event === 'note').length;
    assert.ok(managerNotes < 2_000, `the manager wrote ${managerNotes} notes for ${FLOOD / 2} junk datagrams`);
    const summaries = c.manager.proc.lines.filter((l) => l.event === 'note' && /^dropped .* more in/.test(String(l.text)));
    t.diagnostic(`flood: alice ${show({ malformed: st.malformed, unauthenticated: st.unauthenticated, rateLimited: st.rateLimited })}; manager ${managerNotes} notes, ${summaries.length} summaries: ${summaries.map((l) => l.text).join(' | ')}`);
  });

  test('every manager command forged in another peer\'s name from another socket gets FAILURE and changes nothing', async () => {
    const leader = ring[0]!;
    const member = ring[1]!;
    const outsider = free[0]!;
    const a = ports(leader);
    const forged: Array<[Message, RegExp]> = [
      [{ type: 'teardown-dht', rid: 'f.1', name: leader }, /registered at another address/],
      [{ type: 'leave-dht', rid: 'f.2', name: member }, /registered at another address/],
      [{ type: 'dht-complete', rid: 'f.3', name: leader }, /registered at another address/],
      [{ type: 'teardown-complete', rid: 'f.4', name: leader }, /registered at another address/],
      [{ type: 'dht-rebuilt', rid: 'f.5', name: leader, newLeader: member }, /registered at another address/],
      [{ type: 'dht-complete', rid: 'f.6', name: leader, failed: 'forged' }, /registered at another address/],
      [{ type: 'setup-dht', rid: 'f.7', name: outsider, n: 3, year: YEAR }, /registered at another address/],
      [{ type: 'query-dht', rid: 'f.8', name: outsider }, /registered at another address/],
      [{ type: 'join-dht', rid: 'f.9', name: outsider }, /registered at another address/],
      [{ type: 'deregister', rid: 'f.10', name: outsider }, /registered at another address/],
      [{ type: 'register', rid: 'f.11', name: 'mallory', ip: a.m.ip, mPort: a.m.port, pPort: 44999 }, /^register must be sent from the IPv4 address and m-port it names/],
    ];
    for (const [msg, reason] of forged) {
      const answer = await attacker.ask(msg, manager());
      assert.ok(answer !== null, `no answer to forged ${msg.type}`);
      assert.equal(answer.ok, false, `forged ${msg.type}: ${show(answer)}`);
      assert.match(String(answer.error), reason, `forged ${msg.type}: ${show(answer)}`);
    }
    await assertIntact(2);
    // The Free peer the forgery tried to deregister is still registered: it can still query.
    assertSuccess((await c.query(outsider, `query-dht ${outsider} 10104930`)).result, 'query-dht');
  });

  test('ring control messages without the ring\'s key are dropped and counted by every member', async () => {
    const origin = tuple(ring[0]!);
    for (const name of ring) {
      const self = tuple(name);
      const forged: Message[] = [
        { type: 'teardown', rid: `t.${name}`, origin, final: true },
        { type: 'set-id', rid: `s.${name}`, id: 1, n: 1, s: 449, year: YEAR, ring: [self], epoch: 'evil' },
        { type: 'reset-id', rid: `r.${name}`, origin, id: 0, n: 1, ring: [self], epoch: 'evil' },
        { type: 'store', rid: `o.${name}`, origin, owner: 0, epoch: 'evil', records: [] },
        { type: 'count', rid: `c.${name}`, origin, epoch: 'evil', counts: [] },
        { type: 'rebuild-dht', rid: `b.${name}`, origin, year: YEAR, s: 449 },
        { type: 'join-request', rid: `j.${name}`, joiner: origin },
      ];
      for (const msg of forged) await attacker.send(encode(msg), ports(name).p);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const name of ring) {
      const st = await c.status(name);
      assert.ok((st.unauthenticated as number) >= 7, `${name} counted the forgeries: ${show(st)}`);
    }
    await assertIntact(3);
  });

  test(`a fuzz run: ${FUZZ} random and mutated datagrams (of real ones captured) to every port`, async () => {
    // Real datagrams to mutate: the attacker registers as a peer of its own (from its own address,
    // which is allowed), asks for a query's start node and queries it, and keeps what comes back.
    const start = attacker.received.length;
    const me = { ip: '127.0.0.1', mPort: attacker.port, pPort: attacker.port + 1 };
    const reg = await attacker.ask({ type: 'register', rid: 'm.1', name: 'mallory', ...me }, manager());
    assert.equal(reg?.ok, true, show(reg));
    const q = await attacker.ask({ type: 'query-dht', rid: 'm.2', name: 'mallory' }, manager());
    const node = q?.node as Tuple;
    await attacker.ask({ type: 'find-event', rid: 'm.3', eventId: 10104930, querier: { name: 'mallory', ip: me.ip, port: attacker.port }, path: [] }, node);
    const captured = attacker.received.slice(start).map((r) => r.buf);
    assert.ok(captured.length >= 3, 'captured the replies and the find-result');
    const corpus = [...captured, ...captured, ...wellFormedCorpus()];
    const targets: Target[] = [manager(), ...SIX.flatMap((n) => [ports(n).m, ports(n).p])];
    const rng = mulberry32(434);
    for (let i = 0; i < FUZZ; i++) {
      const src = corpus[Math.floor(rng() * corpus.length)]!;
      await attacker.send(rng() < 0.8 ? mutate(rng, src) : src, targets[i % targets.length]!);
      if (i % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await assertIntact(4);
    // The system still does everything: a leave, a join and a teardown.
    const leaver = ring[2]!;
    await c.ok(leaver, `leave-dht ${leaver}`, COMMAND_TIMEOUT_MS);
    ring = ring.slice(3).concat(ring.slice(0, 2));
    free = SIX.filter((n) => !ring.includes(n));
    await assertIntact(5);
    await c.ok(ring[0]!, `teardown-dht ${ring[0]}`);
    await c.assertFree(SIX);
  });
});

describe('the system secret', () => {
  const children: JsonChild[] = [];
  let m: ManagerProcess;
  before(async () => {
    m = await startManager({ extraArgs: ['--secret', 'correct horse'] });
    children.push(m.proc);
  });
  after(async () => {
    await Promise.all(children.map((p) => p.stop('SIGTERM')));
  });
  const peer = (label: string, args: string[], manager: ManagerProcess = m): JsonChild => {
    const p = startPeer(label, manager, { dataDir: SHARED_DATA_DIR, portRange: '44500-44599', extraArgs: args });
    children.push(p);
    return p;
  };

  test('a peer with the same secret is served; with none or another it is refused with a clear message', async () => {
    assertSuccess(await peer('ok', ['--secret', 'correct horse']).run('register alice'), 'register');
    assertFailure(await peer('none', []).run('register bob'), 'register', 'authentication failed: wrong or missing secret');
    assertFailure(await peer('wrong', ['--secret', 'battery']).run('register carol'), 'register', 'authentication failed: wrong or missing secret');
    const plain = await startManager();
    children.push(plain.proc);
    assertFailure(await peer('extra', ['--secret', 'correct horse'], plain).run('register dave'), 'register', /^authentication failed: .* answered without the secret/);
    // None of the refused ones was registered: the manager with the secret knows alice only.
    const attacker = await AttackSocket.open();
    try {
      const answer = await attacker.ask({ type: 'query-dht', rid: 'q.1', name: 'alice' }, { ip: m.ip, port: m.port });
      assert.equal(answer?.error, 'authentication failed: wrong or missing secret', show(answer));
    } finally {
      attacker.close();
    }
  });
});
