// The cluster prompt's grammar, pure: which process a typed line goes to, which lines are the
// cluster's own commands, and what Tab completes. No I/O here, so all of it is unit-tested.
import { tokenize, USAGE } from '../peer/commands.js';

/** The protocol commands a peer takes; each names the peer that runs it as its first argument. */
export const PEER_COMMANDS: readonly string[] = Object.keys(USAGE).filter((c) => c !== 'status');

/**
 * The cluster's own commands. `status` is one: it asks every peer (or the one named) for its
 * status. `kill <peer>` SIGKILLs the peer's process: a crash, for the failure detector to find.
 * `restart <peer>` starts the peer's process again (a running one is killed first) and registers it.
 */
export const BUILTINS = ['help', 'status', 'peers', 'kill', 'restart', 'quit', 'exit'] as const;

/** The builtins that take exactly one peer name. */
const ONE_PEER: ReadonlySet<string> = new Set(['kill', 'restart']);
export type Builtin = (typeof BUILTINS)[number];

/** A script line that starts with this must fail: the line runs and a SUCCESS is the error. */
export const EXPECT_FAILURE = '!';

export type Route =
  | { readonly kind: 'skip' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'peer'; readonly peer: string; readonly command: string; readonly line: string; readonly expectFailure: boolean }
  | { readonly kind: 'builtin'; readonly builtin: Builtin; readonly peer: string | null; readonly expectFailure: boolean };

/**
 * Routes one typed line among the peers `names`. A peer command goes, as typed (less a leading
 * `!`), to the process of the peer it names; an unknown command or peer name is an error.
 */
export function route(line: string, names: readonly string[]): Route {
  const trimmed = line.trim();
  const expectFailure = trimmed.startsWith(EXPECT_FAILURE);
  const text = expectFailure ? trimmed.slice(EXPECT_FAILURE.length).trim() : trimmed;
  const tokens = tokenize(text);
  if (tokens === null) return expectFailure ? { kind: 'error', message: `"${EXPECT_FAILURE}" must be followed by a command` } : { kind: 'skip' };
  const [command, ...args] = tokens as [string, ...string[]];

  if ((BUILTINS as readonly string[]).includes(command)) {
    const builtin = command as Builtin;
    if (builtin === 'status' && args.length <= 1) {
      const peer = args[0] ?? null;
      if (peer !== null && !names.includes(peer)) return unknownPeer(peer, names);
      return { kind: 'builtin', builtin, peer, expectFailure };
    }
    if (ONE_PEER.has(builtin) && args.length === 1) {
      const peer = args[0]!;
      return names.includes(peer) ? { kind: 'builtin', builtin, peer, expectFailure } : unknownPeer(peer, names);
    }
    if (builtin !== 'status' && !ONE_PEER.has(builtin) && args.length === 0) return { kind: 'builtin', builtin, peer: null, expectFailure };
    return { kind: 'error', message: `usage: ${builtin === 'status' ? 'status [<peer>]' : ONE_PEER.has(builtin) ? `${builtin} <peer>` : builtin}` };
  }
  if (!PEER_COMMANDS.includes(command)) return { kind: 'error', message: `unknown command "${command}" (type help for the list)` };
  const peer = args[0];
  if (peer === undefined) return { kind: 'error', message: `${command} needs the name of the peer that runs it: ${USAGE[command]}` };
  if (!names.includes(peer)) return unknownPeer(peer, names);
  return { kind: 'peer', peer, command, line: text, expectFailure };
}

function unknownPeer(peer: string, names: readonly string[]): Route {
  return { kind: 'error', message: `unknown peer "${peer}": this cluster's peers are ${names.join(', ')}` };
}

/**
 * Tab completion in node:readline's form: the candidates for the word being typed, and that
 * word. The first word completes to a command; the word after a command that names a peer to a
 * peer name; setup-dht's year to the years present in the data directory. A single candidate
 * comes with a space, so that the next word can follow at once.
 */
export function complete(line: string, names: readonly string[], years: readonly string[]): [string[], string] {
  const text = line.trimStart().startsWith(EXPECT_FAILURE) ? line.trimStart().slice(EXPECT_FAILURE.length) : line;
  const words = text.trimStart().split(/\s+/);
  const word = words.at(-1) ?? '';
  const position = words.length - 1;
  const command = words[0] ?? '';
  let pool: readonly string[] = [];
  if (position === 0) pool = [...PEER_COMMANDS, ...BUILTINS];
  else if (position === 1 && (PEER_COMMANDS.includes(command) || command === 'status' || ONE_PEER.has(command))) pool = names;
  else if (position === 3 && command === 'setup-dht') pool = years;
  const hits = pool.filter((candidate) => candidate.startsWith(word));
  return [hits.length === 1 ? [`${hits[0]} `] : hits, word];
}

/** The text of `help`. */
export function helpText(names: readonly string[]): string {
  const peerLines = PEER_COMMANDS.map((c) => `  ${USAGE[c]!}`);
  const own: ReadonlyArray<readonly [string, string]> = [
    ['status [<peer>]', 'the state of every peer (or of one)'],
    ['peers', "every process, and each peer's state and p-port from the manager"],
    ['kill <peer>', "SIGKILL the peer's process: a crash, which the manager finds in about 2.5 s"],
    ['restart <peer>', 'start the peer again (killing a running one first) and register it'],
    ['help', 'this list'],
    ['quit | exit', 'stop every process and leave (also Ctrl-D; Ctrl-C)'],
  ];
  return [
    `protocol commands, run by the peer named first (peers: ${names.join(', ')}):`,
    ...peerLines,
    'cluster commands:',
    ...own.map(([usage, what]) => `  ${usage.padEnd(18)}${what}`),
    `A line starting with ${EXPECT_FAILURE} must fail (for scripts); # starts a comment. Tab completes commands, peer names and years.`,
  ].join('\n');
}
