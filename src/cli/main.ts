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
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(MAIN_USAGE);
      return;
    case '--version':
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

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`stormdht: ${err.message}\n\n${err.usage}\n`);
    process.exit(2);
  }
  process.stderr.write(`stormdht: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
