// `node dist/bench/live-view-screenshot.js [FILE] [--port-range LO-HI] [--manager-port N]
// [--http-port N]`, after `npm run build`: the picture of the live view in the README (issue 16),
// docs/live-view.png unless FILE is given. A manager with --http and six peers on this machine, a
// DHT of five over a SYNTHETIC 1996 (the project never ships NOAA's data), two queries from the
// Free peer, then the whole page in Debian's Chromium (headless, through playwright-core, as the
// browser test drives it), saved as a PNG. Every process it starts is stopped before it ends; a
// failure is one line (and the usage, for a usage error) and exit status 1.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startManager, startPeer, type JsonChild, type JsonLine, type ManagerProcess } from '../src/cli/processes.js';
import { chromiumMissing, openLivePage, waitInPage, type LivePage, type PageWindow } from '../test/helpers/browser.js';
import { syntheticData, type TempData } from '../test/e2e/cluster-cli.js';

const USAGE = 'usage: node dist/bench/live-view-screenshot.js [FILE] [--port-range LO-HI] [--manager-port N] [--http-port N]';
const HELP = `${USAGE}
  FILE                 where the PNG goes (default docs/live-view.png)
  --port-range LO-HI   the ports the peers register on (default 7001-7499)
  --manager-port N     the manager's UDP port (default 0: any free port)
  --http-port N        the live view's HTTP port (default 0: any free port)`;
const DEFAULT_FILE = fileURLToPath(new URL('../../docs/live-view.png', import.meta.url));
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const YEAR = '1996';
const RING_SIZE = 5;
/** Wide enough for the ring beside the Free peers; the picture takes the whole height of the page. */
const VIEWPORT = { width: 1000, height: 1000 };

class UsageError extends Error {}

interface Options {
  readonly file: string;
  readonly portRange: string;
  readonly managerPort: number;
  readonly httpPort: number;
}

function parseArgs(args: readonly string[]): Options {
  let file = DEFAULT_FILE;
  const values = new Map<string, string>([
    ['--port-range', '7001-7499'],
    ['--manager-port', '0'],
    ['--http-port', '0'],
  ]);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (values.has(arg) && i + 1 < args.length) values.set(arg, args[++i]!);
    else if (!arg.startsWith('-')) file = path.resolve(arg);
    else throw new UsageError(values.has(arg) ? `${arg} needs a value` : `unknown option ${arg}`);
  }
  const port = (name: string): number => {
    const text = values.get(name)!;
    if (!/^\d+$/.test(text) || Number(text) > 65_535) throw new UsageError(`${name} "${text}" is not a port (0-65535)`);
    return Number(text);
  };
  return { file, portRange: values.get('--port-range')!, managerPort: port('--manager-port'), httpPort: port('--http-port') };
}

/** Run in the page: every member's records and every peer's rate of datagrams are shown. */
function drawn(ringSize: number): boolean {
  const { document } = globalThis as unknown as PageWindow;
  const members = [...document.querySelectorAll('[data-id]')];
  const traffic = document.getElementById('traffic')?.textContent ?? '';
  return members.length === ringSize && members.every((m) => (m.getAttribute('data-records') ?? '') !== '') && !/…|no figures yet/.test(traffic);
}

async function ok(peer: JsonChild, line: string): Promise<JsonLine> {
  const result = await peer.run(line, 60_000);
  if (result.ok !== true) throw new Error(`${peer.label}: ${line} failed: ${String(result.error)}`);
  return result;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const missing = chromiumMissing();
  if (missing !== null) throw new Error(missing);
  let data: TempData | null = null;
  let manager: ManagerProcess | null = null;
  let live: LivePage | null = null;
  const peers: JsonChild[] = [];
  try {
    data = syntheticData(YEAR);
    manager = await startManager({ port: options.managerPort, extraArgs: ['--http', String(options.httpPort)] });
    const url = String((await manager.proc.waitForLine((l) => l.event === 'live-view', 5_000)).url);
    for (const name of NAMES) {
      const peer = startPeer(name, manager, { dataDir: data.dir, portRange: options.portRange });
      peers.push(peer);
      await ok(peer, `register ${name}`);
    }
    const setup = await ok(peers[0]!, `setup-dht alice ${RING_SIZE} ${YEAR}`);
    const ring = (setup.ring as Array<{ name: string }>).map((t) => t.name);
    const querier = peers.find((p) => !ring.includes(p.label))!;
    for (const record of [data.data.records[12]!, data.data.records[4_321]!]) await ok(querier, `query-dht ${querier.label} ${record.eventId}`);
    live = await openLivePage(url, VIEWPORT);
    // Every member's records and every peer's traffic rate come with their next heartbeats.
    await waitInPage(live.page, "every member's records and every peer's traffic drawn", drawn, RING_SIZE, 10_000);
    if (live.problems.length > 0) throw new Error(`the page had problems: ${live.problems.join('; ')}`);
    await live.page.screenshot({ path: options.file, type: 'png', fullPage: true });
    console.log(`live view of a synthetic ${YEAR} (${setup.records} records, ${RING_SIZE} nodes) saved to ${options.file}`);
  } finally {
    await live?.close();
    await Promise.all(peers.map((p) => p.stop('SIGTERM', 5_000)));
    await manager?.proc.stop('SIGINT', 5_000);
    data?.remove();
  }
}

main().catch((err: unknown) => {
  // Playwright's messages carry the page's call stack after their first line: one line is enough.
  const text = err instanceof Error ? err.message : String(err);
  console.error(`live-view-screenshot: ${text.split('\n')[0]}${err instanceof UsageError ? `\n${USAGE}` : ''}`);
  process.exitCode = 1;
});
