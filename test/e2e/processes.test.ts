// Process behaviour of SPEC §1.1 and §14: end of input, signals, exit statuses, bad invocations
// and the human-mode line conventions. Real processes, ports 26000-26999.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { FIELD_NAMES } from '../../src/data/fields.js';
import { JsonChild, startManager } from '../../src/cli/processes.js';
import { skipUnlessYear } from '../helpers/shared-data.js';
import { HumanPeer } from './human-peer.js';
import { assertQuery, assertSetup, assertSuccess, fileRows, ringAfterLeave, SHARED_DATA_DIR, show, withCluster } from './cluster.js';

const PORTS = '26000-26999';

/** True when the process is still running after `ms`. */
async function stillRunning(child: JsonChild, ms: number): Promise<boolean> {
  const outcome = await Promise.race([child.exited.then(() => 'exited'), sleep(ms).then(() => 'running')]);
  return outcome === 'running';
}

describe('§14 end of input and signals', () => {
  test('a peer whose stdin ends while unregistered exits 0 (after finishing the command in progress)', async () => {
    await withCluster({ portRange: PORTS }, async (c) => {
      const idle = c.spawn('idle');
      idle.endInput();
      assert.equal(await idle.exited, 0, `exit status; stderr: ${idle.stderr}`);

      const busy = c.spawn('busy');
      busy.send('status');
      busy.send('frobnicate');
      busy.endInput();
      assert.equal(await busy.exited, 0, `exit status; stderr: ${busy.stderr}`);
      const results = busy.lines.filter((l) => l.type === 'result');
      assert.deepEqual(results.map((r) => [r.command, r.ok]), [['status', true], ['frobnicate', false]], show(results));
    });
  });

  test('a peer registered and then at end of input keeps running; SIGTERM ends it with 0', async () => {
    await withCluster({ portRange: PORTS }, async (c) => {
      const p = c.spawn('ursula');
      p.send('register ursula');
      p.endInput();
      const result = await p.nextResult();
      assertSuccess(result, 'register');
      assert.ok(await stillRunning(p, 500), `a registered peer exited at end of input: ${show(p.lines)}`);
      assert.equal(await p.stop('SIGTERM'), 0, 'exit status on SIGTERM');
    });
  });

  test('a registered peer whose stdin ended still serves as a ring member, then exits 0 on SIGTERM', { skip: skipUnlessYear('1950') }, async () => {
    await withCluster({ portRange: PORTS }, async (c) => {
      await c.addRegistered(['alice', 'bob', 'carol', 'dave']);
      const carol = c.peer('carol');
      carol.endInput();
      assert.ok(await stillRunning(carol, 300), 'carol exited at end of input although registered');
      // n = 4 with exactly four Free peers: carol must be in the ring.
      const ring = assertSetup(await c.run('alice', 'setup-dht alice 4 1950'), 'alice', '1950', 4);
      assert.ok(ring.includes('carol'), show(ring));
      const carolId = ring.indexOf('carol');
      const others = ring.filter((n) => n !== 'carol');
      for (const name of others) {
        const st = await c.status(name);
        assert.equal(st.id, ring.indexOf(name), show(st));
        assert.equal(st.ringSize, 4, show(st));
      }
      // A leave by the member after carol exercises carol's teardown, reset-id and store handling.
      c.spawn('erin');
      assertSuccess(await c.run('erin', 'register erin'), 'register');
      const leaver = ring[(carolId + 1) % 4]!;
      const left = await c.run(leaver, `leave-dht ${leaver}`);
      assertSuccess(left, 'leave-dht');
      assert.deepEqual(left.recordsPerNode, [72, 75, 76], show(left));
      // Queries for ids that carol owns in the ring of 3 reach her and get the file's row.
      const newRing = ringAfterLeave(ring, leaver);
      const newIdOf = new Map(newRing.map((n, i) => [n, i] as [string, number]));
      const carolIds = fileRows('1950').data.records.map((r) => r.eventId).filter((id) => (id % 449) % 3 === newIdOf.get('carol')).slice(0, 5);
      for (const id of carolIds) assertQuery('1950', id, 3, await c.query('erin', `query-dht erin ${id}`), newIdOf);
      assertSuccess(await c.run(newRing[0]!, `teardown-dht ${newRing[0]}`), 'teardown-dht');
      assert.ok(await stillRunning(carol, 100), 'carol exited');
      assert.equal(await carol.stop('SIGTERM'), 0, `carol's exit status on SIGTERM`);
    });
  });

  test('commands run one at a time: lines typed during a setup are answered after it, in order (§5)', { skip: skipUnlessYear('1950') }, async () => {
    await withCluster({ portRange: PORTS }, async (c) => {
      await c.addRegistered(['alice', 'bob', 'carol']);
      const alice = c.peer('alice');
      alice.send('setup-dht alice 3 1950');
      alice.send('status');
      alice.send('frobnicate');
      alice.send('dht-complete alice');
      const results = [await alice.nextResult(), await alice.nextResult(), await alice.nextResult(), await alice.nextResult()];
      assert.deepEqual(results.map((r) => [r.command, r.ok]), [['setup-dht', true], ['status', true], ['frobnicate', false], ['dht-complete', true]], show(results));
      assertSetup(results[0]!, 'alice', '1950', 3);
      assert.deepEqual([results[1]!.state, results[1]!.id, results[1]!.ringSize, results[1]!.records], ['Leader', 0, 3, 72], show(results[1]));
    });
  });

  test('SIGINT ends a registered peer with 0 without deregistering it', async () => {
    await withCluster({ portRange: PORTS }, async (c) => {
      await c.addRegistered(['victor']);
      assert.equal(await c.peer('victor').stop('SIGINT'), 0, 'exit status on SIGINT');
      c.spawn('other');
      // From another address: victor's registration is still there. (From victor's own address
      // it would be victor registering again, which the manager accepts as the same registration.)
      await c.fails('other', 'register victor 127.0.0.1 26990 26991', 'peer "victor" is already registered');
    });
  });

  test('stormdht manager exits 0 on SIGINT and on SIGTERM once it has said it listens', async () => {
    // SPEC §1.1: it runs until SIGINT/SIGTERM and then exits 0. A script (or a test) signals it as
    // soon as the listening line appears, so the handlers must be in place by then.
    // Ten managers at a time per signal, each signalled the moment its listening line arrives.
    const codes: Array<[string, number | string]> = [];
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const m = await startManager();
          assert.ok(m.port > 0, `listening port ${m.port}`);
          return [signal, await m.proc.stop(signal)] as [string, number | string];
        }),
      );
      codes.push(...batch);
    }
    const bad = codes.filter(([, code]) => code !== 0);
    assert.deepEqual(bad, [], `exit statuses other than 0 (the process died of the signal): ${JSON.stringify(bad)}`);
  });

  test('stormdht manager exits 0 on SIGINT after serving a while', async () => {
    const m = await startManager();
    await sleep(300);
    assert.equal(await m.proc.stop('SIGINT'), 0, `manager exit status on SIGINT; stderr: ${m.proc.stderr}`);
  });
});

describe('bad invocations exit 2 with a usage message on stderr', () => {
  const cases: Array<[string, string[], string]> = [
    ['peer without a manager port', ['peer', '127.0.0.1'], 'usage: stormdht peer'],
    ['peer without arguments', ['peer'], 'usage: stormdht peer'],
    ['peer with a bad port', ['peer', '127.0.0.1', 'seven'], 'usage: stormdht peer'],
    ['peer with port 70000', ['peer', '127.0.0.1', '70000'], 'usage: stormdht peer'],
    ['peer with a bad manager IPv4', ['peer', '300.1.1.1', '7000'], 'usage: stormdht peer'],
    ['peer with an inverted --port-range', ['peer', '127.0.0.1', '7000', '--port-range', '26010-26000'], 'usage: stormdht peer'],
    ['peer with --port-range below 1024', ['peer', '127.0.0.1', '7000', '--port-range', '80-2000'], 'usage: stormdht peer'],
    ['peer with an unknown option', ['peer', '127.0.0.1', '7000', '--bogus'], 'usage: stormdht peer'],
    ['peer with an extra argument', ['peer', '127.0.0.1', '7000', 'extra'], 'usage: stormdht peer'],
    ['peer with --pipeline 0', ['peer', '127.0.0.1', '7000', '--pipeline', '0'], '--pipeline "0" is invalid: use 1 to 1024'],
    ['peer with --pipeline 1025', ['peer', '127.0.0.1', '7000', '--pipeline', '1025'], '--pipeline "1025" is invalid: use 1 to 1024'],
    ['peer with --pipeline many', ['peer', '127.0.0.1', '7000', '--pipeline', 'many'], '--pipeline "many" is invalid: use 1 to 1024'],
    ['manager without a port', ['manager'], 'usage: stormdht manager'],
    ['manager with a bad --host', ['manager', '0', '--host', 'my_host'], 'usage: stormdht manager'],
    ['an unknown program', ['frobnicate'], 'usage:'],
  ];
  for (const [name, args, usage] of cases) {
    test(name, async () => {
      const child = new JsonChild(name, args);
      child.endInput();
      const code = await child.exited;
      assert.equal(code, 2, `exit status of ${args.join(' ')}; stderr: ${child.stderr}`);
      assert.ok(child.stderr.includes(usage), `stderr lacks ${JSON.stringify(usage)}: ${child.stderr}`);
      assert.ok(child.stderr.startsWith('stormdht: '), `stderr should say what is wrong first: ${child.stderr}`);
    });
  }
});

test('human mode: the register reply line, query field lines, id-seq, the not-found sentence, FAILURE lines', { skip: skipUnlessYear('1950') }, async () => {
  await withCluster({ portRange: PORTS }, async (c) => {
    await c.addRegistered(['alice', 'bob', 'carol']);
    const ring = assertSetup(await c.run('alice', 'setup-dht alice 3 1950'), 'alice', '1950', 3);
    const hannah = HumanPeer.start(c.manager, SHARED_DATA_DIR, PORTS);
    try {
      hannah.send('register hannah');
      await hannah.waitFor('manager → hannah: register SUCCESS', 0);
      await hannah.waitFor('register SUCCESS', 0);

      const row = fileRows('1950').data.records[42]!;
      let from = hannah.lines.length;
      hannah.send(`query-dht hannah ${row.eventId}`);
      const end = await hannah.waitFor('query-dht SUCCESS', from);
      const printed = hannah.lines.slice(from, end);
      const first = printed.indexOf(`event_id: ${row.eventId}`);
      assert.ok(first >= 0, `no "event_id: ${row.eventId}" line in:\n${printed.join('\n')}`);
      const expected = FIELD_NAMES.map((f, i) => `${f}: ${row.fields[i]}`);
      assert.deepEqual(printed.slice(first, first + 14), expected, printed.join('\n'));
      const idSeq = printed[first + 14]!;
      const m = /^id-seq: (\d+(?:, \d+)*)$/.exec(idSeq);
      assert.ok(m, `"id-seq: a, b, …" expected after the fields, got ${JSON.stringify(idSeq)}`);
      const path = m![1]!.split(', ').map(Number);
      assert.equal(path.at(-1), (row.eventId % 449) % 3, `id-seq must end at the owner: ${idSeq}`);
      assert.equal(new Set(path).size, path.length, idSeq);
      assert.ok(path.every((id) => id >= 0 && id < ring.length), idSeq);

      from = hannah.lines.length;
      hannah.send('query-dht hannah 123');
      const end2 = await hannah.waitFor('query-dht SUCCESS', from);
      const printed2 = hannah.lines.slice(from, end2);
      const k = printed2.indexOf('Storm event 123 not found in the DHT.');
      assert.ok(k >= 0, printed2.join('\n'));
      assert.match(printed2[k + 1]!, /^id-seq: \d+(, \d+)*$/, printed2.join('\n'));
      assert.equal(Number(printed2[k + 1]!.split(', ').at(-1)!.replace('id-seq: ', '')), (123 % 449) % 3, printed2.join('\n'));

      from = hannah.lines.length;
      hannah.send('frobnicate');
      await hannah.waitFor('frobnicate FAILURE (unknown command)', from);
      hannah.send('deregister hannah');
      await hannah.waitFor('manager → hannah: deregister SUCCESS', from);
      // A script in which a command failed exits 1 after its deregister, and says which (issue 15).
      assert.equal(await hannah.exited, 1, `exit status after deregister; stderr: ${hannah.stderr}`);
      assert.match(hannah.stderr, /stdin line \d+ "frobnicate": unknown command/);
    } finally {
      await hannah.stop();
    }
  });
});
