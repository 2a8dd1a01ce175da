// Encoding and decoding of datagrams. Decoding never throws: a datagram that is not JSON, has an
// unknown type or another version, or lacks a field is returned as a `Malformed` with its reason
// (and its rid, when it has one, so that the receiver can answer "malformed request").
import { MAX_ACKED_TOGETHER, MAX_QUERY_REPORTS, PROTOCOL_VERSION, type Message, type MessageType, type Tuple } from './messages.js';
import { PACKED_FORMAT, unpackLines } from './packed-records.js';
import { jsonEnd, TAIL_SEPARATOR } from './tail.js';

/** Hard cap on any datagram stormdht sends or accepts (SPEC §1.3: never above 60,000 bytes). */
export const MAX_DATAGRAM_BYTES = 60_000;

export type Decoded = { ok: true; msg: Message } | Malformed;
export interface Malformed {
  readonly ok: false;
  readonly reason: string;
  /** The datagram's rid when it had a usable one: a request with a rid gets an error reply. */
  readonly rid?: string;
  /** The datagram's type when it had a string one (for tracing and counters). */
  readonly type?: string;
}

type Check = (v: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isBool: Check = (v) => typeof v === 'boolean';
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isNat: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isTuple: Check = (v) =>
  isObject(v) && isString(v.name) && isString(v.ip) && Number.isInteger(v.port) && (v.port as number) > 0 && (v.port as number) < 65536;
const arrayOf =
  (item: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(item);
const isFields: Check = (v) => Array.isArray(v) && v.length === 14 && v.every(isString);
const isWireRecord: Check = (v) => isObject(v) && isNat(v.pos) && isFields(v.fields);
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);

const isGrant: Check = (v) => isObject(v) && isNat(v.serial) && isString(v.sealed) && isString(v.tag);
/** A rid as every datagram must carry it: 1 to 64 characters. */
const isRid: Check = (v) => typeof v === 'string' && v.length > 0 && v.length <= 64;
const isNamedGrant: Check = (v) => isGrant(v) && isString((v as Record<string, unknown>).name);

const isQueryReport: Check = (v) =>
  isObject(v) && isNat(v.n) && isNat(v.eventId) && isBool(v.found) && arrayOf(isNat)(v.path) && optional(isString)(v.by);
/** A heartbeat's query reports: MAX_QUERY_REPORTS at most. */
const isQueryReports: Check = (v) => Array.isArray(v) && v.length <= MAX_QUERY_REPORTS && v.every(isQueryReport);

const NAME = { name: isString };
const isMemberEntry: Check = (v) =>
  isObject(v) && isString(v.name) && (v.state === 'Free' || v.state === 'Leader' || v.state === 'InDHT') && isString(v.ip) && isNat(v.port);
const isDhtSummary: Check = (v) => isObject(v) && isString(v.year) && arrayOf(isString)(v.ring) && isString(v.leader);
const OUTCOME = {
  ok: isBool,
  error: optional(isString),
  broken: optional(isBool),
  records: isNat,
  recordsPerNode: arrayOf(isNat),
  replicasPerNode: optional(arrayOf(isNat)),
  lostRecords: optional(isNat),
};
/** R, a number of copies: 1 or more. */
const isCount: Check = (v) => isNat(v) && (v as number) >= 1;
const isLost: Check = (v) => isObject(v) && isNat(v.count) && arrayOf(isString)(v.dead);

/** The required (and optional) fields of every message type besides v, type and rid. */
const SCHEMAS: Record<MessageType, Record<string, Check>> = {
  register: { ...NAME, ip: isString, mPort: isNumber, pPort: isNumber },
  'setup-dht': { ...NAME, n: isNumber, year: isString },
  'dht-complete': { ...NAME, failed: optional(isString) },
  'query-dht': { ...NAME, avoid: optional(arrayOf(isString)) },
  'leave-dht': NAME,
  'join-dht': NAME,
  'dht-rebuilt': { ...NAME, newLeader: isString, failed: optional(isString) },
  deregister: NAME,
  'teardown-dht': NAME,
  'teardown-complete': { ...NAME, failed: optional(isString) },
  'dht-grants': { ...NAME, from: isNat, count: isNat },
  'dht-repaired': { ...NAME, failed: optional(isString), lost: optional(isString), lostRecords: optional(isNat) },
  members: { ...NAME, from: optional(isNat) },
  heartbeat: {
    ...NAME,
    records: optional(isNat),
    replicas: optional(isNat),
    sent: optional(isNat),
    received: optional(isNat),
    retransmits: optional(isNat),
    dropped: optional(isNat),
    queries: optional(isQueryReports),
  },
  'heartbeat-ack': { ok: isBool, error: optional(isString), suspects: optional(arrayOf(isString)), dead: optional(arrayOf(isString)) },
  'repair-dht': { reason: isString, year: isString, ring: arrayOf(isTuple) },
  reply: {
    ok: isBool,
    error: optional(isString),
    ring: optional(arrayOf(isTuple)),
    node: optional(isTuple),
    year: optional(isString),
    leader: optional(isTuple),
    key: optional(isString),
    serial: optional(isNat),
    grants: optional(arrayOf(isNamedGrant)),
    peers: optional(arrayOf(isMemberEntry)),
    total: optional(isNat),
    dht: optional((v) => v === null || isDhtSummary(v)),
    replicas: optional(isCount),
    forgotten: optional(isBool),
  },
  'set-id': {
    id: isNat,
    n: isNat,
    s: isNat,
    year: isString,
    ring: arrayOf(isTuple),
    epoch: isString,
    grant: optional(isGrant),
    replicas: optional(isCount),
    l: optional(isNat),
    lost: optional(isLost),
  },
  store: { origin: isTuple, owner: isNat, epoch: isString, records: arrayOf(isWireRecord) },
  'store-ack': { also: optional((v) => Array.isArray(v) && v.length < MAX_ACKED_TOGETHER && v.every(isRid)) },
  count: { origin: isTuple, epoch: isString, counts: arrayOf(isNat), copies: optional(arrayOf(isNat)), lost: optional(isLost) },
  'find-event': {
    eventId: isNat,
    querier: isTuple,
    path: arrayOf(isNat),
    routing: optional((v) => v === 'direct'),
    copy: optional(isBool),
    held: optional(isString),
  },
  'find-result': {
    eventId: isNat,
    found: isBool,
    path: arrayOf(isNat),
    fields: optional(isFields),
    error: optional(isString),
    copy: optional(isBool),
    by: optional(isString),
  },
  fetch: { origin: isTuple, epoch: isString, page: isNat },
  'fetch-result': { page: isNat, end: isBool, records: arrayOf(isWireRecord) },
  teardown: { origin: isTuple, final: isBool, epoch: optional(isString) },
  'reset-id': { origin: isTuple, id: isNat, n: isNat, ring: arrayOf(isTuple), epoch: isString },
  'rebuild-dht': { origin: isTuple, year: isString, s: isNat },
  'rebuild-done': OUTCOME,
  'join-request': { joiner: isTuple },
  'join-done': { ...OUTCOME, ring: arrayOf(isTuple) },
  'dht-reset': { reason: isString, serial: optional(isNat) },
};

/** True for every type in the inventory. */
export function isMessageType(t: unknown): t is MessageType {
  return typeof t === 'string' && Object.prototype.hasOwnProperty.call(SCHEMAS, t);
}

/** The datagram for a message: one UTF-8 JSON object with the protocol version. */
export function encode(msg: Message): Buffer {
  return Buffer.from(JSON.stringify({ v: PROTOCOL_VERSION, ...msg }), 'utf8');
}

/**
 * A store datagram built from its records' JSON array text, serialised once by the batcher
 * (store-batches.ts): it decodes to the same message as encode() of the StoreRequest.
 */
export function encodeStore(rid: string, origin: Tuple, owner: number, epoch: string, recordsJson: string): Buffer {
  const head = `{"v":${PROTOCOL_VERSION},"type":"store","rid":${JSON.stringify(rid)},"origin":${JSON.stringify(origin)}`;
  return Buffer.from(`${head},"owner":${owner},"epoch":${JSON.stringify(epoch)},"records":${recordsJson}}`, 'utf8');
}

const SEPARATOR = Buffer.of(TAIL_SEPARATOR);

/**
 * A packed store datagram: its JSON text says `"count"` (how many records) and `"packed"`
 * (PACKED_FORMAT) in place of `records`, and is followed by a NUL and the records packed
 * (packed-records.ts, tail.ts). It decodes to the same store message as a plain store of the
 * same records (see unpackRecords).
 */
export function encodePackedStore(rid: string, origin: Tuple, owner: number, epoch: string, count: number, packed: Uint8Array): Buffer {
  const head = `{"v":${PROTOCOL_VERSION},"type":"store","rid":${JSON.stringify(rid)},"origin":${JSON.stringify(origin)}`;
  const text = `${head},"owner":${owner},"epoch":${JSON.stringify(epoch)},"count":${count},"packed":"${PACKED_FORMAT}"}`;
  return Buffer.concat([Buffer.from(text, 'utf8'), SEPARATOR, packed]);
}

/**
 * A packed page of a member's records (fetch-result, issue 12): laid out as a packed store, its
 * JSON text says `"count"` and `"packed"` in place of `records`, and the packed lines follow.
 */
export function encodePackedFetchResult(rid: string, page: number, end: boolean, count: number, packed: Uint8Array): Buffer {
  const text = `{"v":${PROTOCOL_VERSION},"type":"fetch-result","rid":${JSON.stringify(rid)},"page":${page},"end":${end},"count":${count},"packed":"${PACKED_FORMAT}"}`;
  return Buffer.concat([Buffer.from(text, 'utf8'), SEPARATOR, packed]);
}

/** The messages whose records may travel packed after their JSON text. */
const PACKED_TYPES: ReadonlySet<string> = new Set(['store', 'fetch-result']);

/**
 * The records of a packed store, or the reason they cannot be read: `packed` names another
 * format, `count` is not a number of records, or the tail does not unpack (packed-records.ts).
 */
function unpackRecords(format: unknown, count: unknown, tail: Uint8Array): unknown[] | string {
  if (format !== PACKED_FORMAT) {
    return typeof format === 'string' && /deflate/.test(format)
      ? `store: packed as "${format.slice(0, 40)}", which this build does not read (it reads "${PACKED_FORMAT}": another stormdht version?)`
      : 'store: invalid field "packed"';
  }
  if (!isNat(count)) return 'store: invalid field "count"';
  return unpackLines(tail, count as number) ?? 'store: invalid field "packed"';
}

/** The byte length encode(msg) would have, without building a Buffer twice. */
export function encodedLength(msg: Message): number {
  return Buffer.byteLength(JSON.stringify({ v: PROTOCOL_VERSION, ...msg }), 'utf8');
}

/** What a forwarder needs of a store, read from its header alone (see peekStore). */
export interface StoreHeader {
  readonly rid: string;
  readonly origin: Tuple;
  readonly owner: number;
  readonly epoch: string;
  /** How many records the datagram carries. */
  readonly records: number;
  /** A packed store's `packed` (its format); absent for a plain one. */
  readonly packed?: string;
}

const STORE_PREFIX = Buffer.from(`{"v":${PROTOCOL_VERSION},"type":"store","rid":`, 'utf8');
const RECORDS_KEY = Buffer.from(',"records":[', 'utf8');
const RECORD_START = Buffer.from('{"pos":', 'utf8');

/**
 * The header of a store datagram laid out as encodeStore or encodePackedStore lays it out, without
 * reading its records: a node that only passes the store on needs its owner and epoch, not its
 * records. A packed store's JSON text is all header (its records are the binary tail); a plain
 * one's is read up to `"records"`. Null for anything else, which then takes the full decode. The
 * records are checked, as by decode, by the owner that keeps them. Inside JSON strings quotes are
 * escaped, so the key searched for can only be the message's own.
 */
export function peekStore(buf: Buffer): StoreHeader | null {
  if (buf.length > MAX_DATAGRAM_BYTES || buf.length < STORE_PREFIX.length || !buf.subarray(0, STORE_PREFIX.length).equals(STORE_PREFIX)) return null;
  const end = jsonEnd(buf);
  const packed = end < buf.length;
  const at = packed ? end : buf.indexOf(RECORDS_KEY, STORE_PREFIX.length);
  if (at < 0) return null;
  let head: unknown;
  try {
    head = JSON.parse(packed ? buf.toString('utf8', 0, end) : `${buf.toString('utf8', 0, at)}}`);
  } catch {
    return null;
  }
  if (!isObject(head)) return null;
  const { rid, origin, owner, epoch, count } = head;
  if (!isRid(rid) || !isTuple(origin) || !isNat(owner) || !isString(epoch)) return null;
  const header = { rid: rid as string, origin: origin as unknown as Tuple, owner: owner as number, epoch: epoch as string };
  if (packed) return isNat(count) && isString(head.packed) ? { ...header, records: count as number, packed: head.packed as string } : null;
  let records = 0;
  for (let i = buf.indexOf(RECORD_START, at); i >= 0; i = buf.indexOf(RECORD_START, i + RECORD_START.length)) records++;
  return { ...header, records };
}

export function decode(buf: Uint8Array): Decoded {
  if (buf.length > MAX_DATAGRAM_BYTES) return { ok: false, reason: `datagram of ${buf.length} bytes exceeds ${MAX_DATAGRAM_BYTES}` };
  const end = jsonEnd(buf);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8', 0, end));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isObject(parsed)) return { ok: false, reason: 'not a JSON object' };
  let value: Record<string, unknown> = parsed;
  const rid = isRid(value.rid) ? (value.rid as string) : undefined;
  const type = typeof value.type === 'string' ? value.type.slice(0, 40) : undefined;
  const fail = (reason: string): Malformed => ({ ok: false, reason, ...(rid ? { rid } : {}), ...(type ? { type } : {}) });
  if (value.v !== PROTOCOL_VERSION) return fail(`unsupported protocol version ${JSON.stringify(value.v)}`);
  if (!isMessageType(value.type)) return fail(type === undefined ? 'no type' : `unknown type "${type}"`);
  if (rid === undefined) return fail('missing or invalid rid');
  if (PACKED_TYPES.has(value.type) && value.records === undefined && value.packed !== undefined) {
    // A packed store (encodePackedStore) becomes the plain one; its records are then checked alike.
    const records = end < buf.length ? unpackRecords(value.packed, value.count, buf.subarray(end + 1)) : `${value.type}: packed records missing`;
    if (typeof records === 'string') return fail(records);
    const { packed: _packed, count: _count, ...plain } = value;
    value = { ...plain, records };
  } else if (end < buf.length) {
    return fail(`${value.type}: bytes after the JSON text`);
  }
  const schema = SCHEMAS[value.type as MessageType];
  for (const [field, check] of Object.entries(schema)) {
    if (!check(value[field])) return fail(`${value.type}: ${value[field] === undefined ? 'missing' : 'invalid'} field "${field}"`);
  }
  return { ok: true, msg: value as unknown as Message };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
