// `node dist/bench/live-view-screenshot.js [FILE] [--port-range LO-HI] [--http-port N]`, after
// `npm run build`: the picture of the live view in the README (issue 16), docs/live-view.png unless
// FILE is given. `stormdht cluster --json --http` with six peers on this machine (the cluster's view:
// the manager's page plus each query's path on the ring and the current command's sequence chart),
// its page opened in Debian's Chromium (headless, through playwright-core, as the browser tests
// drive it) before anyone registers; then a DHT of five over a SYNTHETIC 1996 (the project never
// ships NOAA's data) and queries from the Free peer until one visits at least three nodes (of at
// most 15; else the longest, run again so that it is the last command). Once the page draws every
// member's records, every peer's traffic, that query's path and its chart, the whole page is saved
// as a PNG. Every process it starts is stopped before it ends; a failure is one line (and the
// usage, for a usage error) and exit status 1.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumMissing, openLivePage, waitInPage, type LivePage, type PageWindow } from '../test/helpers/browser.js';
import { syntheticData, type TempData } from '../test/e2e/cluster-cli.js';
import { JsonCluster, type ClusterJsonLine } from '../test/e2e/json-cluster.js';

const USAGE = 'usage: node dist/bench/live-view-screenshot.js [FILE] [--port-range LO-HI] [--http-port N]';
const HELP = `${USAGE}
  FILE                 where the PNG goes (default docs/live-view.png)
  --port-range LO-HI   the ports the peers register on (default 7001-7499)
  --http-port N        the cluster's live view's HTTP port (default 0: any free port)`;
const DEFAULT_FILE = fileURLToPath(new URL('../../docs/live-view.png', import.meta.url));
/** `--peers 6`: the cluster's first six names. */
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const YEAR = '1996';
const RING_SIZE = 5;
/** A query that visits this many nodes makes a walk worth drawing. */
const WANTED_PATH = 3;
const MAX_QUERIES = 15;
/**
 * Wide enough for the ring beside the Free peers and for a query's chart with five lifelines (the
 * manager, the querier and three nodes): a longer walk widens it to fit its chart. The picture takes
 * the whole height of the page.
 */
const VIEWPORT = { width: 1280, height: 1000 };
const COMMAND_MS = 60_000;

class UsageError extends Error {}

interface Options {
  readonly file: string;
  readonly portRange: string;
  readonly httpPort: number;
}

function parseArgs(args: readonly string[]): Options {
  let file = DEFAULT_FILE;
  const values = new Map<string, string>([
    ['--port-range', '7001-7499'],
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
  return { file, portRange: values.get('--port-range')!, httpPort: port('--http-port') };
}

/** What the page must show before the picture is taken. */
interface Wanted {
  readonly ringSize: number;
  /** The query's result path, comma-separated (data-path). */
  readonly path: string;
  /** The last command run: that query's line (data-command). */
  readonly command: string;
}

/**
 * Run in the page: every member's records and every peer's rate of datagrams are shown, the path
 * drawn is the query's, and the chart is its command's.
 */
function drawn(wanted: Wanted): boolean {
  const { document } = globalThis as unknown as PageWindow;
  const members = [...document.querySelectorAll('[data-id]')];
  const traffic = document.getElementById('traffic')?.textContent ?? '';
  const query = [...document.querySelectorAll('[data-query]')];
  const chart = [...document.querySelectorAll('[data-sequence]')];
  return (
    members.length === wanted.ringSize &&
    members.every((m) => (m.getAttribute('data-records') ?? '') !== '') &&
    !/…|no figures yet/.test(traffic) &&
    query.length === 1 &&
    query[0]!.getAttribute('data-path') === wanted.path &&
    chart.length === 1 &&
    chart[0]!.getAttribute('data-command') === wanted.command
  );
}

/** Run in the page: how many px of the sequence chart its box hides (0 when it all shows). */
function chartOverflow(): number {
  const { document } = globalThis as unknown as PageWindow;
  const box = document.getElementById('sequence-chart') as unknown as { scrollWidth: number; clientWidth: number } | null;
  return box === null ? 0 : Math.max(0, box.scrollWidth - box.clientWidth);
}

async function ok(cluster: JsonCluster, line: string): Promise<ClusterJsonLine> {
  const result = await cluster.run(line, COMMAND_MS);
  if (result.ok !== true) throw new Error(`${line} failed: ${String(result.error)}`);
  return result;
}

function pathOf(result: ClusterJsonLine, line: string): number[] {
  const visited = result.path;
  if (!Array.isArray(visited)) throw new Error(`${line}: the result has no path: ${JSON.stringify(result)}`);
  return visited as number[];
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const missing = chromiumMissing();
  if (missing !== null) throw new Error(missing);
  let data: TempData | null = null;
  let cluster: JsonCluster | null = null;
  let live: LivePage | null = null;
  // JsonCluster waits on timers that do not hold the process open: without this, a cluster that
  // exits early would leave nothing to wait on, and this script would end silently with status 0.
  const keepAlive = setInterval(() => {}, 1_000);
  try {
    data = syntheticData(YEAR);
    cluster = new JsonCluster(['--peers', String(NAMES.length), '--data-dir', data.dir, '--port-range', options.portRange, '--http', String(options.httpPort)]);
    const announced = await cluster.waitFor((l) => l.process === 'cluster' && l.event === 'live-view', 'the live view line', 0, 15_000);
    // The page follows every command from here on, without a reload.
    live = await openLivePage(String(announced.url), VIEWPORT);
    for (const name of NAMES) await ok(cluster, `register ${name}`);
    const setup = await ok(cluster, `setup-dht ${NAMES[0]!} ${RING_SIZE} ${YEAR}`);
    const ring = (setup.ring as Array<{ name: string }>).map((t) => t.name);
    const querier = NAMES.find((n) => !ring.includes(n))!;
    // Ids spread over the year; the first node is the manager's random pick, so the walk's length varies.
    const records = data.data.records;
    let best: { line: string; path: number[] } | null = null;
    for (let i = 0; i < MAX_QUERIES && (best?.path.length ?? 0) < WANTED_PATH; i++) {
      const line = `query-dht ${querier} ${records[Math.floor(((i + 0.5) * records.length) / MAX_QUERIES)]!.eventId}`;
      const visited = pathOf(await ok(cluster, line), line);
      if (best === null || visited.length >= best.path.length) best = { line, path: visited };
      else if (i === MAX_QUERIES - 1) {
        // The last query run is not the longest: run the longest again, so that it is the one shown.
        best = { line: best.line, path: pathOf(await ok(cluster, best.line), best.line) };
      }
    }
    const shown = best!;
    const wanted: Wanted = { ringSize: RING_SIZE, path: shown.path.join(','), command: shown.line };
    // Every member's records and every peer's traffic rate come with their next heartbeats.
    await waitInPage(live.page, `every member's records, every peer's traffic, and "${shown.line}" drawn`, drawn, wanted, 10_000);
    // The chart scrolls sideways when it is wider than the page: widen the page so that all of it shows.
    const overflow = await live.page.evaluate(chartOverflow);
    if (overflow > 0) await live.page.setViewportSize({ width: VIEWPORT.width + overflow, height: VIEWPORT.height });
    if (live.problems.length > 0) throw new Error(`the page had problems: ${live.problems.join('; ')}`);
    await live.page.screenshot({ path: options.file, type: 'png', fullPage: true });
    console.log(
      `live view of a synthetic ${YEAR} (${String(setup.records)} records, ${RING_SIZE} nodes; "${shown.line}" visited ${shown.path.length} nodes: ${shown.path.join(', ')}) saved to ${options.file}`,
    );
  } finally {
    await live?.close();
    await cluster?.stop();
    data?.remove();
    clearInterval(keepAlive);
  }
}

main().catch((err: unknown) => {
  // Playwright's messages carry the page's call stack after their first line: one line is enough.
  const text = err instanceof Error ? err.message : String(err);
  console.error(`live-view-screenshot: ${text.split('\n')[0]}${err instanceof UsageError ? `\n${USAGE}` : ''}`);
  process.exitCode = 1;
});
