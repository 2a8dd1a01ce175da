// Helpers of kill.test.ts: SIGKILL/SIGSTOP at a chosen trace line, the checks after the manager
// gave up on a dead peer (its `gave up: …` note in time, dht-reset to every member, every
// survivor Free with no records) and the proof that the system is usable again (a new setup
// among the survivors with SPEC §13's counts, queries against the file, teardown). Not a test file.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import type { JsonLine } from '../../src/cli/processes.js';
import { decode, encode } from '../../src/wire/codec.js';
import { registeredAddress } from './faults-demo.js';
import { isNote, isRunning, isTrace, timeOf, type Driver, type Fleet } from './faults-fleet.js';
import { assertQuery, assertSetup, sampleIds, show } from './faults-oracle.js';

/** The manager's --await-timeout in these tests, in seconds. */
export const AWAIT_TIMEOUT_S = 4;
/** How late after the deadline the give-up may be seen (scheduling, pipes). */
export const GIVE_UP_SLACK_MS = 2_000;

/** Waits for the line, then sends `signal` to `d` at once; resolves with the time of the signal. */
export async function signalOn(d: Driver, test: (l: JsonLine) => boolean, signal: NodeJS.Signals, timeoutMs = 60_000): Promise<number> {
  await d.waitForLine(test, timeoutMs);
  d.child.kill(signal);
  return Date.now();
}

/** SIGKILL and wait for the exit. */
export async function kill(d: Driver): Promise<number> {
  d.child.kill('SIGKILL');
  const at = Date.now();
  assert.equal(await d.exited, 'SIGKILL', `${d.label} should die of SIGKILL`);
  return at;
}

export interface GiveUpCheck {
  /** What the manager waited for (dht-complete, dht-rebuilt or teardown-complete) and from whom. */
  readonly awaited: 'dht-complete' | 'dht-rebuilt' | 'teardown-complete';
  readonly victim: string;
  /** The manager's SUCCESS line that put it into the Await mode, e.g. /^setup-dht SUCCESS/. */
  readonly awaitStart: RegExp;
  /** When the victim was killed. */
  readonly killedAt: number;
  /** Every peer the manager must tell with dht-reset (the members, and a joiner). */
  readonly notified: readonly string[];
}

/**
 * The manager gave up within the timeout (counted from entering the Await mode, seen no later than
 * AWAIT_TIMEOUT_S + slack after the kill), said so in its trace, sent dht-reset to every member,
 * and every surviving member got it.
 */
export async function assertGaveUp(fleet: Fleet, c: GiveUpCheck): Promise<{ gaveUpAfterKillMs: number }> {
  const m = fleet.manager.proc;
  const started = m.lines.find((l) => isTrace(l, 'manager', c.victim, c.awaitStart));
  assert.ok(started, `the manager never replied ${c.awaitStart} to ${c.victim}`);
  const gaveUp = await m.waitForLine((l) => isNote(l, /^gave up: /), AWAIT_TIMEOUT_S * 1000 + GIVE_UP_SLACK_MS + 3_000);
  const expected = `gave up: no ${c.awaited} from ${c.victim} within ${AWAIT_TIMEOUT_S} s: the DHT is torn down and its members are Free`;
  assert.equal(gaveUp.text, expected, show(gaveUp));
  assert.equal(gaveUp.level, 'warn', show(gaveUp));
  const waited = timeOf(gaveUp) - timeOf(started);
  assert.ok(waited >= AWAIT_TIMEOUT_S * 1000 - 250, `gave up after ${waited} ms, before the ${AWAIT_TIMEOUT_S} s timeout`);
  const afterKill = timeOf(gaveUp) - c.killedAt;
  assert.ok(afterKill <= AWAIT_TIMEOUT_S * 1000 + GIVE_UP_SLACK_MS, `gave up ${afterKill} ms after the kill: later than ${AWAIT_TIMEOUT_S} s + slack`);
  assert.equal(m.lines.filter((l) => isNote(l, /^gave up: /)).length, 1, 'one give-up');

  // The manager traces a dht-reset to each member right after the note.
  for (const name of c.notified) await m.waitForLine((l) => isTrace(l, 'manager', name, /^dht-reset \(no /), 5_000);
  const reset = m.lines.filter((l) => isTrace(l, 'manager', null, /^dht-reset \(no /)).map((l) => l.to as string);
  assert.deepEqual([...reset].sort(), [...c.notified].sort(), `dht-reset must go to every member of the abandoned DHT, once: ${reset.join(', ')}`);
  for (const name of c.notified) {
    const p = fleet.peer(name);
    if (!isRunning(p)) continue;
    await p.waitForLine((l) => isTrace(l, 'manager', name, /^dht-reset \(no /), 15_000);
  }
  return { gaveUpAfterKillMs: afterKill };
}

/**
 * The restarted peer's deregister: a SIGKILLed peer stays registered (Free) at the manager, which
 * would pick it for the next DHT. The test sends `deregister <name>` itself from the dead peer's
 * own m-port (free again since the process died), as the peer would if it came back.
 */
export async function deregisterDead(fleet: Fleet, name: string): Promise<void> {
  const d = fleet.peer(name);
  assert.ok(!isRunning(d), `${name} must be dead`);
  const { ip, mPort } = registeredAddress(d.lines, name);
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(mPort, ip, () => resolve());
    });
    const rid = `killtest.${process.pid}.${name}`;
    const datagram = encode({ type: 'deregister', rid, name });
    const reply = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const send = () => socket.send(datagram, fleet.manager.port, fleet.manager.ip);
      const timer = setInterval(send, 300);
      const deadline = setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`the manager did not answer deregister ${name}`));
      }, 5_000);
      socket.on('message', (buf) => {
        const decoded = decode(buf);
        if (decoded.ok && decoded.msg.type === 'reply' && decoded.msg.rid === rid) {
          clearInterval(timer);
          clearTimeout(deadline);
          resolve(decoded.msg as unknown as Record<string, unknown>);
        }
      });
      send();
    });
    assert.equal(reply.ok, true, `deregister ${name} (dead): ${show(reply)}`);
  } finally {
    socket.close();
  }
}

/**
 * Usable again: `caller` sets up a DHT of `n` peers on `year` (all Free and alive but one), gets
 * SPEC §13's counts, every member's status holds them, the one left out queries seeded ids
 * against the file, and the leader tears the DHT down, leaving everyone Free.
 */
export async function assertUsable(fleet: Fleet, survivors: readonly string[], year: string, seed: number): Promise<void> {
  const n = survivors.length - 1;
  const caller = survivors[0]!;
  const ring = assertSetup(await fleet.run(caller, `setup-dht ${caller} ${n} ${year}`, 60_000), caller, year, n);
  await fleet.assertRing(ring, year, 'new setup among the survivors');
  const outside = survivors.find((s) => !ring.includes(s))!;
  const idOf = new Map(ring.map((name, id) => [name, id]));
  for (const id of sampleIds(year, 2, seed)) assertQuery(year, id, n, await fleet.query(outside, id, 20_000), idOf);
  await fleet.ok(ring[0]!, `teardown-dht ${ring[0]}`, 30_000);
  await fleet.assertFree(survivors, 'after the new teardown');
}

/** The ring a setup's manager reply names, from the leader's trace: `setup-dht SUCCESS (ring: a, b, …)`. */
export async function ringFromSetupTrace(leader: Driver, name: string): Promise<string[]> {
  const line = await leader.waitForLine((l) => isTrace(l, 'manager', name, /^setup-dht SUCCESS \(ring: /), 30_000);
  return /\(ring: ([^)]*)\)/.exec(line.text as string)![1]!.split(', ');
}
