// Shared fixtures for the manager's unit tests: seeded randomness, request builders, and steps
// that drive handleCommand while checking what every call must keep — the input state is never
// mutated and a FAILURE hands the state back exactly as it was.
import assert from 'node:assert/strict';
import { handleCommand, type Outcome, type Sender } from '../../src/manager/handle.js';
import { initialState, type ManagerState, type PeerState } from '../../src/manager/state.js';
import type { ManagerRequest, NameOnlyCommand } from '../../src/wire/messages.js';

/** A socket that is no registered peer's m-port: where unregistered names' commands come from. */
export const SENDER: Sender = { ip: '127.0.0.1', port: 40000 };

/** The FAILURE a name the manager does not know gets, in any mode (issue 13), from SENDER or `from`. */
export function unknown(name: string, from: Sender = SENDER): string {
  return `the manager does not know ${name} at ${from.ip}:${from.port}: register again`;
}
export const IP = '127.0.0.1';

/** Seeded draws, uniform in [0, 1): the project's one generator, so a test's draws repeat exactly. */
export { mulberry32 } from '../../src/data/seeded-random.js';

/** Returns the given draws in order and fails the test if the code draws more than expected. */
export function draws(...values: number[]): () => number {
  let next = 0;
  return () => {
    assert.ok(next < values.length, `unexpected draw #${next + 1}`);
    return values[next++] as number;
  };
}

/** For calls that must not draw at all. */
export const NO_DRAWS = draws();

/** Draws 0 every time: setup picks the Free peers in registration order, query picks the leader. */
export const FIRST = (): number => 0;

/**
 * The key every register and setup draws in these tests: one constant, so that states built the
 * same way compare equal (the keys' own tests use their own sources).
 */
export const FIXED_KEY = 'k'.repeat(42) + 'A';
export const FIXED_KEYS = (): string => FIXED_KEY;

let rids = 0;
const rid = (): string => `t${++rids}`;

export function reg(name: string, mPort: number, pPort: number, ip = IP): ManagerRequest {
  return { type: 'register', rid: rid(), name, ip, mPort, pPort };
}
export function setup(name: string, n: number, year = '1996'): ManagerRequest {
  return { type: 'setup-dht', rid: rid(), name, n, year };
}
export function rebuilt(name: string, newLeader: string): ManagerRequest {
  return { type: 'dht-rebuilt', rid: rid(), name, newLeader };
}
export function cmd(type: NameOnlyCommand, name: string): ManagerRequest {
  return { type, rid: rid(), name };
}

/**
 * Where a correct peer sends `req` from: a register from the address and m-port it names, any
 * other command from the named peer's registered m-port, and an unregistered name's from SENDER.
 */
export function rightfulSender(state: ManagerState, req: ManagerRequest): Sender {
  if (req.type === 'register') return { ip: req.ip, port: req.mPort };
  const entry = state.peers.get(req.name);
  return entry === undefined ? SENDER : { ip: entry.ip, port: entry.mPort };
}

/**
 * One call, checking that the input is not mutated and that a FAILURE leaves the state as it was.
 * The request comes from its rightful sender unless `from` says otherwise.
 */
export function step(state: ManagerState, req: ManagerRequest, random: () => number = NO_DRAWS, from?: Sender): Outcome {
  const before = structuredClone(state);
  const outcome = handleCommand(state, req, from ?? rightfulSender(state, req), random, FIXED_KEYS);
  assert.deepStrictEqual(state, before, `${req.type} mutated its input state`);
  if (!outcome.reply.ok) assert.deepStrictEqual(outcome.state, before, `${req.type} FAILURE changed the state`);
  return outcome;
}

/** A step that must succeed; returns the new state. */
export function ok(state: ManagerState, req: ManagerRequest, random: () => number = NO_DRAWS): ManagerState {
  const outcome = step(state, req, random);
  assert.equal(outcome.reply.ok, true, `${req.type} ${JSON.stringify(req)} failed: ${errorOf(outcome)}`);
  return outcome.state;
}

/** A step that must fail with exactly `error`. */
export function fails(state: ManagerState, req: ManagerRequest, error: string, random: () => number = NO_DRAWS, from?: Sender): void {
  const outcome = step(state, req, random, from);
  assert.equal(outcome.reply.ok, false, `${req.type} ${JSON.stringify(req)} succeeded, expected "${error}"`);
  assert.equal(errorOf(outcome), error);
}

export function errorOf(outcome: Outcome): string | undefined {
  return outcome.reply.ok ? undefined : outcome.reply.error;
}

/** The k-th registered name's ports: 7001+2k (m-port) and 7002+2k (p-port). */
export function portsOf(k: number): { mPort: number; pPort: number } {
  return { mPort: 7001 + 2 * k, pPort: 7002 + 2 * k };
}

/** A state with `names` registered, in that order, all Free. */
export function registered(names: readonly string[]): ManagerState {
  return names.reduce((state, name, k) => ok(state, reg(name, portsOf(k).mPort, portsOf(k).pPort)), initialState());
}

/** The six peers of the SPEC §11.2 demo. */
export const SIX = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const;

/**
 * `names` registered and a complete DHT of the first n of them (names[0] the leader, the rest in
 * order: FIRST makes setup pick the Free peers in registration order).
 */
export function withDht(names: readonly string[], n: number, year = '1996'): ManagerState {
  const state = ok(registered(names), setup(names[0] as string, n, year), FIRST);
  return ok(state, cmd('dht-complete', names[0] as string));
}

/** name → state of every registered peer, for compact assertions. */
export function statesOf(state: ManagerState): Record<string, PeerState> {
  return Object.fromEntries([...state.peers.values()].map((peer) => [peer.name, peer.state]));
}
