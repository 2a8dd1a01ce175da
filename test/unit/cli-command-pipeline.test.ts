// ordered-output.ts and command-pipeline.ts: commands that run at once print exactly what they
// would print one after another (each command's lines together, in command order, whatever order
// they finish in); the oldest command prints live; lines of no command print at once; a line that
// is not a query with an id waits for every query before it; --pipeline 1 runs one at a time; a
// command that ends the peer stops the reading.
import { AsyncResource } from 'node:async_hooks';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPipelinable, runCommands } from '../../src/cli/command-pipeline.js';
import { OrderedOutput } from '../../src/cli/ordered-output.js';
import type { PeerOutput } from '../../src/cli/peer-output.js';
import { success, type CommandResult } from '../../src/peer/events.js';

/** A promise and its resolve, for finishing fake commands in a chosen order. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every pending continuation run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

/** An output that records its lines: a note's text, or `<command> done` for a result. */
function recorder(): { out: PeerOutput; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    out: {
      event: (e) => lines.push(e.kind === 'note' ? e.text : e.kind),
      result: (r) => lines.push(`${r.command} done`),
    },
  };
}

const note = (text: string) => ({ kind: 'note', level: 'info', text }) as const;

test('commands that finish out of order print in command order, each one\'s lines together; the oldest prints live', async () => {
  const { out, lines } = recorder();
  const ordered = new OrderedOutput(out);
  const gates = [deferred(), deferred(), deferred()];
  const command = (name: string, gate: Promise<void>) =>
    ordered.command(async () => {
      ordered.event(note(`${name} asks`));
      await gate;
      ordered.event(note(`${name} answered`));
      return success(name);
    });
  const a = command('a', gates[0]!.promise);
  const b = command('b', gates[1]!.promise);
  const c = command('c', gates[2]!.promise);
  assert.deepEqual(lines, ['a asks'], 'the oldest prints at once; the others wait for their turn');
  assert.equal(ordered.inFlight, 3);
  gates[2]!.resolve();
  await c;
  assert.deepEqual(lines, ['a asks'], 'c is done, but a and b come first');
  gates[0]!.resolve();
  await a;
  assert.deepEqual(lines, ['a asks', 'a answered', 'a done', 'b asks'], 'b is now the oldest: its held line, then live');
  gates[1]!.resolve();
  await b;
  assert.deepEqual(lines, ['a asks', 'a answered', 'a done', 'b asks', 'b answered', 'b done', 'c asks', 'c answered', 'c done']);
  assert.equal(ordered.inFlight, 0);
});

test('a line of no command prints at once; one emitted in the scope of a resource made in a command is that command\'s', async () => {
  const { out, lines } = recorder();
  const ordered = new OrderedOutput(out);
  const first = deferred();
  const second = deferred();
  let inSecond: AsyncResource | null = null;
  const a = ordered.command(async () => {
    await first.promise;
    return success('a');
  });
  const b = ordered.command(async () => {
    // What the transport does with a request: the answer arrives in a socket callback, which
    // runs in no command's context, and is handled in the context captured here.
    inSecond = new AsyncResource('request');
    await second.promise;
    return success('b');
  });
  ordered.event(note('dht-reset from the manager'));
  inSecond!.runInAsyncScope(() => ordered.event(note('b: find-result')));
  assert.deepEqual(lines, ['dht-reset from the manager']);
  second.resolve();
  first.resolve();
  await Promise.all([a, b]);
  assert.deepEqual(lines, ['dht-reset from the manager', 'a done', 'b: find-result', 'b done']);
  ordered.event(note('after b'));
  assert.equal(lines.at(-1), 'after b', 'nothing in flight: at once');
});

test('a command that throws lets the ones after it print', async () => {
  const { out, lines } = recorder();
  const ordered = new OrderedOutput(out);
  const gate = deferred();
  const broken = ordered.command(async () => {
    ordered.event(note('broken starts'));
    await gate.promise;
    throw new Error('bug');
  });
  const next = ordered.command(async () => {
    ordered.event(note('next runs'));
    return success('next');
  });
  await settle();
  gate.resolve();
  await assert.rejects(broken, /bug/);
  await next;
  assert.deepEqual(lines, ['broken starts', 'next runs', 'next done']);
});

test('a command runs alone, printing live, only when no other is in flight', async () => {
  const { out, lines } = recorder();
  const ordered = new OrderedOutput(out);
  const gate = deferred();
  const running = ordered.command(async () => {
    await gate.promise;
    return success('a');
  });
  await assert.rejects(ordered.alone(async () => success('b')), /only when none is in flight \(1 are\)/);
  gate.resolve();
  await running;
  const alone = ordered.alone(async () => {
    ordered.event(note('b sends'));
    await settle();
    ordered.event(note('b answered'));
    return success('b');
  });
  assert.deepEqual(lines, ['a done', 'b sends']);
  await alone;
  assert.deepEqual(lines, ['a done', 'b sends', 'b answered', 'b done']);
});

/** Fake commands for runCommands: each query waits for its gate; the log says when each starts and ends. */
function fakePeer(input: readonly string[], window: number) {
  const { out, lines } = recorder();
  const output = new OrderedOutput(out);
  const queue = [...input];
  const gates = new Map<string, ReturnType<typeof deferred>>();
  const log: string[] = [];
  let running = 0;
  let mostRunning = 0;
  const run = async (tokens: readonly string[]): Promise<CommandResult> => {
    const name = tokens.join(' ');
    running++;
    mostRunning = Math.max(mostRunning, running);
    log.push(`start ${name}`);
    output.event(note(`${name}: sent`));
    if (tokens[0] === 'query-dht') {
      const gate = deferred();
      gates.set(name, gate);
      await gate.promise;
    }
    output.event(note(`${name}: answered`));
    log.push(`end ${name}`);
    running--;
    return success(name);
  };
  const finished = runCommands({
    next: async () => queue.shift() ?? null,
    run,
    output,
    window,
    ends: (r) => r.command === 'deregister alice',
  });
  /** Finishes the query `name` once it has started. */
  const answer = async (name: string) => {
    for (let i = 0; i < 100 && !gates.has(name); i++) await settle();
    gates.get(name)!.resolve();
    await settle();
  };
  return { finished, answer, lines, log, queue, most: () => mostRunning };
}

test('queries run up to the window at once; any other line waits for all of them; blank lines and comments are skipped', async () => {
  const q = (id: number) => `query-dht alice ${id}`;
  const p = fakePeer([q(1), '', q(2), '# a comment', q(3), q(4), 'status', q(5)], 3);
  await settle();
  assert.deepEqual(p.log, ['start query-dht alice 1', 'start query-dht alice 2', 'start query-dht alice 3'], 'three at once, the fourth waits for room');
  await p.answer(q(2));
  assert.equal(p.log.at(-1), 'start query-dht alice 4', 'a finished query makes room for the next');
  await p.answer(q(4));
  await p.answer(q(3));
  assert.ok(!p.log.includes('start status'), 'status waits while query 1 runs');
  await p.answer(q(1));
  const statusAt = p.log.indexOf('start status');
  assert.ok(statusAt > p.log.indexOf('end query-dht alice 1'), 'status after every query before it');
  await p.answer(q(5));
  assert.equal(await p.finished, 'input');
  assert.ok(p.log.indexOf('start query-dht alice 5') > p.log.indexOf('end status'), 'the query after status starts after it');
  assert.equal(p.most(), 3);
  const expected = [1, 2, 3, 4].flatMap((i) => [`${q(i)}: sent`, `${q(i)}: answered`, `${q(i)} done`]);
  assert.deepEqual(p.lines, [...expected, 'status: sent', 'status: answered', 'status done', `${q(5)}: sent`, `${q(5)}: answered`, `${q(5)} done`]);
});

test('--pipeline 1 runs every command after the one before; a successful deregister ends the reading', async () => {
  const q = (id: number) => `query-dht alice ${id}`;
  const p = fakePeer([q(1), q(2), 'deregister alice', q(3)], 1);
  await settle();
  assert.deepEqual(p.log, ['start query-dht alice 1']);
  await p.answer(q(1));
  assert.equal(p.log.at(-1), 'start query-dht alice 2');
  await p.answer(q(2));
  assert.equal(await p.finished, 'ended');
  assert.equal(p.most(), 1);
  assert.deepEqual(p.queue, [q(3)], 'the line after the deregister is never read');
  assert.deepEqual(p.lines.filter((l) => l.endsWith(' done')), [`${q(1)} done`, `${q(2)} done`, 'deregister alice done']);
});

test('only a query with an event id runs beside others', () => {
  assert.equal(isPipelinable(['query-dht', 'alice', '5536849']), true);
  assert.equal(isPipelinable(['query-dht', 'alice', 'x']), true, 'a bad id fails locally, and never prompts');
  assert.equal(isPipelinable(['query-dht', 'alice']), false, 'without an id it may prompt for one (D1)');
  for (const tokens of [['status'], ['register', 'alice'], ['setup-dht', 'alice', '5', '1996'], ['query-dht', 'alice', '1', '2'], ['leave-dht', 'alice']]) {
    assert.equal(isPipelinable(tokens), false, tokens.join(' '));
  }
});
