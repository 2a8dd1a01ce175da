// `node dist/bench/live-view-screenshot.js [FILE] [--port-range LO-HI]`, after `npm run build`: the
// picture of the live view in the README (issue 16), docs/live-view.png unless FILE is given. A
// manager with --http and six peers on this machine, a DHT of five over a SYNTHETIC 1996 (the
// project never ships NOAA's data), two queries from the Free peer, then the page in Debian's
// Chromium (headless, through playwright-core, as the browser test drives it), saved as a PNG.
// Every process it starts is stopped before it ends; any failure is one line and exit status 1.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startManager, startPeer, type JsonChild, type JsonLine, type ManagerProcess } from '../src/cli/processes.js';
import { chromiumMissing, openLivePage, type LivePage } from '../test/helpers/browser.js';
import { syntheticData, type TempData } from '../test/e2e/cluster-cli.js';

const USAGE = 'usage: node dist/bench/live-view-screenshot.js [FILE] [--port-range LO-HI]';
const DEFAULT_FILE = fileURLToPath(new URL('../../docs/live-view.png', import.meta.url));
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const YEAR = '1996';
const RING_SIZE = 5;
/** Wide enough for the ring beside the Free peers, tall enough for the DHT, the ring and the bars. */
const VIEWPORT = { width: 1100, height: 1000 };

interface Options {
  readonly file: string;
  readonly portRange: string;
}

function parseArgs(args: readonly string[]): Options {
  let file = DEFAULT_FILE;
  let portRange = '7001-7499';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--port-range' && i + 1 < args.length) portRange = args[++i]!;
    else if (arg === '--help' || arg === '-h') {
      console.log(`${USAGE}\n  FILE                 where the PNG goes (default docs/live-view.png)\n  --port-range LO-HI   the ports the peers register on (default 7001-7499)`);
      process.exit(0);
    } else if (!arg.startsWith('-')) file = path.resolve(arg);
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return { file, portRange };
}

async function ok(peer: JsonChild, line: string): Promise<JsonLine> {
  const result = await peer.run(line, 60_000);
  if (result.ok !== true) throw new Error(`${peer.label}: ${line} failed: ${String(result.error)}`);
  return result;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const missing = chromiumMissing();
  if (missing !== false) throw new Error(missing);
  let data: TempData | null = null;
  let manager: ManagerProcess | null = null;
  let live: LivePage | null = null;
  const peers: JsonChild[] = [];
  try {
    data = syntheticData(YEAR);
    manager = await startManager({ extraArgs: ['--http', '0'] });
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
    const drawn = `document.querySelectorAll('[data-id][data-records]:not([data-records=""])').length === ${RING_SIZE} && !/…|no figures yet/.test(document.getElementById('traffic').textContent)`;
    await live.page.waitForFunction(drawn, null, { timeout: 10_000 });
    if (live.problems.length > 0) throw new Error(`the page had problems: ${live.problems.join('; ')}`);
    await live.page.screenshot({ path: options.file, type: 'png' });
    console.log(`live view of a synthetic ${YEAR} (${setup.records} records, ${RING_SIZE} nodes) saved to ${options.file}`);
  } finally {
    await live?.close();
    await Promise.all(peers.map((p) => p.stop('SIGTERM', 5_000)));
    await manager?.proc.stop('SIGINT', 5_000);
    data?.remove();
  }
}

main().catch((err: unknown) => {
  console.error(`live-view-screenshot: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
