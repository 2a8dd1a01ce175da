// The peer's user commands (SPEC §5): parse one line, make the local checks, run the procedure.
// Every command typed yields exactly one CommandResult (§14); a failure never throws.
import { parseEventId } from '../data/fields.js';
import { checkIpv4, checkPeerName, checkPort, checkRingSize, checkYear } from '../manager/validate.js';
import { errorMessage } from './errors.js';
import { failure, success, type CommandResult } from './events.js';
import type { PeerNode } from './node.js';
import type { DhtSummary, MemberEntry } from '../wire/messages.js';
import { joinDht } from './procedures/join.js';
import { leaveDht } from './procedures/leave.js';
import { queryDht, type AskLine } from './procedures/query.js';
import { register } from './procedures/register.js';
import { setupDht } from './procedures/setup.js';
import { teardownDht } from './procedures/teardown-dht.js';
import { looksLikeIpv4, resolveHost } from '../transport/host-names.js';

/** Usage of every command, as `help` and a wrong argument count print it. */
export const USAGE: Readonly<Record<string, string>> = {
  register: 'register <name> [<IPv4> <m-port> <p-port>]',
  'setup-dht': 'setup-dht <name> <n> <YYYY>',
  'query-dht': 'query-dht <name> [<event-id>]',
  'leave-dht': 'leave-dht <name>',
  'join-dht': 'join-dht <name>',
  'teardown-dht': 'teardown-dht <name>',
  'dht-complete': 'dht-complete <name>',
  deregister: 'deregister <name>',
  members: 'members <name>',
  status: 'status',
};

/** Splits a line into tokens; null for a blank line or a `#` comment, which are ignored. */
export function tokenize(line: string): string[] | null {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  return trimmed.split(/\s+/);
}

export async function runCommand(node: PeerNode, tokens: readonly string[], ask: AskLine): Promise<CommandResult> {
  const [command = '', ...args] = tokens;
  const usage = USAGE[command];
  if (usage === undefined) return failure(command, 'unknown command');
  const arity: Record<string, number[]> = { register: [1, 4], 'setup-dht': [3], 'query-dht': [1, 2], status: [0] };
  if (!(arity[command] ?? [1]).includes(args.length)) return failure(command, `usage: ${usage}`);
  try {
    return await dispatch(node, command, args, ask);
  } catch (err) {
    // Transport failures (no response from …) and anything unforeseen end the command, not the peer.
    return failure(command, errorMessage(err));
  }
}

async function dispatch(node: PeerNode, command: string, args: readonly string[], ask: AskLine): Promise<CommandResult> {
  if (command === 'status') return success('status', { ...node.status() });
  if (command === 'register') return registerCommand(node, args);
  const ownName = checkOwnName(node, args[0]!);
  if (ownName) return failure(command, ownName);
  switch (command) {
    case 'setup-dht':
      return setupCommand(node, args);
    case 'query-dht': {
      if (args[1] === undefined) return queryDht(node, undefined, ask);
      const id = parseEventId(args[1]);
      if (id === null) return failure(command, `invalid event id "${args[1]}": use a non-negative integer of at most 15 digits`);
      return queryDht(node, id, ask);
    }
    case 'leave-dht':
      return leaveDht(node);
    case 'join-dht':
      return joinDht(node);
    case 'teardown-dht':
      return teardownDht(node);
    case 'members':
      return membersCommand(node);
    case 'dht-complete':
      return simpleCommand(node, command);
    case 'deregister': {
      node.deregistering = true;
      try {
        const result = await simpleCommand(node, command);
        if (result.ok) await node.detach();
        return result;
      } finally {
        node.deregistering = false;
      }
    }
    default:
      return failure(command, 'unknown command');
  }
}

/** A manager command that carries only the caller's name and answers SUCCESS or FAILURE. */
async function simpleCommand(node: PeerNode, command: 'dht-complete' | 'deregister'): Promise<CommandResult> {
  const reply = await node.managerRequest({ type: command, name: node.name! });
  return reply.ok ? success(command) : failure(command, reply.error ?? 'refused');
}

/**
 * The registry and the DHT as the manager has them (issue 11): every registered peer, then the
 * ring's names in id order. A registry too big for one reply comes in pages.
 */
async function membersCommand(node: PeerNode): Promise<CommandResult> {
  const peers: MemberEntry[] = [];
  let dht: DhtSummary | null = null;
  for (;;) {
    const reply = await node.managerRequest({ type: 'members', name: node.name!, ...(peers.length > 0 ? { from: peers.length } : {}) });
    if (!reply.ok) return failure('members', reply.error ?? 'refused');
    const page = reply.peers ?? [];
    peers.push(...page);
    dht = reply.dht ?? null;
    if (page.length === 0 || peers.length >= (reply.total ?? 0)) break;
  }
  return success('members', { peers, dht });
}

function registerCommand(node: PeerNode, args: readonly string[]): Promise<CommandResult> | CommandResult {
  // Registered as far as this peer knows; but a manager that restarted without its state (issue 13)
  // no longer knows it. It asks, and registers again when it was forgotten.
  if (node.name !== null) return node.confirmRegistration().then((known) => (known ? failure('register', `already registered as ${node.name}`) : registerCommand(node, args)));
  const [name, ip, m, p] = args as [string, string?, string?, string?];
  const bad = checkPeerName(name);
  if (bad) return failure('register', bad);
  if (ip === undefined) return register(node, name, null);
  // A host name (issue 15) is resolved here, and the manager is sent its IPv4 address, as SPEC §2
  // requires. Digits and dots are never looked up: the IPv4 check judges them at once.
  if (!looksLikeIpv4(ip)) return resolveHost(ip).then((host) => (host.ok ? registerAt(node, name, host.ip, m!, p!) : failure('register', host.error)));
  return registerAt(node, name, ip, m!, p!);
}

/** register with the address given: the local checks of SPEC §5, then the procedure. */
function registerAt(node: PeerNode, name: string, ip: string, m: string, p: string): Promise<CommandResult> | CommandResult {
  const mPort = toInt(m);
  const pPort = toInt(p);
  const problem = checkIpv4(ip) ?? checkPort(mPort, 'm-port') ?? checkPort(pPort, 'p-port');
  if (problem) return failure('register', problem);
  if (mPort === pPort) return failure('register', 'm-port and p-port must differ');
  return register(node, name, { ip, mPort: mPort as number, pPort: pPort as number });
}

function setupCommand(node: PeerNode, args: readonly string[]): Promise<CommandResult> | CommandResult {
  const n = toInt(args[1]!);
  const year = args[2]!;
  const problem = checkRingSize(n) ?? checkYear(year);
  if (problem) return failure('setup-dht', problem);
  const loaded = node.loadYear(year);
  if (!loaded.ok) return failure('setup-dht', loaded.error);
  return setupDht(node, n as number, loaded.data);
}

function checkOwnName(node: PeerNode, name: string): string | null {
  if (node.name === null) return 'not registered: run register <name> first';
  if (name !== node.name) return `"${name}" is not this peer's name (${node.name})`;
  return null;
}

/** A decimal integer token as a number; anything else stays the text, for the checks to refuse and quote. */
function toInt(token: string): number | string {
  return /^[0-9]{1,9}$/.test(token) ? Number(token) : token;
}
