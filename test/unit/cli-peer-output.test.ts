// peer-output.ts: the JSON result line's key order (type, command, ok, error?, then the payload,
// SPEC §14 — checked against §14's example lines verbatim) and the human lines of results and
// events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventJson, eventLines, humanOutput, jsonOutput, resultJson, resultLines } from '../../src/cli/peer-output.js';
import { recordToObject } from '../../src/data/fields.js';
import { failure, success, type CommandResult, type PeerEvent } from '../../src/peer/events.js';
import { notFoundMessage } from '../../src/peer/procedures/query.js';
import { SHELBY_FIELDS } from './wire-fixtures.js';

const ringEntry = (id: number, name: string, port: number) => ({ id, name, ip: '127.0.0.1', port });

/** SPEC §14's example lines, each with the result that must print it. */
const SPEC_EXAMPLES: Array<[CommandResult, string]> = [
  [
    success('setup-dht', {
      records: 223,
      s: 449,
      recordsPerNode: [72, 75, 76],
      ring: [ringEntry(0, 'alice', 7002), ringEntry(1, 'carol', 7006), ringEntry(2, 'bob', 7004)],
    }),
    '{"type":"result","command":"setup-dht","ok":true,"records":223,"s":449,"recordsPerNode":[72,75,76],"ring":[{"id":0,"name":"alice","ip":"127.0.0.1","port":7002},{"id":1,"name":"carol","ip":"127.0.0.1","port":7006},{"id":2,"name":"bob","ip":"127.0.0.1","port":7004}]}',
  ],
  [
    success('query-dht', { eventId: 2402920, found: false, path: [4, 1, 2], message: notFoundMessage(2402920) }),
    '{"type":"result","command":"query-dht","ok":true,"eventId":2402920,"found":false,"path":[4,1,2],"message":"Storm event 2402920 not found in the DHT."}',
  ],
  [
    success('leave-dht', { newLeader: 'erin', recordsPerNode: [12169, 12144, 12128, 12120] }),
    '{"type":"result","command":"leave-dht","ok":true,"newLeader":"erin","recordsPerNode":[12169,12144,12128,12120]}',
  ],
  [
    failure('deregister', 'peer is InDHT; only a Free peer may deregister'),
    '{"type":"result","command":"deregister","ok":false,"error":"peer is InDHT; only a Free peer may deregister"}',
  ],
  [
    success('status', { name: 'dave', state: 'InDHT', id: 3, ringSize: 5, records: 9700 }),
    '{"type":"result","command":"status","ok":true,"name":"dave","state":"InDHT","id":3,"ringSize":5,"records":9700}',
  ],
];

test('resultJson prints SPEC §14’s example lines exactly', () => {
  for (const [result, line] of SPEC_EXAMPLES) assert.equal(JSON.stringify(resultJson(result)), line);
});

test('resultJson: error comes right after ok, before any payload', () => {
  const r = failure('query-dht', 'not in a DHT', { eventId: 7, found: false, path: [0] });
  assert.deepEqual(Object.keys(resultJson(r)), ['type', 'command', 'ok', 'error', 'eventId', 'found', 'path']);
  assert.deepEqual(Object.keys(resultJson(success('register'))), ['type', 'command', 'ok']);
});

test('jsonOutput writes one JSON object per line; humanOutput the trace lines', () => {
  const json: string[] = [];
  const human: string[] = [];
  for (const out of [jsonOutput((l) => json.push(l)), humanOutput((l) => human.push(l))]) {
    out.event({ kind: 'trace', from: 'alice', to: 'manager', text: 'register alice 127.0.0.1 7001 7002' });
    out.result(SPEC_EXAMPLES[3]![0]);
  }
  assert.deepEqual(json, [
    '{"type":"event","event":"trace","from":"alice","to":"manager","text":"register alice 127.0.0.1 7001 7002"}',
    SPEC_EXAMPLES[3]![1],
  ]);
  assert.deepEqual(human, ['alice → manager: register alice 127.0.0.1 7001 7002', 'deregister FAILURE (peer is InDHT; only a Free peer may deregister)']);
});

test('a found query prints its 14 fields, then the id-seq (SPEC §6.3)', () => {
  const r = success('query-dht', { eventId: 5536849, found: true, path: [3, 0], record: recordToObject(SHELBY_FIELDS) });
  assert.deepEqual(resultLines(resultJson(r)), [
    'event_id: 5536849',
    'state: ALABAMA',
    'year: 1996',
    'month_name: January',
    'event_type: Winter Storm',
    'cz_type: Z',
    'cz_name: SHELBY',
    'injuries_direct: 0',
    'injuries_indirect: 0',
    'deaths_direct: 0',
    'deaths_indirect: 0',
    'damage_property: 10K',
    'damage_crops: 1K',
    'tor_f_scale: ',
    'id-seq: 3, 0',
    'query-dht SUCCESS',
  ]);
});

test('a query that finds nothing prints the exact sentence, then the id-seq', () => {
  const r = success('query-dht', { eventId: 55770111, found: false, path: [1, 4, 3], message: notFoundMessage(55770111) });
  assert.deepEqual(resultLines(resultJson(r)), ['Storm event 55770111 not found in the DHT.', 'id-seq: 1, 4, 3', 'query-dht SUCCESS']);
});

test('leave and join print the new leader and the counts; failures print the reason', () => {
  assert.deepEqual(resultLines(resultJson(SPEC_EXAMPLES[2]![0])), [
    'new leader: erin',
    'records per node: 12169 / 12144 / 12128 / 12120',
    'leave-dht SUCCESS',
  ]);
  assert.deepEqual(resultLines(resultJson(success('join-dht', { newLeader: 'alice', recordsPerNode: [] }))), ['new leader: alice', 'join-dht SUCCESS']);
  assert.deepEqual(resultLines(resultJson(failure('leave-dht', 'no response from dave', { newLeader: 'dave', recordsPerNode: [] }))), [
    'leave-dht FAILURE (no response from dave)',
  ]);
  assert.deepEqual(resultLines(resultJson(failure('setup-dht', 'busy: waiting for dht-complete from bob'))), [
    'setup-dht FAILURE (busy: waiting for dht-complete from bob)',
  ]);
});

test('setup and status print one summary line before SUCCESS', () => {
  assert.deepEqual(resultLines(resultJson(SPEC_EXAMPLES[0]![0])), ['stored 223 records (s = 449): 72 / 75 / 76', 'setup-dht SUCCESS']);
  assert.deepEqual(resultLines(resultJson(SPEC_EXAMPLES[4]![0])), ['status: name=dave state=InDHT id=3 ringSize=5 records=9700', 'status SUCCESS']);
  assert.deepEqual(resultLines(resultJson(success('status', { name: null, state: 'Unregistered', id: null, ringSize: null, records: 0 }))), [
    'status: name=- state=Unregistered id=- ringSize=- records=0',
    'status SUCCESS',
  ]);
});

test('eventLines: trace, note, prompt, listening and the per-node counts', () => {
  const counts: PeerEvent = {
    kind: 'counts',
    reason: 'rebuild',
    year: '1996',
    l: 223,
    s: 449,
    ring: [
      { name: 'dave', ip: '127.0.0.1', port: 7008 },
      { name: 'erin', ip: '127.0.0.1', port: 7010 },
      { name: 'alice', ip: '127.0.0.1', port: 7002 },
    ],
    counts: [72, 75, 76],
  };
  assert.deepEqual(eventLines(eventJson(counts)), [
    'records per node after rebuild of 1996 (l = 223, s = 449):',
    '  node 0 dave: 72 records',
    '  node 1 erin: 75 records',
    '  node 2 alice: 76 records',
  ]);
  assert.deepEqual(eventLines(eventJson({ kind: 'trace', from: 'manager', to: 'alice', text: 'reply SUCCESS' })), ['manager → alice: reply SUCCESS']);
  assert.deepEqual(eventLines(eventJson({ kind: 'note', level: 'warn', text: 'dropped a datagram' })), ['warning: dropped a datagram']);
  assert.deepEqual(eventLines(eventJson({ kind: 'note', level: 'info', text: 'store traffic: …' })), ['note: store traffic: …']);
  assert.deepEqual(eventLines(eventJson({ kind: 'prompt', text: 'enter an event id:' })), ['enter an event id:']);
  assert.deepEqual(eventLines({ type: 'event', event: 'listening', ip: '0.0.0.0', port: 4000 }), ['manager listening on 0.0.0.0:4000']);
  assert.deepEqual(eventLines({ type: 'event', event: 'unknown-kind', x: 1 }), ['{"type":"event","event":"unknown-kind","x":1}']);
});
