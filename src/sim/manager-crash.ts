// The manager's process crashes (issue 13). In a run with manager crashes a step may kill the
// manager — at a random moment, while it awaits a completion (dht-complete, dht-rebuilt,
// teardown-complete, dht-repaired), or in a journal write — and start it again on the same address
// from its memory disk after a time down drawn mostly from a few ms to 8 s, within the peers' 10 s
// retry budget (their requests reach the new process as retransmissions), and sometimes from 10 to
// 25 s, beyond it (their requests fail, and the procedures must still end: reported, given up on,
// or repaired).
//
// A crash in a write is one of two: in its middle, part of its record reaches the disk; or right
// after it, when the record is whole on the disk and neither the reply nor the requests the change
// makes have left yet (the process dies between the fsync and the sendto).
//
// A kill is SIGKILL: the socket closes, nothing more is sent or written (cluster.ts). After each
// restart the state the manager restored must be the one its disk holds: the one it had announced
// before it died; after a crash in the middle of a write, the state before the change that write
// recorded, which nobody was told of; after a crash right after a write, the state that change
// made, which nobody was told of either — the restarted manager must answer the retransmitted
// command from its journaled reply, and send the requests that change made. The other checks carry
// on across restarts: the execution ledger counts a command retransmitted across a restart once,
// the liveness ledger allows no eviction for the manager's own absence, and every invariant must
// hold at the end of the step, when every procedure the crash interrupted has completed or been
// abandoned.
import type { Rng } from '../data/seeded-random.js';
import { seededKeys } from '../manager/keys.js';
import { applyDeltas, snapshotOf, type Snapshot } from '../manager/state-delta.js';
import type { JournalBody, Restored } from '../manager/durability.js';
import { StateDirError } from '../manager/journal.js';
import type { ManagerState, PeerEntry } from '../manager/state.js';
import type { Cluster } from './cluster.js';
import type { ManagerLifecycle } from './manager-process.js';
import { LEARN_WAIT_MS } from './disruptions.js';
import { childStream, type SimSettings } from './run-settings.js';

/** Shares of the crash moments drawn: any moment, while awaiting, in a write, in the write after an await began. */
const ANY_MOMENT_SHARE = 0.35;
const WHILE_AWAITING_SHARE = 0.3;
const IN_A_WRITE_SHARE = 0.2;
/**
 * Of the crashes in a write, the share right after it (the rest are in its middle); of those, the
 * share that wait for a write that sends requests (an eviction's repair-dht, an abandon's
 * dht-resets), which the restarted manager must send again.
 */
const AFTER_WRITE_SHARE = 0.4;
const SENDING_SHARE = 0.5;
/** A crash in a write waits for the write from this many times earlier than a crash at any moment. */
const EARLIER_WRITE = 10;
/** A crash while the manager awaits comes this long (ms, log-uniform from 1) after the await began: most awaits are short. */
const AFTER_AWAIT_MAX_MS = 1_000;
/** Polling for the manager to await a completion: this often, this many times at most (4 s). */
const AWAIT_POLL_MS = 20;
const AWAIT_POLLS = 200;
/**
 * A write the manager was set to die in that does not come within this long (ms) becomes a crash
 * at that moment; a write that sends requests comes after a peer's death is noticed, later.
 */
const WRITE_WAIT_MS = 5_000;
const SENDING_WRITE_WAIT_MS = 15_000;
/** Share of the times down drawn beyond the peers' 10 s retry budget, and that range (ms). */
const BEYOND_BUDGET_SHARE = 0.2;
const LONG_DOWN_MS: readonly [number, number] = [10_000, 25_000];
/** The other times down (ms): log-uniform in this range. */
const SHORT_DOWN_MS: readonly [number, number] = [5, 8_000];
/** A snapshot's part is shown up to this many characters in a violation. */
const SHOWN_CHARS = 300;

export interface ManagerCrashCounts {
  /** Kills of the manager's process, and restarts from its disk. */
  crashes: number;
  restarts: number;
  /**
   * Of the crashes, those while it awaited a completion, in the middle of a write, right after
   * one, and down beyond the retry budget.
   */
  whileAwaiting: number;
  tornWrites: number;
  afterWrites: number;
  beyondBudget: number;
}

/** Counts of a run without manager crashes, or before the first. */
export function noManagerCrashes(): ManagerCrashCounts {
  return { crashes: 0, restarts: 0, whileAwaiting: 0, tornWrites: 0, afterWrites: 0, beyondBudget: 0 };
}

/** How the crash of a step comes: drawn at the step's start, so that the stream's draws are fixed. */
interface Plan {
  readonly moment: 'any moment' | 'while awaiting' | 'in a write' | 'in the write after an await began';
  /** When (ms into the step) it strikes, or starts watching for its moment. */
  readonly delayMs: number;
  /** With 'while awaiting': how long after the await began. */
  readonly afterAwaitMs: number;
  /**
   * With a write: in its middle (the share of its record that reaches the disk), or right after
   * it (the next one, or the next one that sends requests).
   */
  readonly write: { readonly kind: 'middle'; readonly fraction: number } | { readonly kind: 'after'; readonly sending: boolean };
  readonly downMs: number;
}

export class ManagerCrashes {
  readonly counts: ManagerCrashCounts = noManagerCrashes();
  private violations: string[] = [];
  /** The step's events: the crash and the restart are logged with it. */
  private events: string[] = [];
  /** Killed, and not started again yet (the step waits for the restart). */
  private down = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly settings: SimSettings,
    private readonly rng: Rng,
  ) {
    if (cluster.managerProcess === null) throw new Error('manager crashes need a cluster whose manager keeps its state on a disk');
  }

  private get life(): ManagerLifecycle {
    return this.cluster.managerProcess!;
  }

  /** Maybe schedules this step's crash of the manager; `events` gets a line for it and its restart. */
  schedule(events: string[]): void {
    this.events = events;
    // Every draw is made whether or not it is used: a step's draws are always as many.
    const strikes = this.rng() < this.settings.managerCrashChance;
    const kind = this.rng();
    const writeKind = this.rng();
    const fraction = this.rng();
    const sending = this.rng() < SENDING_SHARE;
    const plan: Plan = {
      moment: kind < ANY_MOMENT_SHARE ? 'any moment' : kind < ANY_MOMENT_SHARE + WHILE_AWAITING_SHARE ? 'while awaiting' : kind < ANY_MOMENT_SHARE + WHILE_AWAITING_SHARE + IN_A_WRITE_SHARE ? 'in a write' : 'in the write after an await began',
      delayMs: logUniform(this.rng(), 5, 5_000),
      afterAwaitMs: logUniform(this.rng(), 1, AFTER_AWAIT_MAX_MS),
      write: writeKind < AFTER_WRITE_SHARE ? { kind: 'after', sending } : { kind: 'middle', fraction },
      downMs: this.rng() < BEYOND_BUDGET_SHARE ? LONG_DOWN_MS[0] + this.rng() * (LONG_DOWN_MS[1] - LONG_DOWN_MS[0]) : logUniform(this.rng(), ...SHORT_DOWN_MS),
    };
    if (!strikes) return;
    const { clock } = this.cluster;
    switch (plan.moment) {
      case 'any moment':
        clock.setTimer(plan.delayMs, () => this.crash(plan, 'at a random moment'));
        return;
      case 'while awaiting':
        // From an early moment: a procedure's await may last a few ms only.
        this.whenAwaiting(Math.min(plan.delayMs, AWAIT_POLL_MS), (awaited) =>
          awaited === null
            ? this.crash(plan, 'at a random moment (it awaited nothing)')
            : clock.setTimer(plan.afterAwaitMs, () => this.crash(plan, `${time(plan.afterAwaitMs)} after it began to await ${awaited}`)),
        );
        return;
      case 'in a write':
        // From an earlier moment: the step's command writes at its start, if at all.
        clock.setTimer(plan.delayMs / EARLIER_WRITE, () => this.dieInNextWrite(plan, 'its next write'));
        return;
      case 'in the write after an await began':
        this.whenAwaiting(Math.min(plan.delayMs, AWAIT_POLL_MS), (awaited) => this.dieInNextWrite(plan, awaited === null ? 'its next write' : `its next write while it awaits ${awaited}`));
        return;
    }
  }

  /**
   * The manager is down, or starting again, or a live peer still believes in a registration that
   * the restarted manager does not hold: the step is not over.
   */
  pending(): boolean {
    return this.down || this.unawarePeer();
  }

  /**
   * A peer whose last request before the crash changed its registration, and whose answer was
   * lost, retransmits it until its budget runs out when the manager is down for longer (a
   * deregister, say: the manager made it, the peer thinks it failed). The restarted manager's
   * answer to its next heartbeat tells it; the step waits LEARN_WAIT_MS at most for that, from the
   * restart or from the peer's wake-up, the later.
   */
  private unawarePeer(): boolean {
    const { clock, liveness, peers } = this.cluster;
    const restart = liveness.lastRestart;
    if (restart === null) return false;
    const registry = this.cluster.manager.state.peers;
    return peers.some((p) => {
      const name = p.node.name;
      if (p.dead || name === null || clock.now() - Math.max(restart, p.process.resumedAt ?? restart) >= LEARN_WAIT_MS) return false;
      const entry = registry.get(name);
      return entry === undefined || entry.ip !== p.ip || entry.mPort !== p.node.mPort;
    });
  }

  /** The violations found since the last call, and forgets them. */
  drain(): string[] {
    const out = this.violations;
    this.violations = [];
    return out;
  }

  /** Calls `then` once the manager awaits a completion (naming it), or with null after AWAIT_POLLS looks. */
  private whenAwaiting(firstMs: number, then: (awaited: string | null) => void): void {
    let polls = 0;
    const look = () => {
      if (!this.life.up) return;
      const mode = this.cluster.manager.state.mode;
      if (mode.kind !== 'Idle') then(describeAwait(mode));
      else if (polls++ < AWAIT_POLLS) this.cluster.clock.setTimer(AWAIT_POLL_MS, look);
      else then(null);
    };
    this.cluster.clock.setTimer(firstMs, look);
  }

  /**
   * The manager dies in its next write: in its middle (part of the record reaches the disk, and
   * the change is never announced), or right after it (the record is whole, and nothing of the
   * change has left). When no write comes within WRITE_WAIT_MS, it dies then.
   */
  private dieInNextWrite(plan: Plan, next: string): void {
    const life = this.life;
    if (!life.up) return;
    const store = life.store;
    const write = plan.write;
    const sending = write.kind === 'after' && write.sending;
    const which = sending ? next.replace('write', 'write that sends requests') : next;
    // Right after the write: the store writes the whole record, then the process dies, which the
    // manager sees as a write that failed (it stops answering, and emits fatal).
    let written: JournalBody | null = null;
    if (write.kind === 'middle') store.crashDuringNextWrite(write.fraction);
    else {
      const append = store.append;
      store.append = (body: JournalBody) => {
        const seq = append.call(store, body);
        if (sending && (body.sends ?? []).length === 0) return seq;
        store.append = append;
        written = body;
        throw new StateDirError('the process died right after the write');
      };
    }
    life.onFatal = () => {
      life.onFatal = null;
      if (written === null) {
        this.counts.tornWrites++;
        const share = write.kind === 'middle' ? `, ${Math.round(write.fraction * 100)} % of its record written` : '';
        this.crash(plan, `in the middle of ${which}${share}`);
      } else {
        this.counts.afterWrites++;
        // Its change is on the disk: a restart must bring it back. A change without a reply that
        // drops a registration is an eviction (the detector's), made though never announced.
        const before = this.cluster.manager.state;
        const made = applyDeltas(before, written.deltas);
        const evicted = written.reply === undefined ? [...before.peers.values()].filter((e) => !made.peers.has(e.name)) : [];
        this.crash(plan, `right after ${which}, before anything of it left`, { state: made, evicted });
      }
    };
    this.cluster.clock.setTimer(sending ? SENDING_WRITE_WAIT_MS : WRITE_WAIT_MS, () => {
      // Its store is another one once it restarted: that write was made already.
      if (!life.up || life.store !== store) return;
      life.onFatal = null;
      this.crash(plan, `${time(sending ? SENDING_WRITE_WAIT_MS : WRITE_WAIT_MS)} after it was set to die in ${which}, which never came`);
    });
  }

  /**
   * Kills the manager now, and starts it again after the plan's time down. `durable` is the state
   * its disk holds when it is not the one it announced (it died right after a write), with the
   * evictions that write made: the liveness ledger judges them now, as made now.
   */
  private crash(plan: Plan, how: string, durable?: { readonly state: ManagerState; readonly evicted: readonly PeerEntry[] }): void {
    const life = this.life;
    if (!life.up) return;
    const { clock, liveness } = this.cluster;
    const at = clock.now();
    // What the manager had announced: a change whose write failed was never made current.
    const expected = snapshotOf(durable?.state ?? this.cluster.manager.state);
    for (const entry of durable?.evicted ?? []) {
      liveness.evicted(entry, this.cluster.peers);
      this.events.push(`manager evicted ${entry.name} in the write it died after`);
    }
    const mode = describeAwait(this.cluster.manager.state.mode);
    life.kill();
    this.down = true;
    liveness.managerCrashed();
    this.counts.crashes++;
    if (mode !== null) this.counts.whileAwaiting++;
    if (plan.downMs >= LONG_DOWN_MS[0]) this.counts.beyondBudget++;
    this.events.push(`manager crash at ${time(at)} ${how}${mode === null ? '' : `, awaiting ${mode}`}; down for ${time(plan.downMs)}`);
    clock.setTimer(plan.downMs, () => void this.restart(expected, at));
  }

  private async restart(expected: Snapshot, crashedAt: number): Promise<void> {
    const { clock, liveness } = this.cluster;
    try {
      // Streams of its own for the new process's rids and keys, from the crashes' stream.
      const restored = await this.life.start(childStream(this.rng), seededKeys(childStream(this.rng)));
      this.counts.restarts++;
      this.events.push(`manager restarted at ${time(clock.now())}: ${describeRestored(restored)}`);
      const differences = compare(expected, snapshotOf(restored.state));
      if (differences.length > 0) {
        this.violations.push(`the manager restarted at ${time(clock.now())} with another state than the one its disk must hold from before its crash at ${time(crashedAt)}: ${differences.join('; ')}`);
      }
    } catch (err) {
      this.violations.push(`the manager could not start again from its disk at ${time(clock.now())}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      // Up or not, the down time is over: a manager that could not start fails the step.
      this.down = false;
      liveness.managerRestarted();
    }
  }
}

/** The completion (and the peer) the manager awaits in `mode`; null when Idle. */
function describeAwait(mode: ManagerState['mode']): string | null {
  switch (mode.kind) {
    case 'Idle':
      return null;
    case 'AwaitDhtComplete':
      return `dht-complete from ${mode.leader}`;
    case 'AwaitTeardownComplete':
      return `teardown-complete from ${mode.leader}`;
    case 'AwaitDhtRebuilt':
      return `dht-rebuilt from ${mode.peer} (${mode.action})`;
    case 'AwaitDhtRepaired':
      return `dht-repaired from ${mode.leader} (without ${mode.dead.join(', ')})`;
  }
}

function describeRestored(r: Restored): string {
  const s = r.state;
  const mode = describeAwait(s.mode);
  return (
    `${r.records} journal records replayed${r.dropped === null ? '' : ' (a torn one dropped)'}, ${r.replies.length} replies and ${r.sends.length} requests kept; ` +
    `${s.peers.size} registered, ${s.dht === null ? 'no DHT' : `DHT ${s.dht.year} [${s.dht.members.join(', ')}]`}${mode === null ? '' : `, awaiting ${mode}`}`
  );
}

/**
 * The parts of two snapshots that differ, each as it should be and as it was restored. As JSON,
 * which is what the journal holds: the registry's order and every field of every entry count.
 */
function compare(expected: Snapshot, restored: Snapshot): string[] {
  const out: string[] = [];
  for (const part of ['peers', 'dht', 'mode', 'dhts'] as const) {
    const a = JSON.stringify(expected[part]);
    const b = JSON.stringify(restored[part]);
    if (a !== b) out.push(`${part} should be ${shorten(a)}, restored ${shorten(b)}`);
  }
  return out;
}

function shorten(text: string): string {
  return text.length <= SHOWN_CHARS ? text : `${text.slice(0, SHOWN_CHARS)}…`;
}

/** From lo to hi, log-uniform: as likely a few ms as a few seconds. */
function logUniform(x: number, lo: number, hi: number): number {
  return lo * (hi / lo) ** x;
}

function time(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}
