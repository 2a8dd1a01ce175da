// The demo keeps each step's lines inside that step, in the order they happened (issue 15). Each
// process writes through a pipe of its own, so a hop's trace could come in after the querier's
// result and land under the next command, or under the next step's header. Here every line of the
// demo's output must sit under the command it belongs to: a trace of a message a command sends
// (register, setup-dht, query-dht, …, and a query's find-event and find-result by event id) and a
// result line come after that command's echo and before the next command's, and so before the
// next step's header. Real processes, synthetic 1996, peer ports 39500-39699.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLine, runToEnd } from './cluster-cli.js';

const STEP = /^── step (\d+): /;

/** The commands whose messages name them: `alice → manager: register alice …`, `manager → alice: register SUCCESS`. */
const COMMAND_WORDS = new Set(['register', 'deregister', 'setup-dht', 'leave-dht', 'join-dht', 'teardown-dht', 'query-dht', 'members']);

/** One command of a step: its echoed line, and the lines printed from there to the next echo or header. */
interface Segment {
  readonly step: number;
  readonly command: string;
  readonly lines: string[];
}

/** The output cut at every step header and every echoed command; the lines before a step's first echo go to a segment of command "". */
function segments(stdout: readonly string[]): Segment[] {
  const out: Segment[] = [];
  let step = 0;
  for (const line of stdout) {
    const header = STEP.exec(line);
    if (header) {
      step = Number(header[1]);
      out.push({ step, command: '', lines: [] });
      continue;
    }
    if (step === 0 || line === '') continue;
    const l = parseLine(line);
    if (l.kind === 'echo') out.push({ step, command: l.command, lines: [] });
    else out.at(-1)!.lines.push(line);
  }
  return out;
}

/**
 * Why `line` does not belong under `command`, or null when it may. A trace of a command's message
 * needs that command, run by the peer at the other end of the manager's trace; a find-event or
 * find-result needs the query of its event id; a result line needs its command run by its peer.
 */
function misplaced(line: string, command: string): string | null {
  const l = parseLine(line);
  if (l.kind !== 'labelled') return null;
  const [word = '', peer = '', id = ''] = command.split(' ');
  const trace = /^([A-Za-z]+) → ([A-Za-z]+): (\S+)(.*)$/.exec(l.text);
  if (trace) {
    const [, from, to, message, rest] = trace as unknown as [string, string, string, string, string];
    if (message === 'find-event' || message === 'find-result') {
      const eventId = /eventId=(\d+)/.exec(rest)?.[1];
      return word === 'query-dht' && eventId === id ? null : `a ${message} of ${eventId}`;
    }
    if (!COMMAND_WORDS.has(message)) return null;
    const other = from === 'manager' ? to : to === 'manager' ? from : null;
    return word === message && (other === null || other === peer) ? null : `a ${message} message of ${other ?? 'a peer'}`;
  }
  const result = /^([a-z-]+) (SUCCESS|FAILURE)( \(.*\))?$/.exec(l.text);
  if (result) {
    const ran = word === 'status' ? command === 'status' || peer === l.label : peer === l.label;
    return result[1] === word && ran ? null : `${l.label}'s ${result[1]} result`;
  }
  return null;
}

test('the demo: each command\'s lines under it, each step\'s before the next header', async () => {
  const r = await runToEnd(['demo', '--synthetic', '--port-range', '39500-39699'], '');
  assert.equal(r.code, 0, `stderr: ${r.stderr}\n${r.stdout.join('\n')}`);
  const all = segments(r.stdout);
  assert.deepEqual([...new Set(all.map((s) => s.step))], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'ten steps');
  const wrong: string[] = [];
  for (const s of all) {
    // Nothing between a header and its step's first command: the step before has ended.
    if (s.command === '') {
      for (const line of s.lines) wrong.push(`step ${s.step}, before its first command: ${line}`);
      continue;
    }
    for (const line of s.lines) {
      const why = misplaced(line, s.command);
      if (why !== null) wrong.push(`step ${s.step}, under "${s.command}": ${why}: ${line}`);
    }
  }
  assert.deepEqual(wrong, [], r.stdout.join('\n'));
  // The check sees what it checks: every query's own find-result trace and its result under it.
  const queries = all.filter((s) => s.command.startsWith('query-dht '));
  assert.ok(queries.length >= 7, `the demo's queries: ${queries.map((q) => q.command).join(' | ')}`);
  for (const q of queries) {
    const [, querier, id] = q.command.split(' ');
    const texts = q.lines.map(parseLine).flatMap((l) => (l.kind === 'labelled' && l.label === querier ? [l.text] : []));
    const answer = texts.findIndex((t) => new RegExp(`→ ${querier}: find-result eventId=${id} `).test(t));
    assert.ok(answer >= 0 && answer < texts.indexOf('query-dht SUCCESS'), `${q.command}: its find-result, then its result\n${q.lines.join('\n')}`);
  }
});
