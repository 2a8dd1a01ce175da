// Small output bugs of issue 15: a failed `status` printed `state=undefined … records=undefined`,
// and a querier's trace of its answer read `127.0.0.1:7010 → carol` in the cluster, which knows
// every peer's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelledOutput, PeerAddresses } from '../../src/cli/cluster-output.js';
import { resultJson, resultLines } from '../../src/cli/peer-output.js';
import type { JsonLine } from '../../src/cli/processes.js';
import { failure } from '../../src/peer/events.js';

const trace = (from: string, to: string, text: string): JsonLine => ({ type: 'event', event: 'trace', from, to, text });

test('a failed status prints its reason only, no figures it does not have', () => {
  assert.deepEqual(resultLines(resultJson(failure('status', 'usage: status'))), ['status FAILURE (usage: status)']);
  assert.ok(!resultLines(resultJson(failure('status', 'usage: status'))).join('\n').includes('undefined'));
});

test('PeerAddresses names both ports of every peer whose register it saw', () => {
  const book = new PeerAddresses();
  // The peer's own trace of its register, and the manager's trace of the same.
  book.named(trace('erin', 'manager', 'register erin 127.0.0.1 7009 7010'));
  book.named(trace('carol', 'manager', 'register carol 127.0.0.1 7005 7006'));
  const answer = book.named(trace('127.0.0.1:7010', 'carol', 'find-result eventId=5536849 found=true path=[3, 2, 4, 0]'));
  assert.deepEqual(answer, trace('erin', 'carol', 'find-result eventId=5536849 found=true path=[3, 2, 4, 0]'));
  assert.equal(book.named(trace('carol', '127.0.0.1:7009', 'find-event eventId=1 querier=carol path=[]')).to, 'erin');
  // An address nobody registered, and lines that are not traces, pass unchanged.
  const stranger = trace('127.0.0.1:9999', 'carol', 'find-result eventId=1 found=false path=[0]');
  assert.equal(book.named(stranger), stranger);
  const note: JsonLine = { type: 'event', event: 'note', level: 'info', text: '127.0.0.1:7010 said hello' };
  assert.equal(book.named(note), note);
  // A register to somebody else than the manager teaches nothing.
  book.named(trace('dave', 'erin', 'register mallory 127.0.0.1 9999 9998'));
  assert.equal(book.named(stranger).from, '127.0.0.1:9999');
});

test('PeerAddresses: a port registered again belongs to the newest peer on it', () => {
  const book = new PeerAddresses();
  book.named(trace('dave', 'manager', 'register dave 127.0.0.1 7007 7008'));
  book.named(trace('frank', 'manager', 'register frank 127.0.0.1 7007 7008'));
  assert.equal(book.named(trace('127.0.0.1:7008', 'alice', 'reply SUCCESS')).from, 'frank');
});

test('the cluster prints a querier\'s answer with the name of the peer that sent it', () => {
  const lines: string[] = [];
  const out = new LabelledOutput(['alice', 'bob'], false, (text) => lines.push(text));
  out.child('alice', trace('alice', 'manager', 'register alice 127.0.0.1 7001 7002'));
  out.child('bob', trace('127.0.0.1:7002', 'bob', 'find-result eventId=5536849 found=true path=[0]'));
  assert.deepEqual(lines, ['[alice  ] alice → manager: register alice 127.0.0.1 7001 7002', '[bob    ] alice → bob: find-result eventId=5536849 found=true path=[0]']);
});
