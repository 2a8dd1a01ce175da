// What the manager keeps on disk (issue 13; docs/protocol.md §12), and how it comes back.
//
// Each change of state is one journal record (journal.ts), written and fsynced before anything
// that makes it visible leaves the manager:
// * the deltas the change made (state-delta.ts);
// * the reply of the command that made it, so that a repeat of that command after a restart is
//   answered from the reply cache, as before the restart, and never executed twice;
// * the requests the change makes the manager send (dht-reset, repair-dht) with their rids, so
//   that one lost in the crash goes out again as the same request, which a peer that had it
//   already answers from its own reply cache.
// A command that changes nothing (a query-dht, members, any FAILURE) writes nothing: run again
// on the state it left, it gets the same answer, so it needs no record. The snapshot holds the
// state, and the replies and requests of the last REPLY_CACHE_TTL_MS.
import { decode, encode } from '../wire/codec.js';
import type { DhtResetRequest, Message, RepairDhtRequest } from '../wire/messages.js';
import type { ReplyBody } from '../transport/endpoint.js';
import type { Address } from '../transport/udp-socket.js';
import { REPLY_CACHE_TTL_MS, REQUEST_BUDGET_MS } from '../transport/timing.js';
import { invariantViolations } from './invariants.js';
import { StateDir, StateDirError, type Recovered } from './journal.js';
import { applyDeltas, diffState, snapshotOf, stateOf, type Delta, type Snapshot } from './state-delta.js';
import type { ManagerState } from './state.js';

/** A reply to a command that changed the state. */
export interface SavedReply {
  readonly to: Address;
  readonly rid: string;
  readonly body: ReplyBody;
}

/** A request the manager sent because the state changed, under its rid. */
export interface SavedSend {
  readonly to: Address;
  /** The peer's name, for traces and the timeout's message. */
  readonly who: string;
  readonly msg: DhtResetRequest | RepairDhtRequest;
}

/** One journal record: when (wall-clock ms), what changed, and what was sent because of it. */
export interface JournalBody {
  readonly at: number;
  readonly deltas: readonly Delta[];
  readonly reply?: SavedReply;
  readonly sends?: readonly SavedSend[];
}

/** The snapshot: the state, and the replies and requests still worth keeping, each with its time. */
export interface SnapshotBody {
  readonly state: Snapshot;
  readonly replies: readonly Timed<SavedReply>[];
  readonly sends: readonly Timed<SavedSend>[];
}

export type Timed<T> = T & { readonly at: number };

/** Where records go: the state directory (journal.ts), or the simulation's memory. */
export interface StateStore {
  /** Appends a record; returns when it is durable. */
  append(body: JournalBody): number;
  /** Replaces the snapshot (as of the last record) and empties the journal. */
  compact(body: SnapshotBody): void;
  /** The journal's size in bytes: what a restart has to replay. */
  readonly journalBytes: number;
  close(): void;
}

/** The manager as it was: its state, the replies and requests of the last REPLY_CACHE_TTL_MS. */
export interface Restored {
  readonly state: ManagerState;
  readonly replies: readonly Timed<SavedReply>[];
  readonly sends: readonly Timed<SavedSend>[];
  /** Journal records replayed on top of the snapshot. */
  readonly records: number;
  /** The line saying what a torn write left, which was dropped; null when nothing was. */
  readonly dropped: string | null;
}

/** A restored state that breaks an invariant: it was never written, so the manager refuses it. */
export class RestoreError extends Error {}

/**
 * Compacts once the journal holds this much: about 1,400 registrations, which replay in well under
 * 0.1 s (a restart reads the snapshot, then the journal). A snapshot of 1,000 peers is about 200 kB.
 */
export const COMPACT_AFTER_BYTES = 512 * 1024;

/**
 * Opens a state directory (creating it when absent) and restores what it holds. Throws
 * StateDirError, with one line that names the file or directory, when it cannot be used.
 */
export function openStateDir(dir: string, replicas: number, now: number): { store: StateStore; restored: Restored } {
  const { store, recovered } = StateDir.open(dir, isSnapshotBody, isJournalBody);
  try {
    return { store, restored: restore(recovered, replicas, now) };
  } catch (err) {
    store.close();
    throw err instanceof RestoreError ? new StateDirError(`${dir}: ${err.message}`) : err;
  }
}

/** The state directory's content replayed; `now` is the wall clock, for what is still worth keeping. */
export function restore(recovered: Recovered<SnapshotBody, JournalBody>, replicas: number, now: number): Restored {
  const base = recovered.snapshot?.body;
  const snapshot = base === undefined ? stateOf({ peers: [], dht: null, mode: { kind: 'Idle' }, dhts: 0 }, replicas) : stateOf(base.state, replicas);
  const replies: Timed<SavedReply>[] = [...(base?.replies ?? [])];
  const sends: Timed<SavedSend>[] = [...(base?.sends ?? [])];
  for (const { body } of recovered.entries) {
    if (body.reply !== undefined) replies.push({ ...body.reply, at: body.at });
    for (const s of body.sends ?? []) sends.push({ ...s, at: body.at });
  }
  // Every record's deltas at once: one copy of the registry, not one per record.
  const state = applyDeltas(snapshot, recovered.entries.flatMap((e) => e.body.deltas));
  const broken = invariantViolations(state);
  if (broken.length > 0) throw new RestoreError(`the recovered state is inconsistent (${broken[0]}): refusing to start`);
  // A request is sent again only while every retry of it reaches its peer before the peer's reply
  // cache forgets its answer: one the peer executed is then answered, not executed again.
  return { state, replies: recent(replies, now), sends: recent(sends, now + REQUEST_BUDGET_MS), records: recovered.entries.length, dropped: recovered.dropped };
}

/**
 * The requests to send again after a restart: those the state still calls for. The repair-dht of
 * the repair the manager awaits, if it is for the ring the DHT has; and the latest dht-reset of
 * each peer that is still registered at that address and Free (a peer in a DHT set up since, or a
 * joiner the manager awaits, is not reset by an old one).
 */
export function sendsStillDue(state: ManagerState, sends: readonly SavedSend[]): SavedSend[] {
  const latest = new Map<string, SavedSend>();
  for (const s of sends) latest.set(`${s.msg.type} ${s.who}`, s);
  const mode = state.mode;
  return [...latest.values()].filter((s) => {
    if (s.msg.type === 'repair-dht') {
      const ring = s.msg.ring.map((t) => t.name).join(' ');
      return mode.kind === 'AwaitDhtRepaired' && mode.leader === s.who && ring === (state.dht?.members ?? []).join(' ');
    }
    const peer = state.peers.get(s.who);
    const awaitedJoiner = mode.kind === 'AwaitDhtRebuilt' && mode.action === 'join' && mode.peer === s.who;
    return peer !== undefined && peer.ip === s.to.ip && peer.mPort === s.to.port && peer.state === 'Free' && !awaitedJoiner;
  });
}

/** Writes the manager's changes to its store and compacts it now and then. */
export class Durability {
  private readonly replies: Timed<SavedReply>[];
  private readonly sends: Timed<SavedSend>[];

  constructor(
    private readonly store: StateStore,
    restored: Restored,
    private readonly wallClock: () => number,
    private readonly compactAfterBytes = COMPACT_AFTER_BYTES,
  ) {
    this.replies = [...restored.replies];
    this.sends = [...restored.sends];
  }

  /**
   * Makes the change from `before` to `after` durable, with the reply that announces it and the
   * requests it sends; nothing is written when nothing changed and nothing is sent.
   */
  record(before: ManagerState, after: ManagerState, reply?: SavedReply, sends: readonly SavedSend[] = []): void {
    if (before === after && sends.length === 0) return; // a query, a FAILURE: not a change
    const deltas = diffState(before, after);
    if (deltas.length === 0 && sends.length === 0) return;
    const at = Math.floor(this.wallClock());
    this.store.append({ at, deltas, ...(reply === undefined ? {} : { reply }), ...(sends.length === 0 ? {} : { sends }) });
    if (reply !== undefined) this.replies.push({ ...reply, at });
    for (const s of sends) this.sends.push({ ...s, at });
    if (this.store.journalBytes >= this.compactAfterBytes) this.compact(after);
  }

  /** Writes a snapshot of `state` and starts the journal again. */
  compact(state: ManagerState): void {
    const now = this.wallClock();
    prune(this.replies, now);
    prune(this.sends, now);
    this.store.compact({ state: snapshotOf(state), replies: this.replies, sends: this.sends });
  }

  close(): void {
    this.store.close();
  }
}

/** What is younger than REPLY_CACHE_TTL_MS: a peer's repeat comes within its 10 s budget, so this keeps far more than needed. */
function recent<T extends { at: number }>(items: readonly T[], now: number): T[] {
  return items.filter((i) => now - i.at < REPLY_CACHE_TTL_MS);
}

/** Drops the items older than REPLY_CACHE_TTL_MS from the front of a list in time order. */
function prune<T extends { at: number }>(items: T[], now: number): void {
  let old = 0;
  while (old < items.length && now - items[old]!.at >= REPLY_CACHE_TTL_MS) old++;
  items.splice(0, old);
}

// ---------------------------------------------------------------------------------------------
// Shapes: a record whose checksum is right but whose content is not one of these was not written
// by this manager; the state directory is refused rather than replayed.

type Check = (v: unknown) => boolean;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString: Check = (v) => typeof v === 'string';
const isNat: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isPort: Check = (v) => Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536;
const arrayOf = (item: Check): Check => (v) => Array.isArray(v) && v.every(item);
const isAddress: Check = (v) => isObject(v) && isString(v.ip) && isPort(v.port);
const isMessage = (v: unknown, types: readonly string[]): boolean => isObject(v) && types.includes(v.type as string) && decode(encode(v as unknown as Message)).ok;

const isPeerEntry: Check = (v) =>
  isObject(v) &&
  isString(v.name) &&
  isString(v.ip) &&
  isPort(v.mPort) &&
  isPort(v.pPort) &&
  (v.state === 'Free' || v.state === 'Leader' || v.state === 'InDHT') &&
  isString(v.key);

const isDht: Check = (v) =>
  isObject(v) &&
  isString(v.year) &&
  arrayOf(isString)(v.members) &&
  typeof v.complete === 'boolean' &&
  isString(v.key) &&
  isNat(v.serial) &&
  (v.replicas === undefined || (isNat(v.replicas) && (v.replicas as number) >= 1));

const isMode: Check = (v) => {
  if (!isObject(v)) return false;
  switch (v.kind) {
    case 'Idle':
      return true;
    case 'AwaitDhtComplete':
    case 'AwaitTeardownComplete':
      return isString(v.leader);
    case 'AwaitDhtRebuilt':
      return isString(v.peer) && (v.action === 'leave' || v.action === 'join');
    case 'AwaitDhtRepaired':
      return isString(v.leader) && arrayOf(isString)(v.dead);
    default:
      return false;
  }
};

const isDelta: Check = (v) => {
  if (!isObject(v)) return false;
  switch (v.op) {
    case 'peer':
      return isString(v.name) && (v.entry === null || isPeerEntry(v.entry));
    case 'dht':
      return v.dht === null || isDht(v.dht);
    case 'mode':
      return isMode(v.mode);
    case 'dhts':
      return isNat(v.dhts);
    default:
      return false;
  }
};

const isSavedReply: Check = (v) => isObject(v) && isAddress(v.to) && isString(v.rid) && isObject(v.body) && isMessage({ type: 'reply', rid: v.rid, ...v.body }, ['reply']);
const isSavedSend: Check = (v) => isObject(v) && isAddress(v.to) && isString(v.who) && isMessage(v.msg, ['dht-reset', 'repair-dht']);
const timed = (check: Check): Check => (v) => check(v) && isNat((v as Record<string, unknown>).at);

export function isJournalBody(v: unknown): v is JournalBody {
  return (
    isObject(v) &&
    isNat(v.at) &&
    arrayOf(isDelta)(v.deltas) &&
    (v.reply === undefined || isSavedReply(v.reply)) &&
    (v.sends === undefined || arrayOf(isSavedSend)(v.sends))
  );
}

export function isSnapshotBody(v: unknown): v is SnapshotBody {
  if (!isObject(v) || !isObject(v.state)) return false;
  const s = v.state;
  return (
    arrayOf(isPeerEntry)(s.peers) &&
    (s.dht === null || isDht(s.dht)) &&
    isMode(s.mode) &&
    isNat(s.dhts) &&
    arrayOf(timed(isSavedReply))(v.replies) &&
    arrayOf(timed(isSavedSend))(v.sends)
  );
}
