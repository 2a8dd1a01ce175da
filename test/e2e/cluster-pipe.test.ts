// `stormdht cluster` through a pipe: commands go to the process of the peer they name, every line
// is labelled with the process that printed it, results are right, `!` lines must fail, and a
// script that goes wrong exits non-zero. A synthetic 1950 in a temporary directory keeps it fast.
// Real processes, UDP on 127.0.0.1, peer ports 27000-27499.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { yearFilePath } from '../../src/data/csv.js';
import { FIELD_NAMES } from '../../src/data/fields.js';
import { countsPerNode, ownerOf, positionOf } from '../../src/data/hashing.js';
import { escapeRegExp, misroutedTraces, parseLine, PipedCluster, runToEnd, syntheticData, textsOf, type TempData } from './cluster-cli.js';

const PORTS = '27000-27499';
const FOUR = ['alice', 'bob', 'carol', 'dave'];
const YEAR = '1950';

let data: TempData;
before(() => {
  data = syntheticData(YEAR);
});
after(() => data?.remove());

/** `[label] <command> SUCCESS|FAILURE …` lines in `lines`, as [label, text]. */
function resultLinesIn(lines: readonly string[]): Array<[string, string]> {
  return lines.map(parseLine).flatMap((l) => (l.kind === 'labelled' && /^[a-z-]+ (SUCCESS|FAILURE)/.test(l.text) ? [[l.label, l.text] as [string, string]] : []));
}

/** The ring in id order from a leader's `node <id> <name>: <n> records` lines. */
function ringFrom(texts: readonly string[]): string[] {
  const nodes = texts.flatMap((t) => {
    const m = /^ {2}node (\d+) ([a-z]+): \d+ records$/.exec(t);
    return m ? [[Number(m[1]), m[2]!] as const] : [];
  });
  return nodes.sort((a, b) => a[0] - b[0]).map(([, name]) => name);
}

describe('cluster --peers 4, one command at a time through a pipe', () => {
  let c: PipedCluster;
  const ids = () => data.data.records.map((r) => r.eventId);
  before(() => {
    c = new PipedCluster(['--peers', '4', '--data-dir', data.dir, '--port-range', PORTS]);
  });
  after(() => c?.kill());

  /** Runs `line` and checks that its only result line is under `peer`, with the verdict expected. */
  async function expectResult(line: string, peer: string, verdict: 'SUCCESS' | 'FAILURE'): Promise<string[]> {
    const out = await c.run(line);
    const command = line.replace(/^!\s*/, '').split(' ')[0];
    assert.deepEqual(resultLinesIn(out).map(([label, text]) => [label, text.split(' ').slice(0, 2).join(' ')]), [[peer, `${command} ${verdict}`]], out.join('\n'));
    return out;
  }

  test('register goes to each named peer, which registers under its name', async () => {
    for (const name of FOUR) {
      const out = await expectResult(`register ${name}`, name, 'SUCCESS');
      assert.ok(textsOf(out, name).some((t) => t.startsWith(`${name} → manager: register ${name} 127.0.0.1 `)), out.join('\n'));
    }
  });

  test('setup-dht alice 4 1950: alice leads, the counts are those of the file', async () => {
    const out = await expectResult(`setup-dht alice 4 ${YEAR}`, 'alice', 'SUCCESS');
    const { l, s } = data.data;
    const expected = countsPerNode(ids(), s, 4);
    assert.ok(textsOf(out, 'alice').includes(`stored ${l} records (s = ${s}): ${expected.join(' / ')}`), out.join('\n'));
    const ring = ringFrom(textsOf(out, 'alice'));
    assert.equal(ring[0], 'alice');
    assert.deepEqual([...ring].sort(), [...FOUR].sort());
  });

  test('! lines: a member may not deregister or query, and setup-dht again is refused; the cluster goes on', async () => {
    await expectResult('! deregister carol', 'carol', 'FAILURE');
    await expectResult('! query-dht alice 5', 'alice', 'FAILURE');
    await expectResult(`! setup-dht bob 3 ${YEAR}`, 'bob', 'FAILURE');
    assert.equal(c.child.exitCode, null, 'the cluster is still running');
  });

  test('status reaches every peer; status <peer> only that one', async () => {
    const all = await c.run('status', (l) => l.kind === 'labelled' && l.label === 'dave' && l.text === 'status SUCCESS');
    for (const name of FOUR) {
      const st = textsOf(all, name).filter((t) => t.startsWith('status: '));
      assert.equal(st.length, 1, all.join('\n'));
      assert.match(st[0]!, new RegExp(`^status: name=${name} state=(Leader|InDHT) id=\\d ringSize=4 records=\\d+$`));
    }
    const one = await c.run('status bob', (l) => l.kind === 'labelled' && l.text === 'status SUCCESS');
    assert.deepEqual(resultLinesIn(one), [['bob', 'status SUCCESS']], one.join('\n'));
  });

  test('leave, query by the leaver, a refused leave, join, teardown, deregister: each at the right peer, results right', async () => {
    const { s, records } = data.data;
    const ring = ringFrom(textsOf(c.lines, 'alice'));
    // A member that is not the leader leaves: its right neighbour leads the ring of 3 (SPEC §6.5).
    const leaver = ring[1]!;
    const newRing = [ring[2]!, ring[3]!, ring[0]!];
    const left = await expectResult(`leave-dht ${leaver}`, leaver, 'SUCCESS');
    assert.ok(textsOf(left, leaver).includes(`new leader: ${newRing[0]}`), left.join('\n'));
    assert.ok(textsOf(left, leaver).includes(`records per node: ${countsPerNode(ids(), s, 3).join(' / ')}`), left.join('\n'));

    // The leaver, now Free, finds a record: the 14 fields of the file, from the owner in the ring of 3.
    const record = records[Math.floor(records.length / 3)]!;
    const query = await expectResult(`query-dht ${leaver} ${record.eventId}`, leaver, 'SUCCESS');
    const texts = textsOf(query, leaver);
    assert.deepEqual(texts.filter((t) => FIELD_NAMES.some((f) => t.startsWith(`${f}: `))), FIELD_NAMES.map((f, i) => `${f}: ${record.fields[i]}`), query.join('\n'));
    const idSeq = texts.find((t) => t.startsWith('id-seq: '));
    assert.equal(idSeq?.split(', ').at(-1)?.replace('id-seq: ', ''), String(ownerOf(positionOf(record.eventId, s), 3)), query.join('\n'));
    const absent = 999;
    const notFound = await expectResult(`query-dht ${leaver} ${absent}`, leaver, 'SUCCESS');
    assert.ok(textsOf(notFound, leaver).includes(`Storm event ${absent} not found in the DHT.`), notFound.join('\n'));

    await expectResult(`! leave-dht ${newRing[1]}`, newRing[1]!, 'FAILURE'); // a ring of 3 may not shrink
    const joined = await expectResult(`join-dht ${leaver}`, leaver, 'SUCCESS');
    assert.ok(textsOf(joined, leaver).includes(`new leader: ${newRing[0]}`), joined.join('\n'));
    assert.ok(textsOf(joined, leaver).includes(`records per node: ${countsPerNode(ids(), s, 4).join(' / ')}`), joined.join('\n'));
    await expectResult(`teardown-dht ${newRing[0]}`, newRing[0]!, 'SUCCESS');
    for (const name of FOUR) await expectResult(`deregister ${name}`, name, 'SUCCESS');
  });

  test('an unknown peer is refused by the cluster and stops the script, exit status 1', async () => {
    const out = await c.run('query-dht zed 5', (l) => l.kind === 'plain' && l.text.startsWith('cluster: '));
    assert.match(out.at(-1)!, /^cluster: unknown peer "zed": this cluster's peers are alice, bob, carol, dave$/);
    assert.equal(await c.exited, 1);
    assert.match(c.stderr, /stdin line \d+: unknown peer "zed"/);
  });

  test('every trace line was printed under the label of its sender or receiver', () => {
    assert.ok(c.lines.filter((l) => / → /.test(l)).length > 50, 'traces were printed');
    assert.deepEqual(misroutedTraces(c.lines), []);
  });
});

describe('cluster: a peer that asks for a line gets the next one', () => {
  let own: TempData;
  let c: PipedCluster;
  before(() => {
    own = syntheticData(YEAR);
    c = new PipedCluster(['--peers', '4', '--data-dir', own.dir, '--port-range', PORTS]);
  });
  after(() => {
    c?.kill();
    own?.remove();
  });

  test('query-dht without an id and no readable year file: the peer prompts (D1) and the next script line answers', async () => {
    for (const name of FOUR) await c.run(`register ${name}`);
    await c.run(`setup-dht alice 3 ${YEAR}`);
    const status = await c.run('status', (l) => l.kind === 'labelled' && l.label === 'dave' && l.text === 'status SUCCESS');
    const free = FOUR.filter((name) => textsOf(status, name).some((t) => t.includes('state=Free')));
    assert.equal(free.length, 1, status.join('\n'));
    const x = free[0]!;
    // The ring holds the records; with the file gone the Free peer cannot pick an id itself.
    rmSync(yearFilePath(own.dir, YEAR));
    const record = own.data.records[7]!;
    const out = await c.run(`query-dht ${x}`, undefined, 60_000, [String(record.eventId)]);
    const texts = textsOf(out, x);
    assert.ok(texts.some((t) => t.startsWith(`no readable copy of details-${YEAR}.csv`) && t.endsWith('enter an event id:')), out.join('\n'));
    assert.ok(out.includes(`answer> ${record.eventId}`), 'the answer is echoed as such');
    assert.ok(texts.includes(`event_id: ${record.eventId}`), out.join('\n'));
    assert.equal(texts.at(-1), 'query-dht SUCCESS');
    assert.equal(await c.end(), 0, 'the script ends with its last line');
  });
});

describe('cluster scripts: the exit status', () => {
  const run = (script: string, extra: readonly string[] = []) =>
    runToEnd(['cluster', '--peers', '3', '--data-dir', data.dir, '--port-range', PORTS, ...extra], script);

  test('a script whose every line goes as expected exits 0; blank lines and comments are skipped', async () => {
    const r = await run('# three peers\n\nregister alice\nregister bob\nregister carol\n! register alice\nstatus carol\nderegister bob\n');
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout.join('\n')}`);
    const echoed = r.stdout.map(parseLine).flatMap((l) => (l.kind === 'echo' ? [l.command] : []));
    assert.deepEqual(echoed, ['register alice', 'register bob', 'register carol', '! register alice', 'status carol', 'deregister bob']);
    assert.deepEqual(resultLinesIn(r.stdout).map(([label, text]) => `${label}: ${text.split(' (')[0]}`), [
      'alice: register SUCCESS',
      'bob: register SUCCESS',
      'carol: register SUCCESS',
      'alice: register FAILURE',
      'carol: status SUCCESS',
      'bob: deregister SUCCESS',
    ]);
  });

  test('an unexpected FAILURE stops the script: exit 1, the line named, the lines after it not run', async () => {
    const r = await run('register alice\nderegister bob\nregister carol\n');
    assert.equal(r.code, 1, r.stdout.join('\n'));
    assert.match(r.stderr, /stdin line 2: "deregister bob" failed: /);
    assert.ok(textsOf(r.stdout, 'bob').some((t) => t.startsWith('deregister FAILURE')), r.stdout.join('\n'));
    assert.ok(!r.stdout.some((l) => l.includes('register carol')), 'line 3 must not run');
  });

  test('a line marked ! that succeeds is an error too', async () => {
    const r = await run('! register alice\n');
    assert.equal(r.code, 1, r.stdout.join('\n'));
    assert.ok(textsOf(r.stdout, 'alice').includes('register SUCCESS'));
    assert.match(r.stderr, /line 1: "register alice" was expected to fail, but it succeeded/);
  });

  test('quit ends the script there, with exit status 0', async () => {
    const r = await run('register alice\nquit\n! register bob\n');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.some((l) => l.includes('register bob')));
  });

  test('--script FILE runs the file, not stdin', async () => {
    const file = path.join(data.dir, 'session.txt');
    writeFileSync(file, 'register carol\n! deregister dave\n');
    const r = await run('frobnicate alice\n', ['--script', file]);
    assert.equal(r.code, 1, 'dave is no peer of a 3-peer cluster: the script stops');
    assert.match(r.stderr, new RegExp(`${escapeRegExp(file)} line 2: unknown peer "dave"`));
    assert.ok(textsOf(r.stdout, 'carol').includes('register SUCCESS'), r.stdout.join('\n'));
    assert.ok(!r.stdout.some((l) => l.includes('frobnicate')), 'stdin is not read');

    writeFileSync(file, 'register carol\n! deregister bob\nderegister carol\n');
    const ok = await run('frobnicate alice\n', ['--script', file]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(resultLinesIn(ok.stdout).map(([label, text]) => `${label}: ${text.split(' (')[0]}`), ['carol: register SUCCESS', 'bob: deregister FAILURE', 'carol: deregister SUCCESS']);
  });
});

describe('cluster --replicas 2: kill <peer> is a crash, and the ring heals from its copies', () => {
  const FIVE = ['alice', 'bob', 'carol', 'dave', 'erin'];
  let c: PipedCluster;
  before(() => {
    c = new PipedCluster(['--peers', '5', '--replicas', '2', '--data-dir', data.dir, '--port-range', PORTS]);
  });
  after(() => c?.kill());

  /** The records of the file that node `id` of a ring of n owns, a few of them. */
  const ownedBy = (id: number, n: number) => data.data.records.filter((r) => ownerOf(positionOf(r.eventId, data.data.s), n) === id).slice(0, 3);

  /** A query of a record of the file: found, its 14 fields exactly. */
  async function expectRecord(querier: string, record: { eventId: number; fields: readonly string[] }): Promise<string[]> {
    const out = await c.run(`query-dht ${querier} ${record.eventId}`);
    const texts = textsOf(out, querier);
    assert.equal(texts.at(-1), 'query-dht SUCCESS', out.join('\n'));
    assert.deepEqual(texts.filter((t) => FIELD_NAMES.some((f) => t.startsWith(`${f}: `))), FIELD_NAMES.map((f, i) => `${f}: ${record.fields[i]}`), out.join('\n'));
    return out;
  }

  test('the manager keeps 2 copies; kill SIGKILLs a member; its records stay readable; the ring of 3 is repaired with 2 copies each', async () => {
    for (const name of FIVE) await c.run(`register ${name}`);
    assert.ok(textsOf(c.lines, 'manager').includes('note: every DHT keeps 2 copies of each record'), 'the manager got --replicas 2');
    const setup = await c.run(`setup-dht alice 4 ${YEAR}`);
    const { l, s } = data.data;
    assert.ok(textsOf(setup, 'alice').includes(`stored ${l} records (s = ${s}): ${countsPerNode(data.data.ids, s, 4).join(' / ')}`), setup.join('\n'));
    assert.ok(textsOf(setup, 'alice').some((t) => t.startsWith('replicas per node: ')), setup.join('\n'));
    const ring = textsOf(setup, 'alice').flatMap((t) => /^ {2}node \d ([a-z]+): \d+ records, \d+ replicas$/.exec(t)?.[1] ?? []);
    assert.equal(ring.length, 4, setup.join('\n'));
    const outside = FIVE.find((n) => !ring.includes(n))!;
    const victim = ring[1]!;

    const killed = await c.run(`kill ${victim}`, (x) => x.kind === 'plain' && x.text.startsWith(`${victim}: process `));
    assert.match(killed.at(-1)!, new RegExp(`^${victim}: process \\d+ killed with SIGKILL, as in a crash`));
    const peers = await c.run('peers', (x) => x.kind === 'plain' && x.text.trimStart().startsWith('erin '));
    assert.ok(peers.some((x) => new RegExp(`^ {2}${victim} +pid \\d+ +exited \\(status SIGKILL\\) +InDHT +127\\.0\\.0\\.1:\\d+$`).test(x)), peers.join('\n'));
    // The states and p-ports come from the manager's registry (issue 15), asked without a trace.
    assert.ok(peers.some((x) => /^ {2}alice +pid \d+ +running +Leader +127\.0\.0\.1:\d+$/.test(x)), peers.join('\n'));
    assert.ok(!peers.some((x) => /members/.test(x)), `the cluster's own members request is not shown:\n${peers.join('\n')}`);

    // While it is dead (found, then being repaired) every record it owned is answered by a copy.
    for (const record of ownedBy(1, 4)) await expectRecord(outside, record);

    // members, asked until the repair is done: the victim is registered no more, the ring is the other three.
    const survivors = ring.filter((n) => n !== victim);
    const repaired = `dht: year ${YEAR}, 3 members in id order: ${survivors.join(', ')} (leader alice)`;
    for (let tries = 0; ; tries++) {
      const m = await c.run(`members ${outside}`);
      if (textsOf(m, outside).includes(repaired)) {
        assert.ok(!textsOf(m, outside).some((t) => t.startsWith(`${victim} `)), m.join('\n'));
        break;
      }
      assert.ok(tries < 60, `no repaired ring after ${tries} tries:\n${m.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const manager = textsOf(c.lines, 'manager');
    assert.ok(manager.some((t) => t.startsWith(`warning: failure detector: evicted ${victim} died (no heartbeat for `)), manager.join('\n'));
    assert.ok(manager.includes('manager → alice: dht-repaired SUCCESS'), manager.join('\n'));
    assert.ok(textsOf(c.lines, 'alice').some((t) => t.startsWith(`note: collected ${l} records from 2 members`)), 'the records came from the members, not a file');

    // Whole again: the same records, every one once on its owner and once more on the next node.
    for (const record of ownedBy(1, 4)) await expectRecord(outside, record);
    // status asks the peers in order: it ends with erin's status, or the line that says erin's process has exited.
    const last = FIVE.at(-1)!;
    const status = await c.run('status', (x) =>
      last === victim ? x.kind === 'plain' && x.text.startsWith(`${victim}: the process has exited`) : x.kind === 'labelled' && x.label === last && x.text === 'status SUCCESS',
    );
    assert.ok(status.includes(`${victim}: the process has exited (status SIGKILL); "register ${victim}" starts it again`), status.join('\n'));
    let records = 0;
    let copies = 0;
    for (const name of survivors) {
      const m = textsOf(status, name).map((t) => /^status: name=[a-z]+ state=(?:Leader|InDHT) id=\d ringSize=3 records=(\d+) replicas=(\d+)$/.exec(t)).find((x) => x !== null);
      assert.ok(m, status.join('\n'));
      records += Number(m[1]);
      copies += Number(m[2]);
    }
    assert.deepEqual([records, copies], [l, l], status.join('\n'));

    // restart (issue 15): a new process registers under the name the manager evicted, and joins again.
    const restarted = await c.run(`restart ${victim}`, (x) => x.kind === 'plain' && x.text.startsWith(`${victim}: started again`));
    assert.match(restarted.at(-1)!, new RegExp(`^${victim}: started again as process \\d+; register SUCCESS$`), restarted.join('\n'));
    const join = await c.run(`join-dht ${victim}`);
    assert.equal(textsOf(join, victim).at(-1), 'join-dht SUCCESS', join.join('\n'));
    for (const record of ownedBy(1, 4)) await expectRecord(outside, record);
  });

  test('kill of a process that has exited is refused, and stops the script', async () => {
    const victim = /^(\S+): process \d+ killed/m.exec(c.lines.filter((x) => parseLine(x).kind === 'plain').join('\n'))![1]!;
    await c.run(`kill ${victim}`, (x) => x.kind === 'plain' && x.text.startsWith(`${victim}: process `));
    const out = await c.run(`kill ${victim}`, (x) => x.kind === 'plain' && x.text.startsWith('cluster: '));
    assert.equal(out.at(-1), `cluster: ${victim}'s process has already exited (status SIGKILL)`);
    assert.equal(await c.exited, 1);
  });
});

describe('cluster --replicas: a bad value is a one-line usage error', () => {
  for (const [args, value] of [
    [['--replicas', '0'], '0'],
    [['--replicas', 'x'], 'x'],
    [['--replicas', '10'], '10'],
    [['--replicas', '2.5'], '2.5'],
    [['--replicas=-1'], '-1'],
  ] as const) {
    test(`${args.join(' ')}: exit 2, the error in one line, then the usage; no process started, no stack trace`, async () => {
      const r = await runToEnd(['cluster', ...args, '--data-dir', data.dir, '--port-range', PORTS], 'register alice\n');
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(r.stdout, [], 'nothing started');
      const [first, blank, usage] = r.stderr.split('\n');
      assert.equal(first, `stormdht: --replicas "${value}" is invalid: use 1 to 9`);
      assert.equal(blank, '');
      assert.match(usage ?? '', /^usage: stormdht cluster /);
      assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+|Error:/, 'a stack trace');
    });
  }
});
