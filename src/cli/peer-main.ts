// `stormdht peer`: a peer process reading its user's commands from stdin (SPEC §5, §14).
import { PeerNode } from '../peer/node.js';
import { STORE_ENCODINGS } from '../peer/procedures/store-batches.js';
import type { AskLine } from '../peer/procedures/query.js';
import { CoalescedWriter } from './coalesced-writer.js';
import { DEFAULT_PIPELINE, MAX_PIPELINE, runCommands } from './command-pipeline.js';
import { LineReader } from './line-reader.js';
import { bindUdp } from '../transport/udp-socket.js';
import { faultyBind, formatFaults, hasFaults } from '../transport/faults.js';
import { parse, parseBatchBytes, parseChoice, parseFaultOption, parseHost, parseIntegerOption, parsePort, parsePortRange, parseSecretOption, peerDataDir } from './options.js';
import { OrderedOutput } from './ordered-output.js';
import { lineTime } from './time-order.js';
import { watchParent } from './parent-watch.js';
import { asksForEventId, commandPrompt, consoleOutput, endOfInputMessage, EVENT_ID_PROMPT, FailureTally, isQuit, missingEventId, peerInput, runLine } from './peer-console.js';
import { humanOutput, jsonOutput, quietOutput } from './peer-output.js';
import { outputMode } from './output-mode.js';
import { PeerTerminal } from './peer-terminal.js';
import { PEER_USAGE, UsageError } from './usage.js';

export async function peerMain(argv: string[]): Promise<void> {
  watchParent(); // started by `stormdht cluster` or `demo`: stop with it
  const { values, positionals } = parse(
    argv,
    {
      'data-dir': { type: 'string' },
      'port-range': { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
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
  const managerIp = await parseHost(positionals[0], 'manager-ip', PEER_USAGE);
  const managerPort = parsePort(positionals[1], 'manager-port', PEER_USAGE);
  const portRange = values['port-range'] === undefined ? undefined : parsePortRange(values['port-range'] as string, PEER_USAGE);
  const { dir: dataDir, note: dataNote } = peerDataDir(values['data-dir']);
  const faults = parseFaultOption(values.faults, PEER_USAGE);
  const batchBytes = parseBatchBytes(values['batch-bytes'], PEER_USAGE);
  const routing = parseChoice(values.routing, '--routing', ['hot-potato', 'direct'] as const, PEER_USAGE);
  const placement = parseChoice(values.placement, '--placement', ['ring', 'direct'] as const, PEER_USAGE);
  const storeEncoding = parseChoice(values['store-encoding'], '--store-encoding', STORE_ENCODINGS, PEER_USAGE);
  const secret = parseSecretOption(values.secret);
  const pipeline = parseIntegerOption(values.pipeline, '--pipeline', 1, MAX_PIPELINE, PEER_USAGE) ?? DEFAULT_PIPELINE;
  const mode = outputMode(values.json, values.quiet, PEER_USAGE);

  // Who feeds stdin (peer-console.ts): a person at a terminal gets a prompt, drawn only where it is
  // seen (stdout a terminal too); a script's exit status says whether a command failed.
  const input = peerInput(process.stdin.isTTY === true, values.json === true);
  const terminal = input === 'terminal' && process.stdout.isTTY === true ? new PeerTerminal({ name: () => node.name, onInterrupt: () => stop() }) : null;
  const output = terminal?.output ?? new CoalescedWriter(process.stdout);
  const write = (line: string) => output.line(line);
  const footer = terminal?.footer ?? { set: (lines: readonly string[]) => output.setFooter(lines), columns: () => process.stdout.columns || 80 };
  // --quiet: results only; a warning goes to stderr (above the prompt on a terminal), after what came before it.
  const warn = (line: string) => (terminal !== null ? write(line) : (output.flush(), process.stderr.write(`${line}\n`)));
  const out = new OrderedOutput(mode === 'json' ? jsonOutput(write, lineTime) : consoleOutput(mode === 'quiet' ? quietOutput(write, warn) : humanOutput(write, footer), write));
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
  if (dataNote !== null) out.event({ kind: 'note', level: 'warn', text: dataNote });
  if (hasFaults(faults)) out.event({ kind: 'note', level: 'info', text: `injecting faults on every datagram sent: ${formatFaults(faults)}` });

  // Every way out: 0, or in a script 1 once a command failed (with the first on stderr).
  const tally = input === 'script' ? new FailureTally() : null;
  const leave = () => {
    terminal?.close();
    output.flush();
    const summary = tally?.summary();
    if (summary) process.stderr.write(`${summary}\n`);
    process.exit(tally?.exitCode ?? 0);
  };
  const stop = () => {
    void node.detach().finally(leave);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const reader = terminal === null ? new LineReader(process.stdin) : null;
  let lineNumber = 0;
  const read = async (prompt: string) => {
    const line = await (reader?.next() ?? terminal!.next(prompt));
    if (line !== null) lineNumber++;
    return line;
  };
  // D1: a query without an id, on a peer with no copy of the year, asks for one where someone can
  // answer; in a script the next line is the next command, so the query fails instead.
  const ask: AskLine = async (prompt) => {
    if (!asksForEventId(input)) throw new Error(missingEventId(prompt));
    out.event({ kind: 'prompt', text: prompt });
    return read(EVENT_ID_PROMPT);
  };
  const ended = await runCommands({
    next: () => read(commandPrompt(node.name)),
    run: async (tokens) => {
      const line = lineNumber;
      const result = await runLine(node, tokens, ask);
      tally?.record(line, tokens.join(' '), result);
      return result;
    },
    output: out,
    window: pipeline,
    ends: (result) => result.ok && (result.command === 'deregister' || isQuit(result.command)),
  });
  if (ended === 'ended') leave();
  // End of input: a registered peer keeps serving the DHT (its sockets keep the process alive)
  // until a signal, or until the manager evicts it (issue 11); an unregistered one has nothing
  // left to do.
  if (input === 'terminal') write(endOfInputMessage(node.name));
  if (node.name === null) leave();
  node.onForgotten = leave;
}
