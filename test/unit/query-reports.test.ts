// Answered queries reported on the heartbeats (issue 16): the peer's side (query-reports.ts) keeps
// each for about a second, the newest few; the manager's side (PeerFigures.newQueries) logs each
// serial once, and counts again from 1 for a peer it forgot; the event log's line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeObservation } from '../../src/live/event-log.js';
import { PeerFigures } from '../../src/manager/peer-figures.js';
import { QueryReports, REPORT_WINDOW_MS } from '../../src/peer/query-reports.js';
import { MAX_QUERY_REPORTS } from '../../src/wire/messages.js';

test('a peer reports each answered query for about a second, numbered, the newest few at most', () => {
  const r = new QueryReports();
  assert.deepEqual(r.current(0), []);
  r.add({ eventId: 7, found: true, path: [2], by: 'bob' }, 100);
  r.add({ eventId: 8, found: false, path: [1, 2, 0] }, 600);
  assert.deepEqual(r.current(700), [
    { n: 1, eventId: 7, found: true, path: [2], by: 'bob' },
    { n: 2, eventId: 8, found: false, path: [1, 2, 0] },
  ]);
  assert.deepEqual(r.current(100 + REPORT_WINDOW_MS + 1).map((q) => q.n), [2]);
  assert.deepEqual(r.current(600 + REPORT_WINDOW_MS + 1), []);
  for (let i = 0; i < MAX_QUERY_REPORTS + 3; i++) r.add({ eventId: i, found: true, path: [0] }, 5_000);
  const many = r.current(5_000);
  assert.equal(many.length, MAX_QUERY_REPORTS);
  assert.equal(many.at(-1)!.n, 2 + MAX_QUERY_REPORTS + 3);
});

test('the manager takes each report once, however many heartbeats carry it, and forgets a peer it lets go', () => {
  const f = new PeerFigures();
  const q = (n: number) => ({ n, eventId: 100 + n, found: true, path: [0] });
  assert.deepEqual(f.newQueries('dave', undefined), []);
  assert.deepEqual(f.newQueries('dave', [q(1)]).map((r) => r.n), [1]);
  assert.deepEqual(f.newQueries('dave', [q(1), q(2)]).map((r) => r.n), [2]);
  assert.deepEqual(f.newQueries('dave', [q(1), q(2)]), []);
  assert.deepEqual(f.newQueries('erin', [q(1)]).map((r) => r.n), [1], 'each peer has its own numbers');
  f.keepOnly(new Set(['erin'])); // dave evicted: a new process of his counts from 1
  assert.deepEqual(f.newQueries('dave', [q(1)]).map((r) => r.n), [1]);
  assert.deepEqual(f.newQueries('erin', [q(1)]), []);
});

test("the event log's line names the event id, the querier, the answerer and the nodes visited", () => {
  assert.deepEqual(describeObservation({ kind: 'query-answered', name: 'dave', report: { n: 1, eventId: 10096223, found: true, path: [2, 0], by: 'alice' } }), [
    { kind: 'query', text: 'query 10096223 from dave: found by alice after visiting nodes 2, 0' },
  ]);
  assert.deepEqual(describeObservation({ kind: 'query-answered', name: 'dave', report: { n: 2, eventId: 5, found: false, path: [1, 2, 0] } }), [
    { kind: 'query', text: 'query 5 from dave: not found after visiting nodes 1, 2, 0' },
  ]);
});
