// The cluster's part of the live view (cluster-trace.ts, cluster-live.ts): the JSON lines of every
// process in, the current command's steps (each datagram once, its two traces matched) and the
// queries' hot-potato walks out; and the event log with each answered query's line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterView } from '../../src/cli/cluster-live.js';
import { querySentence } from '../../src/live/cluster-render.js';
import { ClusterTrace, MAX_QUERIES, MAX_SEQUENCE_STEPS } from '../../src/cli/cluster-trace.js';
import type { JsonLine } from '../../src/cli/processes.js';
import type { ViewState, ViewStep } from '../../src/live/view-types.js';

const PROCESSES = ['manager', 'alice', 'bob', 'carol', 'dave'];

function trace(from: string, to: string, text: string, at: number): JsonLine {
  return { type: 'event', event: 'trace', from, to, text, at };
}

/** A trace whose clock (for result lines) is set by the test. */
function fixture(): { t: ClusterTrace; setNow: (ms: number) => void } {
  let now = 0;
  return { t: new ClusterTrace(PROCESSES, () => now), setNow: (ms) => (now = ms) };
}

function messages(steps: readonly ViewStep[]): string[] {
  return steps.map((s) => (s.kind === 'message' ? `${s.from}>${s.to} ${s.text} ${s.sentAt ?? '-'}/${s.receivedAt ?? '-'}` : `${s.kind} ${s.process} ${s.text}`));
}

test("a datagram's two traces, the sender's and the receiver's, make one step, in whichever order they come", () => {
  const { t, setNow } = fixture();
  setNow(100);
  t.command('query-dht dave 5');
  t.line('dave', trace('dave', 'manager', 'query-dht dave', 101));
  t.line('manager', trace('dave', 'manager', 'query-dht dave', 102));
  // The receiver's line comes through its pipe before the sender's.
  t.line('dave', trace('manager', 'dave', 'query-dht SUCCESS (node: bob, year: 1950)', 104));
  t.line('manager', trace('manager', 'dave', 'query-dht SUCCESS (node: bob, year: 1950)', 103));
  const c = t.view().command!;
  assert.equal(c.line, 'query-dht dave 5');
  assert.equal(c.at, 100);
  assert.deepEqual(messages(c.steps), ['dave>manager query-dht dave 101/102', 'manager>dave query-dht SUCCESS (node: bob, year: 1950) 103/104']);
});

test('a datagram sent twice (the first copy lost) is two steps, the lost one never received', () => {
  const { t } = fixture();
  t.command('leave-dht bob');
  t.line('bob', trace('bob', 'manager', 'leave-dht bob', 10));
  t.line('bob', trace('bob', 'manager', 'leave-dht bob', 3_000));
  t.line('manager', trace('bob', 'manager', 'leave-dht bob', 3_001));
  assert.deepEqual(messages(t.view().command!.steps), ['bob>manager leave-dht bob 10/-', 'bob>manager leave-dht bob 3000/3001']);
});

test('notes and results are steps of their process; steps come in time order; a new command starts a new chart', () => {
  const { t, setNow } = fixture();
  t.line('alice', trace('alice', 'manager', 'setup-dht alice 3 1950', 5)); // before any command: no chart
  assert.equal(t.view().command, null);
  t.command('setup-dht alice 3 1950');
  t.line('carol', { type: 'event', event: 'note', level: 'info', text: 'store traffic: received 2 store datagrams', at: 30 });
  t.line('alice', trace('alice', 'carol', 'count counts=[72]', 20));
  setNow(40);
  t.line('alice', { type: 'result', command: 'setup-dht', ok: true });
  t.line('dave', { type: 'result', command: 'leave-dht', ok: false, error: 'dave is not in the DHT' });
  assert.deepEqual(messages(t.view().command!.steps), [
    'alice>carol count counts=[72] 20/-',
    'note carol store traffic: received 2 store datagrams',
    'result alice setup-dht SUCCESS',
    'result dave leave-dht FAILURE (dave is not in the DHT)',
  ]);
  t.command('teardown-dht alice');
  assert.deepEqual(t.view().command!.steps, []);
});

test(`a chart keeps its first ${MAX_SEQUENCE_STEPS} steps and counts the rest`, () => {
  const { t } = fixture();
  t.command('setup-dht alice 3 1996');
  for (let i = 0; i < MAX_SEQUENCE_STEPS + 7; i++) t.line('alice', trace('alice', 'carol', `store ${i}`, i));
  const c = t.view().command!;
  assert.equal(c.steps.length, MAX_SEQUENCE_STEPS);
  assert.equal(c.omitted, 7);
});

test('an address learnt from a register trace is shown as the peer it is', () => {
  const { t } = fixture();
  t.command('register carol');
  t.line('carol', trace('carol', 'manager', 'register carol 127.0.0.1 7005 7006', 1));
  t.line('dave', trace('127.0.0.1:7006', 'dave', 'find-result eventId=9 found=true path=[1]', 2));
  assert.deepEqual(
    t.view().command!.steps.map((s) => (s.kind === 'message' ? s.from : '')),
    ['carol', 'carol'],
  );
});

test("a query's walk: its hops in the order they were sent, even when a middle hop's line comes after the result", () => {
  const { t, setNow } = fixture();
  t.command('query-dht dave 10096223');
  t.line('dave', trace('dave', 'bob', 'find-event eventId=10096223 querier=dave path=[]', 10));
  t.line('dave', trace('alice', 'dave', 'find-result eventId=10096223 found=true path=[2, 0]', 14));
  setNow(15);
  t.line('dave', { type: 'result', command: 'query-dht', ok: true, eventId: 10096223, found: true, path: [2, 0] });
  // bob's and alice's pipes are slower than dave's.
  t.line('bob', trace('dave', 'bob', 'find-event eventId=10096223 querier=dave path=[]', 11));
  t.line('bob', trace('bob', 'alice', 'find-event eventId=10096223 querier=dave path=[2]', 12));
  t.line('alice', trace('bob', 'alice', 'find-event eventId=10096223 querier=dave path=[2]', 13));
  const [q, ...more] = t.view().queries;
  assert.equal(more.length, 0);
  assert.deepEqual(
    q!.hops.map((h) => `${h.from}>${h.to} ${h.kind}`),
    ['dave>bob find-event', 'bob>alice find-event', 'alice>dave find-result'],
  );
  assert.deepEqual({ at: q!.at, querier: q!.querier, eventId: q!.eventId, ok: q!.ok, found: q!.found, path: q!.path, by: q!.by, error: q!.error }, {
    at: 10, querier: 'dave', eventId: 10096223, ok: true, found: true, path: [2, 0], by: 'alice', error: null,
  });
  assert.equal(querySentence(q!), 'query 10096223 from dave: found by alice after visiting nodes 2, 0');
});

test('a query that failed before the ring, one not found, and one in progress', () => {
  const { t, setNow } = fixture();
  setNow(50);
  t.line('erin', { type: 'result', command: 'query-dht', ok: false, error: 'there is no DHT' });
  t.line('dave', trace('dave', 'bob', 'find-event eventId=7 querier=dave path=[]', 60));
  t.line('dave', trace('carol', 'dave', 'find-result eventId=7 found=false path=[2, 0, 1]', 61));
  t.line('dave', { type: 'result', command: 'query-dht', ok: true, eventId: 7, found: false, path: [2, 0, 1] });
  t.line('carol', trace('carol', 'alice', 'find-event eventId=8 querier=carol path=[]', 70));
  const [failed, missing, open] = t.view().queries;
  assert.deepEqual([failed!.querier, failed!.eventId, failed!.ok, failed!.found, failed!.error, failed!.hops.length], ['erin', null, false, null, 'there is no DHT', 0]);
  assert.equal(querySentence(failed!), 'query from erin: failed: there is no DHT');
  assert.equal(querySentence(missing!), 'query 7 from dave: not found after visiting nodes 2, 0, 1');
  assert.deepEqual([open!.querier, open!.eventId, open!.ok], ['carol', 8, null]);
});

test('a hop of a query long gone opens nothing; the same event asked again is a new query', () => {
  const { t } = fixture();
  t.line('bob', trace('bob', 'alice', 'find-event eventId=3 querier=dave path=[2]', 5)); // not the querier's own first hop
  assert.equal(t.view().queries.length, 0);
  t.line('dave', trace('dave', 'bob', 'find-event eventId=3 querier=dave path=[]', 10));
  t.line('dave', { type: 'result', command: 'query-dht', ok: true, eventId: 3, found: true, path: [2] });
  t.line('dave', trace('dave', 'bob', 'find-event eventId=3 querier=dave path=[]', 20));
  t.line('dave', { type: 'result', command: 'query-dht', ok: true, eventId: 3, found: true, path: [2] });
  const qs = t.view().queries;
  assert.deepEqual(qs.map((q) => [q.at, q.ok]), [[10, true], [20, true]]);
});

test(`the latest ${MAX_QUERIES} queries are kept`, () => {
  const { t } = fixture();
  for (let i = 0; i < MAX_QUERIES + 3; i++) t.line('dave', trace('dave', 'bob', `find-event eventId=${i} querier=dave path=[]`, i));
  const ids = t.view().queries.map((q) => q.eventId);
  assert.equal(ids.length, MAX_QUERIES);
  assert.equal(ids[0], 3);
  assert.equal(ids.at(-1), MAX_QUERIES + 2);
});

test("the cluster's view: the manager's, with its part added", () => {
  const { t } = fixture();
  t.line('dave', trace('dave', 'bob', 'find-event eventId=4 querier=dave path=[]', 150));
  const manager: ViewState = {
    mode: 'Idle',
    waitingFor: null,
    replicas: 1,
    peers: [],
    dht: null,
    departed: [],
    events: [{ at: 100, kind: 'register', text: 'dave registered' }],
  };
  const v = clusterView(manager, t);
  assert.deepEqual({ ...v, cluster: undefined }, { ...manager, cluster: undefined });
  assert.deepEqual(v.cluster, t.view());
  assert.equal(v.cluster!.queries.length, 1);
});

test('stamps taken late do not reorder cause and effect: each process prints in order, and a datagram is sent before it is received', () => {
  const { t } = fixture();
  t.command('query-dht dave 11');
  // carol stamps its send of the find-event late (it was descheduled after sending): by the stamps
  // alone, bob's answer to dave would come before the question that caused it.
  t.line('dave', trace('dave', 'carol', 'find-event eventId=11 querier=dave path=[]', 10));
  t.line('carol', trace('dave', 'carol', 'find-event eventId=11 querier=dave path=[]', 11));
  t.line('bob', trace('carol', 'bob', 'find-event eventId=11 querier=dave path=[1]', 12));
  t.line('bob', trace('bob', 'dave', 'find-result eventId=11 found=true path=[1, 2]', 13));
  t.line('dave', trace('bob', 'dave', 'find-result eventId=11 found=true path=[1, 2]', 14));
  t.line('dave', { type: 'result', command: 'query-dht', ok: true, eventId: 11, found: true, path: [1, 2], at: 15 });
  t.line('carol', trace('carol', 'bob', 'find-event eventId=11 querier=dave path=[1]', 16));
  const order = ['dave>carol find-event', 'carol>bob find-event', 'bob>dave find-result'];
  assert.deepEqual(
    t.view().command!.steps.map((s) => (s.kind === 'message' ? `${s.from}>${s.to} ${s.text.split(' ')[0]}` : s.kind)),
    [...order, 'result'],
  );
  assert.deepEqual(t.view().queries[0]!.hops.map((h) => `${h.from}>${h.to} ${h.kind}`), order);
});

test('each query keeps the ring it was asked of, as the manager showed it then', () => {
  const { t } = fixture();
  t.setRing(['alice', 'bob', 'carol']);
  t.line('dave', trace('dave', 'bob', 'find-event eventId=1 querier=dave path=[]', 10));
  t.setRing(['bob', 'carol']); // a leave, later
  t.line('dave', trace('dave', 'carol', 'find-event eventId=2 querier=dave path=[]', 20));
  assert.deepEqual(t.view().queries.map((q) => q.ring), [['alice', 'bob', 'carol'], ['bob', 'carol']]);
});
