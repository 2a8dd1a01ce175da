// Every FAILURE a user can provoke from a real peer process (SPEC §2, §4, §5, D8–D13): each is
// answered with ok:false and a clear error, and leaves the system usable. Also the busy rule
// (D10) as far as real processes can reach it. Ports 23000-23999.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { skipUnlessYear } from '../helpers/shared-data.js';
import { assertFailure, assertQuery, assertSetup, assertSuccess, Cluster, expectedCounts, registeredAddress, show } from './cluster.js';
import type { JsonLine } from '../../src/cli/processes.js';

const PORTS = '23000-23999';
const FOUR = ['alice', 'bob', 'carol', 'dave'];

describe('FAILURE answers of real peers and manager', { skip: skipUnlessYear('1950', '1996') }, () => {
  let c: Cluster;

  before(async () => {
    c = await Cluster.start({ portRange: PORTS });
    c.spawn('newcomer'); // never registered until the register tests
    await c.addRegistered(FOUR);
  });
  after(async () => {
    await c?.close();
  });

  test('unknown commands, typed dht-rebuilt / teardown-complete, and wrong argument counts', async () => {
    for (const who of ['newcomer', 'alice']) {
      await c.fails(who, 'frobnicate', 'unknown command');
      await c.fails(who, 'help me', 'unknown command');
      await c.fails(who, `dht-rebuilt ${who} bob`, 'unknown command');
      await c.fails(who, `teardown-complete ${who}`, 'unknown command');
    }
    await c.fails('alice', 'register', 'usage: register <name>');
    await c.fails('alice', 'register alice 127.0.0.1', 'usage: register <name>');
    await c.fails('alice', 'setup-dht alice 5', 'usage: setup-dht <name> <n> <YYYY>');
    await c.fails('alice', 'setup-dht alice 5 1996 extra', 'usage: setup-dht');
    await c.fails('alice', 'query-dht alice 1 2', 'usage: query-dht <name> [<event-id>]');
    await c.fails('alice', 'query-dht', 'usage: query-dht');
    await c.fails('alice', 'leave-dht', 'usage: leave-dht <name>');
    await c.fails('alice', 'join-dht alice bob', 'usage: join-dht <name>');
    await c.fails('alice', 'teardown-dht', 'usage: teardown-dht <name>');
    await c.fails('alice', 'dht-complete', 'usage: dht-complete <name>');
    await c.fails('alice', 'deregister alice now', 'usage: deregister <name>');
    await c.fails('alice', 'status alice', 'usage: status');
    // Blank lines and comments are not commands: the next result belongs to the next command.
    c.peer('alice').send('');
    c.peer('alice').send('# a comment');
    assert.equal((await c.status('alice')).state, 'Free');
  });

  test('commands before register fail locally', async () => {
    for (const line of ['setup-dht newcomer 3 1950', 'query-dht newcomer 5536849', 'query-dht newcomer', 'leave-dht newcomer', 'join-dht newcomer', 'teardown-dht newcomer', 'dht-complete newcomer', 'deregister newcomer']) {
      await c.fails('newcomer', line, 'not registered: run register <name> first');
    }
    const st = await c.status('newcomer');
    assert.deepEqual({ name: st.name, state: st.state }, { name: null, state: 'Unregistered' }, show(st));
  });

  test('register: bad name, bad IPv4, port < 1024, m-port = p-port, taken name, taken ports, twice', async () => {
    await c.fails('newcomer', 'register peer1', 'peer name "peer1" is invalid');
    await c.fails('newcomer', 'register abcdefghijklmnop', 'is invalid: use 1 to 15 letters');
    await c.fails('newcomer', 'register nick 256.1.2.3 23900 23901', 'IPv4 address "256.1.2.3" is invalid');
    await c.fails('newcomer', 'register nick 127.0.0 23900 23901', 'IPv4 address "127.0.0" is invalid');
    await c.fails('newcomer', 'register nick 127.0.0.1 1000 23901', 'm-port 1000 is invalid');
    await c.fails('newcomer', 'register nick 127.0.0.1 23900 80', 'p-port 80 is invalid');
    await c.fails('newcomer', 'register nick 127.0.0.1 23900 65536', 'p-port 65536 is invalid');
    await c.fails('newcomer', 'register nick 127.0.0.1 23900 23900', 'm-port and p-port must differ');
    await c.fails('newcomer', 'register alice', 'peer "alice" is already registered');
    await c.fails('newcomer', 'register alice 127.0.0.1 23900 23901', 'peer "alice" is already registered');

    // Ports another registered peer holds: its m-port, then its p-port (a bind failure or the manager's D11 refusal).
    const a = registeredAddress(c.peer('alice'));
    // alice registered first with `register alice`: the two lowest ports of the range (§5).
    assert.deepEqual([a.ip, Math.min(a.mPort, a.pPort), Math.max(a.mPort, a.pPort)], ['127.0.0.1', 23000, 23001], show(a));
    const b = registeredAddress(c.peer('bob'));
    assert.deepEqual([Math.min(b.mPort, b.pPort), Math.max(b.mPort, b.pPort)], [23002, 23003], show(b));
    const taken = /cannot bind 127\.0\.0\.1:\d+ \(EADDRINUSE\)|already used by alice/;
    await c.fails('newcomer', `register nick ${a.ip} ${a.mPort} 23901`, taken);
    await c.fails('newcomer', `register nick ${a.ip} 23900 ${a.pPort}`, taken);
    await c.fails('newcomer', `register nick ${a.ip} ${a.pPort} ${a.mPort}`, taken);

    // Twice from the same peer, with or without an address.
    await c.fails('alice', 'register alice', 'already registered as alice');
    await c.fails('alice', 'register other', 'already registered as alice');
    await c.fails('alice', 'register other 127.0.0.1 23900 23901', 'already registered as alice');

    // None of that left anything behind: the newcomer is still Unregistered and the ports it tried are free.
    assert.equal((await c.status('newcomer')).state, 'Unregistered');
    assertSuccess(await c.run('newcomer', 'register nick 127.0.0.1 23900 23901'), 'register');
    const st = await c.status('newcomer');
    assert.deepEqual({ name: st.name, state: st.state }, { name: 'nick', state: 'Free' }, show(st));
    // Its explicit ports are now taken for everyone else.
    c.spawn('other');
    await c.fails('other', 'register olga 127.0.0.1 23901 23902', /cannot bind 127\.0\.0\.1:23901 \(EADDRINUSE\)|already used by nick/);
    assertSuccess(await c.run('newcomer', 'deregister nick'), 'deregister');
    assert.equal(await c.peer('newcomer').exited, 0);
    // Deregistered, the name and the ports are free again (names are case-sensitive: Alice ≠ alice).
    assertSuccess(await c.run('other', 'register nick 127.0.0.1 23900 23901'), 'register');
    c.spawn('capital');
    assertSuccess(await c.run('capital', 'register Alice'), 'register');
    assertSuccess(await c.run('capital', 'deregister Alice'), 'deregister');
    assertSuccess(await c.run('other', 'deregister nick'), 'deregister');
    assert.deepEqual(await Promise.all([c.peer('capital').exited, c.peer('other').exited]), [0, 0]);
  });

  test("another peer's name is refused", async () => {
    for (const line of ['setup-dht bob 3 1950', 'query-dht bob 5536849', 'leave-dht bob', 'join-dht bob', 'teardown-dht bob', 'dht-complete bob', 'deregister bob']) {
      await c.fails('alice', line, `"bob" is not this peer's name (alice)`);
    }
    await c.fails('alice', 'query-dht zed', `"zed" is not this peer's name (alice)`);
  });

  test('without a DHT: bad setup arguments, missing year file, too few Free peers; no-DHT refusals', async () => {
    await c.fails('alice', 'setup-dht alice 2 1950', 'n must be an integer of at least 3');
    await c.fails('alice', 'setup-dht alice 0 1950', 'n must be an integer of at least 3');
    await c.fails('alice', 'setup-dht alice x 1950', 'n must be an integer of at least 3 (got "x")');
    await c.fails('alice', 'setup-dht alice -3 1950', 'n must be an integer of at least 3');
    await c.fails('alice', 'setup-dht alice 3 96', 'year "96" is invalid: use four decimal digits');
    await c.fails('alice', 'setup-dht alice 3 19500', 'year "19500" is invalid');
    await c.fails('alice', 'setup-dht alice 3 1899', /details-1899\.csv.*file not found/);
    await c.fails('alice', 'setup-dht alice 5 1950', 'only 4 Free peers, fewer than n = 5');
    await c.fails('alice', 'setup-dht alice 99 1950', 'only 4 Free peers, fewer than n = 99');

    await c.fails('bob', 'query-dht bob 5536849', 'no DHT exists');
    await c.fails('bob', 'query-dht bob', 'no DHT exists');
    await c.fails('bob', 'join-dht bob', 'no DHT exists');
    await c.fails('bob', 'teardown-dht bob', 'no DHT exists');
    await c.fails('bob', 'dht-complete bob', 'no DHT exists');
    await c.fails('bob', 'leave-dht bob', /not in a DHT|no DHT exists|not a member/);
    await c.fails('bob', 'query-dht bob 12a', 'invalid event id "12a"');
    await c.assertFree(FOUR);
  });

  test('with a DHT: member/Free/leader refusals, leave from a 3-node ring, deregister while InDHT/Leader', async () => {
    const ring = assertSetup(await c.run('alice', 'setup-dht alice 3 1950'), 'alice', '1950', 3);
    const idOf = await c.assertRing(ring, '1950', ring);
    const free = FOUR.find((n) => !ring.includes(n))!;
    const member = ring[1]!;
    const last = ring[2]!;

    // setup-dht
    await c.fails(member, `setup-dht ${member} 3 1950`, 'peer is InDHT; only a Free peer may set up a DHT');
    await c.fails('alice', 'setup-dht alice 3 1950', 'peer is Leader; only a Free peer may set up a DHT');
    await c.fails(free, `setup-dht ${free} 3 1950`, 'a DHT already exists (leader alice)');
    // query-dht
    await c.fails(member, `query-dht ${member} 5536849`, 'peer is InDHT; only a Free peer may query the DHT');
    await c.fails('alice', 'query-dht alice', 'peer is Leader; only a Free peer may query the DHT');
    await c.fails(free, `query-dht ${free} 12a`, 'invalid event id "12a"');
    await c.fails(free, `query-dht ${free} -5`, 'invalid event id "-5"');
    await c.fails(free, `query-dht ${free} 1234567890123456`, 'invalid event id "1234567890123456"');
    // leave-dht
    await c.fails(free, `leave-dht ${free}`, /not in a DHT|not a member/);
    await c.fails(member, `leave-dht ${member}`, 'the DHT has 3 members and may not shrink below 3');
    await c.fails('alice', 'leave-dht alice', 'may not shrink below 3');
    // join-dht
    await c.fails(member, `join-dht ${member}`, 'peer is InDHT; only a Free peer may join the DHT');
    await c.fails('alice', 'join-dht alice', 'peer is Leader; only a Free peer may join the DHT');
    // teardown-dht
    await c.fails(member, `teardown-dht ${member}`, `${member} is not the leader of the DHT`);
    await c.fails(free, `teardown-dht ${free}`, `${free} is not the leader of the DHT`);
    // deregister
    const inDht = await c.run(last, `deregister ${last}`);
    assertFailure(inDht, 'deregister', 'peer is InDHT');
    assert.equal(inDht.error, 'peer is InDHT; only a Free peer may deregister', show(inDht));
    const leader = await c.run('alice', 'deregister alice');
    assert.equal(leader.error, 'peer is Leader; only a Free peer may deregister', show(leader));
    // dht-complete (D8): refused to anyone but the leader, a harmless SUCCESS for the leader.
    await c.fails(member, `dht-complete ${member}`, `${member} is not the leader of the DHT`);
    await c.fails(free, `dht-complete ${free}`, `${free} is not the leader of the DHT`);
    assertSuccess(await c.run('alice', 'dht-complete alice'), 'dht-complete');
    // typed manager-only messages
    await c.fails(member, `dht-rebuilt ${member} alice`, 'unknown command');
    await c.fails('alice', 'teardown-complete alice', 'unknown command');

    // Nothing changed: the ring still answers with its §13 counts, and queries work.
    const again = await c.assertRing(ring, '1950', ring);
    assert.deepEqual([...again], [...idOf]);
    for (const id of [10096222, 10120412, 1]) assertQuery('1950', id, 3, await c.query(free, `query-dht ${free} ${id}`), idOf);
    assertSuccess(await c.run('alice', 'teardown-dht alice'), 'teardown-dht');
    await c.assertFree(FOUR);
  });

  test('busy rule (D10): while alice sets up 1996, other commands get SUCCESS or "busy: waiting for dht-complete from alice"', async (t) => {
    const busy = 'busy: waiting for dht-complete from alice';
    const alice = c.peer('alice');
    const start = alice.lines.length;
    alice.send('setup-dht alice 3 1996');
    // The manager is in AwaitDhtComplete(alice) from its SUCCESS reply until alice's dht-complete.
    await alice.waitForLine(
      (l) => alice.lines.indexOf(l) >= start && l.event === 'trace' && l.from === 'manager' && String(l.text).startsWith('setup-dht SUCCESS'),
      30_000,
    );
    let setupDone = false;
    const setupResult = alice.nextResult().finally(() => (setupDone = true));

    // An unregistered peer registers in a tight loop: every refusal must be the busy one.
    const spammer = c.spawn('spammer');
    const registerReplies: JsonLine[] = [];
    const registerLoop = (async () => {
      for (;;) {
        const r = await spammer.run('register victor');
        registerReplies.push(r);
        if (r.ok === true) return;
        assertFailure(r, 'register', busy);
        if (registerReplies.length > 5000) throw new Error('register never succeeded');
      }
    })();
    // A registered peer queries in a tight loop until the setup is over (it may be in the ring).
    const queryReplies: JsonLine[] = [];
    const queryLoop = (async () => {
      while (!setupDone) {
        const r = await c.run('dave', 'query-dht dave 5536849');
        queryReplies.push(r);
        if (r.ok === true) assertQuery('1996', 5536849, 3, { result: r, picked: null });
        else assert.match(String(r.error), /^busy: waiting for dht-complete from alice$|^peer is InDHT; only a Free peer may query the DHT$/, show(r));
      }
    })();
    const [setup] = await Promise.all([setupResult, registerLoop, queryLoop]);
    assertSetup(setup, 'alice', '1996', 3);
    assert.deepEqual(setup.recordsPerNode, expectedCounts('1996', 3));

    const busyCount = [...registerReplies, ...queryReplies].filter((r) => r.error === busy).length;
    t.diagnostic(`busy replies: ${busyCount} of ${registerReplies.length} register and ${queryReplies.length} query-dht replies`);
    assert.ok(busyCount >= 1, `no reply arrived while the manager was busy: ${registerReplies.length} register and ${queryReplies.length} query replies`);
    assert.equal(registerReplies.at(-1)!.ok, true, 'the register loop must end with SUCCESS once the setup is over');
    // The busy refusals left the registry as it was: victor is Free and registered once.
    const st = await c.status('spammer');
    assert.deepEqual({ name: st.name, state: st.state }, { name: 'victor', state: 'Free' }, show(st));
    assertSuccess(await c.run('alice', 'teardown-dht alice'), 'teardown-dht');
    await c.assertFree([...FOUR]);
  });
});
