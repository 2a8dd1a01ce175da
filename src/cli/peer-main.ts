// `stormdht peer`: a peer process reading its user's commands from stdin (SPEC §5, §14).
import { PeerNode } from '../peer/node.js';
import { STORE_ENCODINGS } from '../peer/procedures/store-batches.js';
import { runCommand } from '../peer/commands.js';
import { CoalescedWriter } from './coalesced-writer.js';
import { DEFAULT_PIPELINE, MAX_PIPELINE, runCommands } from './command-pipeline.js';
import { LineReader } from './line-reader.js';
import { bindUdp } from '../transport/udp-socket.js';
import { faultyBind, formatFaults, hasFaults } from '../transport/faults.js';
import { dataDirOption, parse, parseBatchBytes, parseChoice, parseFaultOption, parseIntegerOption, parseIp, parsePort, parsePortRange, parseSecretOption } from './options.js';
import { OrderedOutput } from './ordered-output.js';
import { humanOutput, jsonOutput } from './peer-output.js';
import { PEER_USAGE, UsageError } from './usage.js';

export async function peerMain(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      'data-dir': { type: 'string' },
      'port-range': { type: 'string' },
      json: { type: 'boolean' },
      faults: { type: 'string' },
      'batch-bytes': { type: 'string' },
      routing: { type: 'string' },
      placement: { type: 'string' },
      'store-encoding': { type: 'string' },
      secret: { type: 'string' },
      pipeline: { type: 'string' },
    },
    PEER_USAGE,
  );
  if (values.help) {
    console.log(PEER_USAGE);
    return;
  }
  if (positionals.length !== 2) throw new UsageError(`expected <manager-ip> <manager-port>, got ${positionals.length} arguments`, PEER_USAGE);
  const managerIp = parseIp(positionals[0], 'manager-ip', PEER_USAGE);
  const managerPort = parsePort(positionals[1], 'manager-port', PEER_USAGE);
  const portRange = values['port-range'] === undefined ? undefined : parsePortRange(values['port-range'] as string, PEER_USAGE);
  const dataDir = dataDirOption(values['data-dir']);
  const faults = parseFaultOption(values.faults, PEER_USAGE);
  const batchBytes = parseBatchBytes(values['batch-bytes'], PEER_USAGE);
  const routing = parseChoice(values.routing, '--routing', ['hot-potato', 'direct'] as const, PEER_USAGE);
  const placement = parseChoice(values.placement, '--placement', ['ring', 'direct'] as const, PEER_USAGE);
  const storeEncoding = parseChoice(values['store-encoding'], '--store-encoding', STORE_ENCODINGS, PEER_USAGE);
  const secret = parseSecretOption(values.secret);
  const pipeline = parseIntegerOption(values.pipeline, '--pipeline', 1, MAX_PIPELINE, PEER_USAGE) ?? DEFAULT_PIPELINE;

  const output = new CoalescedWriter(process.stdout);
  const write = (line: string) => output.line(line);
  const footer = { set: (lines: readonly string[]) => output.setFooter(lines), columns: () => process.stdout.columns || 80 };
  const out = new OrderedOutput(values.json ? jsonOutput(write) : humanOutput(write, footer));
  const node = new PeerNode({
    manager: { ip: managerIp, port: managerPort },
    dataDir,
    ...(portRange ? { portRange } : {}),
    bind: faultyBind(bindUdp, faults),
    ...(batchBytes === undefined ? {} : { batchBytes }),
    ...(routing === undefined ? {} : { routing }),
    ...(placement === undefined ? {} : { placement }),
    ...(storeEncoding === undefined ? {} : { storeEncoding }),
    ...(secret === undefined ? {} : { secret }),
    onEvent: (e) => out.event(e),
  });
  if (hasFaults(faults)) out.event({ kind: 'note', level: 'info', text: `injecting faults on every datagram sent: ${formatFaults(faults)}` });

  const stop = () => {
    void node.detach().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const lines = new LineReader(process.stdin);
  const ask = async (prompt: string) => {
    out.event({ kind: 'prompt', text: prompt });
    return lines.next();
  };
  const ended = await runCommands({
    next: () => lines.next(),
    run: (tokens) => runCommand(node, tokens, ask),
    output: out,
    window: pipeline,
    ends: (result) => result.command === 'deregister' && result.ok,
  });
  if (ended === 'ended') process.exit(0);
  // End of input: a registered peer keeps serving the DHT (its sockets keep the process alive)
  // until a signal, or until the manager evicts it (issue 11); an unregistered one has nothing
  // left to do.
  if (node.name === null) process.exit(0);
  node.onForgotten = () => process.exit(0);
}
