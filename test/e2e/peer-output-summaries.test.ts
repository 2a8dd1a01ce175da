// A peer's output a person can read (issue 15), with real processes over UDP: with the manager gone,
// a request resent for its whole 10 s budget makes a handful of lines, not one per copy (255 at
// 40 ms); and `status extra` fails with its reason, not with `state=undefined … records=undefined`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { MAIN_SCRIPT, startManager, startPeer } from '../../src/cli/processes.js';

const PORTS = '38340-38359';

test('the manager SIGKILLed: a request resent for 10 s makes at most 3 notes, the last one the count', async (t) => {
  const manager = await startManager();
  t.after(() => manager.proc.stop());
  const peer = startPeer('dora', manager, { portRange: PORTS });
  t.after(() => peer.stop());
  assert.equal((await peer.run('register dora')).ok, true);
  await manager.proc.stop('SIGKILL');
  const from = peer.lines.length;
  const result = await peer.run('members dora', 20_000);
  assert.equal(result.ok, false);
  assert.equal(result.error, 'no response from manager');
  const notes = peer.lines.slice(from).filter((l) => l.event === 'note').map((l) => `${l.level}: ${l.text}`);
  assert.ok(notes.length >= 2 && notes.length <= 3, notes.join('\n'));
  assert.equal(notes[0], 'info: retransmitting members to manager (attempt 2)');
  // The copies go every 40 ms or so (the manager's round trip was measured on loopback).
  const last = /^warn: no response from manager to members: sent ([0-9]+) times in (9|10)\.[0-9] s$/.exec(notes.at(-1)!);
  assert.ok(last !== null, notes.join('\n'));
  assert.ok(Number(last[1]) > 20, `${last[1]} copies`);
});

test('status with an argument fails with its usage, and prints no figures it does not have', () => {
  // No manager is needed for status: it is answered by the peer itself.
  const run = spawnSync(process.execPath, [MAIN_SCRIPT, 'peer', '127.0.0.1', '38359', '--port-range', PORTS], { input: 'status extra\nstatus\n', encoding: 'utf8', timeout: 20_000 });
  const lines = run.stdout.trimEnd().split('\n');
  assert.deepEqual(lines, ['status FAILURE (usage: status)', 'status: name=- state=Unregistered id=- ringSize=- records=0', 'status SUCCESS'], run.stdout + run.stderr);
  assert.ok(!run.stdout.includes('undefined'));
});
