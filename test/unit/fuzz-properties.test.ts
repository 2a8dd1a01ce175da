// Property-based tests (fast-check, issue 5): every decoder with arbitrary bytes, arbitrary JSON
// and well-formed but hostile messages — decode never throws and never accepts an invalid
// message; the manager's state machine with arbitrary sequences of well-formed commands from
// arbitrary senders — it never throws, its invariants always hold and a FAILURE never changes the
// state; and a peer's handlers with hostile well-formed messages — nothing throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { handleCommand } from '../../src/manager/handle.js';
import { invariantViolations } from '../../src/manager/invariants.js';
import { initialState, type ManagerState } from '../../src/manager/state.js';
import { decode, encode, isMessageType } from '../../src/wire/codec.js';
import { MANAGER_COMMANDS, PROTOCOL_VERSION, type ManagerRequest, type Message } from '../../src/wire/messages.js';
import { openGrant } from '../../src/wire/grant.js';
import { verifyMac } from '../../src/wire/mac.js';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { FIXED_KEYS } from './manager-fixtures.js';
import { ALL_EXAMPLES } from './wire-fixtures.js';
import { memoryCluster } from './peer-fixtures.js';

const RUNS = { numRuns: 400, seed: 5 };

/** A verdict that decode must give: it never throws, and an accepted message is a valid one. */
function checkDecode(buf: Uint8Array): void {
  const d = decode(buf);
  if (!d.ok) {
    assert.equal(typeof d.reason, 'string');
    return;
  }
  assert.ok(isMessageType(d.msg.type));
  assert.equal(typeof d.msg.rid, 'string');
  assert.ok(d.msg.rid.length >= 1 && d.msg.rid.length <= 64);
  // Accepted means valid: it encodes and decodes again to the same verdict.
  assert.equal(decode(encode(d.msg)).ok, true);
}

/** Values that break schemas: huge and negative numbers, prototype keys, deep nesting, wrong types. */
const hostile = fc.oneof(
  fc.constantFrom(-1, -0, 1e309 - 1e309, 2 ** 53 + 2, Number.MAX_VALUE, 0.5, '__proto__', 'constructor', '', null, true, [], {}),
  fc.constantFrom({ __proto__: { polluted: 1 } }, JSON.parse('{"__proto__":{"x":1}}'), { constructor: { prototype: {} } }),
  fc.array(fc.constant({ name: 'a', ip: 'b', port: 1 }), { minLength: 1000, maxLength: 3000 }),
  fc.letrec((tie) => ({ deep: fc.oneof({ depthSize: 'small' }, fc.constant(0), fc.tuple(tie('deep'))) })).deep,
  fc.jsonValue(),
);

test('decode never throws on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => checkDecode(bytes)), { ...RUNS, numRuns: 2000 });
});

test('decode never throws on arbitrary JSON values, with or without v, type and rid', () => {
  const withHead = fc.record({
    v: fc.oneof(fc.constant(PROTOCOL_VERSION), fc.jsonValue()),
    type: fc.oneof(fc.constantFrom(...ALL_EXAMPLES.map((m) => m.type), 'auth', '__proto__'), fc.string()),
    rid: fc.oneof(fc.string({ minLength: 1, maxLength: 70 }), fc.jsonValue()),
  });
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), fc.tuple(withHead, fc.dictionary(fc.string(), fc.jsonValue())).map(([h, rest]) => ({ ...rest, ...h }))), (value) =>
      checkDecode(Buffer.from(JSON.stringify(value) ?? 'null')),
    ),
    { ...RUNS, numRuns: 2000 },
  );
});

test('decode never throws on well-formed messages with one field made hostile, and refuses what breaks the schema', () => {
  let refused = 0;
  fc.assert(
    fc.property(fc.constantFrom(...ALL_EXAMPLES), hostile, fc.nat(), (msg, value, pick) => {
      const obj: Record<string, unknown> = { v: PROTOCOL_VERSION, ...msg };
      const keys = Object.keys(obj).filter((k) => k !== 'v' && k !== 'type');
      obj[keys[pick % keys.length]!] = value;
      const buf = Buffer.from(JSON.stringify(obj));
      checkDecode(buf);
      if (!decode(buf).ok) refused++;
    }),
    RUNS,
  );
  assert.ok(refused > RUNS.numRuns / 4, `only ${refused} hostile messages refused: the schema checks little`);
});

test('grant and MAC checks never throw and never accept arbitrary input', () => {
  const key = Buffer.alloc(32, 3);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.record({ serial: fc.integer(), sealed: fc.string(), tag: fc.string() }), (bytes, grant) => {
      assert.equal(verifyMac(bytes, key), false);
      assert.equal(openGrant(key, 'bob', grant), null);
    }),
    RUNS,
  );
});

/** A well-formed manager command with arbitrary (valid and invalid) arguments. */
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'zed', '', '__proto__'];
const command = fc
  .record({
    type: fc.constantFrom(...MANAGER_COMMANDS),
    name: fc.constantFrom(...NAMES),
    other: fc.constantFrom(...NAMES),
    n: fc.oneof(fc.integer({ min: -2, max: 7 }), fc.double()),
    year: fc.constantFrom('1950', '1996', '19x0', ''),
    port: fc.integer({ min: 0, max: 70_000 }),
    failed: fc.option(fc.constant('network'), { nil: undefined }),
  })
  .map(({ type, name, other, n, year, port, failed }, i = 0): ManagerRequest => {
    const rid = `r${i}`;
    const tail = failed === undefined ? {} : { failed };
    switch (type) {
      case 'register':
        return { type, rid, name, ip: '127.0.0.1', mPort: port, pPort: port + 1 };
      case 'setup-dht':
        return { type, rid, name, n, year };
      case 'dht-rebuilt':
        return { type, rid, name, newLeader: other, ...tail };
      case 'dht-grants':
        return { type, rid, name, from: n - 3, count: port % 300 };
      default:
        return { type, rid, name, ...tail };
    }
  });
/** Senders: the rightful one (from the registry), or an arbitrary port on one of two hosts. */
const sender = fc.oneof(fc.constant(null), fc.record({ ip: fc.constantFrom('127.0.0.1', '10.0.0.9'), port: fc.integer({ min: 0, max: 70_000 }) }));

test('the manager never throws on arbitrary command sequences from arbitrary senders; invariants hold; FAILURE changes nothing', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(command, sender), { maxLength: 60 }), fc.integer(), (steps, seed) => {
      const random = mulberry32(seed);
      let state: ManagerState = initialState();
      for (const [req, from] of steps) {
        const entry = req.type === 'register' ? { ip: req.ip, mPort: req.mPort } : state.peers.get(req.name);
        const src = from ?? (entry ? { ip: entry.ip, port: entry.mPort } : { ip: '127.0.0.1', port: 1 });
        const before = structuredClone(state);
        const outcome = handleCommand(state, req, src, random, FIXED_KEYS);
        assert.deepStrictEqual(state, before, 'the input state is never mutated');
        if (!outcome.reply.ok) assert.equal(outcome.state, state, `${req.type} FAILURE changed the state`);
        assert.deepEqual(invariantViolations(outcome.state), [], `${req.type}: ${JSON.stringify(req)}`);
        state = outcome.state;
      }
    }),
    { ...RUNS, numRuns: 300 },
  );
});

test('a peer in a ring, and its manager, never throw on hostile well-formed messages', async () => {
  const c = await memoryCluster(['alice', 'bob', 'carol', 'dave']);
  try {
    await c.ok('alice', 'setup-dht alice 3 1950');
    const { socket } = await c.attacker();
    const targets = [c.manager.address, ...[...c.nodes.values()].flatMap((n) => [{ ip: n.self!.ip, port: n.mPort! }, { ip: n.self!.ip, port: n.self!.port }])];
    const samples = fc.sample(fc.tuple(fc.constantFrom(...ALL_EXAMPLES), hostile, fc.nat(), fc.boolean()), { numRuns: 1500, seed: 7 });
    for (const [i, [msg, value, pick, replace]] of samples.entries()) {
      const obj: Record<string, unknown> = { ...(msg as Message) };
      const keys = Object.keys(obj).filter((k) => k !== 'type' && k !== 'rid');
      if (replace && keys.length > 0) obj[keys[pick % keys.length]!] = value;
      socket.send(Buffer.from(JSON.stringify({ v: PROTOCOL_VERSION, ...obj, rid: `h${i}` })), targets[i % targets.length]!);
      if (i % 100 === 0) await c.settle(5); // a throw in a handler surfaces here, from a timer
    }
    await c.settle(1_000);
    // Nothing changed: the same ring, every member with its records, and a query still answers.
    const members = c.manager.state.dht!.members;
    assert.equal(members.length, 3);
    for (const [id, name] of members.entries()) assert.equal(c.nodes.get(name)!.ring?.id, id, `${name} kept its id`);
    const held = members.reduce((sum, name) => sum + c.nodes.get(name)!.table.size, 0);
    assert.equal(held, 40, 'the simulated 1950 holds 40 records, all still in the ring');
    const free = [...c.nodes.keys()].find((name) => !members.includes(name))!;
    const q = await c.ok(free, `query-dht ${free} 10104930`);
    assert.equal(q.data?.eventId, 10104930);
  } finally {
    await c.close();
  }
});
