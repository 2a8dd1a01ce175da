// retransmit-notes.ts on a virtual clock (issue 15): a request sent again gets a line for its first
// copy resent, at most one more per 5 s, and one last line: always when it times out, and on its
// answer when copies went unmentioned. A manager gone for 10 s used to make 255 lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RETRANSMIT_FORGET_MS, RETRANSMIT_NOTE_INTERVAL_MS, RetransmitNotes } from '../../src/transport/retransmit-notes.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';

function notes(): { clock: VirtualClock; rn: RetransmitNotes; lines: string[] } {
  const clock = new VirtualClock(1_000);
  const lines: string[] = [];
  const rn = new RetransmitNotes(clock, (text, level) => lines.push(`${level}: ${text}`));
  return { clock, rn, lines };
}

/** Resends `rid` every `everyMs` from copy 2 to copy `last`, as an endpoint with that timeout does. */
function resend(clock: VirtualClock, rn: RetransmitNotes, rid: string, everyMs: number, last: number, first = 2): void {
  for (let copy = first; copy <= last; copy++) {
    clock.advance(everyMs);
    rn.resent(rid, 'members', 'manager', copy);
  }
}

test('a manager gone for 10 s: 255 copies at 40 ms make 3 lines, not 255', () => {
  const { clock, rn, lines } = notes();
  resend(clock, rn, 'r.1', 40, 250);
  clock.advance(40);
  rn.timedOut('r.1', 'members', 'manager');
  assert.deepEqual(lines, [
    'info: retransmitting members to manager (attempt 2)',
    // 5 s after the first line: 125 intervals of 40 ms later, copy 127.
    'info: retransmitting members to manager (attempt 127)',
    'warn: no response from manager to members: sent 250 times in 10.0 s',
  ]);
  assert.equal(rn.size, 0);
});

test('at most one line per request per interval, however the copies are spaced', () => {
  const clock = new VirtualClock();
  const times: number[] = [];
  const rn = new RetransmitNotes(clock, () => times.push(clock.now()));
  for (let copy = 2; copy <= 200; copy++) {
    clock.advance(copy % 7 === 0 ? 900 : 13);
    rn.resent('r.2', 'find-event', 'carol', copy);
  }
  // 199 copies over about 27 s: the first line, then one with the first copy 5 s after the line before.
  assert.ok(times.length >= 5, `${times.length} lines`);
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!;
    assert.ok(gap >= RETRANSMIT_NOTE_INTERVAL_MS && gap < RETRANSMIT_NOTE_INTERVAL_MS + 900, `lines ${i - 1} and ${i}: ${gap} ms apart`);
  }
});

test('answered after copies that were not mentioned: one last line; after the ones mentioned: none', () => {
  const { clock, rn, lines } = notes();
  resend(clock, rn, 'r.3', 200, 4);
  clock.advance(50);
  rn.answered('r.3');
  assert.deepEqual(lines, ['info: retransmitting members to manager (attempt 2)', 'info: manager answered members after 4 copies in 0.5 s']);

  lines.length = 0;
  // One copy resent, then the answer (the spurious copy of a slow reply): the one line says it all.
  resend(clock, rn, 'r.4', 40, 2);
  rn.answered('r.4');
  assert.deepEqual(lines, ['info: retransmitting members to manager (attempt 2)']);
  assert.equal(rn.size, 0);
});

test('requests are summarised apart; answers and timeouts of requests never resent change nothing or say what they always said', () => {
  const { clock, rn, lines } = notes();
  rn.resent('a', 'find-event', 'carol', 2);
  rn.resent('b', 'find-event', 'dave', 2);
  clock.advance(10);
  rn.resent('a', 'find-event', 'carol', 3);
  rn.answered('never-resent');
  rn.answered('b');
  rn.timedOut('c', 'store', 'erin');
  rn.timedOut('a', 'find-event', 'carol');
  assert.deepEqual(lines, [
    'info: retransmitting find-event to carol (attempt 2)',
    'info: retransmitting find-event to dave (attempt 2)',
    'warn: no response from erin to store',
    'warn: no response from carol to find-event: sent 3 times in 0.0 s',
  ]);
});

test('a request cancelled without an event is forgotten after a quiet minute, with no line', () => {
  const { clock, rn, lines } = notes();
  rn.resent('gone', 'find-event', 'carol', 2);
  clock.advance(RETRANSMIT_FORGET_MS);
  rn.resent('next', 'members', 'manager', 2);
  assert.equal(rn.size, 1);
  rn.answered('gone');
  assert.deepEqual(lines, ['info: retransmitting find-event to carol (attempt 2)', 'info: retransmitting members to manager (attempt 2)']);
});
