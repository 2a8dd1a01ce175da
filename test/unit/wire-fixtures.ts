// One valid example of every message in SPEC §7's inventory, plus the variants that exercise the
// optional fields, for the codec and describe tests. The record is the real 1996 row of SPEC §12.
import type { Message, MessageType, Tuple } from '../../src/wire/messages.js';

export const ALICE: Tuple = { name: 'alice', ip: '127.0.0.1', port: 7002 };
export const BOB: Tuple = { name: 'bob', ip: '127.0.0.1', port: 7004 };
export const CAROL: Tuple = { name: 'carol', ip: '10.0.0.3', port: 7006 };
export const RING: readonly Tuple[] = [ALICE, CAROL, BOB];

/** event 5536849 of 1996 (SPEC §12), as its 14 verbatim field strings. */
export const SHELBY_FIELDS: readonly string[] = [
  '5536849', 'ALABAMA', '1996', 'January', 'Winter Storm', 'Z', 'SHELBY', '0', '0', '0', '0', '10K', '1K', '',
];

/**
 * Typed so that the compiler refuses a missing type: every entry of the inventory has one example.
 * (`Message & {type: T}` rather than MessageOf<T>, which is never for the name-only commands.)
 */
export const EXAMPLE: { readonly [T in MessageType]: Message & { readonly type: T } } = {
  register: { type: 'register', rid: 'k3j9qz.0', name: 'alice', ip: '127.0.0.1', mPort: 7001, pPort: 7002 },
  'setup-dht': { type: 'setup-dht', rid: 'k3j9qz.1', name: 'alice', n: 3, year: '1996' },
  'dht-complete': { type: 'dht-complete', rid: 'k3j9qz.2', name: 'alice' },
  'query-dht': { type: 'query-dht', rid: 'k3j9qz.3', name: 'bob' },
  'leave-dht': { type: 'leave-dht', rid: 'k3j9qz.4', name: 'carol' },
  'join-dht': { type: 'join-dht', rid: 'k3j9qz.5', name: 'dave' },
  'dht-rebuilt': { type: 'dht-rebuilt', rid: 'k3j9qz.6', name: 'carol', newLeader: 'bob' },
  deregister: { type: 'deregister', rid: 'k3j9qz.7', name: 'dave' },
  'teardown-dht': { type: 'teardown-dht', rid: 'k3j9qz.8', name: 'alice' },
  'teardown-complete': { type: 'teardown-complete', rid: 'k3j9qz.9', name: 'alice' },
  'dht-grants': { type: 'dht-grants', rid: 'k3j9qz.g', name: 'alice', from: 201, count: 200 },
  'dht-repaired': { type: 'dht-repaired', rid: 'k3j9qz.h', name: 'alice' },
  members: { type: 'members', rid: 'k3j9qz.i', name: 'bob' },
  heartbeat: { type: 'heartbeat', rid: 'k3j9qz.j', name: 'bob' },
  'heartbeat-ack': { type: 'heartbeat-ack', rid: 'k3j9qz.j', ok: true },
  'repair-dht': { type: 'repair-dht', rid: 'm4n5pp.1', reason: 'carol died (no heartbeat for 2.5 s)', year: '1996', ring: [ALICE, BOB, CAROL] },
  reply: { type: 'reply', rid: 'k3j9qz.1', ok: true, ring: RING },
  'set-id': { type: 'set-id', rid: 'p0x1aa.0', id: 1, n: 3, s: 97127, year: '1996', ring: RING, epoch: '2lq8v0fz1' },
  store: { type: 'store', rid: 'p0x1aa.1', origin: ALICE, owner: 2, epoch: '2lq8v0fz1', records: [{ pos: 610, fields: SHELBY_FIELDS }] },
  'store-ack': { type: 'store-ack', rid: 'p0x1aa.1' },
  count: { type: 'count', rid: 'p0x1aa.2', origin: ALICE, epoch: '2lq8v0fz1', counts: [16187, 16190] },
  'find-event': { type: 'find-event', rid: 'q7r2mm.0', eventId: 5536849, querier: BOB, path: [1] },
  'find-result': { type: 'find-result', rid: 'q7r2mm.0', eventId: 5536849, found: true, path: [1, 0], fields: SHELBY_FIELDS },
  teardown: { type: 'teardown', rid: 'p0x1aa.3', origin: CAROL, final: false },
  'reset-id': { type: 'reset-id', rid: 'p0x1aa.4', origin: CAROL, id: 0, n: 2, ring: [BOB, ALICE], epoch: '9zz0k1' },
  'rebuild-dht': { type: 'rebuild-dht', rid: 'p0x1aa.5', origin: CAROL, year: '1996', s: 97127 },
  'rebuild-done': { type: 'rebuild-done', rid: 'p0x1aa.6', ok: true, records: 48561, recordsPerNode: [12169, 12144, 12128, 12120] },
  'join-request': { type: 'join-request', rid: 'p0x1aa.7', joiner: CAROL },
  'join-done': { type: 'join-done', rid: 'p0x1aa.8', ok: true, records: 223, recordsPerNode: [72, 75, 76], ring: RING },
  'dht-reset': { type: 'dht-reset', rid: 'm4n5pp.0', reason: 'no dht-complete from alice within 150 s' },
  fetch: { type: 'fetch', rid: 'p0x1aa.e', origin: BOB, epoch: '2lq8v0fz1', page: 3 },
  'fetch-result': { type: 'fetch-result', rid: 'p0x1aa.e', page: 3, end: false, records: [{ pos: 610, fields: SHELBY_FIELDS }] },
};

/** Every example of EXAMPLE, then variants whose optional fields are present. */
export const ALL_EXAMPLES: readonly Message[] = [
  ...Object.values(EXAMPLE),
  { type: 'reply', rid: 'k3j9qz.a', ok: false, error: 'busy: waiting for dht-complete from bob' },
  { type: 'reply', rid: 'k3j9qz.b', ok: true, node: CAROL, year: '1996' },
  { type: 'reply', rid: 'k3j9qz.c', ok: true, leader: ALICE },
  { type: 'find-result', rid: 'q7r2mm.1', eventId: 2402920, found: false, path: [4, 1, 2] },
  { type: 'find-result', rid: 'q7r2mm.2', eventId: 2402920, found: false, path: [0], error: 'not in a DHT' },
  { type: 'rebuild-done', rid: 'p0x1aa.9', ok: false, error: 'cannot read details-1996.csv', records: 0, recordsPerNode: [] },
  { type: 'join-done', rid: 'p0x1aa.b', ok: false, error: 's differs', records: 0, recordsPerNode: [], ring: RING },
  { type: 'rebuild-done', rid: 'p0x1aa.c', ok: false, error: 'no response from carol', broken: true, records: 48561, recordsPerNode: [9000, 0, 0] },
  { type: 'join-done', rid: 'p0x1aa.d', ok: false, error: 'no response from bob', broken: true, records: 0, recordsPerNode: [], ring: RING },
  { type: 'dht-complete', rid: 'k3j9qz.d', name: 'alice', failed: 'no response from carol' },
  { type: 'dht-rebuilt', rid: 'k3j9qz.e', name: 'carol', newLeader: 'bob', failed: 'no response from the ring' },
  { type: 'teardown-complete', rid: 'k3j9qz.f', name: 'alice', failed: 'no response from the ring' },
  { type: 'set-id', rid: 'p0x1aa.f', id: 1, n: 3, s: 97127, year: '1996', ring: RING, epoch: '2lq8v0fz1', replicas: 2, l: 48561, lost: { count: 12, dead: ['carol'] } },
  { type: 'count', rid: 'p0x1aa.g', origin: ALICE, epoch: '2lq8v0fz1', counts: [16187, 16190], copies: [16190, 16187], lost: { count: 0, dead: [] } },
  { type: 'find-event', rid: 'q7r2mm.3', eventId: 5536849, querier: BOB, path: [1], copy: true },
  { type: 'find-event', rid: 'q7r2mm.4', eventId: 5536849, querier: BOB, path: [1], held: '2lq8v0fz1' },
  { type: 'find-result', rid: 'q7r2mm.3', eventId: 5536849, found: true, path: [1, 2], fields: SHELBY_FIELDS, copy: true },
  { type: 'find-result', rid: 'q7r2mm.4', eventId: 5536849, found: true, path: [1], fields: SHELBY_FIELDS, by: 'carol' },
  { type: 'rebuild-done', rid: 'p0x1aa.h', ok: true, records: 48561, recordsPerNode: [16187, 16190, 16184], replicasPerNode: [16184, 16187, 16190] },
  { type: 'fetch-result', rid: 'p0x1aa.i', page: 9, end: true, records: [] },
];

/** The fields each type may omit (SPEC §7: error?, fields?, and a reply's payload). */
export const OPTIONAL_FIELDS: Partial<Record<MessageType, readonly string[]>> = {
  reply: ['error', 'ring', 'node', 'year', 'leader'],
  'find-result': ['fields', 'error', 'copy', 'by'],
  'rebuild-done': ['error', 'broken', 'replicasPerNode', 'lostRecords'],
  'set-id': ['replicas', 'l', 'lost'],
  count: ['copies', 'lost'],
  'find-event': ['copy', 'held'],
  'join-done': ['error', 'broken'],
  'dht-complete': ['failed'],
  'dht-rebuilt': ['failed'],
  'teardown-complete': ['failed'],
};

/** The UTF-8 JSON datagram of any value, exactly as given (no v added, unlike encode). */
export function datagram(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
