// Property-style runs of the codec: whatever bytes arrive, decode returns a verdict and never
// throws (SPEC §1.4 item 6: no datagram may crash a process). Seeded, so a failure repeats exactly;
// the failing input is printed in the assertion message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32, type Rng } from '../../src/data/seeded-random.js';
import { decode, encode, isMessageType } from '../../src/wire/codec.js';
import { PROTOCOL_VERSION } from '../../src/wire/messages.js';
import { ALL_EXAMPLES, datagram } from './wire-fixtures.js';

/** Decodes without throwing and returns a well-formed verdict. */
function checkVerdict(buf: Uint8Array, label: string): void {
  let d;
  try {
    d = decode(buf);
  } catch (err) {
    assert.fail(`decode threw ${String(err)} on ${label}: ${Buffer.from(buf).toString('base64')}`);
  }
  if (d.ok) {
    assert.ok(isMessageType(d.msg.type), label);
    assert.equal(typeof d.msg.rid, 'string', label);
  } else {
    assert.equal(typeof d.reason, 'string', label);
    assert.ok(d.reason.length > 0, label);
    if (d.rid !== undefined) assert.ok(d.rid.length > 0 && d.rid.length <= 64, label);
  }
}

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);

/** A random JSON value, shallow, of every kind the schema might meet. */
function randomValue(rng: Rng): unknown {
  const pool: unknown[] = [null, true, false, 0, -1, 1.5, 70000, 2 ** 60, '', 'x', '7002', [], [1, 2], ['a'], {}, { name: 'a', ip: 'b', port: 1 }];
  return pool[int(rng, pool.length)];
}

/** Byte-level damage: flip, overwrite, insert, delete or truncate. */
function mutateBytes(rng: Rng, src: Buffer): Buffer {
  const bytes = [...src];
  const edits = 1 + int(rng, 4);
  for (let e = 0; e < edits && bytes.length > 0; e++) {
    const at = int(rng, bytes.length);
    switch (int(rng, 5)) {
      case 0:
        bytes[at] = bytes[at]! ^ (1 << int(rng, 8));
        break;
      case 1:
        bytes[at] = int(rng, 256);
        break;
      case 2:
        bytes.splice(at, 0, int(rng, 256));
        break;
      case 3:
        bytes.splice(at, 1);
        break;
      default:
        bytes.length = at;
    }
  }
  return Buffer.from(bytes);
}

/** Structural damage: drop a key, replace a value, or add a key, then re-serialise. */
function mutateObject(rng: Rng, msg: Record<string, unknown>): Buffer {
  const obj: Record<string, unknown> = structuredClone(msg);
  const keys = Object.keys(obj);
  const key = keys[int(rng, keys.length)]!;
  switch (int(rng, 3)) {
    case 0:
      delete obj[key];
      break;
    case 1:
      obj[key] = randomValue(rng);
      break;
    default:
      obj[['extra', '__proto__', 'constructor', 'v', 'rid'][int(rng, 5)]!] = randomValue(rng);
  }
  return datagram(obj);
}

test('decode never throws on random byte strings', () => {
  const rng = mulberry32(20260126);
  for (let i = 0; i < 3000; i++) {
    const len = int(rng, 300);
    const buf = Buffer.alloc(len);
    for (let j = 0; j < len; j++) buf[j] = int(rng, 256);
    // Every third string starts like JSON, so the parser gets past the first byte.
    if (i % 3 === 0 && len > 0) buf[0] = 0x7b;
    checkVerdict(buf, `random #${i}`);
  }
});

test('decode never throws on byte-level mutations of valid datagrams', () => {
  const rng = mulberry32(434);
  for (let i = 0; i < 4000; i++) {
    const msg = ALL_EXAMPLES[int(rng, ALL_EXAMPLES.length)]!;
    checkVerdict(mutateBytes(rng, encode(msg)), `byte mutation #${i} of ${msg.type}`);
  }
});

test('decode never throws on structural mutations, and refuses what breaks the schema', () => {
  const rng = mulberry32(1996);
  let refusedCount = 0;
  for (let i = 0; i < 4000; i++) {
    const msg = ALL_EXAMPLES[int(rng, ALL_EXAMPLES.length)]!;
    const buf = mutateObject(rng, { v: PROTOCOL_VERSION, ...msg });
    checkVerdict(buf, `structural mutation #${i} of ${msg.type}`);
    if (!decode(buf).ok) refusedCount++;
  }
  // Most mutations break something; a run where none is refused means the schema checks nothing.
  assert.ok(refusedCount > 1000, `only ${refusedCount} of 4000 mutations refused`);
});
