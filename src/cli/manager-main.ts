// `stormdht manager`: the manager process (SPEC §1.1). It prints where it listens, then a trace
// of every command and reply, until SIGINT or SIGTERM.
import { ManagerServer, type ManagerEvent } from '../manager/server.js';
import type { ManagerState } from '../manager/state.js';
import { openStateDir, type Restored, type StateStore } from '../manager/durability.js';
import { StateDirError } from '../manager/journal.js';
import { describeRestored } from './manager-restore.js';
import { bindUdp } from '../transport/udp-socket.js';
import { faultyBind, formatFaults, hasFaults } from '../transport/faults.js';
import { CoalescedWriter } from './coalesced-writer.js';
import { lineTime } from './time-order.js';
import { watchParent } from './parent-watch.js';
import { liveSummary, LIVE_VIEW_TICK_MS } from './manager-live-view.js';
import { ManagerLiveView } from '../live/manager-live.js';
import { parse, parseFaultOption, parseHost, parseIntegerOption, parsePort, parseReplicas, parseSeconds, parseSecretOption } from './options.js';
import { mulberry32 } from '../data/seeded-random.js';
import { MANAGER_USAGE, MAX_SEED, UsageError } from './usage.js';

export async function managerMain(argv: string[]): Promise<void> {
  watchParent(); // started by `stormdht cluster` or `demo`: stop with it
  const { values, positionals } = parse(argv, { host: { type: 'string' }, json: { type: 'boolean' }, faults: { type: 'string' }, 'await-timeout': { type: 'string' }, secret: { type: 'string' }, replicas: { type: 'string' }, 'state-dir': { type: 'string' }, seed: { type: 'string' }, http: { type: 'string' }, 'http-host': { type: 'string' } }, MANAGER_USAGE);
  if (values.help) {
    console.log(MANAGER_USAGE);
    return;
  }
  if (positionals.length !== 1) throw new UsageError(`expected <port>, got ${positionals.length} arguments`, MANAGER_USAGE);
  const port = parsePort(positionals[0], 'port', MANAGER_USAGE, true);
  const host = values.host === undefined ? '0.0.0.0' : await parseHost(values.host as string, '--host', MANAGER_USAGE);
  const json = values.json === true;
  const faults = parseFaultOption(values.faults, MANAGER_USAGE);
  const awaitTimeoutMs = parseSeconds(values['await-timeout'], '--await-timeout', MANAGER_USAGE);
  const secret = parseSecretOption(values.secret);
  const replicas = parseReplicas(values.replicas, MANAGER_USAGE) ?? 1;
  const seed = parseIntegerOption(values.seed, '--seed', 0, MAX_SEED, MANAGER_USAGE);
  const stateDir = values['state-dir'] as string | undefined;
  if (stateDir === '') throw new UsageError('--state-dir needs a directory', MANAGER_USAGE);
  // --http (issue 16): the live view, served beside the manager's UDP port.
  const httpPort = values.http === undefined ? undefined : parsePort(values.http as string, '--http', MANAGER_USAGE, true);
  if (values['http-host'] !== undefined && httpPort === undefined) throw new UsageError('--http-host needs --http <port>', MANAGER_USAGE);
  const httpHost = values['http-host'] === undefined ? '127.0.0.1' : await parseHost(values['http-host'] as string, '--http-host', MANAGER_USAGE);
  const liveView = httpPort === undefined ? null : new ManagerLiveView();
  const output = new CoalescedWriter(process.stdout);
  // --json: every line says when it was printed (`at`, ms since the epoch to the µs): the cluster
  // orders the lines of its processes by it (time-order.ts).
  const write = (obj: Record<string, unknown>, human: string) => output.line(json ? JSON.stringify({ ...obj, at: lineTime() }) : human);

  // On a terminal (and not --json) the live summary stays under the trace.
  const live = !json && output.live;
  let waitingSince = Date.now();
  let lastState: ManagerState | null = null;
  let ticker: NodeJS.Timeout | null = null;
  const drawSummary = () => {
    if (lastState !== null) output.setFooter(liveSummary(lastState, waitingSince, Date.now()));
  };
  const onState = (state: ManagerState) => {
    if (state.mode !== lastState?.mode) waitingSince = Date.now();
    lastState = state;
    drawSummary();
    if (ticker !== null) clearInterval(ticker);
    ticker = state.mode.kind === 'Idle' ? null : setInterval(drawSummary, LIVE_VIEW_TICK_MS);
    ticker?.unref();
  };
  const onEvent = (e: ManagerEvent) => {
    if (e.kind === 'state') {
      if (live) onState(e.state);
    } else if (e.kind === 'trace') write({ type: 'event', event: 'trace', from: e.from, to: e.to, text: e.text }, `${e.from} → ${e.to}: ${e.text}`);
    else if (e.kind === 'note') write({ type: 'event', event: 'note', level: e.level, text: e.text }, `${e.level === 'warn' ? 'warning' : 'note'}: ${e.text}`);
    else if (e.kind === 'fatal') {
      process.stderr.write(`stormdht manager: ${e.text}\n`);
      output.flush();
      process.exit(1);
    }
  };
  // The state directory is read before the port is bound: a peer's first datagram meets the state it knew.
  let durable: { store: StateStore; restored: Restored } | undefined;
  if (stateDir !== undefined) {
    try {
      durable = openStateDir(stateDir, replicas, Date.now());
    } catch (err) {
      if (!(err instanceof StateDirError)) throw err;
      process.stderr.write(`stormdht manager: ${err.message}\n`);
      process.exit(1);
    }
  }
  let server: ManagerServer;
  try {
    server = await ManagerServer.start({ host, port, onEvent, replicas, bind: faultyBind(bindUdp, faults), ...(awaitTimeoutMs === undefined ? {} : { awaitTimeoutMs }), ...(seed === undefined ? {} : { picks: mulberry32(seed) }), ...(secret === undefined ? {} : { secret }), ...(durable === undefined ? {} : { durable }), ...(liveView === null ? {} : { observer: liveView.observer }) });
  } catch (err) {
    durable?.store.close();
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    process.stderr.write(`stormdht manager: cannot listen on ${host}:${port} (${code})\n`);
    process.exit(1);
  }
  let liveUrl: string | null = null;
  if (liveView !== null) {
    try {
      const { ip: httpIp, port: httpBound } = (await liveView.serve(server, httpHost, httpPort!)).address;
      liveUrl = `http://${httpIp}:${httpBound}/`;
    } catch (err) {
      process.stderr.write(`stormdht manager: cannot serve the live view on ${httpHost}:${httpPort} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})\n`);
      await server.close();
      process.exit(1);
    }
  }
  // Handlers first: a script may signal the manager as soon as it reads the listening line.
  const stop = () => {
    void Promise.all([server.close(), liveView?.close()]).finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const { ip, port: bound } = server.address;
  write({ type: 'event', event: 'listening', ip, port: bound }, `manager listening on ${ip}:${bound}`);
  if (liveUrl !== null) write({ type: 'event', event: 'live-view', url: liveUrl }, `live view at ${liveUrl}`);
  if (liveView?.scriptMissing) onEvent({ kind: 'note', level: 'warn', text: "the live view's page script is not built (npm run build): the page is up to date only when reloaded" });
  if (durable !== undefined) {
    if (durable.restored.dropped !== null) onEvent({ kind: 'note', level: 'warn', text: `${stateDir}: ${durable.restored.dropped}` });
    onEvent({ kind: 'note', level: 'info', text: describeRestored(stateDir!, durable.restored) });
  }
  if (live) onState(server.state);
  if (secret !== undefined) onEvent({ kind: 'note', level: 'info', text: 'every datagram is authenticated with the system secret' });
  if (replicas >= 2) onEvent({ kind: 'note', level: 'info', text: `every DHT keeps ${replicas} copies of each record` });
  if (hasFaults(faults)) onEvent({ kind: 'note', level: 'info', text: `injecting faults on every datagram sent: ${formatFaults(faults)}` });
}
