// A command repeated by the peer the manager is waiting on, with a new rid: the peer's first
// request timed out at its end (its reply was lost, or the manager was briefly unreachable), so
// the peer gave up on it and its user typed the command again. The operation it started is still
// the one the manager awaits, so the manager answers the repeat as it answered the original, and
// the peer carries on from there. Any other command from anyone still meets the busy rule (D10).
import type { ManagerRequest } from '../wire/messages.js';
import { succeed, type Outcome } from './outcome.js';
import { leaderOf, tupleOf, type ManagerState, type PeerEntry } from './state.js';
import { setupPayload } from './keys.js';

/** The original SUCCESS again when `req` repeats the command that started the current Await mode; else null. */
export function repeatedStarter(state: ManagerState, req: ManagerRequest): Outcome | null {
  const mode = state.mode;
  const dht = state.dht;
  if (dht === null) return null;
  const entry = (name: string): PeerEntry | undefined => state.peers.get(name);
  switch (mode.kind) {
    case 'AwaitDhtComplete': {
      if (req.type !== 'setup-dht' || req.name !== mode.leader) return null;
      // Only the very same request: same n and year. Another setup is a new command, and busy.
      if (req.n !== dht.members.length || req.year !== dht.year) return null;
      return succeed(state, setupPayload(state, dht));
    }
    case 'AwaitDhtRebuilt': {
      if (req.name !== mode.peer) return null;
      if (mode.action === 'leave' && req.type === 'leave-dht') return succeed(state);
      const leader = entry(leaderOf(dht));
      if (mode.action === 'join' && req.type === 'join-dht' && leader) return succeed(state, { leader: tupleOf(leader), key: dht.key, serial: dht.serial });
      return null;
    }
    case 'AwaitTeardownComplete':
      return req.type === 'teardown-dht' && req.name === mode.leader ? succeed(state) : null;
    case 'Idle':
    case 'AwaitDhtRepaired':
      return null;
  }
}
