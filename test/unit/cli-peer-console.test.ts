// peer-console.ts and peer-help.ts (issue 15): who feeds a peer's stdin and what follows from it
// (a prompt, D1's question, the exit status); help's list and each command's help, in both output
// modes; quit; Tab completion; a script's failures counted, the first by line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  asksForEventId,
  commandPrompt,
  consoleCommand,
  consoleOutput,
  endOfInputMessage,
  FailureTally,
  missingEventId,
  peerInput,
  quitResult,
  runLine,
} from '../../src/cli/peer-console.js';
import { completePeerLine, helpLines, helpResult, PEER_CONSOLE_COMMANDS } from '../../src/cli/peer-help.js';
import { jsonOutput, type PeerOutput } from '../../src/cli/peer-output.js';
import { USAGE } from '../../src/peer/commands.js';
import { failure, success, type CommandResult } from '../../src/peer/events.js';
import type { PeerNode } from '../../src/peer/node.js';

test('the input: a terminal, a script (human mode off a terminal) or a program (--json, on a terminal or not)', () => {
  assert.equal(peerInput(true, false), 'terminal');
  assert.equal(peerInput(false, false), 'script');
  assert.equal(peerInput(false, true), 'program');
  assert.equal(peerInput(true, true), 'program');
});

test('D1 asks for an id on a terminal and of a program (a prompt event), never in a script', () => {
  assert.equal(asksForEventId('terminal'), true);
  assert.equal(asksForEventId('program'), true, 'SPEC D1: in JSON mode the question is a prompt event');
  assert.equal(asksForEventId('script'), false, 'the next line of a script is a command, not an answer');
});

test('a script\'s missing id: one line that says the id is missing, why, and how to give it', () => {
  // D1's question as procedures/query.ts words it.
  const asked = 'no readable copy of details-1950.csv (cannot read /d/details-1950.csv: no such file); enter an event id:';
  const message = missingEventId(asked);
  assert.equal(
    message,
    'event id missing: no readable copy of details-1950.csv (cannot read /d/details-1950.csv: no such file), so there is none to pick; a script is not asked for one: give it as query-dht <name> <event-id>',
  );
  assert.ok(!message.includes('\n'));
});

test('the prompt names the peer once registered', () => {
  assert.equal(commandPrompt(null), 'stormdht peer> ');
  assert.equal(commandPrompt('alice'), 'alice> ');
});

test('Ctrl-D says what happens: an unregistered peer exits, a registered one keeps serving until Ctrl-C', () => {
  assert.match(endOfInputMessage(null), /not registered, so the peer exits$/);
  assert.match(endOfInputMessage('alice'), /alice stays registered and keeps serving the DHT until Ctrl-C, which stops it without deregistering$/);
});

test('help, quit and exit are the console\'s; everything else goes to the peer', () => {
  assert.equal(consoleCommand(['help']), 'help');
  assert.equal(consoleCommand(['help', 'register']), 'help');
  assert.equal(consoleCommand(['quit']), 'quit');
  assert.equal(consoleCommand(['exit']), 'quit');
  assert.equal(consoleCommand(['status']), null);
  assert.equal(consoleCommand(['query-dht', 'alice']), null);
});

test('help lists every command once, one line each: the protocol\'s syntax as USAGE has it, then help and quit | exit', () => {
  const result = helpResult([]);
  assert.equal(result.ok, true);
  const rows = result.data!.commands as Array<{ usage: string; summary: string }>;
  assert.deepEqual(
    rows.map((r) => r.usage),
    [...Object.values(USAGE), 'help [<command>]', 'quit | exit'],
  );
  for (const r of rows) assert.ok(r.summary.length > 0 && !r.summary.includes('\n'), r.usage);
  const lines = helpLines(result.data!);
  assert.equal(lines[0], 'commands (help <command> tells more about one):');
  // One line per command, the summaries in one column.
  const listed = lines.filter((l) => l.startsWith('  '));
  assert.equal(listed.length, rows.length);
  const column = listed[0]!.indexOf(rows[0]!.summary);
  for (const [i, l] of listed.entries()) assert.equal(l.indexOf(rows[i]!.summary), column, l);
});

test('help <command> gives its syntax and what it does, for every command a peer takes', () => {
  for (const command of PEER_CONSOLE_COMMANDS) {
    const result = helpResult([command]);
    assert.equal(result.ok, true, command);
    const lines = helpLines(result.data!);
    assert.ok(lines.length >= 2, `${command}: a summary and some detail`);
    assert.ok(lines[0]!.startsWith(`${USAGE[command] ?? command}`), lines[0]);
  }
  const query = helpLines(helpResult(['query-dht']).data!);
  assert.equal(query[0], 'query-dht <name> [<event-id>]: look an event up (no id: a random one of the year)');
  assert.ok(query.some((l) => l.includes('a script must give the id on the same line')), query.join('\n'));
});

test('help for a word that is no command, or with two words, fails saying so', () => {
  assert.deepEqual(helpResult(['me']), failure('help', 'unknown command "me": help lists the commands'));
  assert.deepEqual(helpResult(['query-dht', 'alice']), failure('help', 'usage: help [<command>]'));
});

test('quit: a registered peer is told it did not deregister; extra words fail it', () => {
  assert.deepEqual(quitResult(['quit'], null), success('quit'));
  assert.deepEqual(quitResult(['exit'], null), success('exit'));
  assert.match(String(quitResult(['quit'], 'alice').data?.message), /^alice stops without deregistering/);
  assert.deepEqual(quitResult(['quit', 'now'], 'alice'), failure('quit', 'usage: quit'));
});

test('runLine: quit closes the sockets as Ctrl-C does (no deregister); help asks the peer nothing', async () => {
  const calls: string[] = [];
  const node = {
    name: 'alice',
    detach: async () => void calls.push('detach'),
    managerRequest: async () => void calls.push('manager'),
  } as unknown as PeerNode;
  const noAsk = async () => null;
  assert.equal((await runLine(node, ['help'], noAsk)).ok, true);
  assert.deepEqual(calls, []);
  assert.equal((await runLine(node, ['quit', 'now'], noAsk)).ok, false);
  assert.deepEqual(calls, [], 'a failed quit does not close anything');
  assert.equal((await runLine(node, ['quit'], noAsk)).ok, true);
  assert.deepEqual(calls, ['detach']);
});

/** A human output that records what it is given, and consoleOutput over it. */
function humanRecorder(): { out: PeerOutput; written: string[]; passed: CommandResult[] } {
  const written: string[] = [];
  const passed: CommandResult[] = [];
  const base: PeerOutput = { event: () => {}, result: (r) => passed.push(r) };
  return { out: consoleOutput(base, (line) => written.push(line)), written, passed };
}

test('human mode: help prints its text (no "help SUCCESS"), quit its sentence; failures and other results as before', () => {
  const { out, written, passed } = humanRecorder();
  out.result(helpResult(['status']));
  assert.deepEqual(written, helpLines(helpResult(['status']).data!));
  written.length = 0;
  out.result(quitResult(['quit'], 'alice'));
  assert.equal(written.length, 1);
  assert.match(written[0]!, /^alice stops without deregistering/);
  written.length = 0;
  out.result(quitResult(['quit'], null));
  assert.deepEqual(written, [], 'an unregistered peer just goes');
  const others = [helpResult(['me']), success('status'), failure('frobnicate', 'unknown command')];
  for (const r of others) out.result(r);
  assert.deepEqual(passed, others);
  assert.deepEqual(written, []);
});

test('--json: help and quit are result lines like any command\'s (SPEC §14: one per command typed)', () => {
  const lines: string[] = [];
  const out = jsonOutput((l) => lines.push(l));
  out.result(helpResult(['status']));
  out.result(quitResult(['quit'], null));
  const [help, quit] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual([help!.type, help!.command, help!.ok, help!.topic, help!.usage], ['result', 'help', true, 'status', 'status']);
  assert.deepEqual(quit, { type: 'result', command: 'quit', ok: true });
});

test('Tab completes a command, a command after help, and the peer\'s own name after a command that names it', () => {
  assert.deepEqual(completePeerLine('que', null), [['query-dht '], 'que']);
  assert.deepEqual(completePeerLine('help lea', null), [['leave-dht '], 'lea']);
  assert.deepEqual(completePeerLine('query-dht a', 'alice'), [['alice '], 'a']);
  assert.deepEqual(completePeerLine('query-dht a', null), [[], 'a'], 'no name before register');
  assert.deepEqual(completePeerLine('status a', 'alice'), [[], 'a'], 'status takes no name');
  assert.deepEqual(completePeerLine('d', null), [['dht-complete', 'deregister'], 'd'], 'several: listed, none chosen');
});

test('a script\'s failures: exit status 1 once one failed; stderr names the one on the earliest line', () => {
  const tally = new FailureTally();
  tally.record(1, 'status', success('status'));
  assert.equal(tally.exitCode, 0);
  assert.equal(tally.summary(), null);
  // Pipelined queries may finish out of order: line 7's result comes before line 4's.
  tally.record(7, 'query-dht alice 9', failure('query-dht', 'no DHT exists'));
  tally.record(4, 'query-dht  alice 1 ', failure('query-dht', 'peer is InDHT'));
  assert.equal(tally.exitCode, 1);
  assert.equal(tally.summary(), 'stormdht peer: 2 commands failed; the first, stdin line 4 "query-dht  alice 1": peer is InDHT');
});
