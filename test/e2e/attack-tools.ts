// What the attack tests send: a UDP socket of their own on 127.0.0.1, junk of every kind (random
// bytes, truncated JSON, valid-looking but wrong messages), and byte mutations of real datagrams.
// Not a test file itself.
import dgram from 'node:dgram';
import { mulberry32, type Rng } from '../../src/data/seeded-random.js';
import { encode } from '../../src/wire/codec.js';
import type { Message } from '../../src/wire/messages.js';
import { ALL_EXAMPLES } from '../unit/wire-fixtures.js';

export interface Target {
  readonly ip: string;
  readonly port: number;
}

/** A bound UDP socket that records every datagram it receives. */
export class AttackSocket {
  readonly received: Array<{ buf: Buffer; from: Target }> = [];
  private constructor(readonly sock: dgram.Socket) {
    sock.on('message', (buf, rinfo) => this.received.push({ buf, from: { ip: rinfo.address, port: rinfo.port } }));
    sock.on('error', () => {});
  }

  static async open(): Promise<AttackSocket> {
    const sock = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 << 20, recvBufferSize: 4 << 20 });
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    return new AttackSocket(sock);
  }

  get port(): number {
    return this.sock.address().port;
  }

  send(buf: Uint8Array, to: Target): Promise<void> {
    return new Promise((resolve) => this.sock.send(buf, to.port, to.ip, () => resolve()));
  }

  /** Sends `msg` and waits for the answer with its rid (a reply), or null after timeoutMs. */
  async ask(msg: Message, to: Target, timeoutMs = 3_000): Promise<Record<string, unknown> | null> {
    const start = this.received.length;
    await this.send(encode(msg), to);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const r of this.received.slice(start)) {
        try {
          const v = JSON.parse(r.buf.toString()) as Record<string, unknown>;
          if (v.rid === msg.rid) return v;
        } catch {
          // not JSON: not our answer
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return null;
  }

  close(): void {
    this.sock.close();
  }
}

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);

/** Byte-level damage: flip, overwrite, insert, delete, truncate or splice in a hostile token. */
export function mutate(rng: Rng, src: Buffer): Buffer {
  let text = src.toString('latin1');
  const edits = 1 + int(rng, 3);
  for (let e = 0; e < edits && text.length > 0; e++) {
    const at = int(rng, text.length);
    const tokens = ['"__proto__"', '{"constructor":{}}', '-1', '1e309', '9007199254740993', '[[[[[[[[', '"x"', 'null', '"\\u0000"', '{}'];
    switch (int(rng, 6)) {
      case 0:
        text = text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ (1 << int(rng, 8))) + text.slice(at + 1);
        break;
      case 1:
        text = text.slice(0, at) + String.fromCharCode(int(rng, 256)) + text.slice(at + 1);
        break;
      case 2:
        text = text.slice(0, at) + tokens[int(rng, tokens.length)] + text.slice(at);
        break;
      case 3:
        text = text.slice(0, at) + text.slice(at + 1 + int(rng, 8));
        break;
      case 4:
        text = text.slice(0, at);
        break;
      default: {
        // A number replaced by a hostile one, keeping the JSON valid.
        text = text.replace(/[0-9]+/, tokens[int(rng, 5) + 2]!);
      }
    }
  }
  return Buffer.from(text, 'latin1');
}

/** The valid-looking messages of every type (the codec tests' examples), as datagrams. */
export function wellFormedCorpus(): Buffer[] {
  return ALL_EXAMPLES.map((m) => encode(m));
}

/** `count` junk datagrams: a third random bytes, a third truncated JSON, a third wrong messages. */
export function* junk(count: number, seed: number, corpus: readonly Buffer[] = wellFormedCorpus()): Generator<Buffer> {
  const rng = mulberry32(seed);
  for (let i = 0; i < count; i++) {
    const src = corpus[int(rng, corpus.length)]!;
    switch (i % 3) {
      case 0: {
        const buf = Buffer.alloc(1 + int(rng, 400));
        for (let j = 0; j < buf.length; j++) buf[j] = int(rng, 256);
        yield buf;
        break;
      }
      case 1:
        yield src.subarray(0, int(rng, src.length));
        break;
      default:
        yield rng() < 0.5 ? src : mutate(rng, src);
    }
  }
}
