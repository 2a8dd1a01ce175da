#!/usr/bin/env node
// The `stormdht` command: dispatches to the manager, the peer, the cluster, the demo, the
// simulation or the data commands.
import { readFileSync } from 'node:fs';
import { clusterMain } from './cluster-main.js';
import { dataMain } from './data-main.js';
import { demoMain } from './demo.js';
import { managerMain } from './manager-main.js';
import { peerMain } from './peer-main.js';
import { simMain } from '../sim/sim-main.js';
import { MAIN_USAGE, UsageError } from './usage.js';

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
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
