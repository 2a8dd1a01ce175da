// CPU time of other processes (Linux): utime and stime of /proc/<pid>/stat, which count every
// thread of the process (Node's main thread, its libuv pool and V8's helper threads), in clock
// ticks of 1/CLK_TCK s (10 ms here). A reading is thus exact to one tick per process: over 1,000
// queries that is ±0.01 ms per query per process.
import { execFileSync } from 'node:child_process';
import { procText } from './proc-status.js';

export interface CpuTimes {
  readonly userMs: number;
  readonly systemMs: number;
}

/** utime and stime (fields 14 and 15 of proc(5)) of a /proc/<pid>/stat text, in ticks; null when it does not parse. */
export function parseStatTicks(text: string): { readonly utime: number; readonly stime: number } | null {
  // Field 2, the command name in parentheses, may itself hold spaces and ')': the fields after it
  // start after the last ')'. There, field 3 (state) is index 0, so field k is index k - 3.
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return Number.isSafeInteger(utime) && Number.isSafeInteger(stime) && utime >= 0 && stime >= 0 ? { utime, stime } : null;
}

let ticksPerSecond: number | null = null;

/** CLK_TCK (`getconf CLK_TCK`), 100 where getconf cannot say (Linux's value on every common build). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === null) {
    let n = Number.NaN;
    try {
      n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      // no getconf: the default below
    }
    ticksPerSecond = Number.isSafeInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** The CPU time pid has used so far, or null where /proc is unavailable or the process is gone. */
export function cpuTimes(pid: number | undefined): CpuTimes | null {
  const text = procText(pid, 'stat');
  if (text === null) return null;
  const t = parseStatTicks(text);
  if (t === null) return null;
  const msPerTick = 1000 / clockTicksPerSecond();
  return { userMs: t.utime * msPerTick, systemMs: t.stime * msPerTick };
}

/** cpuTimes of each named process; throws when one cannot be read (a CPU figure without it would be wrong). */
export function sampleCpu(pids: ReadonlyMap<string, number | undefined>): Map<string, CpuTimes> {
  const out = new Map<string, CpuTimes>();
  for (const [name, pid] of pids) {
    const t = cpuTimes(pid);
    if (t === null) throw new Error(`cannot read the CPU time of ${name} (pid ${String(pid)}) from /proc/<pid>/stat`);
    out.set(name, t);
  }
  return out;
}

/** CPU per unit of work (e.g. per query), by process and summed over them, in ms. */
export interface CpuShare {
  /** By process, in the order of `before`. */
  readonly byProcess: ReadonlyMap<string, CpuTimes>;
  readonly userMs: number;
  readonly systemMs: number;
  /** userMs + systemMs: the figure the targets speak of. */
  readonly totalMs: number;
}

/** (after − before) / units for every process of `before`, and the sums over them. */
export function cpuPerUnit(before: ReadonlyMap<string, CpuTimes>, after: ReadonlyMap<string, CpuTimes>, units: number): CpuShare {
  const byProcess = new Map<string, CpuTimes>();
  let user = 0;
  let system = 0;
  for (const [name, b] of before) {
    const a = after.get(name);
    if (a === undefined) throw new Error(`no second CPU reading of ${name}`);
    const share = { userMs: (a.userMs - b.userMs) / units, systemMs: (a.systemMs - b.systemMs) / units };
    byProcess.set(name, share);
    user += share.userMs;
    system += share.systemMs;
  }
  return { byProcess, userMs: user, systemMs: system, totalMs: user + system };
}

/** `name 0.123 (u 0.100 s 0.023)` for each process, the unit left to the caller. */
export function describeCpuShare(share: CpuShare, digits = 3): string {
  return [...share.byProcess].map(([name, t]) => `${name} ${(t.userMs + t.systemMs).toFixed(digits)} (u ${t.userMs.toFixed(digits)} s ${t.systemMs.toFixed(digits)})`).join(', ');
}
