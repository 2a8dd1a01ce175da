// What a terminal shows besides the lines: CoalescedWriter's footer (drawn only on a terminal,
// erased before new lines, cut to the width), the peer's distribution progress bar (never in
// --json, never as a line), and the manager's live summary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { CoalescedWriter, type WriterStream } from '../../src/cli/coalesced-writer.js';
import { liveSummary } from '../../src/cli/manager-live-view.js';
import { humanOutput, jsonOutput } from '../../src/cli/peer-output.js';
import type { PeerEvent } from '../../src/peer/events.js';
import { cmd, ok, registered, setup, FIRST } from './manager-fixtures.js';

function stream(isTTY: boolean, columns = 40): WriterStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (t: string) => writes.push(t) };
}

const ERASE = '\r\x1b[2K';
const UP = '\x1b[1A';

test('lines of one turn go out in one write, in order; off a terminal a footer is never drawn', async () => {
  const s = stream(false);
  const w = new CoalescedWriter(s, false);
  w.line('one');
  w.line('two');
  w.setFooter(['a bar']);
  assert.deepEqual(s.writes, [], 'nothing before the turn ends');
  await turn();
  assert.deepEqual(s.writes, ['one\ntwo\n']);
  w.line('three');
  w.flush();
  assert.deepEqual(s.writes, ['one\ntwo\n', 'three\n']);
});

test('on a terminal the footer stays under the lines: erased, lines, drawn again; cut to the width', () => {
  const s = stream(true, 12);
  const w = new CoalescedWriter(s, false);
  w.setFooter(['first footer line', 'second']);
  w.flush();
  assert.deepEqual(s.writes, ['first foote\nsecond']);
  w.line('a trace line');
  w.flush();
  assert.equal(s.writes[1], `${ERASE}${UP}${ERASE}a trace line\nfirst foote\nsecond`);
  w.setFooter([]);
  w.flush();
  assert.equal(s.writes[2], `${ERASE}${UP}${ERASE}`, 'an empty footer erases the old one');
  w.line('after');
  w.flush();
  assert.equal(s.writes[3], 'after\n', 'nothing left to erase');
});

const progress = (done: number, finished = false): PeerEvent => ({ kind: 'progress', task: 'setup', year: '1996', done, total: 38_851, finished });

test('the peer draws a distribution as a throttled bar in the footer, and erases it at the end; never as a line', () => {
  const lines: string[] = [];
  const footers: (readonly string[])[] = [];
  let now = 1_000;
  const out = humanOutput((l) => lines.push(l), { set: (f) => footers.push(f), columns: () => 80, now: () => now });
  out.event(progress(1_000));
  out.event(progress(2_000)); // within 100 ms of the last frame: not drawn
  now += 150;
  out.event(progress(19_426));
  out.event(progress(38_851, true));
  assert.equal(footers.length, 3);
  assert.match(footers[0]![0]!, /^distributing 1996 \(setup\) \[#*-+\]\s+2%\s+1000 records \/ 38851 records$/);
  assert.match(footers[1]![0]!, /\s50%\s/);
  assert.deepEqual(footers[2], []);
  assert.deepEqual(lines, []);
  const json: string[] = [];
  const j = jsonOutput((l) => json.push(l));
  j.event(progress(5));
  j.event({ kind: 'note', level: 'info', text: 'x' });
  assert.deepEqual(json, ['{"type":"event","event":"note","level":"info","text":"x"}']);
  // Without a footer (a pipe), progress is simply dropped.
  const piped: string[] = [];
  humanOutput((l) => piped.push(l)).event(progress(5));
  assert.equal(piped.length, 0);
});

test('the manager summary names the peers and their states, the DHT and what it waits for', () => {
  const idle = liveSummary(registered([] as string[]), 0, 0);
  assert.deepEqual(idle, ['── peers: 0 (0 leader, 0 in the DHT, 0 free)', '── DHT: none', '── waiting for: nothing']);
  const building = ok(registered(['alice', 'bob', 'carol', 'dave']), setup('alice', 3, '1950'), FIRST);
  assert.deepEqual(liveSummary(building, 10_000, 13_500), [
    '── peers: 4 (1 leader, 2 in the DHT, 1 free): alice Leader · bob InDHT · carol InDHT · dave Free',
    '── DHT: 1950, 3 nodes, leader alice, being built: alice → bob → carol',
    '── waiting for: dht-complete from alice (3 s)',
  ]);
  const complete = ok(building, cmd('dht-complete', 'alice'));
  assert.match(liveSummary(complete, 0, 0)[1]!, /, complete: /);
});
