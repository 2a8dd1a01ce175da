// store-traffic.ts: bulk store traffic summarised in one line (SPEC §1.5), per destination and in
// total, and counting afresh after a flush.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreTraffic } from '../../src/peer/store-traffic.js';
import type { StoreAck, StoreRequest, WireRecord } from '../../src/wire/messages.js';
import { ALICE, SHELBY_FIELDS } from './wire-fixtures.js';

function store(records: number): StoreRequest {
  const recs: WireRecord[] = Array.from({ length: records }, (_, i) => ({ pos: i, fields: SHELBY_FIELDS }));
  return { type: 'store', rid: `s.${records}`, origin: ALICE, owner: 1, epoch: 'e', records: recs };
}
const ACK: StoreAck = { type: 'store-ack', rid: 's.1' };

test('no traffic, no summary', () => {
  assert.equal(new StoreTraffic().summary(), null);
  const notes: string[] = [];
  new StoreTraffic().flush((t) => notes.push(t));
  assert.deepEqual(notes, []);
});

/** A StoreTraffic that has seen these datagrams, with `retransmits` stores sent again. */
function seen(datagrams: Array<['send' | 'recv', StoreRequest | StoreAck, string]>, retransmits = 0): StoreTraffic {
  const t = new StoreTraffic();
  for (const [dir, msg, peer] of datagrams) t.record(dir, msg, peer);
  t.retransmits = retransmits;
  return t;
}

test('the leader’s line: stores sent per destination, acks received, retransmissions', () => {
  const t = seen(
    [['send', store(5), 'carol'], ['send', store(3), 'carol'], ['send', store(4), 'bob'], ['recv', ACK, 'carol'], ['recv', ACK, 'bob']],
    2,
  );
  assert.equal(
    t.summary(),
    'store traffic: sent 2 store datagrams (8 records) to carol; sent 1 store datagram (4 records) to bob; received 2 store-acks; retransmitted 2 stores',
  );
});

test('a middle node’s line: stores received and forwarded, acks sent', () => {
  const t = seen([['recv', store(6), 'alice'], ['recv', store(2), 'alice'], ['send', store(2), 'dave'], ['send', ACK, 'alice']]);
  assert.equal(
    t.summary(),
    'store traffic: sent 1 store datagram (2 records) to dave; received 2 store datagrams (8 records); sent 1 store-ack',
  );
});

test('flush notes the line once and starts afresh', () => {
  const t = seen([['recv', store(1), 'alice']], 1);
  const notes: string[] = [];
  t.flush((line) => notes.push(line));
  t.flush((line) => notes.push(line));
  assert.deepEqual(notes, ['store traffic: received 1 store datagram (1 record); retransmitted 1 store']);
  assert.equal(t.summary(), null);
  assert.equal(t.retransmits, 0);
});
