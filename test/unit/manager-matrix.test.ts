// Every command in every manager mode from a caller in every peer state (SPEC §3, §4, D10): the
// reply's outcome and, on SUCCESS, the mode it leads to. Each call also checks (in `step`) that
// the input state is untouched and that a FAILURE leaves the state exactly as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { awaitedOf, type ManagerState, type Mode } from '../../src/manager/state.js';
import { MANAGER_COMMANDS, type ManagerCommand, type ManagerRequest } from '../../src/wire/messages.js';
import { cmd, errorOf, FIRST, ok, reg, rebuilt, registered, setup, SIX, step, unknown, withDht } from './manager-fixtures.js';

/** SUCCESS leading to this mode, or FAILURE with exactly this error. */
type Expect = Mode['kind'] | { readonly error: string };

/** The request a caller sends for each command, with arguments that are valid where they can be. */
function requestFor(command: ManagerCommand, name: string, state: ManagerState): ManagerRequest {
  switch (command) {
    case 'register':
      return reg(name, 9001, 9002);
    case 'setup-dht':
      return setup(name, 3);
    case 'dht-rebuilt':
      return rebuilt(name, expectedNewLeader(state));
    case 'dht-grants':
      return { type: 'dht-grants', rid: `g-${name}`, name, from: 1, count: 10 };
    case 'dht-repaired':
    case 'members':
      return { type: command, rid: `r-${name}`, name };
    default:
      return cmd(command, name);
  }
}

/** What a correct peer reports: the leaver's right neighbour, or the unchanged leader. */
function expectedNewLeader({ dht, mode }: ManagerState): string {
  const members = dht?.members ?? ['alice'];
  if (mode.kind === 'AwaitDhtRebuilt' && mode.action === 'leave') {
    return members[(members.indexOf(mode.peer) + 1) % members.length] as string;
  }
  return members[0] as string;
}

function check(state: ManagerState, command: ManagerCommand, caller: string, expected: Expect): void {
  const outcome = step(state, requestFor(command, caller, state), FIRST);
  const what = `${state.mode.kind}: ${command} from ${caller}`;
  if (typeof expected === 'string') {
    assert.equal(errorOf(outcome), undefined, what);
    assert.equal(outcome.state.mode.kind, expected, what);
  } else {
    assert.equal(errorOf(outcome), expected.error, what);
  }
}

/** Any command but register from a name the manager does not know (issue 13). */
const UNKNOWN = { error: unknown('zed') };
const NO_DHT = { error: 'no DHT exists' };
const NOT_WAITING_REBUILT = { error: 'not waiting for dht-rebuilt' };
const NOT_WAITING_TEARDOWN = { error: 'not waiting for teardown-complete' };
const NO_SETUP = { error: 'no DHT of yours is being set up' };
const NO_REPAIR = { error: 'no repair of the DHT is in progress' };
const already = (name: string): Expect => ({ error: `peer "${name}" is already registered` });
const notLeader = (name: string): Expect => ({ error: `${name} is not the leader of the DHT` });
const onlyFree = (state: string, action: string): Expect => ({ error: `peer is ${state}; only a Free peer may ${action}` });

test('Idle without a DHT: callers unknown (zed) and Free (erin)', () => {
  const table: Record<ManagerCommand, [Expect, Expect]> = {
    register: ['Idle', already('erin')],
    'setup-dht': [UNKNOWN, 'AwaitDhtComplete'],
    'dht-complete': [UNKNOWN, NO_DHT],
    'query-dht': [UNKNOWN, NO_DHT],
    'leave-dht': [UNKNOWN, NO_DHT],
    'join-dht': [UNKNOWN, NO_DHT],
    'dht-rebuilt': [UNKNOWN, NOT_WAITING_REBUILT],
    deregister: [UNKNOWN, 'Idle'],
    'teardown-dht': [UNKNOWN, NO_DHT],
    'teardown-complete': [UNKNOWN, NOT_WAITING_TEARDOWN],
    'dht-grants': [UNKNOWN, NO_SETUP],
    'dht-repaired': [UNKNOWN, NO_REPAIR],
    members: [UNKNOWN, 'Idle'],
  };
  const state = registered(SIX);
  for (const command of MANAGER_COMMANDS) {
    ['zed', 'erin'].forEach((caller, i) => check(state, command, caller, table[command][i] as Expect));
  }
});

test('Idle with a complete DHT: callers unknown (zed), Free (erin), InDHT (bob), Leader (alice)', () => {
  const table: Record<ManagerCommand, [Expect, Expect, Expect, Expect]> = {
    register: ['Idle', already('erin'), already('bob'), already('alice')],
    'setup-dht': [
      UNKNOWN,
      { error: 'a DHT already exists (leader alice)' },
      onlyFree('InDHT', 'set up a DHT'),
      onlyFree('Leader', 'set up a DHT'),
    ],
    'dht-complete': [UNKNOWN, notLeader('erin'), notLeader('bob'), 'Idle'],
    'query-dht': [UNKNOWN, 'Idle', onlyFree('InDHT', 'query the DHT'), onlyFree('Leader', 'query the DHT')],
    'leave-dht': [UNKNOWN, { error: 'erin is not a member of the DHT' }, 'AwaitDhtRebuilt', 'AwaitDhtRebuilt'],
    'join-dht': [UNKNOWN, 'AwaitDhtRebuilt', onlyFree('InDHT', 'join the DHT'), onlyFree('Leader', 'join the DHT')],
    'dht-rebuilt': [UNKNOWN, NOT_WAITING_REBUILT, NOT_WAITING_REBUILT, NOT_WAITING_REBUILT],
    deregister: [UNKNOWN, 'Idle', onlyFree('InDHT', 'deregister'), onlyFree('Leader', 'deregister')],
    'teardown-dht': [UNKNOWN, notLeader('erin'), notLeader('bob'), 'AwaitTeardownComplete'],
    'teardown-complete': [UNKNOWN, NOT_WAITING_TEARDOWN, NOT_WAITING_TEARDOWN, NOT_WAITING_TEARDOWN],
    'dht-grants': [UNKNOWN, NO_SETUP, NO_SETUP, NO_SETUP],
    'dht-repaired': [UNKNOWN, NO_REPAIR, NO_REPAIR, NO_REPAIR],
    members: [UNKNOWN, 'Idle', 'Idle', 'Idle'],
  };
  const state = withDht(SIX, 4); // alice, bob, carol, dave in the ring; erin, frank Free
  for (const command of MANAGER_COMMANDS) {
    ['zed', 'erin', 'bob', 'alice'].forEach((caller, i) => check(state, command, caller, table[command][i] as Expect));
  }
});

/** Each Await mode, and callers in every peer state: the awaited peer and others. */
const AWAITING: readonly {
  readonly label: string;
  readonly state: () => ManagerState;
  readonly callers: readonly string[];
  /** The command that started the mode: repeated by the awaited peer it gets its SUCCESS again (repeat.ts). */
  readonly starter?: ManagerCommand;
}[] = [
  {
    label: 'AwaitDhtComplete(alice)',
    state: () => ok(registered(SIX), setup('alice', 4), FIRST),
    callers: ['zed', 'erin', 'bob', 'alice'],
  },
  {
    label: 'AwaitDhtRebuilt(bob, leave)',
    state: () => ok(withDht(SIX, 4), cmd('leave-dht', 'bob')),
    callers: ['zed', 'erin', 'carol', 'bob', 'alice'],
    starter: 'leave-dht',
  },
  {
    label: 'AwaitDhtRebuilt(alice, leave)',
    state: () => ok(withDht(SIX, 4), cmd('leave-dht', 'alice')),
    callers: ['zed', 'erin', 'bob', 'alice'],
    starter: 'leave-dht',
  },
  {
    label: 'AwaitDhtRebuilt(erin, join)',
    state: () => ok(withDht(SIX, 4), cmd('join-dht', 'erin')),
    callers: ['zed', 'frank', 'erin', 'bob', 'alice'],
    starter: 'join-dht',
  },
  {
    label: 'AwaitTeardownComplete(alice)',
    state: () => ok(withDht(SIX, 4), cmd('teardown-dht', 'alice')),
    callers: ['zed', 'erin', 'bob', 'alice'],
    starter: 'teardown-dht',
  },
];

for (const { label, state: build, callers, starter } of AWAITING) {
  test(`${label}: only the awaited message from the awaited peer is handled (D10)`, () => {
    const state = build();
    assert.equal(state.mode.kind === 'Idle', false);
    const awaited = awaitedOf(state.mode);
    assert.ok(awaited !== null && callers.includes(awaited.peer));
    const busy: Expect = { error: `busy: waiting for ${awaited.command} from ${awaited.peer}` };
    for (const command of MANAGER_COMMANDS) {
      for (const caller of callers) {
        const handled = command === awaited.command && caller === awaited.peer;
        const repeated = command === starter && caller === awaited.peer;
        // The awaited leader's grant fetch is part of its setup: answered, and nothing changes.
        const grants = command === 'dht-grants' && awaited.command === 'dht-complete' && caller === awaited.peer;
        // members only reads: any registered caller is answered in every mode, and nothing changes.
        if (command === 'members') {
          check(state, command, caller, caller === 'zed' ? UNKNOWN : state.mode.kind);
          continue;
        }
        if (caller === 'zed' && command !== 'register') {
          check(state, command, caller, UNKNOWN);
          continue;
        }
        check(state, command, caller, handled ? 'Idle' : repeated || grants ? state.mode.kind : busy);
      }
    }
  });
}

test('a setup-dht repeated by the awaited leader with the same n and year gets the same ring; another is busy', () => {
  const state = ok(registered(SIX), setup('alice', 4), FIRST);
  const first = state.dht!.members;
  const again = step(state, setup('alice', 4));
  assert.equal(errorOf(again), undefined);
  assert.equal(again.state, state, 'a repeat changes nothing');
  assert.deepEqual((again.reply as { ring?: { name: string }[] }).ring?.map((t) => t.name), first);
  assert.equal(errorOf(step(state, setup('alice', 5))), 'busy: waiting for dht-complete from alice');
  assert.equal(errorOf(step(state, setup('alice', 4, '1950'))), 'busy: waiting for dht-complete from alice');
});
