// The optional system-wide secret (issue 5; --secret or STORMDHT_SECRET): a DatagramSocket
// decorator, like FaultySocket, so the protocol code is untouched. Every datagram sent goes out
// in an envelope with a timestamp and an HMAC-SHA256 tag under a key derived from the secret;
// every datagram received must carry a valid tag and a timestamp within REPLAY_WINDOW_MS of this
// process's clock, or it is dropped and counted. The envelope is itself a protocol datagram:
//
//   {"v":1,"type":"auth","rid":"<the inner request's rid>","ts":<ms>,"msg":<inner datagram>,"tag":"<43 chars>"}
//
// so that a process without the secret decodes it as an unknown type with a rid and answers
// "malformed request" (a request never runs there), and the sender can say why.
//
// A process with the secret answers a request that lacks it (no envelope, a bad tag, or a stale
// timestamp) with a plain `reply` "authentication failed: …", rate-limited per source, which a
// peer without the secret shows as its command's error. The one plain datagram it takes in is a
// reply: passed on when it is such a refusal, made into one otherwise ("… answered without the
// secret"). An attacker can thus make a command fail, which dropping its datagrams would do too,
// but never make one succeed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { decode, encode } from '../wire/codec.js';
import type { Clock } from './clock.js';
import { TokenBuckets } from './rate-limit.js';
import { AUTH_REFUSAL_BURST, AUTH_REFUSAL_RATE_PER_S, REPLAY_WINDOW_MS } from './timing.js';
import { formatAddress, type Address, type DatagramSocket } from './udp-socket.js';

/** What the envelope adds at most to a datagram (head with a 64-character rid and ts, and tag). */
export const ENVELOPE_OVERHEAD_BYTES = 200;

/** The error a refused sender sees; its beginning is how a refusal is recognised. */
export const AUTH_FAILED = 'authentication failed';

const HEAD = /^\{"v":1,"type":"auth"(?:,"rid":"([^"\\]{1,64})")?,"ts":([0-9]{1,16}),"msg":/;
const TAG_HEAD = Buffer.from(',"tag":"');
const TAG_CHARS = 43;
/** Our own datagrams start with v and type (codec.encode); answers are never answered. */
const ANSWER = /^\{"v":1,"type":"(?:reply|store-ack|find-result)"/;
const RID = /"rid":"([^"\\]{1,64})"/;

export interface AuthStats {
  sent: number;
  accepted: number;
  /** No envelope, or one whose tag does not hold under this secret. */
  unauthenticated: number;
  /** A valid tag outside the replay window: a replay, or a clock set wrong. */
  stale: number;
  /** Plain "authentication failed" answers sent. */
  refusals: number;
}

export type AuthDrop = 'unauthenticated' | 'stale';

/** The key every tag is made with: derived from the secret, so the secret itself is never used as one. */
export function secretKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('stormdht datagram key v1').digest();
}

export class AuthenticatedSocket implements DatagramSocket {
  readonly stats: AuthStats = { sent: 0, accepted: 0, unauthenticated: 0, stale: 0, refusals: 0 };
  private readonly key: Buffer;
  private readonly refusals: TokenBuckets;

  constructor(
    private readonly inner: DatagramSocket,
    secret: string,
    /** Wall-clock milliseconds, shared by every process that checks the window (Date.now by default). */
    private readonly now: () => number = Date.now,
    clock?: Clock,
    private readonly onDrop: (why: AuthDrop, from: Address, detail: string) => void = () => {},
  ) {
    this.key = secretKey(secret);
    this.refusals = new TokenBuckets(clock ?? { now: this.now, setTimer: () => ({ cancel() {} }) }, {
      perSecond: AUTH_REFUSAL_RATE_PER_S,
      burst: AUTH_REFUSAL_BURST,
    });
  }

  get local(): Address {
    return this.inner.local;
  }

  send(buf: Uint8Array, to: Address): void {
    this.stats.sent++;
    this.inner.send(this.seal(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)), to);
  }

  onDatagram(handler: (buf: Buffer, from: Address) => void): void {
    this.inner.onDatagram((buf, from) => {
      const inner = this.open(buf, from);
      if (inner !== null) handler(inner, from);
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The envelope of an outgoing datagram. */
  private seal(inner: Buffer): Buffer {
    const text = inner.toString('latin1', 0, Math.min(inner.length, 200));
    const rid = ANSWER.test(text) ? undefined : RID.exec(inner.toString('utf8'))?.[1];
    const head = Buffer.from(`{"v":1,"type":"auth"${rid === undefined ? '' : `,"rid":"${rid}"`},"ts":${Math.floor(this.now())},"msg":`);
    const body = Buffer.concat([head, inner]);
    return Buffer.concat([body, TAG_HEAD, Buffer.from(this.tag(body), 'ascii'), Buffer.from('"}')]);
  }

  private tag(body: Buffer): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  /** The inner datagram of a valid envelope, a refusal for the layer above, or null (dropped). */
  private open(buf: Buffer, from: Address): Buffer | null {
    const tagStart = buf.length - TAG_HEAD.length - TAG_CHARS - 2;
    const head = HEAD.exec(buf.toString('latin1', 0, Math.min(buf.length, 120)));
    if (head === null || tagStart <= 0 || !buf.subarray(tagStart, tagStart + TAG_HEAD.length).equals(TAG_HEAD)) {
      return this.plain(buf, from);
    }
    const body = buf.subarray(0, tagStart);
    const given = buf.subarray(tagStart + TAG_HEAD.length, tagStart + TAG_HEAD.length + TAG_CHARS);
    const expected = Buffer.from(this.tag(body), 'ascii');
    if (!timingSafeEqual(given, expected)) {
      this.drop('unauthenticated', from, 'its tag does not hold under this secret', head[1]);
      return null;
    }
    const skew = Number(head[2]) - this.now();
    if (Math.abs(skew) > REPLAY_WINDOW_MS) {
      this.drop('stale', from, `its timestamp is ${Math.round(skew / 1000)} s off this clock, beyond the ${REPLAY_WINDOW_MS / 1000} s replay window`, head[1]);
      return null;
    }
    this.stats.accepted++;
    return buf.subarray(head[0].length, tagStart);
  }

  /** A datagram without an envelope: a reply becomes a refusal for the layer above; the rest is dropped. */
  private plain(buf: Buffer, from: Address): Buffer | null {
    const d = decode(buf);
    if (d.ok && d.msg.type === 'reply') {
      this.stats.unauthenticated++;
      if (!d.msg.ok && d.msg.error?.startsWith(AUTH_FAILED)) return buf;
      const error = `${AUTH_FAILED}: ${formatAddress(from)} answered without the secret (it runs without --secret, or with another one)`;
      return encode({ type: 'reply', rid: d.msg.rid, ok: false, error });
    }
    const rid = d.ok ? (d.msg.type === 'store-ack' || d.msg.type === 'find-result' ? undefined : d.msg.rid) : undefined;
    this.drop('unauthenticated', from, 'it is not authenticated with the secret', rid);
    return null;
  }

  /** Counts and reports a drop, and tells a request's sender why (rate-limited per source). */
  private drop(why: AuthDrop, from: Address, detail: string, rid: string | undefined): void {
    this.stats[why]++;
    this.onDrop(why, from, detail);
    if (rid === undefined || !this.refusals.take(formatAddress(from))) return;
    this.stats.refusals++;
    const error = why === 'stale' ? `${AUTH_FAILED}: ${detail}` : `${AUTH_FAILED}: wrong or missing secret`;
    this.inner.send(encode({ type: 'reply', rid, ok: false, error }), from);
  }
}
