// The durable manager (issue 13) over real processes and real UDP on 127.0.0.1. `--only restart`.
// Two of the issue's targets:
//   1. Back in service ≤ 1 s after a restart with 1,000 registered peers. A manager is started
//      with a fresh --state-dir, and 1,000 peers register with it from this process (bench/
//      peer-fleet.ts: one bound m-port each, the peer's own Heartbeat every 100 ms from its
//      register on, so the manager carries the heartbeat load of 1,000 real peers throughout).
//      Then, per run, the manager is SIGKILLed and started again with the same --state-dir and
//      port, and timed from the spawn to (a) its `listening` line and (b) the first right answer
//      to `members` asked by one of the peers: ok, total 1000, no DHT, and its page of 400 the
//      registered peers in registration order, all Free (the state it had). The peer asks every
//      MEMBERS_POLL_MS from just before the spawn, each request sent once under a new rid, so (b)
//      is found within that step (a peer process would retransmit one request every 40 ms or
//      more). The other two pages are then checked too, untimed. For WATCH_MS after the
//      `listening` line every heartbeat-ack is watched: none may be ok:false (`the manager does not
//      know …`), the manager may print no eviction, and every peer must get an ok:true one. The
//      benchmark's own event-loop delay over the run is printed beside the figures: it drives the
//      1,000 peers and also timestamps the answers.
//   2. setup-dht of 1996 with n = 5 no slower with --state-dir than without, within noise: two
//      clusters side by side (a manager with and one without --state-dir, 5 peer processes each),
//      setup-dht typed at peera and timed from the line to its result as the setup scenario does,
//      then torn down; the two take turns and the order swaps every run (bench/paired-runs.ts), and
//      the figure is the median of the run-by-run ratios.
// Ports 52000-53999 only: the fleet's m-ports 52000-52999 (bound) and p-ports 53000-53999 (only
// named: 2,000 ports fill the band, so the restarted manager's port 53999 is also the number peer
// 999 names as its p-port, which nothing here sends to); figure 2, after figure 1 has closed every
// socket, binds its peers in 53000-53899 and its managers at 53900 and 53901.
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonLine, ManagerProcess } from '../src/cli/processes.js';
import { JOURNAL_FILE } from '../src/manager/journal.js';
import { MEMBERS_PER_PAGE } from '../src/manager/repair-commands.js';
import { stopChild, trackTempDir } from './children.js';
import { yearFacts } from './data.js';
import { isDeferredDeath, isEviction, isSuspicion, textOf, type Stamped } from './kill-cluster.js';
import { inTurns, pairedRatios, ratioOf, runLabel, withClusterPair } from './paired-runs.js';
import { fleetLayout, membersPageProblem, PeerFleet } from './peer-fleet.js';
import { PortSlices, startTrackedManager, type ProcClusterOptions } from './process-cluster.js';
import { formatNumber, type Target } from './report.js';
import { errorText, plan, teardown, timedSetup, type BenchContext } from './runner.js';
import { max, median, min, percentile } from './stats.js';

/** The issue's targets. */
export const RESTART_TARGETS = {
  serviceSeconds: { op: '<=', value: 1 },
  none: { op: '<=', value: 0 },
  /** "No slower within noise": setup-dht with --state-dir within 10% of without, run by run. */
  setupRatio: { op: '<=', value: 1.1 },
} as const satisfies Record<string, Target>;

export const RESTART_ROWS = {
  listening: 'restart-1000-peers-to-listening',
  service: 'restart-1000-peers-to-service',
  wrong: 'restart-1000-peers-wrong-members-answers',
  refusals: 'restart-1000-peers-heartbeat-refusals',
  evictions: 'restart-1000-peers-evictions',
  silent: 'restart-1000-peers-unacked-after-restart',
  setupWithout: 'restart-setup-1996-n5-without-state-dir',
  setupWith: 'restart-setup-1996-n5-with-state-dir',
  setupRatio: 'restart-setup-ratio-state-dir-vs-none',
} as const;

export const FLEET_SIZE = 1_000;
const FLEET_IP = '127.0.0.1';
export const FLEET_M_BASE = 52_000;
export const FLEET_P_BASE = 53_000;
export const RESTART_MANAGER_PORT = 53_999;
/** Figure 2's peers (slices of 10) and its two managers. */
export const RESTART_PEER_PORTS = new PortSlices(53_000, 53_899, 10);
const SETUP_MANAGER_PORTS = [53_900, 53_901] as const;

/** Heartbeats running before the first kill, so the manager is in its steady state (ms). */
const STEADY_MS = 1_000;
/** How long after the restarted manager's `listening` line its answers and notes are watched (ms). */
export const WATCH_MS = 5_000;
/** The step of the members poll from the spawn on (ms): the resolution of the service figure. */
export const MEMBERS_POLL_MS = 2;
/** Bounds: every wait ends. */
const SERVICE_WAIT_MS = 15_000;

const REPRODUCE = '`npm run bench -- --only restart`';
const MANAGER_COMMAND = `\`stormdht manager ${RESTART_MANAGER_PORT} --host 127.0.0.1 --json --state-dir <dir>\``;

/** One restart's figures. */
interface Restart {
  readonly listeningS: number;
  readonly serviceS: number;
  readonly polls: number;
  readonly wrong: readonly string[];
  readonly refusals: number;
  readonly evictions: readonly string[];
  readonly suspicions: number;
  readonly acked: number;
  readonly restoredNote: string;
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
}

/** The peer that asks `members` in run i: a different one each run. */
function pollerOf(i: number): number {
  return (173 * (i + 1)) % FLEET_SIZE;
}

/** Starts the manager on the scenario's port with the state directory; every note goes to `notes`, stamped. */
function startDurableManager(dir: string, notes: Stamped[], onListening: (t: number) => void): Promise<ManagerProcess> {
  return startTrackedManager(['--state-dir', dir], RESTART_MANAGER_PORT, (line: JsonLine) => {
    const t = performance.now();
    if (line.event === 'listening') onListening(t);
    else if (line.event === 'note') notes.push({ t, from: 'manager', line });
  });
}

/**
 * SIGKILLs `manager`, starts it again with the same state directory and port, and measures one
 * restart: spawn → listening, spawn → first right members answer, then WATCH_MS of heartbeats and
 * notes. Returns the figures and the new manager (left running).
 */
async function restartOnce(old: ManagerProcess, dir: string, fleet: PeerFleet, notes: Stamped[], i: number): Promise<{ r: Restart; manager: ManagerProcess }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  old.proc.child.kill('SIGKILL');
  await old.proc.exited;
  const killedAt = performance.now();
  const refusalsBefore = fleet.refusals.length;
  const poller = pollerOf(i);
  const pageCheck = (reply: Parameters<typeof membersPageProblem>[0]) => membersPageProblem(reply, fleet.peers, 0, MEMBERS_PER_PAGE);
  let listeningAt = Number.NaN;
  const stop = new AbortController();
  const first = fleet.firstRightMembers(poller, MEMBERS_POLL_MS, SERVICE_WAIT_MS, pageCheck, stop.signal);
  first.catch(() => {}); // awaited below; handled here so that an early failure is not an unhandled rejection
  const spawnedAt = performance.now();
  let manager: ManagerProcess;
  try {
    manager = await startDurableManager(dir, notes, (t) => (listeningAt = t));
  } catch (err) {
    stop.abort();
    await first.catch(() => {});
    throw err;
  }
  try {
    const answer = await first;
    // The rest of the registry, untimed: pages 2 and 3 must be the registered peers too.
    for (let from = MEMBERS_PER_PAGE; from < FLEET_SIZE; from += MEMBERS_PER_PAGE) {
      const problem = membersPageProblem(await fleet.members(poller, from), fleet.peers, from, MEMBERS_PER_PAGE);
      if (problem !== null) throw new Error(`members from ${from} after the restart: ${problem}`);
    }
    await sleep(Math.max(0, listeningAt + WATCH_MS - performance.now()));
    delay.disable();
    const windowEnd = performance.now();
    const seen = notes.filter((s) => s.t >= killedAt && s.t <= windowEnd);
    const restored = seen.find((s) => /^(restored from|state directory) /.test(textOf(s)));
    const r: Restart = {
      listeningS: (listeningAt - spawnedAt) / 1000,
      serviceS: (answer.at - spawnedAt) / 1000,
      polls: answer.sent,
      wrong: answer.wrong,
      refusals: fleet.refusals.length - refusalsBefore,
      evictions: seen.filter((s) => isEviction(s) || isDeferredDeath(s)).map(textOf),
      suspicions: seen.filter((s) => isSuspicion(s)).length,
      acked: fleet.ackedSince(listeningAt),
      restoredNote: restored === undefined ? '(no restored note)' : textOf(restored),
      loopP99Ms: delay.percentile(99) / 1e6,
      loopMaxMs: delay.max / 1e6,
    };
    return { manager, r };
  } catch (err) {
    await stopChild(manager.proc);
    throw err;
  }
}

function describeRestart(r: Restart): string {
  return (
    `spawn → listening ${formatNumber(r.listeningS)} s, → first right members answer ${formatNumber(r.serviceS)} s (${r.polls} requests, one every ${MEMBERS_POLL_MS} ms; ${r.wrong.length} wrong${r.wrong.length > 0 ? `: ${r.wrong[0]}` : ''}); ` +
    `in the ${WATCH_MS / 1000} s after listening: ${r.acked}/${FLEET_SIZE} peers acked ok, ${r.refusals} ok:false acks, ${r.evictions.length} evictions, ${r.suspicions} suspicions; ` +
    `benchmark event-loop delay p99 ${r.loopP99Ms.toFixed(1)} ms, max ${r.loopMaxMs.toFixed(1)} ms`
  );
}

/** Figure 1: restart → back in service with 1,000 registered, heartbeating peers. */
async function restartFigure(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  const p = plan(ctx);
  const dir = trackTempDir(mkdtempSync(path.join(os.tmpdir(), 'stormdht-bench-restart-')));
  const notes: Stamped[] = [];
  const runs: Restart[] = [];
  let manager: ManagerProcess | null = null;
  let fleet: PeerFleet | null = null;
  try {
    // The first start, on an empty state directory: what starting costs without 1,000 peers to restore.
    const spawnedAt = performance.now();
    let listeningAt = Number.NaN;
    manager = await startDurableManager(dir, notes, (t) => (listeningAt = t));
    reporter.detail(`restart: the first start, on an empty state directory: spawn → listening ${formatNumber((listeningAt - spawnedAt) / 1000)} s`);
    fleet = await PeerFleet.bind(fleetLayout(FLEET_SIZE, FLEET_IP, FLEET_M_BASE, FLEET_P_BASE), { ip: FLEET_IP, port: RESTART_MANAGER_PORT });
    const t0 = performance.now();
    await fleet.registerAll();
    const registeredS = (performance.now() - t0) / 1000;
    await sleep(STEADY_MS);
    reporter.detail(`restart: ${FLEET_SIZE} peers registered in ${registeredS.toFixed(2)} s (a journal record fsynced per register), m-ports ${FLEET_M_BASE}-${FLEET_M_BASE + FLEET_SIZE - 1}; ${fleet.ackedSince(t0)} of them heartbeating and acked ok after ${STEADY_MS / 1000} s`);
    for (let i = 0; i < p.warmup + p.runs; i++) {
      const warm = i < p.warmup;
      const { r, manager: next } = await restartOnce(manager, dir, fleet, notes, i);
      manager = next;
      if (i === 0) reporter.detail(`restart: the manager's note after the first restart: ${r.restoredNote}`);
      reporter.detail(`restart ${runLabel(i, p)}: ${describeRestart(r)}${warm ? ' (not counted)' : ''}`);
      if (!new RegExp(`^restored from .*: ${FLEET_SIZE} peers, no DHT, Idle `).test(r.restoredNote)) throw new Error(`after the restart the manager said: ${r.restoredNote}`);
      // Every restart is a check, the warm-up's too; only the timed ones give figures.
      runs.push(r);
    }
  } catch (err) {
    const e = `${errorText(err)} (after ${runs.length} restarts)`;
    reporter.failed(RESTART_ROWS.service, 's', e, RESTART_TARGETS.serviceSeconds);
    reporter.failed(RESTART_ROWS.refusals, 'acks', e, RESTART_TARGETS.none);
    reporter.failed(RESTART_ROWS.evictions, 'peers', e, RESTART_TARGETS.none);
    return;
  } finally {
    await fleet?.close();
    if (manager) await stopChild(manager.proc);
    rmSync(dir, { recursive: true, force: true });
  }
  const timed = runs.slice(p.warmup);
  const over = `${runs.length} restarts (${p.warmup} warm-up), ${WATCH_MS / 1000} s after each`;
  const how = `${FLEET_SIZE} registered peers heartbeating every 100 ms from one process; SIGKILL, then ${MANAGER_COMMAND} again; ${REPRODUCE}`;
  reporter.runs(RESTART_ROWS.listening, 's', timed.map((r) => r.listeningS), undefined, `spawn → its \`listening\` line (the state directory is read before the port is bound); ${how}`);
  reporter.runs(
    RESTART_ROWS.service,
    's',
    timed.map((r) => r.serviceS),
    RESTART_TARGETS.serviceSeconds,
    `spawn → first right answer to \`members\` from a registered peer (total 1000, page of 400 as registered, no DHT), asked every ${MEMBERS_POLL_MS} ms from the spawn on; ${how}`,
  );
  const wrong = runs.reduce((a, r) => a + r.wrong.length, 0);
  reporter.count(RESTART_ROWS.wrong, 'answers', wrong, over, RESTART_TARGETS.none, wrong > 0 ? runs.flatMap((r) => r.wrong).slice(0, 2).join('; ') : `members answers before the right one that were not the registry of ${FLEET_SIZE}; ${REPRODUCE}`);
  const refusals = fleet.refusals;
  reporter.count(
    RESTART_ROWS.refusals,
    'acks',
    refusals.length,
    `from the registrations to the end of the last window; ${over}`,
    RESTART_TARGETS.none,
    refusals.length > 0 ? `${refusals[0]!.name}: ${refusals[0]!.error}` : `heartbeat-acks with ok:false (\`the manager does not know …\`); ${REPRODUCE}`,
  );
  const evictions = runs.flatMap((r) => r.evictions);
  const suspicions = runs.reduce((a, r) => a + r.suspicions, 0);
  reporter.count(RESTART_ROWS.evictions, 'peers', evictions.length, over, RESTART_TARGETS.none, evictions.length > 0 ? evictions.slice(0, 2).join('; ') : `manager eviction notes (and deaths deferred); ${suspicions} suspicion notes; ${REPRODUCE}`);
  const silent = runs.reduce((a, r) => a + (FLEET_SIZE - r.acked), 0);
  reporter.count(RESTART_ROWS.silent, 'peers', silent, over, RESTART_TARGETS.none, `peers without an ok:true heartbeat-ack after the restart's \`listening\` line, summed over the restarts; ${REPRODUCE}`);
}

/** Lines appended and fsynced one by one in a file of a fresh directory beside the state directories, for the cost of one journal record. */
const FSYNC_PROBES = 200;

/** ms per write + fsync of one journal-sized line, FSYNC_PROBES times, on the file system of os.tmpdir(). */
function fsyncLatencies(): number[] {
  const dir = trackTempDir(mkdtempSync(path.join(os.tmpdir(), 'stormdht-bench-fsync-')));
  const fd = openSync(path.join(dir, 'probe'), 'a', 0o600);
  const line = Buffer.from(`${'0'.repeat(8)} ${JSON.stringify({ at: Date.now(), deltas: [{ op: 'mode', mode: { kind: 'Idle' } }] })}\n`);
  const ms: number[] = [];
  try {
    for (let i = 0; i < FSYNC_PROBES; i++) {
      const t0 = performance.now();
      writeSync(fd, line);
      fsyncSync(fd);
      ms.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  return ms;
}

/** Records in the state directory's journal (one line each); NaN when it cannot be read. */
function journalRecords(dir: string): number {
  try {
    return readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').split('\n').filter((l) => l !== '').length;
  } catch {
    return Number.NaN;
  }
}

/** Figure 2: setup-dht of 1996, n = 5, with --state-dir against without, in turns. */
async function stateDirSetupFigure(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  if (!ctx.hasYear('1996')) {
    const why = `details-1996.csv not in ${ctx.dataDir}`;
    reporter.detail(`restart: ${why}; the setup-dht comparison with and without --state-dir is skipped (set --data-dir or STORMDHT_SHARED_DATA)`);
    reporter.skipped(RESTART_ROWS.setupWithout, 's', why);
    reporter.skipped(RESTART_ROWS.setupWith, 's', why);
    reporter.skipped(RESTART_ROWS.setupRatio, '×', why, RESTART_TARGETS.setupRatio);
    return;
  }
  const facts = yearFacts(ctx.dataDir, '1996');
  const p = plan(ctx);
  const dir = trackTempDir(mkdtempSync(path.join(os.tmpdir(), 'stormdht-bench-restart-setup-')));
  const base: ProcClusterOptions = { peers: 5, dataDir: ctx.dataDir, ports: RESTART_PEER_PORTS, managerPort: SETUP_MANAGER_PORTS[0] };
  const durable: ProcClusterOptions = { ...base, managerPort: SETUP_MANAGER_PORTS[1], managerArgs: ['--state-dir', dir] };
  let setups: [number[], number[]];
  let done = 0;
  try {
    setups = await withClusterPair(base, durable, (pair) =>
      inTurns(
        p,
        async (k) => {
          const { seconds } = await timedSetup(pair[k], 'peera', 5, facts);
          await teardown(pair[k], 'peera');
          pair[k].forgetLines();
          return seconds;
        },
        (i, warm, s) => {
          if (!warm) done++;
          reporter.detail(`restart setup-dht 1996 n = 5 ${runLabel(i, p)}: without --state-dir ${formatNumber(s[0])} s, with ${formatNumber(s[1])} s (×${formatNumber(ratioOf(s[1], s[0]))})${warm ? ' (not counted)' : ''}`);
        },
      ),
    );
    // What the journal adds, to read the ratio by: records per setup-dht + teardown-dht cycle
    // (after the 5 registers) and what one write + fsync costs here.
    const cycles = p.warmup + p.runs;
    const perCycle = (journalRecords(dir) - 5) / cycles;
    const fsyncs = fsyncLatencies();
    reporter.detail(
      `restart setup-dht: the journal holds ${formatNumber(perCycle)} records per setup-dht + teardown-dht cycle (after the 5 registers, over ${cycles} cycles), each fsynced before its reply; ` +
        `one write + fsync of a journal line in ${os.tmpdir()} takes median ${formatNumber(median(fsyncs))} ms, p99 ${formatNumber(percentile(fsyncs, 99))} ms (${FSYNC_PROBES} probes), ` +
        `so the journal adds at most about ${formatNumber(perCycle * median(fsyncs))} ms per cycle, setup and teardown together`,
    );
  } catch (err) {
    reporter.failed(RESTART_ROWS.setupRatio, '×', `${errorText(err)} (after ${done} timed runs)`, RESTART_TARGETS.setupRatio);
    return;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const how = `\`stormdht manager <53900|53901> --host 127.0.0.1 --json [--state-dir <dir>]\` + 5 × \`stormdht peer 127.0.0.1 <port> --json --data-dir <shared> --port-range <53000-53899>\`, the two clusters in turns; ${REPRODUCE}`;
  reporter.runs(RESTART_ROWS.setupWithout, 's', setups[0], undefined, `\`setup-dht peera 5 1996\` typed → JSON result, then teardown-dht; manager without --state-dir; ${how}`);
  reporter.runs(RESTART_ROWS.setupWith, 's', setups[1], undefined, `the same with \`--state-dir <fresh dir>\` (a journal record fsynced before each reply that changes the state)`);
  const pairs = pairedRatios(setups[1], setups[0]);
  reporter.count(
    RESTART_ROWS.setupRatio,
    '×',
    median(pairs),
    `median of ${pairs.length} run-by-run ratios: ${pairs.map(formatNumber).join(', ')} (min–max ${formatNumber(min(pairs))}–${formatNumber(max(pairs))})`,
    RESTART_TARGETS.setupRatio,
    `with / without --state-dir, each run's pair side by side (ratio of the two rows' medians ${formatNumber(ratioOf(median(setups[1]), median(setups[0])))}); no slower within noise: ≤ ${RESTART_TARGETS.setupRatio.value}; ${REPRODUCE}`,
    false,
  );
}

export async function restartScenario(ctx: BenchContext): Promise<void> {
  const p = plan(ctx);
  ctx.reporter.detail(`restart: the durable manager (issue 13), ${p.runs} run(s) after ${p.warmup} warm-up(s), ports 52000-53999; reproduce with ${REPRODUCE}`);
  await restartFigure(ctx);
  await stateDirSetupFigure(ctx);
}
