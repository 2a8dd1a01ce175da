// held-output.ts: output caused while work is held is shown when the work returns, in order, also
// when the work throws; outside a hold it is shown at once; a nested hold is part of the outer one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeldOutput } from '../../src/transport/held-output.js';

test('output is shown at once outside a hold, and after the work, in order, inside one', () => {
  const out = new HeldOutput();
  const log: string[] = [];
  out.run(() => log.push('before'));
  out.hold(() => {
    out.run(() => log.push('line 1'));
    log.push('work sends');
    out.hold(() => out.run(() => log.push('line 2 (nested)')));
    out.run(() => log.push('line 3'));
    log.push('work ends');
  });
  out.run(() => log.push('after'));
  assert.deepEqual(log, ['before', 'work sends', 'work ends', 'line 1', 'line 2 (nested)', 'line 3', 'after']);
});

test('work that throws still shows what it caused, and the next output is not held', () => {
  const out = new HeldOutput();
  const log: string[] = [];
  assert.throws(() =>
    out.hold(() => {
      out.run(() => log.push('line'));
      throw new Error('handler failed');
    }),
  );
  out.run(() => log.push('next'));
  assert.deepEqual(log, ['line', 'next']);
});
