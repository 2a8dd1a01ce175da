// The manager as a pure function (STYLE principle 2): (state, command, sender) → (new state,
// reply). The UDP adapter owns sockets, the reply cache and the clock; everything SPEC §3 and §4
// decide happens here, so the same logic runs over UDP, in unit tests and in simulations.
import type { ManagerRequest } from '../wire/messages.js';
import { dhtComplete, dhtGrants, queryDht, setupDht, teardownComplete, teardownDht } from './dht-commands.js';
import { dhtRebuilt, joinDht, leaveDht } from './membership-commands.js';
import { busy, fail, forgottenCaller, type Outcome } from './outcome.js';
import { deregister, register } from './registry-commands.js';
import { repeatedStarter } from './repeat.js';
import { dhtRepaired, members } from './repair-commands.js';
import { awaitedOf, type ManagerState } from './state.js';
import { quote } from './validate.js';
import { senderError, type Sender } from './authenticate.js';
import { cryptoKeys, type KeySource } from './keys.js';

export type { Outcome, ReplyBody } from './outcome.js';
export type { Sender } from './authenticate.js';

/**
 * Handles one manager command. Pure: the input state is never mutated, a FAILURE returns it as
 * it was, and randomness comes only from `random` (uniform in [0, 1)) and `keys` (fresh keys). Never throws for any
 * ManagerRequest value.
 */
export function handleCommand(
  state: ManagerState,
  req: ManagerRequest,
  sender: Sender,
  random: () => number,
  keys: KeySource = cryptoKeys,
): Outcome {
  // Sender authentication comes first, before the busy rule: a command from a socket that is not
  // the named peer's changes nothing and is told nothing else (authenticate.ts).
  const forged = senderError(state, req, sender);
  if (forged !== null) return fail(state, forged);
  // A name the manager does not know, in any mode: told so, so that the peer registers again.
  if (req.type !== 'register' && typeof req.name === 'string' && !state.peers.has(req.name)) return forgottenCaller(state, req.name, sender);
  // The busy rule (D10) comes before every check of §4: in an Await mode only the awaited message
  // from the awaited peer gets through, so no other command can change what that peer relies on.
  const awaited = awaitedOf(state.mode);
  // The awaited leader's fetch of its members' grants belongs to the setup the manager awaits.
  const partOfSetup = req.type === 'dht-grants' && awaited?.command === 'dht-complete' && req.name === awaited.peer;
  // members only reads: it is answered in every mode, so that a peer can watch a repair. With R ≥ 2
  // copies a repair keeps every record readable (issue 12), so queries go on during it too.
  const readsDuringRepair = req.type === 'query-dht' && state.mode.kind === 'AwaitDhtRepaired' && (state.dht?.replicas ?? 1) >= 2;
  if (awaited !== null && !partOfSetup && req.type !== 'members' && !readsDuringRepair && (req.type !== awaited.command || req.name !== awaited.peer)) {
    return repeatedStarter(state, req) ?? fail(state, busy(state.mode));
  }
  switch (req.type) {
    case 'register':
      return register(state, req, keys);
    case 'setup-dht':
      return setupDht(state, req, random, keys);
    case 'dht-complete':
      return dhtComplete(state, req);
    case 'query-dht':
      return queryDht(state, req, random);
    case 'leave-dht':
      return leaveDht(state, req);
    case 'join-dht':
      return joinDht(state, req);
    case 'dht-rebuilt':
      return dhtRebuilt(state, req);
    case 'deregister':
      return deregister(state, req);
    case 'teardown-dht':
      return teardownDht(state, req);
    case 'teardown-complete':
      return teardownComplete(state, req);
    case 'dht-grants':
      return dhtGrants(state, req);
    case 'dht-repaired':
      return dhtRepaired(state, req);
    case 'members':
      return members(state, req);
    default:
      return unknownCommand(state, req);
  }
}

/**
 * The exhaustive default: a missing case is a compile error (req is `never` here). A value that
 * only pretends to be a ManagerRequest still gets a FAILURE rather than an exception, because the
 * manager must never be crashed by a datagram (SPEC §1.4 item 6).
 */
function unknownCommand(state: ManagerState, req: never): Outcome {
  const type: unknown = (req as { type?: unknown }).type;
  return fail(state, `unknown command ${quote(type)}`);
}
