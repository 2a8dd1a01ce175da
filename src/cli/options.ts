// Parsing of the programs' arguments with node:util parseArgs, and the checks on their values.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isValidYear } from '../data/csv.js';
import { describeTried, holdsYearFiles, searchDataDir, type DataSearchResult } from '../data/data-search.js';
import { checkIpv4 } from '../manager/validate.js';
import { NO_FAULTS, parseFaults, type FaultConfig } from '../transport/faults.js';
import { resolveHost, type LookupIpv4 } from '../transport/host-names.js';
import { MAX_DATAGRAM_BYTES } from '../wire/codec.js';
import { MAC_OVERHEAD_BYTES } from '../wire/mac.js';
import type { PortRange } from '../peer/node.js';
import { MAX_REPLICAS, UsageError } from './usage.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses argv; any unknown option or missing value becomes a UsageError. */
export function parse(argv: string[], options: Options, usage: string): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: values as Record<string, unknown>, positionals };
  } catch (err) {
    throw new UsageError(parseArgsMessage(err as Error & { code?: string }), usage);
  }
}

/** parseArgs' error in a line of our own: its unknown-option text suggests `--` in unbalanced quotes. */
function parseArgsMessage(err: Error & { code?: string }): string {
  const option = /'([^']+)'/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) return `unknown option ${option}`;
  const missing = /^Option '(\S+) <value>' argument missing/.exec(err.message);
  if (missing !== null) return `${missing[1]} needs a value`;
  const extra = /^Option '(\S+)' does not take an argument/.exec(err.message);
  if (extra !== null) return `${extra[1]} takes no value`;
  const ambiguous = /^Option '(\S+)' argument is ambiguous/.exec(err.message);
  if (ambiguous !== null) return `${ambiguous[1]} is followed by a word that starts with "-": write ${ambiguous[1]}=<value> for such a value`;
  return err.message;
}

/**
 * parse() for a command with a fixed list of positional arguments (named in `positionals` for the
 * message): null when --help was given, after printing `usage`.
 */
export function parseCommandLine(argv: string[], options: Options, usage: string, positionals: readonly string[]): { values: Record<string, unknown>; args: string[] } | null {
  const { values, positionals: args } = parse(argv, options, usage);
  if (values.help) {
    console.log(usage);
    return null;
  }
  if (args.length !== positionals.length) {
    throw new UsageError(positionals.length === 0 ? `unexpected argument "${args[0]}"` : `expected ${positionals.join(' ')}, got ${args.length} arguments`, usage);
  }
  return { values, args };
}

export function parsePort(text: string | undefined, what: string, usage: string, allowZero = false): number {
  if (text === undefined) throw new UsageError(`missing ${what}`, usage);
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port <= 65535 && (port >= 1 || (allowZero && port === 0)))) {
    throw new UsageError(`${what} "${text}" is not a port number (${allowZero ? '0' : '1'}-65535)`, usage);
  }
  return port;
}

export function parseIp(text: string | undefined, what: string, usage: string): string {
  if (text === undefined) throw new UsageError(`missing ${what}`, usage);
  const problem = checkIpv4(text);
  if (problem) throw new UsageError(`${what}: ${problem}`, usage);
  return text;
}

/**
 * An IPv4 address or a host name (issue 15), as parseIp checks the address. A name is resolved
 * here, once, and only its IPv4 address is used from then on; a name that does not resolve is a
 * bad argument like any other, in one line that says why.
 */
/** The options that make the manager serve the live view (issue 16), as cluster and demo take them. */
export const LIVE_VIEW_OPTIONS = { http: { type: 'string' }, 'http-host': { type: 'string' } } as const;

/**
 * --http PORT [--http-host HOST] for a cluster's or a demo's manager: checked here, so that a bad
 * value stops the program before anything starts; undefined without --http.
 */
export async function parseLiveViewOptions(values: Record<string, unknown>, usage: string): Promise<{ port: number; host?: string } | undefined> {
  if (values.http === undefined) {
    if (values['http-host'] !== undefined) throw new UsageError('--http-host needs --http <port>', usage);
    return undefined;
  }
  const port = parsePort(values.http as string, '--http', usage, true);
  return values['http-host'] === undefined ? { port } : { port, host: await parseHost(values['http-host'] as string, '--http-host', usage) };
}

export async function parseHost(text: string | undefined, what: string, usage: string, lookupIpv4?: LookupIpv4): Promise<string> {
  if (text === undefined) throw new UsageError(`missing ${what}`, usage);
  const host = await resolveHost(text, lookupIpv4);
  if (!host.ok) throw new UsageError(`${what}: ${host.error}`, usage);
  return parseIp(host.ip, what, usage);
}

/** `LO-HI` with 1024 ≤ LO < HI ≤ 65535 (SPEC §2). */
export function parsePortRange(text: string, usage: string): PortRange {
  const m = /^([0-9]{1,5})-([0-9]{1,5})$/.exec(text);
  const lo = m ? Number(m[1]) : Number.NaN;
  const hi = m ? Number(m[2]) : Number.NaN;
  if (!(lo >= 1024 && lo < hi && hi <= 65535)) {
    throw new UsageError(`--port-range "${text}" is invalid: use LO-HI with 1024 <= LO < HI <= 65535`, usage);
  }
  return { lo, hi };
}

/** The faults to inject: --faults, else $STORMDHT_FAULTS, else none. */
export function parseFaultOption(option: unknown, usage: string): FaultConfig {
  const spec = typeof option === 'string' ? option : process.env.STORMDHT_FAULTS;
  if (spec === undefined || spec.trim() === '') return NO_FAULTS;
  try {
    return parseFaults(spec);
  } catch (err) {
    throw new UsageError(`${typeof option === 'string' ? '--faults' : 'STORMDHT_FAULTS'}: ${(err as Error).message}`, usage);
  }
}

/** The system secret: --secret, else $STORMDHT_SECRET, else none (an empty one is none). */
export function parseSecretOption(option: unknown): string | undefined {
  const secret = typeof option === 'string' ? option : process.env.STORMDHT_SECRET;
  return secret === undefined || secret === '' ? undefined : secret;
}

/** A positive number of seconds as milliseconds; undefined when the option was not given. */
export function parseSeconds(option: unknown, what: string, usage: string): number | undefined {
  if (option === undefined) return undefined;
  const text = String(option);
  const seconds = /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds > 0 && seconds <= 86_400)) throw new UsageError(`${what} "${text}" is invalid: use a number of seconds above 0`, usage);
  return Math.round(seconds * 1000);
}

/** The smallest store datagram budget that still holds the longest record with its envelope. */
export const MIN_BATCH_BYTES = 512;

/**
 * The largest store datagram budget: the ring's MAC is added to every store after it is batched
 * (issue 5), and the result must stay within the 60,000-byte cap that every receiver enforces.
 */
export const MAX_BATCH_BYTES = MAX_DATAGRAM_BYTES - MAC_OVERHEAD_BYTES;

/** --batch-bytes: the byte budget of one store datagram, 512 to MAX_BATCH_BYTES (59,948). */
export function parseBatchBytes(option: unknown, usage: string): number | undefined {
  return parseIntegerOption(option, '--batch-bytes', MIN_BATCH_BYTES, MAX_BATCH_BYTES, usage);
}

/** A decimal integer option in min…max; undefined when the option was not given. */
export function parseIntegerOption(option: unknown, what: string, min: number, max: number, usage: string): number | undefined {
  if (option === undefined) return undefined;
  const text = String(option);
  const value = /^[0-9]{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${what} "${text}" is invalid: use ${min} to ${max}`, usage);
  return value;
}

/**
 * --replicas R (issue 12): how many copies of every record a DHT keeps, 1 to MAX_REPLICAS. The
 * manager takes it, and the cluster and the demo pass it on to theirs; undefined when not given.
 */
export function parseReplicas(option: unknown, usage: string): number | undefined {
  return parseIntegerOption(option, '--replicas', 1, MAX_REPLICAS, usage);
}

/**
 * Where `data generate`, `import` and `fetch` write: --data-dir, else $STORMDHT_DATA_DIR, else
 * ./data. Never a later place of the search path: the shared folder is not the project's to fill.
 */
export function dataDirOption(option: unknown): string {
  return (option as string | undefined) ?? nonEmpty(process.env.STORMDHT_DATA_DIR) ?? './data';
}

/** The package root: <out>/src/cli → three levels up (dist, or a private build directory). */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The search path of data-search.ts from this process's --data-dir, environment and working
 * directory: the first place that `holds` what the command needs (by default any year's file).
 */
export function findDataDir(option: unknown, holds: (dir: string) => boolean = holdsYearFiles): DataSearchResult {
  return searchDataDir({ option: option as string | undefined, env: nonEmpty(process.env.STORMDHT_DATA_DIR), cwd: process.cwd(), packageRoot: PACKAGE_ROOT, holds });
}

/**
 * A peer's data directory: the first place on the search path that holds a details-YYYY.csv. When
 * none does, the first place (where a file added later is found) and a note that says where it
 * looked: such a peer serves in a DHT, but cannot set one up.
 */
export function peerDataDir(option: unknown): { dir: string; note: string | null } {
  const found = findDataDir(option);
  if (found.found) return { dir: found.dir, note: null };
  return {
    dir: found.tried[0]!.dir,
    note: `no details-YYYY.csv found: ${describeTried(found.tried)}; this peer can be a member of a DHT, not set one up`,
  };
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === '' ? undefined : text;
}

/** A year argument: four decimal digits (SPEC §2). */
export function parseYear(text: string | undefined, usage: string): string {
  if (text === undefined) throw new UsageError('missing <year>', usage);
  if (!isValidYear(text)) throw new UsageError(`year "${text}" is not four decimal digits`, usage);
  return text;
}

/** One of a fixed set of words; undefined when the option was not given. */
export function parseChoice<T extends string>(option: unknown, what: string, choices: readonly T[], usage: string): T | undefined {
  if (option === undefined) return undefined;
  if ((choices as readonly unknown[]).includes(option)) return option as T;
  throw new UsageError(`${what} "${String(option)}" is invalid: use ${choices.join(' or ')}`, usage);
}
