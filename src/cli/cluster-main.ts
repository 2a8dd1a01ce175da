// `stormdht cluster`: a manager and N peers on 127.0.0.1 behind one prompt, or running a script.
import { accessSync, constants, createReadStream, statSync } from 'node:fs';
import { checkPeerName } from '../manager/validate.js';
import { ClusterApp } from './cluster-app.js';
import { RESERVED_LABELS } from './cluster-output.js';
import { describeDemoData, resolveClusterDataDir, yearsIn } from './demo-data.js';
import { LineReader } from './line-reader.js';
import { LIVE_VIEW_OPTIONS, parse, parseIntegerOption, parseLiveViewOptions, parsePortRange, parseReplicas } from './options.js';
import { outputMode } from './output-mode.js';
import { CLUSTER_USAGE, MAX_SEED, UsageError } from './usage.js';

/** The peers' names when only a number is given: the demo's six, then more of the usual cast. */
export const DEFAULT_NAMES = [
  'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy',
  'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'wendy',
] as const;

/** How many peers `stormdht cluster` starts by default. */
const DEFAULT_PEERS = 6;

export async function clusterMain(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      peers: { type: 'string' },
      names: { type: 'string' },
      'data-dir': { type: 'string' },
      'port-range': { type: 'string' },
      script: { type: 'string' },
      replicas: { type: 'string' },
      seed: { type: 'string' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
      ...LIVE_VIEW_OPTIONS,
    },
    CLUSTER_USAGE,
  );
  if (values.help) {
    console.log(CLUSTER_USAGE);
    return;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, CLUSTER_USAGE);
  const names = peerNames(values.peers as string | undefined, values.names as string | undefined);
  const portRange = values['port-range'] as string | undefined;
  if (portRange !== undefined) parsePortRange(portRange, CLUSTER_USAGE);
  const replicas = parseReplicas(values.replicas, CLUSTER_USAGE);
  const seed = parseIntegerOption(values.seed, '--seed', 0, MAX_SEED, CLUSTER_USAGE);
  const http = await parseLiveViewOptions(values, CLUSTER_USAGE);
  const mode = outputMode(values.json, values.quiet, CLUSTER_USAGE);
  const script = values.script as string | undefined;
  if (script !== undefined) {
    try {
      accessSync(script, constants.R_OK);
    } catch {
      throw new UsageError(`--script: cannot read "${script}"`, CLUSTER_USAGE);
    }
    if (isDirectory(script)) throw new UsageError(`--script: "${script}" is a directory, not a file of commands`, CLUSTER_USAGE);
  }

  const dataDir = values['data-dir'] as string | undefined;
  if (dataDir !== undefined && !isDirectory(dataDir)) throw new Error(`--data-dir ${dataDir}: there is no such directory`);
  const data = resolveClusterDataDir(dataDir);
  const app = await ClusterApp.open({
    names,
    dataDir: data.dir,
    ...(portRange === undefined ? {} : { portRange }),
    ...(replicas === undefined ? {} : { replicas }),
    ...(seed === undefined ? {} : { seed }),
    ...(http === undefined ? {} : { http }),
    mode,
  });
  const years = yearsIn(data.dir);
  app.output.note(
    data.synthetic
      ? describeDemoData(data.synthetic)
      : `data: ${data.dir} (${years.length > 0 ? `years ${years.join(', ')}` : 'no details-YYYY.csv there'})`,
  );

  if (script !== undefined) return app.exit(await app.runScript(new LineReader(createReadStream(script)), script));
  if (process.stdin.isTTY !== true) return app.exit(await app.runScript(new LineReader(process.stdin), 'stdin'));
  await app.runPrompt();
  return app.exit(0);
}

/** --names a,b,c, else the first N of DEFAULT_NAMES; each a valid, distinct peer name. */
export function peerNames(peers: string | undefined, list: string | undefined): string[] {
  let count: number | undefined;
  if (peers !== undefined) {
    count = /^[0-9]{1,3}$/.test(peers) ? Number(peers) : Number.NaN;
    if (!(count >= 1)) throw new UsageError(`--peers "${peers}" is invalid: use a number of peers from 1`, CLUSTER_USAGE);
  }
  if (list === undefined) {
    const n = count ?? DEFAULT_PEERS;
    if (n > DEFAULT_NAMES.length) throw new UsageError(`--peers ${n}: name them with --names beyond ${DEFAULT_NAMES.length}`, CLUSTER_USAGE);
    return DEFAULT_NAMES.slice(0, n);
  }
  const names = list.split(',').map((n) => n.trim());
  for (const name of names) {
    const problem = checkPeerName(name);
    if (problem) throw new UsageError(`--names: ${problem}`, CLUSTER_USAGE);
    if (RESERVED_LABELS.includes(name)) throw new UsageError(`--names: "${name}" labels the ${name}'s lines; pick another name`, CLUSTER_USAGE);
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--names: "${twice}" is given twice`, CLUSTER_USAGE);
  if (count !== undefined && count !== names.length) {
    throw new UsageError(`--peers ${count} disagrees with the ${names.length} names of --names`, CLUSTER_USAGE);
  }
  return names;
}

/** Whether `dir` names a directory (false when it names nothing, or a file). */
function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
