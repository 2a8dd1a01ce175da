// describe.ts: the one-line trace text of messages (SPEC §1.5: type and key fields), the manager
// command as typed, and SUCCESS/FAILURE summaries of replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandLine, describe, replySummary } from '../../src/wire/describe.js';
import type { Message } from '../../src/wire/messages.js';
import { ALICE, CAROL, EXAMPLE } from './wire-fixtures.js';

test('commandLine writes a manager command as the user types it', () => {
  assert.equal(commandLine(EXAMPLE.register), 'register alice 127.0.0.1 7001 7002');
  assert.equal(commandLine(EXAMPLE['setup-dht']), 'setup-dht alice 3 1996');
  assert.equal(commandLine(EXAMPLE['dht-rebuilt']), 'dht-rebuilt carol bob');
  assert.equal(commandLine(EXAMPLE['query-dht']), 'query-dht bob');
  assert.equal(commandLine(EXAMPLE['teardown-complete']), 'teardown-complete alice');
});

test('replySummary: SUCCESS with its payload, FAILURE with its reason', () => {
  assert.equal(replySummary({ type: 'reply', rid: 'r', ok: true }), 'SUCCESS');
  assert.equal(replySummary(EXAMPLE.reply), 'SUCCESS (ring: alice, carol, bob)');
  assert.equal(replySummary({ type: 'reply', rid: 'r', ok: true, node: CAROL, year: '1996' }), 'SUCCESS (node: carol, year: 1996)');
  assert.equal(replySummary({ type: 'reply', rid: 'r', ok: true, leader: ALICE }), 'SUCCESS (leader: alice)');
  assert.equal(
    replySummary({ type: 'reply', rid: 'r', ok: false, error: 'busy: waiting for dht-complete from bob' }),
    'FAILURE (busy: waiting for dht-complete from bob)',
  );
  assert.equal(replySummary({ type: 'reply', rid: 'r', ok: false }), 'FAILURE (no reason given)');
});

test('describe gives the type and key fields of every message', () => {
  const expected: Array<[Message, string]> = [
    [EXAMPLE.register, 'register alice 127.0.0.1 7001 7002'],
    [EXAMPLE['leave-dht'], 'leave-dht carol'],
    [EXAMPLE.reply, 'reply SUCCESS (ring: alice, carol, bob)'],
    [EXAMPLE['set-id'], 'set-id id=1 n=3 s=97127 year=1996 ring=[alice, carol, bob]'],
    [EXAMPLE.store, 'store owner=2 records=1'],
    [EXAMPLE['store-ack'], 'store-ack'],
    [EXAMPLE.count, 'count counts=[16187, 16190]'],
    [EXAMPLE['find-event'], 'find-event eventId=5536849 querier=bob path=[1]'],
    [EXAMPLE['find-result'], 'find-result eventId=5536849 found=true path=[1, 0]'],
    [
      { type: 'find-result', rid: 'q', eventId: 7, found: false, path: [0], error: 'not in a DHT' },
      'find-result eventId=7 found=false path=[0] error=not in a DHT',
    ],
    [EXAMPLE.teardown, 'teardown origin=carol final=false'],
    [EXAMPLE['reset-id'], 'reset-id id=0 n=2 ring=[bob, alice]'],
    [EXAMPLE['rebuild-dht'], 'rebuild-dht year=1996 s=97127'],
    [EXAMPLE['rebuild-done'], 'rebuild-done ok records=48561 perNode=[12169, 12144, 12128, 12120]'],
    [
      { type: 'rebuild-done', rid: 'r', ok: false, error: 'cannot read details-1996.csv', records: 0, recordsPerNode: [] },
      'rebuild-done FAILURE (cannot read details-1996.csv)',
    ],
    [EXAMPLE['join-request'], 'join-request joiner=carol'],
    [EXAMPLE['join-done'], 'join-done ok records=223 perNode=[72, 75, 76] ring=[alice, carol, bob]'],
  ];
  for (const [msg, text] of expected) assert.equal(describe(msg), text, msg.type);
});

test('describe never mentions the rid or the protocol version (they are noise in a trace)', () => {
  for (const msg of Object.values(EXAMPLE)) {
    const text = describe(msg);
    assert.ok(text.startsWith(msg.type), text);
    assert.ok(!text.includes(msg.rid), text);
  }
});
