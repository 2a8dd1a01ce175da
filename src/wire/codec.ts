// Encoding and decoding of datagrams. Decoding never throws: a datagram that is not JSON, has an
// unknown type or another version, or lacks a field is returned as a `Malformed` with its reason
// (and its rid, when it has one, so that the receiver can answer "malformed request").
import { PROTOCOL_VERSION, type Message, type MessageType, type Tuple } from './messages.js';

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
const isNamedGrant: Check = (v) => isGrant(v) && isString((v as Record<string, unknown>).name);

const NAME = { name: isString };
const OUTCOME = { ok: isBool, error: optional(isString), broken: optional(isBool), records: isNat, recordsPerNode: arrayOf(isNat) };

/** The required (and optional) fields of every message type besides v, type and rid. */
const SCHEMAS: Record<MessageType, Record<string, Check>> = {
  register: { ...NAME, ip: isString, mPort: isNumber, pPort: isNumber },
  'setup-dht': { ...NAME, n: isNumber, year: isString },
  'dht-complete': { ...NAME, failed: optional(isString) },
  'query-dht': NAME,
  'leave-dht': NAME,
  'join-dht': NAME,
  'dht-rebuilt': { ...NAME, newLeader: isString, failed: optional(isString) },
  deregister: NAME,
  'teardown-dht': NAME,
  'teardown-complete': { ...NAME, failed: optional(isString) },
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
  },
  'set-id': { id: isNat, n: isNat, s: isNat, year: isString, ring: arrayOf(isTuple), epoch: isString, grant: optional(isGrant) },
  store: { origin: isTuple, owner: isNat, epoch: isString, records: arrayOf(isWireRecord) },
  'store-ack': {},
  count: { origin: isTuple, epoch: isString, counts: arrayOf(isNat) },
  'find-event': { eventId: isNat, querier: isTuple, path: arrayOf(isNat), routing: optional((v) => v === 'direct') },
  'find-result': {
    eventId: isNat,
    found: isBool,
    path: arrayOf(isNat),
    fields: optional(isFields),
    error: optional(isString),
  },
  teardown: { origin: isTuple, final: isBool },
  'reset-id': { origin: isTuple, id: isNat, n: isNat, ring: arrayOf(isTuple), epoch: isString },
  'rebuild-dht': { origin: isTuple, year: isString, s: isNat },
  'rebuild-done': OUTCOME,
  'join-request': { joiner: isTuple },
  'join-done': { ...OUTCOME, ring: arrayOf(isTuple) },
  'dht-reset': { reason: isString },
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

/** The byte length encode(msg) would have, without building a Buffer twice. */
export function encodedLength(msg: Message): number {
  return Buffer.byteLength(JSON.stringify({ v: PROTOCOL_VERSION, ...msg }), 'utf8');
}

export function decode(buf: Uint8Array): Decoded {
  if (buf.length > MAX_DATAGRAM_BYTES) return { ok: false, reason: `datagram of ${buf.length} bytes exceeds ${MAX_DATAGRAM_BYTES}` };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isObject(value)) return { ok: false, reason: 'not a JSON object' };
  const rid = typeof value.rid === 'string' && value.rid.length > 0 && value.rid.length <= 64 ? value.rid : undefined;
  const type = typeof value.type === 'string' ? value.type.slice(0, 40) : undefined;
  const fail = (reason: string): Malformed => ({ ok: false, reason, ...(rid ? { rid } : {}), ...(type ? { type } : {}) });
  if (value.v !== PROTOCOL_VERSION) return fail(`unsupported protocol version ${JSON.stringify(value.v)}`);
  if (!isMessageType(value.type)) return fail(type === undefined ? 'no type' : `unknown type "${type}"`);
  if (rid === undefined) return fail('missing or invalid rid');
  const schema = SCHEMAS[value.type];
  for (const [field, check] of Object.entries(schema)) {
    if (!check(value[field])) return fail(`${value.type}: ${value[field] === undefined ? 'missing' : 'invalid'} field "${field}"`);
  }
  return { ok: true, msg: value as unknown as Message };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
