// The manager's state (SPEC §3): the registry of peers, the single DHT or none, and the mode that
// says what the manager is waiting for. Every value is read-only; handlers build new states and
// never mutate the one they are given, so a FAILURE can hand back its input unchanged.
import type { ManagerCommand, Tuple } from '../wire/messages.js';

/** A peer's state as the manager keeps it. Unregistered peers are simply absent from the registry. */
export type PeerState = 'Free' | 'Leader' | 'InDHT';

export interface PeerEntry {
  readonly name: string;
  readonly ip: string;
  /** The port the peer sends manager commands from. */
  readonly mPort: number;
  /** The port other peers reach it at; the one in its tuple. */
  readonly pPort: number;
  readonly state: PeerState;
  /** Its own key P (issue 5), given in the register reply: the manager seals DHT keys under it. */
  readonly key: string;
}

/**
 * The single DHT. members are names in ring (id) order, so members[i] is node i and members[0] is
 * the leader. complete: dht-complete has been acknowledged (false only in AwaitDhtComplete).
 */
export interface Dht {
  readonly year: string;
  readonly members: readonly string[];
  readonly complete: boolean;
  /** The DHT's key K (issue 5): members prove with it that a ring message comes from the ring. */
  readonly key: string;
  /** The DHT's number, 1, 2, …: a member refuses a grant of a DHT older than one it has been in. */
  readonly serial: number;
  /** R, the copies it keeps of every record (issue 12); absent for SPEC's one copy. */
  readonly replicas?: number;
}

export type Mode =
  | { readonly kind: 'Idle' }
  | { readonly kind: 'AwaitDhtComplete'; readonly leader: string }
  | { readonly kind: 'AwaitDhtRebuilt'; readonly peer: string; readonly action: 'leave' | 'join' }
  | { readonly kind: 'AwaitTeardownComplete'; readonly leader: string }
  /**
   * Members died (issue 11): the manager took them out of the DHT and told `leader`, the first
   * survivor, to rebuild the ring of the survivors; `dead` names them, for the busy message.
   */
  | { readonly kind: 'AwaitDhtRepaired'; readonly leader: string; readonly dead: readonly string[] };

export interface ManagerState {
  /** name → entry, in registration order (the order random picks draw from). */
  readonly peers: ReadonlyMap<string, PeerEntry>;
  readonly dht: Dht | null;
  readonly mode: Mode;
  /** DHTs set up so far: the serial of the last one. */
  readonly dhts: number;
  /**
   * Peers the failure detector suspects (silent for a while, not yet declared dead): query-dht
   * does not start a query at them while another member is there to start at.
   */
  readonly suspects: ReadonlySet<string>;
  /** The manager's --replicas (issue 12): R for every DHT it sets up; 1 is SPEC's DHT. */
  readonly replicas: number;
}

/** The message an Await mode waits for, and from whom. */
export interface Awaited {
  readonly command: Extract<ManagerCommand, 'dht-complete' | 'dht-rebuilt' | 'teardown-complete' | 'dht-repaired'>;
  readonly peer: string;
}

export const IDLE: Mode = { kind: 'Idle' };

export function initialState(replicas = 1): ManagerState {
  return { peers: new Map(), dht: null, mode: IDLE, dhts: 0, suspects: new Set(), replicas };
}

export function leaderOf(dht: Dht): string {
  return dht.members[0] as string;
}

/** A peer's public identity: its p-port is the port other peers reach it at. */
export function tupleOf(peer: PeerEntry): Tuple {
  return { name: peer.name, ip: peer.ip, port: peer.pPort };
}

/** What the mode waits for, or null in Idle. The busy rule (D10) lets only this message through. */
export function awaitedOf(mode: Mode): Awaited | null {
  switch (mode.kind) {
    case 'Idle':
      return null;
    case 'AwaitDhtComplete':
      return { command: 'dht-complete', peer: mode.leader };
    case 'AwaitDhtRebuilt':
      return { command: 'dht-rebuilt', peer: mode.peer };
    case 'AwaitTeardownComplete':
      return { command: 'teardown-complete', peer: mode.leader };
    case 'AwaitDhtRepaired':
      return { command: 'dht-repaired', peer: mode.leader };
    default:
      return assertNever(mode);
  }
}

/** What the manager is waiting for, e.g. "dht-rebuilt from dave", or null in Idle. */
export function awaitedDescription(mode: Mode): string | null {
  const awaited = awaitedOf(mode);
  return awaited === null ? null : `${awaited.command} from ${awaited.peer}`;
}

/**
 * The registry after the DHT's membership went from `before` to `after` (either may be empty):
 * after[0] becomes Leader, the other members InDHT, and anyone who left the ring Free. Every
 * command that changes membership goes through here, so states always follow the member list.
 */
export function withRingStates(
  peers: ReadonlyMap<string, PeerEntry>,
  before: readonly string[],
  after: readonly string[],
): Map<string, PeerEntry> {
  const next = new Map(peers);
  const setState = (name: string, state: PeerState): void => {
    const entry = next.get(name);
    if (entry !== undefined && entry.state !== state) next.set(name, { ...entry, state });
  };
  for (const name of before) if (!after.includes(name)) setState(name, 'Free');
  after.forEach((name, id) => setState(name, id === 0 ? 'Leader' : 'InDHT'));
  return next;
}

/** The default branch of an exhaustive switch: a compile error when a case is missing. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
