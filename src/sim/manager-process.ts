// The manager's process in a run with manager crashes (issue 13): its memory disk, the store the
// running manager writes on, and the kill and the start that manager-crash.ts plays. A kill is
// SIGKILL: the socket closes, nothing more is sent or written, nothing the process does on its way
// out is heard. A start is a new process on the same address, reading the same disk.
import type { Rng } from '../data/seeded-random.js';
import type { Restored } from '../manager/durability.js';
import type { KeySource } from '../manager/keys.js';
import { openMemoryState, type MemoryDisk, type MemoryStateStore } from '../manager/memory-state-store.js';
import { ManagerServer, type ManagerServerOptions } from '../manager/server.js';
import type { VirtualClock } from '../transport/virtual-clock.js';

/**
 * The manager's process in a run with manager crashes: what it keeps on its disk, and the kill and
 * the start that manager-crash.ts plays.
 */
export interface ManagerLifecycle {
  /** What survives a crash: the texts of its snapshot and journal. */
  readonly disk: MemoryDisk;
  /** The store the running manager writes on (a write can be made to tear, as a crash in its middle). */
  readonly store: MemoryStateStore;
  /** Running, or killed and not started again yet. */
  readonly up: boolean;
  /** How a start reads the disk: openMemoryState. A test may put a broken reading in its place. */
  open: (disk: MemoryDisk, nowMs: number) => { store: MemoryStateStore; restored: Restored };
  /** Told when the running manager stopped itself because it could not write (a torn write). */
  onFatal: ((text: string) => void) | null;
  /**
   * SIGKILL: the manager's socket closes at once, nothing more is sent or written, and nothing it
   * does on the way out is heard. What its store holds is all that is left of it.
   */
  kill(): void;
  /**
   * Starts a new manager process on the manager's address from the disk, with its own random and
   * key streams; resolves with what it restored. Rejects when the disk cannot be read.
   */
  start(random: Rng, keys: KeySource): Promise<Restored>;
}

/** The manager's process over its memory disk: kill() and start() (see ManagerLifecycle). */
export function managerLifecycle(first: {
  readonly disk: MemoryDisk;
  readonly store: MemoryStateStore;
  readonly manager: ManagerServer;
  readonly replicas: number;
  readonly clock: VirtualClock;
  readonly options: (random: Rng, keys: KeySource, durable: ManagerServerOptions['durable']) => ManagerServerOptions;
  /** From now on, the running manager's events are not heard. */
  readonly silence: () => void;
  /** A new manager runs, from its restored state. */
  readonly running: (manager: ManagerServer) => void;
}): ManagerLifecycle {
  const { disk, replicas, clock } = first;
  let current = first.manager;
  let store = first.store;
  let up = true;
  const life: ManagerLifecycle = {
    disk,
    get store() {
      return store;
    },
    get up() {
      return up;
    },
    open: (d, now) => openMemoryState(d, replicas, now),
    onFatal: null,
    kill: () => {
      if (!up) return;
      up = false;
      first.silence();
      // The kernel closes a killed process's socket. close() also closes the store first, so that
      // nothing of the process's way out reaches the disk, and sends nothing.
      void current.close();
    },
    start: async (random, keys) => {
      if (up) throw new Error('the manager is running');
      const durable = life.open(disk, clock.now());
      store = durable.store;
      current = await ManagerServer.start(first.options(random, keys, durable));
      up = true;
      first.running(current);
      return durable.restored;
    },
  };
  return life;
}
