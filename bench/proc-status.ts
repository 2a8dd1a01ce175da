// Peak resident memory of a process: VmHWM ("high water mark") in /proc/<pid>/status (Linux).
import { readFileSync } from 'node:fs';

/** The text of /proc/<pid>/<file>, or null where /proc is unavailable or the process is gone. */
export function procText(pid: number | undefined, file: string): string | null {
  if (pid === undefined) return null;
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** VmHWM of pid in MB (10^6 bytes), or null where /proc is unavailable or the process is gone. */
export function peakRssMB(pid: number | undefined): number | null {
  const text = procText(pid, 'status');
  return text === null ? null : parseVmHwmMB(text);
}

/** The VmHWM line of a /proc/<pid>/status text ("VmHWM:   81234 kB") in MB; null when absent. */
export function parseVmHwmMB(statusText: string): number | null {
  const m = /^VmHWM:\s+([0-9]+)\s+kB$/m.exec(statusText);
  return m ? (Number(m[1]) * 1024) / 1e6 : null;
}
