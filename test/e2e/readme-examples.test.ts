// The README's examples, run as written (issue 15): each `stormdht>` line of the cluster walk-through
// and the session.txt script, with the README's own command line (`npx stormdht` is this build's
// main.js). Every line the README shows must come out, in the README's order; "..." stands for
// lines left out. The addresses of the processes are the one part that may differ (ports are taken
// as they are free), and so is where the data directory is on this machine. Real processes, on the
// README's default ports 7001-7499; the real data is needed (the README shows it), else skips.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runToEnd } from './cluster-cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const DATA = path.resolve(ROOT, '..', 'shared', 'data', 'storm-events');
const SKIP = existsSync(path.join(DATA, 'details-1950.csv')) ? false : `the real data is not in ${DATA}: the README's examples run on it, and are skipped`;
if (SKIP) console.log(`# ${SKIP}`);

/** The fenced blocks of the README, each as its lines. */
function blocks(): string[][] {
  const found: string[][] = [];
  const re = /^```[a-z]*\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(README); m !== null; m = re.exec(README)) found.push(m[1]!.split('\n').slice(0, -1));
  return found;
}

/** The words after `npx stormdht` on a command line of the README, to run with this build. */
function argsOf(commandLine: string): string[] {
  const m = /npx stormdht (.*?)(?:\s+#.*)?$/.exec(commandLine);
  assert.ok(m, `no npx stormdht in ${JSON.stringify(commandLine)}`);
  return m[1]!.trim().split(/\s+/);
}

/** A line with what may differ from machine to machine made the same: addresses and the data directory. */
function normal(line: string): string {
  return line
    .replace(/127\.0\.0\.1([: ])\d+(?: \d+)?/g, '127.0.0.1$1<port>')
    .replace(/^data: \S+storm-events /, 'data: <dir> ');
}

/** The process a line of the cluster's output is from ("[bob    ] …"), or "" for the cluster's own. */
function labelOf(line: string): string {
  return /^\[([a-z]+) *\] /.exec(line)?.[1] ?? '';
}

/**
 * Every line of `expected` but "...", found in `actual` (normalised) in the same order among the
 * lines of its process: the processes print at once, so lines of two of them may interleave
 * another way on another run, but each process's own lines come in its order.
 */
function assertShownInOrder(expected: readonly string[], actual: readonly string[], what: string): void {
  const next = new Map<string, number>();
  const got = actual.map(normal);
  for (const line of expected) {
    if (line.trim() === '...') continue;
    const label = labelOf(line);
    let i = next.get(label) ?? 0;
    while (i < got.length && (got[i] !== normal(line) || labelOf(actual[i]!) !== label)) i++;
    assert.ok(i < got.length, `${what}: the README shows ${JSON.stringify(line)}, which did not come out in its place. The output was:\n${actual.join('\n')}`);
    next.set(label, i + 1);
  }
}

describe('the README examples, run as written', { skip: SKIP }, () => {
  test('the cluster walk-through: every command and every line it shows', async () => {
    const block = blocks().find((b) => b[0]?.startsWith('$ npx stormdht cluster'));
    assert.ok(block, 'the README has a cluster walk-through starting with "$ npx stormdht cluster"');
    const typed = block.filter((l) => l.startsWith('stormdht> ')).map((l) => l.slice('stormdht> '.length));
    assert.ok(typed.length >= 5 && typed.includes('quit'), `the walk-through types its commands: ${typed.join(' | ')}`);
    // The prompt's banner line is the terminal's; a pipe runs the same lines as a script.
    const shown = block.slice(1).filter((l) => !l.startsWith('type help'));
    const r = await runToEnd(argsOf(block[0]!), `${typed.join('\n')}\n`, { cwd: ROOT });
    // Through a pipe the lines are a script, which stops at its first refused line (exit 1): the
    // walk-through's unknown peer, on purpose. What the README shows after it is not printed then.
    let expected = shown;
    if (r.code === 1) {
      const stopped = /stdin line (\d+): /.exec(r.stderr);
      assert.ok(stopped, `exit 1 without naming the line: ${r.stderr}`);
      const after = typed[Number(stopped[1])];
      const cut = after === undefined ? shown.length : shown.indexOf(`stormdht> ${after}`);
      const refused = shown.slice(shown.indexOf(`stormdht> ${typed[Number(stopped[1]) - 1]}`) + 1, cut);
      assert.ok(refused.length > 0 && refused.every((l) => l.startsWith('cluster: ')), `the script stopped at line ${stopped[1]}, which the README does not show refused: ${r.stderr}`);
      expected = shown.slice(0, cut);
    } else {
      assert.equal(r.code, 0, r.stderr);
    }
    assertShownInOrder(expected, r.stdout, 'cluster walk-through');
  });

  test('the session.txt script: it runs every line and exits 0, printing what the README shows', async () => {
    const all = blocks();
    const i = all.findIndex((b) => b[0]?.startsWith("cat > session.txt <<'END'"));
    assert.ok(i >= 0, 'the README has the session.txt example');
    const script = all[i]!;
    const end = script.indexOf('END');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stormdht-readme-'));
    try {
      writeFileSync(path.join(dir, 'session.txt'), `${script.slice(1, end).join('\n')}\n`);
      const run = script.slice(end + 1).find((l) => l.startsWith('npx stormdht cluster'))!;
      const r = await runToEnd(argsOf(run.split('#')[0]!), '', { cwd: dir });
      assert.equal(r.code, 0, `${r.stderr}\n${r.stdout.join('\n')}`);
      assertShownInOrder(all[i + 1]!, r.stdout, 'session.txt');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('`stormdht data inspect 1950` from the project root finds the data', async () => {
    const r = await runToEnd(['data', 'inspect', '1950'], '', { cwd: ROOT });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout[0]!, /^details-1950\.csv in \S+storm-events: /);
  });
});
