// Every process the benchmark starts is tracked here, so that none outlives it: on a normal end,
// on a failed scenario, on Ctrl-C or SIGTERM, and (as a last resort) on exit, each tracked child
// is stopped by its own pid. Temporary directories are removed the same way.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/** A child the benchmark started: a JsonChild, or any other with its process and its end (latency-floor.ts). */
export interface TrackedChild {
  readonly child: ChildProcess;
  /** Resolves once the process has ended. */
  readonly exited: Promise<unknown>;
}

const live = new Set<TrackedChild>();
const tempDirs = new Set<string>();

/** Registers a child so that it is stopped on any exit of the benchmark. */
export function track<T extends TrackedChild>(child: T): T {
  live.add(child);
  void child.exited.then(() => live.delete(child));
  return child;
}

export function liveCount(): number {
  return live.size;
}

/** SIGTERM, then SIGKILL if it has not exited within graceMs; resolves once it has exited. */
export async function stopChild(child: TrackedChild, graceMs = 5_000): Promise<void> {
  if (child.child.exitCode !== null || child.child.signalCode !== null) return;
  child.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([child.exited.then(() => undefined), killed]);
  clearTimeout(timer);
  await child.exited;
}

/** Stops every tracked child that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c)));
}

/** Synchronous last resort (process 'exit'): SIGKILL whatever is left. */
export function killAllNow(): void {
  for (const c of live) {
    try {
      c.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function trackTempDir(dir: string): string {
  tempDirs.add(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
    tempDirs.delete(dir);
  }
}

/** Starts a cluster of processes, runs fn on it, and always stops every process of it. */
export async function withStarted<C extends { stop(): Promise<void> }, T>(started: Promise<C>, fn: (c: C) => Promise<T>): Promise<T> {
  const cluster = await started;
  try {
    return await fn(cluster);
  } finally {
    await cluster.stop();
  }
}
