// cluster-router.ts: which process a line typed at the cluster prompt goes to, the cluster's own
// commands, the `!` expected-failure marker, and Tab completion; plus the cluster's --peers/--names
// and the colour switch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTINS, complete, helpText, PEER_COMMANDS, route } from '../../src/cli/cluster-router.js';
import { DEFAULT_NAMES, peerNames } from '../../src/cli/cluster-main.js';
import { colourWanted, painter } from '../../src/cli/colour.js';
import { USAGE } from '../../src/peer/commands.js';
import { peersText } from '../../src/cli/cluster-shell.js';
import { UsageError } from '../../src/cli/usage.js';

const NAMES = ['alice', 'bob', 'carol', 'dave'];

test('a protocol command goes, as typed, to the peer named after the command', () => {
  assert.deepEqual(route('register alice', NAMES), { kind: 'peer', peer: 'alice', command: 'register', line: 'register alice', expectFailure: false });
  assert.deepEqual(route('  setup-dht carol 3 1996  ', NAMES), { kind: 'peer', peer: 'carol', command: 'setup-dht', line: 'setup-dht carol 3 1996', expectFailure: false });
  assert.deepEqual(route('register bob 127.0.0.1 7003 7004', NAMES), {
    kind: 'peer', peer: 'bob', command: 'register', line: 'register bob 127.0.0.1 7003 7004', expectFailure: false,
  });
  for (const command of ['query-dht', 'leave-dht', 'join-dht', 'teardown-dht', 'dht-complete', 'deregister']) {
    const r = route(`${command} dave`, NAMES);
    assert.equal(r.kind, 'peer', command);
    assert.equal(r.kind === 'peer' && r.peer, 'dave', command);
  }
});

test('the peer commands are exactly the protocol commands of a peer, less status', () => {
  assert.deepEqual([...PEER_COMMANDS].sort(), Object.keys(USAGE).filter((c) => c !== 'status').sort());
});

test('an unknown peer name is refused, naming the peers there are', () => {
  const r = route('query-dht zed 5536849', NAMES);
  assert.equal(r.kind, 'error');
  assert.match(r.kind === 'error' ? r.message : '', /^unknown peer "zed": this cluster's peers are alice, bob, carol, dave$/);
  // Names are case-sensitive, as the protocol's are.
  assert.equal(route('register Alice', NAMES).kind, 'error');
  assert.equal(route('status zed', NAMES).kind, 'error');
});

test('an unknown command, and a peer command without its peer, are refused', () => {
  const unknown = route('frobnicate alice', NAMES);
  assert.deepEqual(unknown, { kind: 'error', message: 'unknown command "frobnicate" (type help for the list)' });
  const bare = route('setup-dht', NAMES);
  assert.deepEqual(bare, { kind: 'error', message: 'setup-dht needs the name of the peer that runs it: setup-dht <name> <n> <YYYY>' });
});

test('the cluster\'s own commands: help, peers, quit, exit, status and status <peer>', () => {
  for (const builtin of ['help', 'peers', 'quit', 'exit'] as const) {
    assert.deepEqual(route(builtin, NAMES), { kind: 'builtin', builtin, peer: null, expectFailure: false });
    assert.equal(route(`${builtin} alice`, NAMES).kind, 'error', `${builtin} takes no argument`);
  }
  assert.deepEqual(route('status', NAMES), { kind: 'builtin', builtin: 'status', peer: null, expectFailure: false });
  assert.deepEqual(route('status bob', NAMES), { kind: 'builtin', builtin: 'status', peer: 'bob', expectFailure: false });
  assert.deepEqual(route('status bob carol', NAMES), { kind: 'error', message: 'usage: status [<peer>]' });
});

test('kill <peer> is the cluster\'s own: it names one peer of the cluster', () => {
  assert.deepEqual(route('kill bob', NAMES), { kind: 'builtin', builtin: 'kill', peer: 'bob', expectFailure: false });
  assert.deepEqual(route('kill', NAMES), { kind: 'error', message: 'usage: kill <peer>' });
  assert.deepEqual(route('kill bob carol', NAMES), { kind: 'error', message: 'usage: kill <peer>' });
  assert.match((route('kill zed', NAMES) as { message: string }).message, /^unknown peer "zed"/);
  assert.deepEqual(complete('ki', NAMES, []), [['kill '], 'ki']);
  assert.deepEqual(complete('kill c', NAMES, []), [['carol '], 'c']);
});

test('blank lines and # comments are skipped; ! marks a line that must fail', () => {
  assert.deepEqual(route('', NAMES), { kind: 'skip' });
  assert.deepEqual(route('   ', NAMES), { kind: 'skip' });
  assert.deepEqual(route('# register alice', NAMES), { kind: 'skip' });
  assert.deepEqual(route('! deregister alice', NAMES), { kind: 'peer', peer: 'alice', command: 'deregister', line: 'deregister alice', expectFailure: true });
  assert.deepEqual(route('!deregister alice', NAMES), { kind: 'peer', peer: 'alice', command: 'deregister', line: 'deregister alice', expectFailure: true });
  assert.equal(route('!', NAMES).kind, 'error', 'a lone ! is not a blank line');
  assert.equal(route('! query-dht zed 1', NAMES).kind, 'error', 'an unknown peer stays an error under !');
});

test('Tab completes the first word to a command or built-in', () => {
  assert.deepEqual(complete('setu', NAMES, []), [['setup-dht '], 'setu']);
  assert.deepEqual(complete('d', NAMES, []), [['dht-complete', 'deregister'], 'd']);
  assert.deepEqual(complete('pe', NAMES, []), [['peers '], 'pe']);
  assert.deepEqual(complete('xyz', NAMES, []), [[], 'xyz']);
  const [all] = complete('', NAMES, []);
  assert.deepEqual([...all].sort(), [...PEER_COMMANDS, ...BUILTINS].sort());
  assert.deepEqual(complete('! leav', NAMES, []), [['leave-dht '], 'leav'], 'after the ! marker');
});

test('Tab completes the word after a command to a peer name, and setup-dht\'s year to the years present', () => {
  assert.deepEqual(complete('query-dht ca', NAMES, []), [['carol '], 'ca']);
  assert.deepEqual(complete('register ', NAMES, []), [NAMES, '']);
  assert.deepEqual(complete('status d', NAMES, []), [['dave '], 'd']);
  assert.deepEqual(complete('help a', NAMES, []), [[], 'a'], 'help takes no peer');
  assert.deepEqual(complete('setup-dht alice 3 19', NAMES, ['1950', '1996', '2001']), [['1950', '1996'], '19']);
  assert.deepEqual(complete('setup-dht alice 3 199', NAMES, ['1950', '1996']), [['1996 '], '199']);
  assert.deepEqual(complete('query-dht alice 19', NAMES, ['1996']), [[], '19'], 'an event id is not completed');
});

test('help lists every protocol command and every built-in', () => {
  const text = helpText(NAMES);
  for (const usage of PEER_COMMANDS.map((c) => USAGE[c]!)) assert.ok(text.includes(usage), usage);
  for (const builtin of BUILTINS) assert.match(text, new RegExp(`\\b${builtin}\\b`), builtin);
  assert.match(text, /alice, bob, carol, dave/);
});

test('--peers and --names choose the peers; bad ones are usage errors', () => {
  assert.deepEqual(peerNames(undefined, undefined), DEFAULT_NAMES.slice(0, 6));
  assert.deepEqual(peerNames('3', undefined), ['alice', 'bob', 'carol']);
  assert.deepEqual(peerNames(undefined, 'x,yy,zzz'), ['x', 'yy', 'zzz']);
  assert.deepEqual(peerNames('2', 'x,y'), ['x', 'y']);
  for (const [peers, names, pattern] of [
    ['0', undefined, /--peers "0" is invalid/],
    ['many', undefined, /--peers "many" is invalid/],
    [String(DEFAULT_NAMES.length + 1), undefined, /name them with --names/],
    [undefined, 'alice,al1ce', /--names: /],
    [undefined, 'alice,bob,alice', /"alice" is given twice/],
    [undefined, 'alice,manager', /labels the manager's lines/],
    ['3', 'x,y', /disagrees/],
  ] as const) {
    assert.throws(() => peerNames(peers, names), (err: unknown) => err instanceof UsageError && pattern.test(err.message), `${peers} ${names}`);
  }
});

test('colour only on a terminal and when NO_COLOR is unset or empty', () => {
  assert.equal(colourWanted({ isTTY: true }, {}), true);
  assert.equal(colourWanted({ isTTY: true }, { NO_COLOR: '' }), true);
  assert.equal(colourWanted({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(colourWanted({ isTTY: false }, {}), false);
  assert.equal(colourWanted({}, {}), false);
  assert.equal(painter(false)('31', 'x'), 'x');
  assert.equal(painter(true)('31', 'x'), '\x1b[31mx\x1b[0m');
});

test('restart <peer> is the cluster\'s own: it names one peer of the cluster, and completes like kill', () => {
  assert.deepEqual(route('restart bob', NAMES), { kind: 'builtin', builtin: 'restart', peer: 'bob', expectFailure: false });
  assert.deepEqual(route('! restart bob', NAMES), { kind: 'builtin', builtin: 'restart', peer: 'bob', expectFailure: true });
  assert.deepEqual(route('restart', NAMES), { kind: 'error', message: 'usage: restart <peer>' });
  assert.deepEqual(route('restart bob carol', NAMES), { kind: 'error', message: 'usage: restart <peer>' });
  assert.match((route('restart zed', NAMES) as { message: string }).message, /^unknown peer "zed"/);
  assert.deepEqual(complete('rest', NAMES, []), [['restart '], 'rest']);
  assert.deepEqual(complete('restart c', NAMES, []), [['carol '], 'c']);
  assert.match(helpText(NAMES), /restart <peer> +start the peer again/);
});

test('peers: each process with its pid, and each peer with its state and p-port from the registry, or "not registered"', () => {
  const session = {
    names: ['alice', 'bob'],
    manager: { ip: '127.0.0.1', port: 7000 },
    pids: () => [
      { label: 'manager', pid: 10, exit: undefined },
      { label: 'alice', pid: 11, exit: undefined },
      { label: 'bob', pid: 12, exit: 'SIGKILL' },
    ],
  } as unknown as Parameters<typeof peersText>[0];
  const text = peersText(session, new Map([['alice', { name: 'alice', state: 'Leader', ip: '127.0.0.1', port: 7002 }]]));
  assert.deepEqual(text.split('\n'), [
    '2 peers (1 registered) and the manager:',
    '  manager         pid 10      running                 listening on 127.0.0.1:7000',
    '  alice           pid 11      running                 Leader 127.0.0.1:7002',
    '  bob             pid 12      exited (status SIGKILL) not registered',
  ]);
});
