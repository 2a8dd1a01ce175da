// The failure detector (issue 11) over peer processes and real UDP on 127.0.0.1: SIGKILL peers and
// time the manager's notes as they arrive on its stdout.
//
// `--only detect`, per fault level (none, and --faults loss=0.3,dup=0.1,reorder=0.2 on every
// process) and per run, a fresh manager and 8 peers; peera sets up 1996 with n = 5, leaving 3
// Free peers: a querier, a victim and a spare. Then
//   1. the Free victim and a ring member (not the leader) are SIGKILLed at the same moment: kill →
//      the manager's `failure detector: evicted <name> died …` note for each (and → its `suspect`
//      note), kill of the member → the manager's `dht-repaired SUCCESS`, and the repairing leader's
//      counts (reason repair) against SPEC §13's row for 1996, n = 4;
//   2. the spare joins (join-dht), which must give SPEC §13's row for n = 5 again;
//   3. the leader is SIGKILLed: the same figures.
// Throughout each kill the querier runs query-dht one after another (a pause of QUERY_GAP_MS
// between a result and the next query), from just before the kill to a second after the repair;
// every answer is checked against the file, failures are grouped by their text.
// Then the detector's own traffic per peer: computed from the constants and the size of an encoded
// heartbeat and heartbeat-ack, and measured at a manager run in this process (a counting socket)
// with 3 idle registered peer processes.
//
// `--only soak` (not in the default set): a ring of 5 of 1996 plus 2 Free peers, loss=0.3 on every
// process, for --soak-seconds (default 60) with both Free peers querying: evictions (false deaths,
// must be 0) and suspicions.
import type { JsonLine, ManagerProcess } from '../src/cli/processes.js';
import { JsonChild } from '../src/cli/processes.js';
import { ManagerServer } from '../src/manager/server.js';
import { peerName } from '../src/cluster/local-cluster.js';
import { DEAD_AFTER_MS, DETECTOR_TICK_MS, HEARTBEAT_INTERVAL_MS, SUSPECT_AFTER_MS } from '../src/transport/timing.js';
import { bindUdp, formatAddress, type Address, type DatagramSocket } from '../src/transport/udp-socket.js';
import { decode, encode } from '../src/wire/codec.js';
import { stopChild, track } from './children.js';
import { checkResultStored, expectedCounts, yearFacts, type YearFacts } from './data.js';
import {
  isDeferredDeath,
  isEviction,
  isRepairEnd,
  isSuspicion,
  QueryLoop,
  QueryTally,
  recordsById,
  textOf,
  withKillCluster,
  type KillCluster,
  type Stamped,
} from './kill-cluster.js';
import { PortSlices } from './process-cluster.js';
import { formatNumber, type Target } from './report.js';
import { errorText, type BenchContext } from './runner.js';
import { max, median } from './stats.js';

/** SPEC §13, 1996 (l = 48561, s = 97127): records per node id for n = 4 and n = 5 (the spec's constants, not measured). */
export const SPEC_1996_N4: readonly number[] = [12169, 12144, 12128, 12120];
export const SPEC_1996_N5: readonly number[] = [9710, 9720, 9714, 9700, 9717];

/** The fault levels, by row label: none, and the issue's loss, duplication and reordering on every process. */
export const DETECT_FAULT_LEVELS: ReadonlyArray<readonly [string, string]> = [
  ['clean', ''],
  ['loss30-dup10-reorder20', 'loss=0.3,dup=0.1,reorder=0.2'],
];

/** Issue 11's targets for kill → eviction note, median of the runs (seconds). */
export const DETECT_TARGETS: Readonly<Record<string, Target>> = {
  clean: { op: '<=', value: 3 },
  'loss30-dup10-reorder20': { op: '<=', value: 10 },
};

/** The pause between one query's result and the next query of the loop running through a kill (ms). */
export const QUERY_GAP_MS = 5;
/** The querier starts this long before a kill, and stops this long after the repair (ms). */
const QUERY_LEAD_MS = 300;
const QUERY_TAIL_MS = 1_000;
/** Bounds: every wait of the scenario ends. */
const EVICTION_WAIT_MS = 30_000;
const REPAIR_WAIT_MS = 120_000;
const COMMAND_WAIT_MS = 120_000;
/** After a repair's end, how long the repairing leader's counts line may still take to arrive (another pipe). */
const COUNTS_WAIT_MS = 5_000;

/**
 * Ports of these scenarios: 47000-49999 of the benchmark's 45000-49999, away from 45000-46999
 * where the other scenarios' slices (bench/process-cluster.ts PortSlices, from 45000) start.
 */
const DETECT_PORTS = new PortSlices(47_000, 49_999, 10);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const seconds = (ms: number) => ms / 1000;
const sameCounts = (a: unknown, b: readonly number[]) => Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i]);

/** Settles a promise without ever leaving a rejection unhandled (the benchmark exits on one). */
async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, error: errorText(err) };
  }
}

/** The --faults option of process `index` (0: the manager) in run `run`: its own seed, so a run repeats its faults. */
function faultArgs(spec: string, run: number, index: number): string[] {
  return spec === '' ? [] : ['--faults', `${spec},seed=${1000 * (run + 1) + index}`];
}

/** One victim's figures (ms from the SIGKILL; null when the note never came). */
interface KillFigures {
  readonly name: string;
  readonly suspectMs: number | null;
  readonly evictMs: number | null;
}

/** One ring kill: detection, kill → dht-repaired SUCCESS, the repaired counts, the queries meanwhile. */
interface RingKill extends KillFigures {
  readonly repairedMs: number | null;
  readonly counts: readonly number[] | null;
  readonly exact: boolean;
  readonly tally: QueryTally;
  readonly problem: string | null;
}

interface DetectRun {
  free: KillFigures | null;
  member: RingKill | null;
  leader: RingKill | null;
  errors: string[];
  /** How long the run's setup-dht and join-dht took (ms), for the detail line. */
  setupMs?: number;
  joinMs?: number;
}

function figures(c: KillCluster, name: string, killedAt: number, evicted: Stamped | null): KillFigures {
  const suspected = c.since(killedAt, (s) => isSuspicion(s, name))[0];
  return { name, suspectMs: suspected ? suspected.t - killedAt : null, evictMs: evicted ? evicted.t - killedAt : null };
}

/**
 * SIGKILLs ring member `victim` (and `alsoFree`, a Free peer, at the same moment) while `querier`
 * queries; waits for the evictions and the end of the repair.
 */
async function killRingMember(c: KillCluster, victim: string, alsoFree: string | null, querier: string, facts: YearFacts, records: ReadonlyMap<number, readonly string[]>, seed: number): Promise<{ ring: RingKill; free: KillFigures | null }> {
  const loop = new QueryLoop(c, querier, facts, records, { gapMs: QUERY_GAP_MS, maxMs: REPAIR_WAIT_MS + 60_000, resultTimeoutMs: 30_000, seed });
  await sleep(QUERY_LEAD_MS);
  const freeAt = alsoFree === null ? 0 : c.kill(alsoFree);
  const killedAt = c.kill(victim);
  const freeEvicted = alsoFree === null ? null : settle(c.waitFor((s) => isEviction(s, alsoFree), freeAt, EVICTION_WAIT_MS, `eviction of ${alsoFree}`));
  const evicted = settle(c.waitFor((s) => isEviction(s, victim), killedAt, EVICTION_WAIT_MS, `eviction of ${victim}`));
  const ended = settle(c.waitFor(isRepairEnd, killedAt, REPAIR_WAIT_MS, `dht-repaired after ${victim}'s death`));
  const [fe, ev, end] = await Promise.all([freeEvicted, evicted, ended]);
  let problem: string | null = null;
  let repairedMs: number | null = null;
  let counts: readonly number[] | null = null;
  if (!end.ok) problem = end.error;
  else if (!/^dht-repaired SUCCESS/.test(textOf(end.value))) problem = textOf(end.value);
  else {
    repairedMs = end.value.t - killedAt;
    const line = await settle(c.waitFor((s) => s.line.event === 'counts' && s.line.reason === 'repair', killedAt, COUNTS_WAIT_MS, 'the repairing leader\'s counts'));
    if (line.ok) counts = line.value.line.recordsPerNode as number[];
    else problem = line.error;
  }
  await sleep(QUERY_TAIL_MS);
  const tally = await loop.stop();
  const ring: RingKill = {
    ...figures(c, victim, killedAt, ev.ok ? ev.value : null),
    repairedMs,
    counts,
    exact: counts !== null && sameCounts(counts, SPEC_1996_N4),
    tally,
    problem: problem ?? (ev.ok ? null : ev.error),
  };
  const free = alsoFree === null ? null : figures(c, alsoFree, freeAt, fe?.ok ? fe.value : null);
  return { ring, free };
}

/** One run at one fault level: a fresh cluster, setup, Free + member kill, join, leader kill. */
async function detectRun(ctx: BenchContext, spec: string, run: number, facts: YearFacts, records: ReadonlyMap<number, readonly string[]>): Promise<DetectRun> {
  const out: DetectRun = { free: null, member: null, leader: null, errors: [] };
  const names = Array.from({ length: 8 }, (_, i) => peerName(i));
  await withKillCluster({ dataDir: ctx.dataDir, ports: DETECT_PORTS, managerArgs: faultArgs(spec, run, 0), peerArgs: (n) => faultArgs(spec, run, names.indexOf(n) + 1) }, async (c) => {
    try {
      await runKills(c, out, names, facts, records, run);
    } catch (err) {
      out.errors.push(errorText(err));
    } finally {
      // What the manager said, for the report of a run that went wrong.
      if (out.errors.length > 0) {
        const t0 = c.log[0]?.t ?? 0;
        const notes = c.log.filter((s) => s.from === 'manager' && s.line.event === 'note' && s.line.level === 'warn').slice(0, 20);
        out.errors.push(`manager's warnings: ${notes.map((s) => `+${((s.t - t0) / 1000).toFixed(2)} s ${textOf(s)}`).join(' / ') || 'none'}`);
      }
    }
  });
  return out;
}

/** The kills of one run in a fresh cluster; fills `out` as it goes, and stops at the first problem. */
async function runKills(c: KillCluster, out: DetectRun, names: readonly string[], facts: YearFacts, records: ReadonlyMap<number, readonly string[]>, run: number): Promise<void> {
  {
    await Promise.all(names.map((n) => c.addPeer(n)));
    const setupAt = performance.now();
    const setup = await c.run('peera', 'setup-dht peera 5 1996', COMMAND_WAIT_MS);
    out.setupMs = performance.now() - setupAt;
    if (setup.ok !== true) throw new Error(`setup-dht failed: ${JSON.stringify(setup).slice(0, 300)}`);
    checkResultStored(setup, facts, 5, 'setup-dht 5 1996');
    if (!sameCounts(setup.recordsPerNode, SPEC_1996_N5)) throw new Error(`setup counts ${String(setup.recordsPerNode)} differ from SPEC §13`);
    const ring = (setup.ring as Array<{ name: string }>).map((t) => t.name);
    const free = names.filter((n) => !ring.includes(n));
    const [querier, freeVictim, spare] = free as [string, string, string];
    await sleep(500);
    c.forgetLines();

    const first = await killRingMember(c, ring[2]!, freeVictim, querier, facts, records, 7000 + run);
    out.free = first.free;
    out.member = first.ring;
    if (first.ring.problem !== null || first.ring.repairedMs === null) {
      out.errors.push(`member kill: ${first.ring.problem ?? 'no repair'}`);
      return;
    }

    const joinAt = performance.now();
    const joined = await c.run(spare, `join-dht ${spare}`, COMMAND_WAIT_MS);
    out.joinMs = performance.now() - joinAt;
    if (joined.ok !== true || !sameCounts(joined.recordsPerNode, SPEC_1996_N5)) {
      out.errors.push(`join-dht ${spare} after the repair: ${JSON.stringify(joined).slice(0, 300)}`);
      return;
    }
    const members = await c.run(querier, `members ${querier}`, 30_000);
    const dht = members.dht as { ring: string[]; leader: string } | null;
    if (members.ok !== true || dht === null || dht.ring.length !== 5) {
      out.errors.push(`members after the join: ${JSON.stringify(members).slice(0, 300)}`);
      return;
    }
    await sleep(300);
    c.forgetLines();
    const second = await killRingMember(c, dht.leader, null, querier, facts, records, 8000 + run);
    out.leader = second.ring;
    if (second.ring.problem !== null) out.errors.push(`leader kill: ${second.ring.problem}`);
  }
}

/** `median (max)` of ms values in seconds, or —. */
function medMax(values: readonly number[]): string {
  if (values.length === 0) return '—';
  const s = values.map(seconds);
  return `${formatNumber(median(s))} (max ${formatNumber(max(s))})`;
}

function present(values: ReadonlyArray<number | null | undefined>): number[] {
  return values.filter((v): v is number => typeof v === 'number');
}

export async function detectScenario(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  const runs = ctx.opts.runs;
  reporter.detail(
    `detector: heartbeat every ${HEARTBEAT_INTERVAL_MS} ms, suspect after ${SUSPECT_AFTER_MS} ms, dead after ${DEAD_AFTER_MS} ms, tick ${DETECTOR_TICK_MS} ms (src/transport/timing.ts); ` +
      `${runs} run(s) per fault level, each with a fresh manager and 8 peers (no warm-up runs: nothing to warm for a kill); ports ${DETECT_PORTS.lo}-${DETECT_PORTS.hi}`,
  );
  if (!ctx.hasYear('1996')) {
    for (const [label] of DETECT_FAULT_LEVELS) reporter.skipped(`detect-ring-member-${label}`, 's', `details-1996.csv not in ${ctx.dataDir}`, DETECT_TARGETS[label]);
  } else {
    const facts = yearFacts(ctx.dataDir, '1996');
    const records = recordsById(ctx.dataDir, '1996');
    // SPEC's constants are what the repair must give; the file's own counts must agree with them.
    if (!sameCounts(expectedCounts(facts, 4), SPEC_1996_N4)) throw new Error(`details-1996.csv gives ${expectedCounts(facts, 4).join('/')} for n = 4, not SPEC §13's ${SPEC_1996_N4.join('/')}`);
    const tableRows: string[][] = [];
    for (const [label, spec] of DETECT_FAULT_LEVELS) {
      const all: DetectRun[] = [];
      for (let run = 0; run < runs; run++) {
        const runAt = performance.now();
        let r: DetectRun;
        try {
          r = await detectRun(ctx, spec, run, facts, records);
        } catch (err) {
          r = { free: null, member: null, leader: null, errors: [errorText(err)] };
        }
        all.push(r);
        const f = (k: KillFigures | null) => (k === null ? '—' : `${k.name} suspect ${k.suspectMs === null ? '—' : formatNumber(seconds(k.suspectMs))} s, evicted ${k.evictMs === null ? '—' : formatNumber(seconds(k.evictMs))} s`);
        const g = (k: RingKill | null) =>
          k === null
            ? '—'
            : `${f(k)}, dht-repaired ${k.repairedMs === null ? '—' : formatNumber(seconds(k.repairedMs))} s, counts ${k.counts?.join('/') ?? '—'}${k.exact ? ' (SPEC §13)' : ' (NOT SPEC §13)'}, queries ok ${k.tally.ok} failed ${k.tally.failed} wrong ${k.tally.wrong}, longest without a right answer ${formatNumber(seconds(k.tally.longestGapMs))} s`;
        const took = `run took ${formatNumber(seconds(performance.now() - runAt))} s (setup-dht ${r.setupMs === undefined ? '—' : formatNumber(seconds(r.setupMs))} s, join-dht ${r.joinMs === undefined ? '—' : formatNumber(seconds(r.joinMs))} s)`;
        reporter.detail(`detect ${label} run ${run + 1}/${runs}: Free ${f(r.free)}; member ${g(r.member)}; leader ${g(r.leader)}; ${took}${r.errors.length > 0 ? `; ERRORS: ${r.errors.join(' | ')}` : ''}`);
        for (const k of [r.member, r.leader]) {
          if (k && k.tally.failed > 0) reporter.detail(`  failures during the repair of ${k.name}'s death: ${k.tally.errorSummary()}`);
          if (k && k.tally.wrong > 0) reporter.detail(`  WRONG answers during the repair of ${k.name}'s death: ${k.tally.wrongExamples.join('; ')}`);
        }
      }
      const target = DETECT_TARGETS[label];
      const faultsNote = spec === '' ? 'no faults' : `--faults ${spec} on every process`;
      const frees = present(all.map((r) => r.free?.evictMs)).map(seconds);
      const members = present(all.map((r) => r.member?.evictMs)).map(seconds);
      const leaders = present(all.map((r) => r.leader?.evictMs)).map(seconds);
      reporter.runs(`detect-free-peer-${label}`, 's', frees, target, `SIGKILL → manager's eviction note; ${faultsNote}`);
      reporter.runs(`detect-ring-member-${label}`, 's', members, target, `SIGKILL of a member (not the leader) → eviction note; ${faultsNote}`);
      reporter.runs(`detect-leader-${label}`, 's', leaders, target, `SIGKILL of the leader → eviction note; ${faultsNote}`);
      const repM = present(all.map((r) => r.member?.repairedMs)).map(seconds);
      const repL = present(all.map((r) => r.leader?.repairedMs)).map(seconds);
      reporter.runs(`repair-1996-n5-member-kill-${label}`, 's', repM, undefined, `SIGKILL → manager's dht-repaired SUCCESS, ring of 4; ${faultsNote}`);
      reporter.runs(`repair-1996-n5-leader-kill-${label}`, 's', repL, undefined, `SIGKILL of the leader → dht-repaired SUCCESS; ${faultsNote}`);
      const kills = all.flatMap((r) => [r.member, r.leader]).filter((k): k is RingKill => k !== null);
      const attempted = 2 * runs;
      const exact = kills.filter((k) => k.exact).length;
      reporter.count(`repair-1996-n5-counts-exact-${label}`, 'repairs', exact, `of ${attempted} ring kills (member and leader per run)`, { op: '>=', value: attempted }, `counts = SPEC §13 ${SPEC_1996_N4.join('/')}`);
      const tally = new QueryTally();
      for (const k of kills) tally.add(k.tally);
      const over = `queries through ${kills.length} kills and repairs`;
      reporter.count(`queries-during-repair-${label}-ok`, 'queries', tally.ok, over, undefined, `right answer (found/absent and all 14 fields as in the file)`);
      reporter.count(`queries-during-repair-${label}-failed`, 'queries', tally.failed, over, undefined, tally.failed > 0 ? tally.errorSummary() : 'none');
      reporter.count(`queries-during-repair-${label}-wrong`, 'queries', tally.wrong, over, { op: '<=', value: 0 }, tally.wrong > 0 ? tally.wrongExamples.join('; ') : undefined);
      const errors = all.flatMap((r, i) => r.errors.map((e) => `run ${i + 1}: ${e}`));
      if (errors.length > 0) reporter.detail(`detect ${label}: ${errors.length} run problem(s): ${errors.join(' | ')}`);

      const faults = spec === '' ? 'none' : spec;
      const suspect = (ks: ReadonlyArray<KillFigures | null>) => medMax(present(ks.map((k) => k?.suspectMs)));
      const evict = (ks: ReadonlyArray<KillFigures | null>) => medMax(present(ks.map((k) => k?.evictMs)));
      const queries = (ks: ReadonlyArray<RingKill | null>) => {
        const t = new QueryTally();
        for (const k of ks) if (k) t.add(k.tally);
        return [`${t.ok} / ${t.failed} / ${t.wrong}`, t.failed > 0 ? t.errorSummary() : '—'];
      };
      const exactOf = (ks: ReadonlyArray<RingKill | null>) => `${ks.filter((k) => k?.exact).length} of ${ks.length}`;
      tableRows.push([faults, 'Free peer', String(frees.length), suspect(all.map((r) => r.free)), evict(all.map((r) => r.free)), '—', '—', '—', '—', '—']);
      for (const [what, ks] of [
        ['member (not leader)', all.map((r) => r.member)],
        ['leader', all.map((r) => r.leader)],
      ] as const) {
        const gaps = medMax(present(ks.map((k) => k?.tally.longestGapMs)));
        tableRows.push([faults, what, String(present(ks.map((k) => k?.evictMs)).length), suspect(ks), evict(ks), medMax(present(ks.map((k) => k?.repairedMs))), exactOf(ks), gaps, ...queries(ks)]);
      }
    }
    reporter.side({
      title: 'Failure detector (issue 11): SIGKILL of peer processes, 1996, n = 5, times from the kill (s)',
      headers: ['faults', 'killed', 'runs', '→ suspect note: median (max)', '→ eviction note: median (max)', '→ dht-repaired SUCCESS: median (max)', `repaired counts = ${SPEC_1996_N4.join('/')}`, 'longest without a right answer: median (max)', 'queries during repair ok / failed / wrong', 'failure texts'],
      rows: tableRows,
      footnote:
        `Times are from the benchmark's SIGKILL to the arrival of the manager's note or trace line on its stdout (JSON mode). Each run is a fresh manager and 8 peer processes: peera sets up 1996 with n = 5; a Free peer and a member are killed at the same moment; a spare Free peer joins (counts must be ${SPEC_1996_N5.join('/')} again); then the leader is killed. ` +
        `A Free peer queries one query after another (${QUERY_GAP_MS} ms pause) from ${QUERY_LEAD_MS} ms before each ring kill until ${QUERY_TAIL_MS} ms after its repair; ids from details-1996.csv and about 10% absent ids; an answer is right when found/absent and the 14 fields match the file.`,
    });
  }
  await detectorTraffic(ctx);
}

/** Heartbeats received from, and acks sent to, each address, with their bytes. */
interface TrafficCounts {
  heartbeats: number;
  heartbeatBytes: number;
  acks: number;
  ackBytes: number;
}

/** A socket that counts heartbeats in and heartbeat-acks out by peer address, and passes everything on. */
function countingBind(counts: Map<string, TrafficCounts>): (ip: string, port: number) => Promise<DatagramSocket> {
  const of = (a: Address) => {
    const key = formatAddress(a);
    let c = counts.get(key);
    if (!c) counts.set(key, (c = { heartbeats: 0, heartbeatBytes: 0, acks: 0, ackBytes: 0 }));
    return c;
  };
  const typeOf = (buf: Uint8Array) => {
    const d = decode(buf);
    return d.ok ? d.msg.type : null;
  };
  return async (ip, port) => {
    const socket = await bindUdp(ip, port);
    return {
      local: socket.local,
      send(buf, to) {
        if (typeOf(buf) === 'heartbeat-ack') {
          const c = of(to);
          c.acks++;
          c.ackBytes += buf.byteLength;
        }
        socket.send(buf, to);
      },
      onDatagram(handler) {
        socket.onDatagram((buf, from) => {
          if (typeOf(buf) === 'heartbeat') {
            const c = of(from);
            c.heartbeats++;
            c.heartbeatBytes += buf.byteLength;
          }
          handler(buf, from);
        });
      },
      close: () => socket.close(),
    };
  };
}

/** Measures for WINDOW_MS, after SETTLE_MS, with this many idle registered peers. */
const TRAFFIC_PEERS = 3;
const TRAFFIC_SETTLE_MS = 1_000;
const TRAFFIC_WINDOW_MS = 5_000;

/** Item 4: the detector's datagrams and bytes per peer per second, computed and measured. */
async function detectorTraffic(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  const perSecond = 1000 / HEARTBEAT_INTERVAL_MS;
  // A rid as a peer's m-port endpoint makes them: a 6-character random prefix, '.', a base-36
  // counter (3 digits from the 1,296th request to the 46,655th: 2 to 78 minutes of heartbeats).
  const rid = 'k3x9qa.1zz';
  const hb = encode({ type: 'heartbeat', rid, name: 'peera' }).byteLength;
  const ack = encode({ type: 'heartbeat-ack', rid, ok: true }).byteLength;
  const IP_UDP = 28;
  reporter.count('detector-datagrams-per-peer-computed', 'datagrams/s', 2 * perSecond, `${perSecond} heartbeats + ${perSecond} acks`, undefined, `1000 / HEARTBEAT_INTERVAL_MS (${HEARTBEAT_INTERVAL_MS}) each way; the manager handles ${2 * perSecond} × (registered peers) datagrams/s`);
  reporter.count(
    'detector-bytes-per-peer-computed',
    'B/s',
    perSecond * (hb + ack),
    `${perSecond} × (${hb} + ${ack}) B UDP payload`,
    undefined,
    `encode() of a heartbeat (name "peera", 10-char rid) and of an ok heartbeat-ack without suspects; with IPv4+UDP headers ${perSecond * (hb + ack + 2 * IP_UDP)} B/s; each more character of the name adds ${perSecond} B/s`,
  );

  // Measured: a manager in this process behind a counting socket, TRAFFIC_PEERS peer processes.
  const counts = new Map<string, TrafficCounts>();
  let server: ManagerServer | null = null;
  const children: JsonChild[] = [];
  try {
    server = await ManagerServer.start({ host: '127.0.0.1', port: 0, bind: countingBind(counts) });
    const manager = { ip: server.address.ip, port: server.address.port } as ManagerProcess;
    const names = Array.from({ length: TRAFFIC_PEERS }, (_, i) => peerName(i));
    for (const name of names) {
      children.push(
        track(new JsonChild(name, ['peer', manager.ip, String(manager.port), '--json', '--data-dir', ctx.dataDir, '--port-range', DETECT_PORTS.take()])),
      );
    }
    await Promise.all(
      children.map(async (c, i) => {
        const r: JsonLine = await c.run(`register ${names[i]}`, 30_000);
        if (r.ok !== true) throw new Error(`register ${names[i]}: ${JSON.stringify(r).slice(0, 200)}`);
      }),
    );
    await sleep(TRAFFIC_SETTLE_MS);
    const snapshot = () => new Map([...counts].map(([k, v]) => [k, { ...v }]));
    const before = snapshot();
    const t0 = performance.now();
    await sleep(TRAFFIC_WINDOW_MS);
    const after = snapshot();
    const secs = (performance.now() - t0) / 1000;
    const peers = [...after.keys()].filter((k) => (after.get(k)!.heartbeats - (before.get(k)?.heartbeats ?? 0)) > 0);
    const rate = (f: (c: TrafficCounts) => number) => peers.map((k) => (f(after.get(k)!) - (before.get(k) ? f(before.get(k)!) : 0)) / secs);
    const dgrams = rate((c) => c.heartbeats + c.acks);
    const bytes = rate((c) => c.heartbeatBytes + c.ackBytes);
    const hbs = rate((c) => c.heartbeats);
    reporter.detail(`detector traffic measured over ${secs.toFixed(2)} s at ${peers.length} peer address(es): heartbeats/s ${hbs.map((v) => v.toFixed(2)).join(', ')}; heartbeats+acks/s ${dgrams.map((v) => v.toFixed(2)).join(', ')}; B/s ${bytes.map((v) => v.toFixed(1)).join(', ')}`);
    if (peers.length !== TRAFFIC_PEERS) throw new Error(`heartbeats came from ${peers.length} addresses, expected ${TRAFFIC_PEERS}`);
    const how = `${TRAFFIC_PEERS} idle registered peer processes, manager in the bench process behind a socket that counts heartbeats in and heartbeat-acks out, ${TRAFFIC_WINDOW_MS / 1000} s window`;
    reporter.count('detector-datagrams-per-peer-measured', 'datagrams/s', median(dgrams), `median of ${peers.length} peers; range ${formatNumber(Math.min(...dgrams))}–${formatNumber(Math.max(...dgrams))}`, undefined, how, false);
    reporter.count('detector-bytes-per-peer-measured', 'B/s', Math.round(median(bytes)), `median of ${peers.length} peers; range ${formatNumber(Math.min(...bytes))}–${formatNumber(Math.max(...bytes))}`, undefined, `UDP payload; ${how}`);
  } catch (err) {
    reporter.failed('detector-datagrams-per-peer-measured', 'datagrams/s', errorText(err));
  } finally {
    await Promise.all(children.map((c) => stopChild(c)));
    await server?.close();
  }
}

/** Item 5: a ring of 5 of 1996 and 2 Free peers under loss=0.3 for --soak-seconds, both Free peers querying. */
export async function soakScenario(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  const secs = ctx.opts.soakSeconds;
  const spec = 'loss=0.3';
  const label = 'loss30';
  if (!ctx.hasYear('1996')) {
    reporter.skipped(`soak-false-deaths-${label}`, 'peers', `details-1996.csv not in ${ctx.dataDir}`, { op: '<=', value: 0 });
    return;
  }
  const facts = yearFacts(ctx.dataDir, '1996');
  const records = recordsById(ctx.dataDir, '1996');
  const names = Array.from({ length: 7 }, (_, i) => peerName(i));
  try {
    await withKillCluster({ dataDir: ctx.dataDir, ports: DETECT_PORTS, managerArgs: faultArgs(spec, 0, 0), peerArgs: (n) => faultArgs(spec, 0, names.indexOf(n) + 1) }, async (c) => {
      await Promise.all(names.map((n) => c.addPeer(n)));
      const setup = await c.run('peera', 'setup-dht peera 5 1996', COMMAND_WAIT_MS);
      if (setup.ok !== true) throw new Error(`setup-dht failed: ${JSON.stringify(setup).slice(0, 300)}`);
      checkResultStored(setup, facts, 5, 'setup-dht 5 1996');
      const ring = (setup.ring as Array<{ name: string }>).map((t) => t.name);
      const free = names.filter((n) => !ring.includes(n));
      reporter.detail(`soak: ring ${ring.join(', ')} holds 1996; Free ${free.join(', ')} query for ${secs} s; --faults ${spec} on every process (own seed each)`);
      c.forgetLines();
      const t0 = performance.now();
      const loops = free.map((q, i) => new QueryLoop(c, q, facts, records, { gapMs: QUERY_GAP_MS, maxMs: secs * 1000 + 30_000, resultTimeoutMs: 30_000, seed: 9100 + i }));
      for (let elapsed = 0; elapsed < secs; elapsed += 10) {
        await sleep(Math.min(10, secs - elapsed) * 1000);
        const so = c.since(t0, () => true);
        reporter.detail(`soak ${Math.min(elapsed + 10, secs)}/${secs} s: ${so.filter((s) => isSuspicion(s)).length} suspicion(s), ${so.filter((s) => isEviction(s) || isDeferredDeath(s)).length} death(s)`);
      }
      const t1 = performance.now();
      const tallies = await Promise.all(loops.map((l) => l.stop()));
      const members = await c.run(free[0]!, `members ${free[0]}`, 30_000);
      const window = c.since(t0, (s) => s.t <= t1 + 100);
      const deaths = window.filter((s) => isEviction(s) || isDeferredDeath(s));
      const suspicions = window.filter((s) => isSuspicion(s));
      const refuted = window.filter((s) => s.from === 'manager' && /^failure detector: \S+ is alive: heard again/.test(textOf(s)));
      const stalls = window.filter((s) => s.from === 'manager' && /^failure detector: the manager did not run/.test(textOf(s)));
      for (const s of [...deaths, ...suspicions, ...stalls]) reporter.detail(`soak +${((s.t - t0) / 1000).toFixed(1)} s: ${textOf(s)}`);
      const dht = members.dht as { ring: string[] } | null;
      const registered = Array.isArray(members.peers) ? members.peers.length : Number.NaN;
      const intact = members.ok === true && dht !== null && dht.ring.length === 5 && registered === 7;
      reporter.detail(`soak end: ${members.ok === true ? `${registered} registered, ring ${dht?.ring.join(', ') ?? 'none'}` : JSON.stringify(members).slice(0, 200)}`);
      const over = `${((t1 - t0) / 1000).toFixed(0)} s, 7 peers, --faults ${spec} everywhere`;
      reporter.count(`soak-false-deaths-${label}`, 'peers', deaths.length, over, { op: '<=', value: 0 }, `eviction notes (and deaths deferred) of live peers; ring still of 5 with 7 registered at the end: ${intact ? 'yes' : 'NO'}`);
      reporter.count(`soak-suspicions-${label}`, 'suspicions', suspicions.length, over, undefined, `${refuted.length} refuted by a later heartbeat; ${stalls.length} manager stall note(s)`);
      const tally = new QueryTally();
      for (const t of tallies) tally.add(t);
      reporter.count(`soak-queries-${label}-ok`, 'queries', tally.ok, `2 Free peers, ${over}`, undefined, 'right answer');
      reporter.count(`soak-queries-${label}-failed`, 'queries', tally.failed, `2 Free peers, ${over}`, undefined, tally.failed > 0 ? tally.errorSummary() : 'none');
      reporter.count(`soak-queries-${label}-wrong`, 'queries', tally.wrong, `2 Free peers, ${over}`, { op: '<=', value: 0 }, tally.wrong > 0 ? tally.wrongExamples.join('; ') : undefined);
    });
  } catch (err) {
    reporter.failed(`soak-false-deaths-${label}`, 'peers', errorText(err), { op: '<=', value: 0 });
  }
}
