#!/usr/bin/env node
// The `stormdht` command: dispatches to the manager, the peer, the cluster, the demo, the
// simulation or the data commands.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { clusterMain } from './cluster-main.js';
import { dataMain } from './data-main.js';
import { demoMain } from './demo.js';
import { managerMain } from './manager-main.js';
import { peerMain } from './peer-main.js';
import { simMain } from '../sim/sim-main.js';
import { endQuietlyWhenOutputCloses } from './closed-output.js';
import { MAIN_USAGE, UsageError } from './usage.js';

/**
 * V8 flags for the processes that serve queries (issue 14), set before any of their hot code has
 * run. A peer or the manager handles a query in a few dozen short functions, woken once per
 * datagram; at V8's default interrupt budget they are still interpreted or baseline code after
 * thousands of queries, since each call uses little of the budget that triggers optimisation.
 * A quarter of the budget optimises them within the first few hundred queries: warm p50 0.79 →
 * 0.68 ms, p99 4.4 → 2.4 ms and CPU per query 0.99 → 0.70 ms over the path's processes (bench/
 * latency-scenario.ts). Compiling every function to baseline code at its first call, rather
 * than interpreting it first, takes the first queries after a setup from 1.50 to 1.25 ms.
 */
const SERVER_V8_FLAGS = ['--always-sparkplug', '--interrupt-budget=16000'];

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'manager' || command === 'peer') for (const flag of SERVER_V8_FLAGS) setFlagsFromString(flag);
  switch (command) {
    case 'manager':
      return managerMain(rest);
    case 'peer':
      return peerMain(rest);
    case 'cluster':
      return clusterMain(rest);
    case 'demo':
      return demoMain(rest);
    case 'sim':
      return simMain(rest);
    case 'data':
      return dataMain(rest);
    case 'help':
      // help <command> [...] is <command> [...] --help: each command prints its own usage.
      if (rest.length > 0) return main([...rest, '--help']);
      console.log(MAIN_USAGE);
      return;
    case undefined:
    case '--help':
    case '-h':
      console.log(MAIN_USAGE);
      return;
    case 'version':
    case '--version':
    case '-V':
    case '-v':
      console.log(version());
      return;
    default:
      throw new UsageError(`unknown command "${command}"`, MAIN_USAGE);
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Set (to anything) to see the stack of an unexpected error, which users otherwise never see. */
const DEBUG_ENV = 'STORMDHT_DEBUG';

/**
 * Every error ends the program with one line on stderr, `stormdht[ <command>]: <what went wrong>`,
 * and a status that says its kind: 2 for a bad invocation (followed by the command's usage), 1 for
 * anything else. A stack is printed only with $STORMDHT_DEBUG set.
 */
function fail(err: unknown, command: string | undefined): never {
  if (err instanceof UsageError) {
    process.stderr.write(`stormdht: ${oneLine(err.message)}\n\n${err.usage}\n`);
    process.exit(2);
  }
  const who = command === undefined ? 'stormdht' : `stormdht ${command}`;
  process.stderr.write(`${who}: ${oneLine(err instanceof Error ? err.message || err.name : String(err))}\n`);
  if (process.env[DEBUG_ENV] && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}

/** A message on one line (parseArgs's and a child's stderr may span several). */
function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, ' ');
}

const argv = process.argv.slice(2);
endQuietlyWhenOutputCloses();
// What nothing caught, in a callback of a socket, a stream or a timer, is one line too.
process.on('uncaughtException', (err) => fail(err, argv[0]));
main(argv).catch((err: unknown) => fail(err, argv[0]));
