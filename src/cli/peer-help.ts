// What a peer's `help` and `help <command>` say (issue 15): one line per command, then a few lines
// on each. The syntax of the protocol's commands is peer/commands.ts's USAGE, the same text a
// wrong argument count prints; the peer console's own words (help, quit, exit) are added here.
// Pure: the help is a result's payload (so --json gets one result line, SPEC §14), and
// helpLines() renders it for the human trace.
import { failure, success, type CommandResult } from '../peer/events.js';
import { USAGE } from '../peer/commands.js';

/** The console's own commands: they ask nothing of the manager and change no state of the DHT. */
export const CONSOLE_USAGE: Readonly<Record<string, string>> = {
  help: 'help [<command>]',
  quit: 'quit',
  exit: 'exit',
};

interface Entry {
  /** One line for the list. */
  readonly summary: string;
  /** What `help <command>` adds, a sentence or two a line. */
  readonly details: readonly string[];
}

const QUIT: Entry = {
  summary: 'stop this peer without deregistering, as Ctrl-C does',
  details: [
    'Closes this peer\'s sockets and exits, as Ctrl-C (SIGINT) does. It does not deregister: the',
    'manager keeps the peer registered (and in its ring) until its failure detector finds it',
    'silent and evicts it. Run "deregister <name>" first to leave cleanly. quit and exit are the',
    'same command.',
  ],
};

const HELP: Readonly<Record<string, Entry>> = {
  register: {
    summary: 'register with the manager (no address: pick one and two free ports)',
    details: [
      'Registers this peer with the manager under <name>: 1 to 15 letters, case-sensitive, unique.',
      'With only a name, it takes the IPv4 address this host uses to reach the manager and the two',
      'lowest free ports of --port-range (default 7001-7499): one for the manager, one for peers.',
      'Give <IPv4> <m-port> <p-port> to choose them (ports 1024-65535, m-port differs from p-port).',
    ],
  },
  'setup-dht': {
    summary: 'build a DHT of n peers from details-YYYY.csv',
    details: [
      'Builds the DHT from this peer\'s details-YYYY.csv (in --data-dir), with n >= 3 members: this',
      'peer becomes the leader (id 0), the manager picks n-1 other Free peers at random, and the',
      'records are spread over the ring. Prints the records each node holds. Only a Free peer may',
      'set up, and only one DHT exists at a time.',
    ],
  },
  'query-dht': {
    summary: 'look an event up (no id: a random one of the year)',
    details: [
      'A Free peer looks a storm event up by its id: the manager names a member to start at, and',
      'the query hops through the ring to the node that owns the id. Prints the record\'s 14 fields',
      '(or "Storm event <id> not found in the DHT.") and the ids of the nodes probed (id-seq).',
      'Without an id it picks one at random from its own copy of the DHT\'s year. With no copy, it',
      'asks for an id on a terminal; a script must give the id on the same line.',
    ],
  },
  'leave-dht': {
    summary: 'leave the DHT; it is rebuilt without this peer',
    details: [
      'A member leaves the DHT: the ring is rebuilt without it, with its right neighbour as the new',
      'leader, and it becomes Free. A ring of 3 cannot shrink, so its members cannot leave.',
    ],
  },
  'join-dht': {
    summary: 'join the DHT; it is rebuilt with this peer',
    details: ['A Free peer joins the DHT: the leader rebuilds the ring with it as the last member, and the', 'records are spread again.'],
  },
  'teardown-dht': {
    summary: '(leader) dissolve the DHT',
    details: ['The leader deletes the DHT: every member drops its records and becomes Free.'],
  },
  'dht-complete': {
    summary: '(leader) confirm the DHT is complete',
    details: ['The leader tells the manager that setup is complete. setup-dht sends it by itself; typing it', 'again changes nothing.'],
  },
  deregister: {
    summary: 'leave the system, and the peer exits',
    details: ['A Free peer leaves the manager\'s registry, and the process exits. A member of the DHT must', 'leave it first (leave-dht, or teardown-dht by the leader).'],
  },
  members: {
    summary: 'every registered peer and the DHT\'s ring, from the manager',
    details: ['Asks the manager for every registered peer (name, state, ring id, address) and the DHT\'s', 'members in id order.'],
  },
  status: {
    summary: 'this peer\'s name, state, id, ring size, records',
    details: ['This peer\'s name, state (Unregistered, Free, Leader or InDHT), ring id, ring size and the', 'records it holds. Local: it asks no one.'],
  },
  help: {
    summary: 'this list, or what one command does',
    details: ['Without a command, lists the commands, one a line. "help <command>" gives its syntax and', 'what it does.'],
  },
  quit: QUIT,
  exit: QUIT,
};

/** Every command's syntax, the protocol's first, then the console's. */
function usageOf(command: string): string | undefined {
  return USAGE[command] ?? CONSOLE_USAGE[command];
}

/** The commands a peer takes, in the order help lists them. */
export const PEER_CONSOLE_COMMANDS: readonly string[] = [...Object.keys(USAGE), ...Object.keys(CONSOLE_USAGE)];

/**
 * The result of `help` (args: the words after it): the list, or one command's help, as a result's
 * payload. An unknown command fails, saying so.
 */
export function helpResult(args: readonly string[]): CommandResult {
  if (args.length > 1) return failure('help', `usage: ${CONSOLE_USAGE.help}`);
  const topic = args[0];
  if (topic === undefined) {
    // quit and exit share one line in the list.
    const listed = PEER_CONSOLE_COMMANDS.filter((c) => c !== 'exit');
    return success('help', { commands: listed.map((c) => ({ usage: c === 'quit' ? 'quit | exit' : usageOf(c)!, summary: HELP[c]!.summary })) });
  }
  const entry = HELP[topic];
  if (entry === undefined) return failure('help', `unknown command "${topic}": help lists the commands`);
  return success('help', { topic, usage: usageOf(topic)!, text: [entry.summary, ...entry.details] });
}

/** The human lines of a successful help result's payload. */
export function helpLines(data: Readonly<Record<string, unknown>>): string[] {
  if (Array.isArray(data.commands)) {
    const rows = data.commands as ReadonlyArray<{ usage: string; summary: string }>;
    const width = Math.max(...rows.map((r) => r.usage.length)) + 3;
    return [
      'commands (help <command> tells more about one):',
      ...rows.map((r) => `  ${r.usage.padEnd(width)}${r.summary}`),
      'Blank lines and lines starting with # are ignored. Ctrl-D ends the input; Ctrl-C stops the peer.',
    ];
  }
  const [summary = '', ...details] = (data.text ?? []) as readonly string[];
  return [`${String(data.usage)}: ${summary}`, ...details.map((l) => `  ${l}`)];
}

/**
 * Tab completion at the peer's prompt: a command first, then after help a command, and after a
 * command that names the peer, its own name (`name`, once registered).
 */
export function completePeerLine(line: string, name: string | null): [string[], string] {
  const words = line.trimStart().split(/\s+/);
  const word = words.at(-1) ?? '';
  const [command = ''] = words;
  let pool: readonly string[] = [];
  if (words.length === 1) pool = PEER_CONSOLE_COMMANDS;
  else if (words.length === 2 && command === 'help') pool = PEER_CONSOLE_COMMANDS;
  else if (words.length === 2 && name !== null && command in USAGE && command !== 'status') pool = [name];
  const hits = pool.filter((candidate) => candidate.startsWith(word));
  return [hits.length === 1 ? [`${hits[0]} `] : hits, word];
}
