// The manager's state directory (issue 13, first step): a command's change as deltas that replay to
// the same state (state-delta.ts), and the journal (journal.ts): records survive a reopen, a torn
// last write is dropped and said so, a damaged record with records after it is refused naming the
// file, a snapshot compacts the journal, and the files are mode 0600.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyDeltas, diffState, snapshotOf, stateOf, type Delta } from '../../src/manager/state-delta.js';
import { decodeLine, encodeLine, JOURNAL_FILE, SNAPSHOT_FILE, StateDir, StateDirError } from '../../src/manager/journal.js';
import type { ManagerState } from '../../src/manager/state.js';
import { tempDir } from '../helpers/temp-dir.js';
import { cmd, mulberry32, ok, reg, rebuilt, registered, setup, SIX } from './manager-fixtures.js';

/** Every state of a life cycle: registrations, a setup, its completion, a leave, its rebuild, a deregister. */
function lifeCycle(): ManagerState[] {
  const states: ManagerState[] = [registered(SIX.slice(0, 5))];
  const next = (f: (s: ManagerState) => ManagerState) => states.push(f(states[states.length - 1]!));
  next((s) => ok(s, reg('frank', 7011, 7012)));
  next((s) => ok(s, setup('alice', 4), mulberry32(3)));
  next((s) => ok(s, cmd('dht-complete', 'alice')));
  const member = () => states[states.length - 1]!.dht!.members[2]!;
  const leaver = member();
  next((s) => ok(s, cmd('leave-dht', leaver)));
  const members = states[states.length - 1]!.dht!.members;
  const newLeader = members[(members.indexOf(leaver) + 1) % members.length]!;
  next((s) => ok(s, rebuilt(leaver, newLeader)));
  next((s) => ok(s, cmd('deregister', leaver)));
  return states;
}

test('the deltas of every command replay to the state it made, registration order included', (t) => {
  const states = lifeCycle();
  for (let i = 1; i < states.length; i++) {
    const deltas = diffState(states[i - 1]!, states[i]!);
    assert.ok(deltas.length > 0, `step ${i} changed something`);
    const replayed = applyDeltas(states[i - 1]!, JSON.parse(JSON.stringify(deltas)) as Delta[]);
    assert.deepEqual(snapshotOf(replayed), snapshotOf(states[i]!), `step ${i}`);
    assert.deepEqual([...replayed.peers.keys()], [...states[i]!.peers.keys()]);
  }
  assert.deepEqual(diffState(states[3]!, states[3]!), [], 'no change, no delta');
  const last = states[states.length - 1]!;
  assert.deepEqual(snapshotOf(stateOf(JSON.parse(JSON.stringify(snapshotOf(last))), 1)), snapshotOf(last));
});

const isNumberBody = (v: unknown): v is number => typeof v === 'number';
const isText = (v: unknown): v is string => typeof v === 'string';

test('a line holds its checksum: any change to it is found', () => {
  const line = encodeLine({ seq: 1, body: 42 });
  assert.deepEqual(decodeLine(line.trimEnd()), { seq: 1, body: 42 });
  assert.equal(decodeLine(line.trimEnd().replace('42', '43')), null);
  assert.equal(decodeLine(line.slice(0, 12)), null);
});

test('records written are read back after a reopen, and the files are mode 0600', (t) => {
  const dir = tempDir(t, 'stormdht-journal-');
  const { store } = StateDir.open(dir, isText, isNumberBody);
  assert.equal(store.append(10), 1);
  assert.equal(store.append(20), 2);
  store.close();
  const { store: again, recovered } = StateDir.open(dir, isText, isNumberBody);
  assert.deepEqual(recovered, { snapshot: null, entries: [{ seq: 1, body: 10 }, { seq: 2, body: 20 }], dropped: null });
  assert.equal(again.append(30), 3);
  again.close();
  assert.equal(statSync(path.join(dir, JOURNAL_FILE)).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test('a torn last write is dropped and said so in one line; the records before it stay', (t) => {
  const dir = tempDir(t, 'stormdht-journal-');
  const { store } = StateDir.open(dir, isText, isNumberBody);
  store.append(10);
  store.append(20);
  store.close();
  const file = path.join(dir, JOURNAL_FILE);
  appendFileSync(file, encodeLine({ seq: 3, body: 30 }).slice(0, 15));
  const { store: again, recovered } = StateDir.open(dir, isText, isNumberBody);
  assert.deepEqual(recovered.entries.map((e) => e.body), [10, 20]);
  assert.match(recovered.dropped ?? '', /^dropped 15 bytes at the end of .*journal\.log: a record cut short by a torn write$/);
  assert.equal(again.append(31), 3, 'the next record takes the dropped one\'s place');
  again.close();
  assert.deepEqual(StateDir.open(dir, isText, isNumberBody).recovered.entries.map((e) => e.body), [10, 20, 31]);
});

test('a damaged last record is dropped; a damaged record with records after it is refused, naming the file', (t) => {
  const dir = tempDir(t, 'stormdht-journal-');
  const file = path.join(dir, JOURNAL_FILE);
  const lines = [1, 2, 3].map((seq) => encodeLine({ seq, body: seq * 10 }));
  writeFileSync(file, lines[0]! + lines[1]! + lines[2]!.replace('30', '99'));
  const { store, recovered } = StateDir.open(dir, isText, isNumberBody);
  store.close();
  assert.deepEqual(recovered.entries.map((e) => e.body), [10, 20]);
  assert.match(recovered.dropped ?? '', /damaged last record .* line 3/);
  writeFileSync(file, lines[0]!.replace('10', '11') + lines[1]! + lines[2]!);
  assert.throws(() => StateDir.open(dir, isText, isNumberBody), (err: unknown) => err instanceof StateDirError && /journal\.log line 1 is damaged and 2 records follow it/.test(err.message));
});

test('a snapshot compacts the journal; a damaged snapshot is refused, naming the file', (t) => {
  const dir = tempDir(t, 'stormdht-journal-');
  const { store } = StateDir.open(dir, isText, isNumberBody);
  store.append(10);
  store.append(20);
  store.compact('state after 2');
  store.append(30);
  store.close();
  assert.equal(statSync(path.join(dir, SNAPSHOT_FILE)).mode & 0o777, 0o600);
  const { recovered } = StateDir.open(dir, isText, isNumberBody);
  assert.deepEqual(recovered.snapshot, { seq: 2, body: 'state after 2' });
  assert.deepEqual(recovered.entries, [{ seq: 3, body: 30 }]);
  writeFileSync(path.join(dir, SNAPSHOT_FILE), readFileSync(path.join(dir, SNAPSHOT_FILE), 'utf8').replace('after', 'afterr'));
  assert.throws(() => StateDir.open(dir, isText, isNumberBody), /snapshot\.json is damaged/);
});
