// --quiet and --json for people and programs (issue 15): `peer --quiet` prints each command's
// result lines and nothing else, warnings on stderr; `cluster --quiet` the labelled result lines
// and the cluster's answers, no echo, no trace, no note; `cluster --json` one JSON object per
// line, each naming its process, the processes' own objects unchanged but for that key. --quiet
// with --json is a usage error. Real processes over a synthetic 1950; ports 39100-39499.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { recordToObject } from '../../src/data/fields.js';
import { assertSuccess, Cluster } from './cluster.js';
import { parseLine, runToEnd, syntheticData, textsOf, type TempData } from './cluster-cli.js';

const YEAR = '1950';
/** The first line of the answer to `peers`. */
const PEERS_HEADER = /^4 peers (\(4 registered\) )?and the manager:/;
/** A line that would be a stack frame. */
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;

let data: TempData;
/** An id of the synthetic year, and one it lacks. */
let present = 0;
let absent = 0;

before(() => {
  data = syntheticData(YEAR);
  present = data.data.records[7]!.eventId;
  absent = 1;
  while (data.data.records.some((r) => r.eventId === absent)) absent++;
});
after(() => data?.remove());

/** The file's record of `id`, as the `<field>: <value>` lines a query prints. */
function recordLines(id: number): string[] {
  const record = data.data.records.find((r) => r.eventId === id)!;
  return Object.entries(recordToObject(record.fields)).map(([field, value]) => `${field}: ${value}`);
}

describe('peer --quiet', () => {
  let c: Cluster;
  let empty = '';
  before(async () => {
    empty = mkdtempSync(path.join(os.tmpdir(), 'stormdht-quiet-'));
    c = await Cluster.start({ portRange: '39100-39199', dataDir: data.dir });
    await c.addRegistered(['alice', 'bob', 'carol']);
    assertSuccess(await c.run('alice', `setup-dht alice 3 ${YEAR}`), 'setup-dht');
  });
  after(async () => {
    await c?.close();
    if (empty) rmSync(empty, { recursive: true, force: true });
  });

  test('a script prints the result lines only: no trace, no note; a warning on stderr; a failure still shown', async () => {
    const script = ['# erin looks two events up', 'register erin', `query-dht erin ${present}`, `query-dht erin ${absent}`, 'status', 'leave-dht erin', 'deregister erin', ''].join('\n');
    const args = ['peer', c.manager.ip, String(c.manager.port), '--data-dir', empty, '--port-range', '39200-39299', '--quiet'];
    const r = await runToEnd(args, script);
    const out = r.stdout.join('\n');
    assert.equal(r.code, 1, `leave-dht failed, so the script's status is 1; stderr: ${r.stderr}\n${out}`);
    const idSeq = /^id-seq: \d+(, \d+)*$/;
    const expected: Array<string | RegExp> = [
      'register SUCCESS',
      ...recordLines(present),
      idSeq,
      'query-dht SUCCESS',
      `Storm event ${absent} not found in the DHT.`,
      idSeq,
      'query-dht SUCCESS',
      /^status: name=erin state=Free id=- ringSize=- records=0$/,
      'status SUCCESS',
      /^leave-dht FAILURE \(.+\)$/,
      'deregister SUCCESS',
    ];
    assert.equal(r.stdout.length, expected.length, out);
    expected.forEach((want, i) => (typeof want === 'string' ? assert.equal(r.stdout[i], want, out) : assert.match(r.stdout[i]!, want, out)));
    // The warning (no data directory holds a year) and the script's summary, on stderr.
    const err = r.stderr.trim().split('\n');
    assert.match(err[0]!, /^warning: no details-YYYY\.csv found: /, r.stderr);
    assert.match(err.at(-1)!, /^stormdht peer: 1 command failed; the first, stdin line 6 "leave-dht erin": /, r.stderr);
    assert.doesNotMatch(r.stderr, STACK_FRAME);
  });

  test('without --quiet the same peer prints its trace: --quiet is what takes it away', async () => {
    const args = ['peer', c.manager.ip, String(c.manager.port), '--data-dir', empty, '--port-range', '39200-39299'];
    const r = await runToEnd(args, 'register frank\nderegister frank\n');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.some((l) => / → manager: register frank /.test(l)), r.stdout.join('\n'));
    assert.ok(r.stdout.some((l) => l.startsWith('warning: no details-YYYY.csv found')), 'the warning is on stdout then');
  });

  test('--quiet with --json is a usage error: exit 2, one line and the usage', async () => {
    const r = await runToEnd(['peer', '127.0.0.1', '39001', '--quiet', '--json'], '');
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(r.stdout, []);
    assert.match(r.stderr.split('\n')[0]!, /^stormdht: --quiet and --json do not go together: /);
    assert.ok(r.stderr.includes('usage: stormdht peer'), r.stderr);
  });
});

/** The cluster script both modes run: a DHT of three, then dave (Free) looks two events up. */
function clusterScript(): string[] {
  return [
    '# a DHT of three, and a fourth peer outside it',
    'register alice',
    'register bob',
    'register carol',
    `setup-dht alice 3 ${YEAR}`,
    'register dave',
    `query-dht dave ${present}`,
    `query-dht dave ${absent}`,
    'status dave',
    'peers',
    '! deregister alice',
    'teardown-dht alice',
  ];
}

/** The results in order, as [process, command, ok]. */
const EXPECTED_RESULTS = [
  ['alice', 'register', true],
  ['bob', 'register', true],
  ['carol', 'register', true],
  ['alice', 'setup-dht', true],
  ['dave', 'register', true],
  ['dave', 'query-dht', true],
  ['dave', 'query-dht', true],
  ['dave', 'status', true],
  ['alice', 'deregister', false],
  ['alice', 'teardown-dht', true],
];

const clusterArgs = (ports: string, mode: string) => ['cluster', '--peers', '4', '--data-dir', data.dir, '--port-range', ports, mode];

describe('cluster --quiet and --json', () => {
  test('--quiet: labelled result lines and the cluster\'s answers only; no echo, trace, note or data line', async () => {
    const r = await runToEnd(clusterArgs('39300-39399', '--quiet'), `${clusterScript().join('\n')}\n`);
    const out = r.stdout.join('\n');
    assert.equal(r.code, 0, `stderr: ${r.stderr}\n${out}`);
    const lines = r.stdout.map(parseLine);
    assert.deepEqual(lines.filter((l) => l.kind === 'echo'), [], 'no line run is echoed');
    const labelled = lines.flatMap((l) => (l.kind === 'labelled' ? [l] : []));
    const verdicts = labelled.filter((l) => /^[a-z-]+ (SUCCESS|FAILURE)( \(.*\))?$/.test(l.text));
    assert.deepEqual(
      verdicts.map((l) => [l.label, l.text.split(' ')[0], / SUCCESS$/.test(l.text)]),
      EXPECTED_RESULTS,
      out,
    );
    assert.ok(!labelled.some((l) => / → |^note: |^warning: /.test(l.text)), `a trace or a note:\n${out}`);
    // dave's two queries: the record's fields and the sentence, each with its id-seq.
    const dave = textsOf(r.stdout, 'dave');
    assert.deepEqual(dave.slice(1, 1 + 14), recordLines(present), out);
    assert.ok(dave.includes(`Storm event ${absent} not found in the DHT.`), out);
    assert.ok(dave.some((t) => /^status: name=dave state=Free /.test(t)), out);
    assert.match(textsOf(r.stdout, 'alice')[1]!, /^stored \d+ records \(s = \d+\): \d+ \/ \d+ \/ \d+$/, out);
    // peers' answer, the cluster's own: unlabelled. Nothing else is.
    const plain = lines.flatMap((l) => (l.kind === 'plain' ? [l.text] : []));
    assert.match(plain[0]!, PEERS_HEADER, out);
    assert.equal(plain.length, 6, `the peers table and nothing else unlabelled (no data line):\n${plain.join('\n')}`);
    // A process's warning (a starved manager's, say) goes to stderr, labelled; nothing else does.
    for (const line of r.stderr.split('\n').filter((l) => l !== '')) assert.match(line, /^\[[a-z]+ *\] warning: /, r.stderr);
  });

  test('--json: every line one JSON object naming its process; the processes\' results; the cluster\'s own events', async () => {
    const script = [...clusterScript(), 'frobnicate'];
    const r = await runToEnd(clusterArgs('39400-39499', '--json'), `${script.join('\n')}\n`);
    assert.equal(r.code, 1, `the script stops at frobnicate; stderr: ${r.stderr}`);
    assert.match(r.stderr, /^stormdht cluster: stdin line 13: unknown command "frobnicate"/);
    const objects = r.stdout.map((l) => {
      assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l}`);
      return JSON.parse(l) as Record<string, unknown>;
    });
    for (const o of objects) {
      assert.ok(typeof o.process === 'string' && ['cluster', 'manager', 'alice', 'bob', 'carol', 'dave'].includes(o.process), `process: ${JSON.stringify(o)}`);
      assert.ok(o.type === 'result' || o.type === 'event', `type: ${JSON.stringify(o)}`);
      // Every event line, the processes' and the cluster's, says when it was printed.
      if (o.type === 'event') assert.equal(typeof o.at, 'number', `at: ${JSON.stringify(o)}`);
    }
    const results = objects.filter((o) => o.type === 'result');
    assert.deepEqual(results.map((o) => [o.process, o.command, o.ok]), EXPECTED_RESULTS);
    // The results are the peers' own §14 lines, with process added last.
    const [found, missing] = results.filter((o) => o.command === 'query-dht');
    assert.deepEqual(Object.keys(found!), ['type', 'command', 'ok', 'eventId', 'found', 'path', 'record', 'process']);
    assert.deepEqual(found!.record, recordToObject(data.data.records.find((x) => x.eventId === present)!.fields));
    assert.equal(missing!.message, `Storm event ${absent} not found in the DHT.`);
    const setup = results.find((o) => o.command === 'setup-dht')!;
    assert.equal(setup.records, data.data.l);
    // The cluster's own lines: each line run, peers' answer, the data note, the error.
    const own = objects.filter((o) => o.process === 'cluster');
    assert.deepEqual(
      own.filter((o) => o.event === 'command').map((o) => o.line),
      script.filter((l) => !l.startsWith('#')),
    );
    assert.ok(own.some((o) => o.event === 'note' && /^data: /.test(String(o.text))), 'the data note');
    assert.ok(own.some((o) => o.event === 'message' && PEERS_HEADER.test(String(o.text))), 'the peers table, one message');
    assert.deepEqual(own.filter((o) => o.event === 'error').map((o) => o.text), ['unknown command "frobnicate" (type help for the list)']);
    // The manager's and the peers' traces pass through as they print them.
    assert.ok(objects.some((o) => o.process === 'manager' && o.event === 'listening'), 'the manager\'s listening line');
    assert.ok(objects.some((o) => o.process === 'dave' && o.event === 'trace' && o.to === 'dave' && /^find-result /.test(String(o.text))), 'dave\'s trace');
  });

  test('--quiet with --json, and a peer named "cluster", are usage errors', async () => {
    for (const args of [['--quiet', '--json'], ['--names', 'alice,cluster,bob']]) {
      const r = await runToEnd(['cluster', '--data-dir', data.dir, ...args], '');
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.deepEqual(r.stdout, []);
      assert.ok(r.stderr.includes('usage: stormdht cluster'), r.stderr);
      assert.doesNotMatch(r.stderr, STACK_FRAME);
    }
  });
});
