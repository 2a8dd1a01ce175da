// Evicting a peer the failure detector declared dead (issue 11), as a pure function of the state:
// the peer leaves the registry, so that its name and addresses are free again, and the DHT heals.
// A dead member is cut out and the first survivor is told to rebuild the ring of the survivors
// (AwaitDhtRepaired); a ring that would fall below 3 is torn down and every survivor told. A
// procedure in progress ends at once, rather than stall at the dead node until its retry budget
// runs out or the manager's 150 s give-up: a leave or join is replaced by the repair (the leaver or
// joiner is told with dht-reset), a setup or teardown gives the DHT up. The server owns the
// detector, the timers and the datagrams.
import type { Tuple } from '../wire/messages.js';
import { abandonDht } from './give-up.js';
import { tupleOf, withRingStates, type ManagerState, type PeerEntry } from './state.js';
import { MIN_RING_SIZE } from './validate.js';

/** What the manager must do after a death. */
export interface Eviction {
  readonly state: ManagerState;
  /** Peers to send dht-reset: the survivors of a DHT torn down. */
  readonly notify: readonly PeerEntry[];
  /** The new leader to send repair-dht, with the ring of the survivors. */
  readonly repair: { readonly leader: PeerEntry; readonly ring: readonly Tuple[]; readonly year: string } | null;
  /** One line for the trace (and for the survivors' dht-reset or the leader's repair-dht). */
  readonly reason: string;
}

/**
 * The state after `name` died; `why` says how it was found, e.g. "no heartbeat for 2.5 s". A name
 * that is not registered changes nothing.
 */
export function evictDead(state: ManagerState, name: string, why: string): Eviction {
  const unchanged: Eviction = { state, notify: [], repair: null, reason: '' };
  if (!state.peers.has(name)) return unchanged;
  const reason = `${name} died (${why})`;
  const members = state.dht?.members ?? [];
  const mode = state.mode;
  const awaited = (mode.kind === 'AwaitDhtRebuilt' ? mode.peer : mode.kind === 'Idle' ? null : mode.leader) === name;
  if (!members.includes(name) && !awaited) return { ...unchanged, state: without(state, name), reason };
  switch (mode.kind) {
    case 'Idle':
    case 'AwaitDhtRepaired': {
      const survivors = members.filter((m) => m !== name);
      return heal(state, name, survivors, `${reason}: ${survivors[0]} rebuilds the ring of ${survivors.length} without it`);
    }
    case 'AwaitDhtRebuilt': {
      // A leaver's ring starts at its right neighbour (SPEC §6.5), which may already be leading the
      // rebuild; a joiner was never a member.
      const base = mode.action === 'leave' ? leaveOrder(members, mode.peer) : members;
      const survivors = base.filter((m) => m !== name);
      if (awaited) return heal(state, name, survivors, `${reason} during its ${mode.action}: ${survivors[0]} rebuilds the ring of ${survivors.length}`);
      // Another member died while the leave or join ran: it would stall at the dead node. The ring
      // is repaired without the dead member (and without the leaver, who wanted out; the joiner
      // may try again), and the leaver or joiner is told to stop with dht-reset.
      const text =
        mode.action === 'leave'
          ? `${reason} during ${mode.peer}'s leave: ${survivors[0]} rebuilds the ring of ${survivors.length} without both`
          : `${reason} during ${mode.peer}'s join: ${survivors[0]} rebuilds the ring of ${survivors.length} without it; ${mode.peer} may join again`;
      return heal(state, name, survivors, text, state.peers.get(mode.peer));
    }
    case 'AwaitDhtComplete':
    case 'AwaitTeardownComplete': {
      // The leader's setup or teardown round would stall at the dead node: the DHT is given up at
      // once, and every other member (the leader too, when it is not the one that died) reset.
      const verb = mode.kind === 'AwaitDhtComplete' ? 'setting up' : 'tearing down';
      const gone = abandonDht(state, `${reason} while ${mode.leader === name ? '' : `${mode.leader} was `}${verb} the DHT: the DHT is torn down and its members are Free`, name);
      return { ...unchanged, state: without(gone.state, name), notify: gone.notify, reason: gone.reason };
    }
  }
}

/**
 * The DHT without the dead peer: the survivors, in `survivors` order, are rebuilt by the first of
 * them; fewer than 3 survivors tear the DHT down. `also` is told with dht-reset: a leaver or
 * joiner whose procedure the repair replaces.
 */
function heal(state: ManagerState, dead: string, survivors: readonly string[], text: string, also?: PeerEntry): Eviction {
  const dht = state.dht!;
  if (survivors.length < MIN_RING_SIZE) {
    const reason = `${text.split(':')[0]}: ${survivors.length} members would be left, fewer than ${MIN_RING_SIZE}; the DHT is torn down and its members are Free`;
    const gone = abandonDht(state, reason, dead);
    return { state: without(gone.state, dead), notify: gone.notify, repair: null, reason };
  }
  const peers = withRingStates(state.peers, dht.members, survivors);
  const earlier = state.mode.kind === 'AwaitDhtRepaired' ? state.mode.dead : [];
  const leader = survivors[0]!;
  const next: ManagerState = {
    ...state,
    peers,
    dht: { ...dht, members: survivors },
    mode: { kind: 'AwaitDhtRepaired', leader, dead: [...earlier, dead] },
  };
  const entry = (n: string): PeerEntry => peers.get(n)!;
  return {
    state: without(next, dead),
    notify: also === undefined ? [] : [also],
    repair: { leader: entry(leader), ring: survivors.map((n) => tupleOf(entry(n))), year: dht.year },
    reason: text,
  };
}

/** The members after `leaver` leaves, starting at its right neighbour (SPEC §6.5 step 2). */
function leaveOrder(members: readonly string[], leaver: string): string[] {
  const i = members.indexOf(leaver);
  return [...members.slice(i + 1), ...members.slice(0, i)];
}

/** The state without the peer in the registry or among the suspects. */
function without(state: ManagerState, name: string): ManagerState {
  const peers = new Map(state.peers);
  peers.delete(name);
  const suspects = new Set(state.suspects);
  suspects.delete(name);
  return { ...state, peers, suspects };
}
