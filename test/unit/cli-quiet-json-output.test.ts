// --quiet and --json of issue 15, pure parts: what the peer's --quiet prints (its results, a
// question it asks, warnings aside), the stamp on --json event lines, and the cluster's output in
// its three modes: the human labelled lines, --quiet's results, and --json's objects naming
// their process. Also the demo's ordering by time through LabelledOutput.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLUSTER_PROCESS } from '../../src/cli/cluster-json.js';
import { LabelledOutput, PROMPT, type LabelledOutputOptions } from '../../src/cli/cluster-output.js';
import { outputMode } from '../../src/cli/output-mode.js';
import { jsonOutput, quietOutput, resultJson } from '../../src/cli/peer-output.js';
import type { JsonLine } from '../../src/cli/processes.js';
import { UsageError } from '../../src/cli/usage.js';
import { failure, success } from '../../src/peer/events.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';

const RECORD = { event_id: '5536849', cz_name: 'SHELBY' };

test('peer --quiet: the result lines only; a warning aside; the D1 question still asked', () => {
  const out: string[] = [];
  const warned: string[] = [];
  const q = quietOutput((l) => out.push(l), (l) => warned.push(l));
  q.event({ kind: 'trace', from: 'alice', to: 'manager', text: 'register alice 127.0.0.1 7001 7002' });
  q.event({ kind: 'note', level: 'info', text: 'retransmitting register to manager (attempt 2)' });
  q.event({ kind: 'counts', reason: 'setup', year: '1996', l: 3, s: 7, ring: [], counts: [] });
  q.event({ kind: 'progress', task: 'setup', year: '1996', done: 1, total: 3, finished: false });
  q.result(success('register'));
  q.event({ kind: 'note', level: 'warn', text: 'no data directory found' });
  q.event({ kind: 'prompt', text: 'no copy of 1996 here; enter an event id:' });
  q.result(success('query-dht', { eventId: 5536849, found: true, path: [3, 0], record: RECORD }));
  q.result(failure('deregister', 'peer is InDHT; only a Free peer may deregister'));
  assert.deepEqual(out, [
    'register SUCCESS',
    'no copy of 1996 here; enter an event id:',
    'event_id: 5536849',
    'cz_name: SHELBY',
    'id-seq: 3, 0',
    'query-dht SUCCESS',
    'deregister FAILURE (peer is InDHT; only a Free peer may deregister)',
  ]);
  assert.deepEqual(warned, ['warning: no data directory found']);
});

test('--json with a stamp: every event line has "at", result lines stay exactly SPEC §14\'s', () => {
  const lines: string[] = [];
  const j = jsonOutput((l) => lines.push(l), () => 1_764_900_000_123);
  j.event({ kind: 'trace', from: 'alice', to: 'manager', text: 'deregister alice' });
  j.result(failure('deregister', 'peer is InDHT; only a Free peer may deregister'));
  assert.deepEqual(lines, [
    '{"type":"event","event":"trace","from":"alice","to":"manager","text":"deregister alice","at":1764900000123}',
    '{"type":"result","command":"deregister","ok":false,"error":"peer is InDHT; only a Free peer may deregister"}',
  ]);
});

test('--quiet with --json is a usage error; each alone picks its mode', () => {
  assert.throws(() => outputMode(true, true, 'usage: x'), (err: unknown) => err instanceof UsageError && /--quiet and --json do not go together/.test(err.message));
  assert.equal(outputMode(true, undefined, 'u'), 'json');
  assert.equal(outputMode(undefined, true, 'u'), 'quiet');
  assert.equal(outputMode(false, false, 'u'), 'human');
});

const trace = (from: string, to: string, text: string, at?: number): JsonLine => ({ type: 'event', event: 'trace', from, to, text, ...(at === undefined ? {} : { at }) });
const result = (command: string, data: Record<string, unknown> = {}): JsonLine => resultJson(success(command, data)) as JsonLine;

/** A cluster's output in `mode`, with what it writes and warns. */
function cluster(options: LabelledOutputOptions) {
  const lines: string[] = [];
  const warned: string[] = [];
  const out = new LabelledOutput(['alice', 'bob'], false, (t) => lines.push(t), { warn: (t) => warned.push(t), ...options });
  return { out, lines, warned };
}

/** The same session in any mode: a script line run, a trace, a warning, a result, a builtin, an error. */
function play(out: LabelledOutput): void {
  out.note('data: SYNTHETIC details-1996.csv');
  out.echo('query-dht bob 5536849');
  out.child('manager', trace('manager', 'bob', 'reply SUCCESS (node: alice)', 1_000));
  out.child('bob', { type: 'event', event: 'note', level: 'warn', text: 'dropped 1 malformed datagram', at: 1_001 });
  out.child('bob', result('query-dht', { eventId: 5536849, found: true, path: [0], record: RECORD }));
  out.plain('bob: process 4242 killed with SIGKILL, as in a crash');
  out.error('unknown peer "zed": this cluster\'s peers are alice, bob');
}

/** What both the human and the quiet output show of play(): bob's result, the builtin's answer, the error. */
const RESULTS_SHOWN = [
  '[bob    ] event_id: 5536849',
  '[bob    ] cz_name: SHELBY',
  '[bob    ] id-seq: 0',
  '[bob    ] query-dht SUCCESS',
  'bob: process 4242 killed with SIGKILL, as in a crash',
  'cluster: unknown peer "zed": this cluster\'s peers are alice, bob',
];

test('cluster, human: every line labelled, the script line echoed', () => {
  const { out, lines, warned } = cluster({});
  play(out);
  assert.deepEqual(lines, [
    'data: SYNTHETIC details-1996.csv',
    `${PROMPT}query-dht bob 5536849`,
    '[manager] manager → bob: reply SUCCESS (node: alice)',
    '[bob    ] warning: dropped 1 malformed datagram',
    ...RESULTS_SHOWN,
  ]);
  assert.deepEqual(warned, []);
});

test('cluster --quiet: the labelled result lines, the builtins\' answers and the errors; warnings aside', () => {
  const { out, lines, warned } = cluster({ mode: 'quiet' });
  play(out);
  assert.deepEqual(lines, RESULTS_SHOWN);
  assert.deepEqual(warned, ['[bob    ] warning: dropped 1 malformed datagram']);
});

test('cluster --json: each process\'s own object with "process" added; the cluster\'s lines as its events', () => {
  const clock = new VirtualClock(5_000);
  const { out, lines, warned } = cluster({ mode: 'json', clock });
  play(out);
  out.echo('5536849', 'answer> ');
  out.announce('── step 1: six peers register');
  const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(objects, [
    { type: 'event', event: 'note', level: 'info', text: 'data: SYNTHETIC details-1996.csv', at: 5_000, process: CLUSTER_PROCESS },
    { type: 'event', event: 'command', line: 'query-dht bob 5536849', at: 5_000, process: CLUSTER_PROCESS },
    { ...trace('manager', 'bob', 'reply SUCCESS (node: alice)', 1_000), process: 'manager' },
    { type: 'event', event: 'note', level: 'warn', text: 'dropped 1 malformed datagram', at: 1_001, process: 'bob' },
    { ...result('query-dht', { eventId: 5536849, found: true, path: [0], record: RECORD }), process: 'bob' },
    { type: 'event', event: 'message', text: 'bob: process 4242 killed with SIGKILL, as in a crash', at: 5_000, process: CLUSTER_PROCESS },
    { type: 'event', event: 'error', text: 'unknown peer "zed": this cluster\'s peers are alice, bob', at: 5_000, process: CLUSTER_PROCESS },
    { type: 'event', event: 'answer', line: '5536849', at: 5_000, process: CLUSTER_PROCESS },
    { type: 'event', event: 'announce', text: '── step 1: six peers register', at: 5_000, process: CLUSTER_PROCESS },
  ]);
  // The process's own line, key for key and in its order, before "process".
  assert.deepEqual(Object.keys(objects[4]!), ['type', 'command', 'ok', 'eventId', 'found', 'path', 'record', 'process']);
  assert.deepEqual(warned, [], 'in --json a warning is a line like any other');
  // A line that was not JSON becomes a text event of its process.
  out.child('alice', { type: 'text', text: 'Segmentation fault' });
  assert.deepEqual(JSON.parse(lines.at(-1)!), { type: 'event', event: 'text', text: 'Segmentation fault', process: 'alice' });
});

test('the demo\'s order: a line that happened before the next header, arriving after it, is printed before it', () => {
  const clock = new VirtualClock(10_000);
  const { out, lines } = cluster({ holdMs: 250, clock });
  out.echo('query-dht bob 5536849');
  clock.advance(5);
  out.child('bob', result('query-dht', { eventId: 5536849, found: false, path: [0], message: 'Storm event 5536849 not found in the DHT.' }));
  clock.advance(100);
  out.announce('── step 4: …');
  clock.advance(50);
  // The owner's trace of its find-result, printed at 10_004, held up in its pipe.
  out.child('alice', trace('alice', 'bob', 'find-result eventId=5536849 found=false path=[0]', 10_004));
  assert.deepEqual(lines, [], 'nothing before the hold is over');
  clock.advance(300);
  assert.deepEqual(lines, [
    `${PROMPT}query-dht bob 5536849`,
    '[alice  ] alice → bob: find-result eventId=5536849 found=false path=[0]',
    '[bob    ] Storm event 5536849 not found in the DHT.',
    '[bob    ] id-seq: 0',
    '[bob    ] query-dht SUCCESS',
    '',
    '── step 4: …',
  ]);
});
