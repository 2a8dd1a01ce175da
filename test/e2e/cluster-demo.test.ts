// `npm start`, the guided demo inside the cluster, run non-interactively (stdin and stdout are
// pipes): each step of SPEC §11.2 announced in one line, its commands echoed as typed with every
// process's output labelled, SPEC §13's counts on the real 1996 file, exit 0; and exit 1 with
// "demo FAILED: …" when a result is wrong. Real processes, peer ports 27800-27999.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { generateYearText } from '../../src/data/synthetic.js';
import { PROJECT_ROOT, SHARED_DATA_DIR, skipUnlessYear } from '../helpers/shared-data.js';
import { misroutedTraces, nodeProcessesNaming, parseLine, runToEnd, textsOf, type Finished } from './cluster-cli.js';

const PORTS = '27800-27999';
const SIX = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const STEP = /^── step (\d+): (.*)$/;

/** `npm start -- <args>` in the project, stdin a pipe that ends at once. */
function npmStart(args: readonly string[]): Promise<Finished> {
  return runToEnd(['start', '--silent', '--', '--port-range', PORTS, ...args], '', { cwd: PROJECT_ROOT, command: ['npm'] });
}

/** The output split at the step announcements: steps[n] holds step n's lines (its announcement first). */
function bySteps(lines: readonly string[]): Map<number, string[]> {
  const steps = new Map<number, string[]>();
  let current: string[] | null = null;
  for (const line of lines) {
    const m = STEP.exec(line);
    if (m) steps.set(Number(m[1]), (current = [line]));
    else current?.push(line);
  }
  return steps;
}

/** Checks what every run of the demo shows, and returns the output by step. */
function assertGuidedDemo(r: Finished): Map<number, string[]> {
  const all = r.stdout.join('\n');
  assert.equal(r.code, 0, `exit status; stderr: ${r.stderr}\n${all}`);
  const steps = bySteps(r.stdout);
  assert.deepEqual([...steps.keys()], [1, 2, 3, 4, 5, 6, 7, 8, 9], 'nine steps announced in order');
  for (const [n, lines] of steps) {
    assert.ok(lines.slice(1).some((l) => parseLine(l).kind === 'echo'), `step ${n} shows the commands it runs`);
  }
  assert.deepEqual(textsOf(steps.get(1)!, 'alice').at(-1), 'register SUCCESS');
  for (const name of SIX) {
    assert.ok(textsOf(steps.get(1)!, name).includes('register SUCCESS'), `${name} registered in step 1`);
    assert.ok(textsOf(steps.get(8)!, name).some((t) => t.startsWith(`status: name=${name} state=Free `)), `${name} is Free after teardown`);
    assert.ok(textsOf(steps.get(9)!, name).includes('deregister SUCCESS'), `${name} deregistered in step 9`);
  }
  assert.equal(r.stdout.at(-1), 'demo complete: every step gave the expected result');
  assert.ok(!all.includes('demo FAILED'));
  assert.deepEqual(misroutedTraces(r.stdout), []);
  return steps;
}

/** The peer named first in step n's announcement (steps 3 and 4 name X and Y first). */
function firstNamed(steps: Map<number, string[]>, n: number): string {
  return STEP.exec(steps.get(n)![0]!)![2]!.split(',')[0]!;
}

describe('npm start: the guided demo in the cluster', () => {
  test('on the real 1996 file: every step announced and shown, with SPEC §13\'s counts', { skip: skipUnlessYear('1996') }, async () => {
    const r = await npmStart(['--data-dir', SHARED_DATA_DIR]);
    assert.match(r.stdout.join('\n'), /^data: details-1996\.csv from .* \(NOAA Storm Events; l = 48561, s = 97127\)$/m);
    const steps = assertGuidedDemo(r);
    assert.equal(steps.get(2)![0], '── step 2: alice builds a DHT of 5 peers over 1996; the peer left out is the one whose status reads Free');
    assert.ok(textsOf(steps.get(2)!, 'alice').includes('stored 48561 records (s = 97127): 9710 / 9720 / 9714 / 9700 / 9717'));

    // Step 3: X, the one peer whose status read Free, queries SPEC §11.2's four ids.
    const x = firstNamed(steps, 3);
    assert.ok(textsOf(steps.get(2)!, x).some((t) => t.startsWith(`status: name=${x} state=Free `)));
    const echoed = steps.get(3)!.map(parseLine).flatMap((l) => (l.kind === 'echo' ? [l.command] : []));
    assert.deepEqual(echoed, [5536849, 2402920, 5539287, 55770111].map((id) => `query-dht ${x} ${id}`));
    assert.ok(textsOf(steps.get(3)!, x).includes('Storm event 2402920 not found in the DHT.'));
    assert.ok(textsOf(steps.get(3)!, x).includes('cz_name: SHELBY'), 'the record of 5536849 (SPEC §12)');

    const y = firstNamed(steps, 4);
    assert.ok(textsOf(steps.get(4)!, y).includes('records per node: 12169 / 12144 / 12128 / 12120'));
    assert.ok(textsOf(steps.get(5)!, y).includes('query-dht SUCCESS'));
    assert.ok(textsOf(steps.get(6)!, x).includes('records per node: 9710 / 9720 / 9714 / 9700 / 9717'));
  });

  test('on the synthetic 1996 (--synthetic): the same nine steps, the data labelled synthetic', async () => {
    const r = await npmStart(['--synthetic']);
    assert.match(r.stdout.join('\n'), /^data: SYNTHETIC details-1996\.csv generated by stormdht in .* \(not NOAA data; /m);
    assertGuidedDemo(r);
  });

  test('with a system secret (--secret): the same nine steps, every process authenticating every datagram', async () => {
    const r = await npmStart(['--synthetic', '--secret', 'a test secret']);
    assertGuidedDemo(r);
    const authenticated = r.stdout.filter((l) => l.endsWith('every datagram is authenticated with the system secret'));
    assert.ok(authenticated.some((l) => l.startsWith('[manager')), `the manager runs with the secret:\n${authenticated.join('\n')}`);
  });

  test('a wrong result ends the demo: "demo FAILED: …", exit 1, no process left', async () => {
    // An unlabelled 1996 file counts as real, so the demo queries SPEC's ids, which it lacks.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stormdht-demo-fail-'));
    try {
      writeFileSync(path.join(dir, 'details-1996.csv'), generateYearText('1996', { records: 400 }));
      const r = await npmStart(['--data-dir', dir]);
      assert.equal(r.code, 1, r.stdout.join('\n'));
      assert.equal(r.stdout.at(-1), 'demo FAILED: query of 5536849 gave found=false');
      assert.equal(bySteps(r.stdout).size, 3, 'the demo stops in step 3');
      assert.equal(nodeProcessesNaming(dir), '', 'peer processes left behind');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
