// `stormdht data`: the data directory's years (list, inspect) and how to fill it (generate here;
// import and fetch in data-transfer.ts). A DataError is the user's to fix: its message is printed
// without a stack and the exit status is 1. Bad arguments are UsageErrors (exit 2).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadYear, yearFileName, yearFilePath, type YearData } from '../data/csv.js';
import { DataError, describeFsError } from '../data/data-error.js';
import { describeTried, holdsYearFiles } from '../data/data-search.js';
import { DEFAULT_SEED, hasSyntheticIds, MAX_SYNTHETIC_RECORDS, syntheticLabel, writeSyntheticYear } from '../data/synthetic.js';
import { yearsInDir, yearStats } from '../data/year-stats.js';
import { DATA_GENERATE_USAGE, DATA_INSPECT_USAGE, DATA_LIST_USAGE, DATA_USAGE } from './data-usage.js';
import { fetchMain, importMain } from './data-transfer.js';
import { dataDirOption, findDataDir, parseCommandLine, parseIntegerOption, parseYear } from './options.js';
import { UsageError } from './usage.js';

/** The option every data command takes. */
const DATA_DIR = { 'data-dir': { type: 'string' } } as const;

/** Largest ring `inspect` computes for: far beyond any real ring, small enough to print. */
const MAX_INSPECT_N = 10_000;

export async function dataMain(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'list':
        return listMain(rest);
      case 'inspect':
        return inspectMain(rest);
      case 'generate':
        return generateMain(rest);
      case 'import':
        return await importMain(rest);
      case 'fetch':
        return await fetchMain(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(DATA_USAGE);
        return;
      default:
        throw new UsageError(`unknown data command "${command}"`, DATA_USAGE);
    }
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    process.stderr.write(`stormdht data ${command}: ${err.message}\n`);
    process.exitCode = err.code === 'ABORTED' ? 130 : 1; // 128 + SIGINT, as a shell reports Ctrl-C
  }
}

function listMain(argv: string[]): void {
  const parsed = parseCommandLine(argv, DATA_DIR, DATA_LIST_USAGE, []);
  if (parsed === null) return;
  const dir = listedDir(parsed.values['data-dir']);
  if (dir === null) return;
  let years: string[];
  try {
    years = yearsInDir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DataError('READ', `the data directory ${dir} does not exist (choose one with --data-dir DIR or $STORMDHT_DATA_DIR)`);
    }
    throw new DataError('READ', `cannot read the data directory ${dir}: ${describeFsError(err)}`);
  }
  console.log(`data directory: ${dir}`);
  if (years.length === 0) {
    console.log(`no details-YYYY.csv files (${ADD_ONE})`);
    return;
  }
  const rows = years.map((year) => {
    const loaded = loadYear(dir, year);
    if (!loaded.ok) return [year, '-', '-', `invalid: ${loaded.error}`];
    return [year, String(loaded.data.l), String(loaded.data.s), describeKind(dir, loaded.data)];
  });
  for (const line of table(['year', 'records (l)', 'table size (s)', 'kind'], rows)) console.log(line);
}

/** How to get a year file, for the lines that find none. */
const ADD_ONE = 'add one with "stormdht data fetch <year>", "import <file>" or "generate <year>"';

/**
 * The directory `list` shows: --data-dir as given (an empty one is listed as empty), else the
 * first place on the search path that holds a year. Null, after saying where it looked, when none does.
 */
function listedDir(option: unknown): string | null {
  const found = findDataDir(option, (dir) => option !== undefined || holdsYearFiles(dir));
  if (found.found) return found.dir;
  console.log(`no details-YYYY.csv files: ${describeTried(found.tried)} (${ADD_ONE})`);
  return null;
}

/** The data directory of `inspect`: the first place on the search path that holds a year (data-search.ts). */
/**
 * Where `data inspect` reads the year: --data-dir as given (a missing file is then named by the
 * load), else the first place on the search path that holds that year.
 */
function inspectedDir(option: unknown, year: string): string {
  if (option !== undefined) return option as string;
  const found = findDataDir(undefined, (dir) => existsSync(yearFilePath(dir, year)));
  if (found.found) return found.dir;
  throw new DataError('READ', `no ${yearFileName(year)}: ${describeTried(found.tried)} (choose a directory with --data-dir DIR or $STORMDHT_DATA_DIR)`);
}

function inspectMain(argv: string[]): void {
  const parsed = parseCommandLine(argv, { ...DATA_DIR, n: { type: 'string' } }, DATA_INSPECT_USAGE, ['<year>']);
  if (parsed === null) return;
  const year = parseYear(parsed.args[0], DATA_INSPECT_USAGE);
  const n = parseIntegerOption(parsed.values.n, '--n', 1, MAX_INSPECT_N, DATA_INSPECT_USAGE) ?? 3;
  const dir = inspectedDir(parsed.values['data-dir'], year);
  const data = load(dir, year);
  const stats = yearStats(data, n);
  const { sharedSlots, recordsInSharedSlots, longestChain } = stats.collisions;
  console.log(`${yearFileName(year)} in ${dir}: ${describeKind(dir, data)}`);
  console.log(`l = ${stats.l} records, s = ${stats.s} (the first prime above 2l)`);
  console.log(`records per node for n = ${n}: ${stats.perNode.join(' / ')}`);
  console.log(
    sharedSlots === 0
      ? 'slot collisions: none (every record has a table position of its own)'
      : `slot collisions: ${sharedSlots} positions hold ${recordsInSharedSlots} records, up to ${longestChain} at one position`,
  );
}

function generateMain(argv: string[]): void {
  const parsed = parseCommandLine(argv, { ...DATA_DIR, records: { type: 'string' }, seed: { type: 'string' }, force: { type: 'boolean' } }, DATA_GENERATE_USAGE, ['<year>']);
  if (parsed === null) return;
  const { values } = parsed;
  const year = parseYear(parsed.args[0], DATA_GENERATE_USAGE);
  const records = parseIntegerOption(values.records, '--records', 1, MAX_SYNTHETIC_RECORDS, DATA_GENERATE_USAGE);
  const seed = parseIntegerOption(values.seed, '--seed', 0, 0xffffffff, DATA_GENERATE_USAGE);
  const dir = dataDirOption(values['data-dir']);
  const file = writeIn(dir, () => writeSyntheticYear(dir, year, { ...(records === undefined ? {} : { records }), ...(seed === undefined ? {} : { seed }) }, values.force === true));
  const data = load(dir, year);
  console.log(`wrote ${path.resolve(file)}: ${data.l} records of SYNTHETIC data (seed ${seed ?? DEFAULT_SEED}), generated by stormdht, not NOAA's`);
  console.log(`l = ${data.l}, s = ${data.s}; labelled synthetic by ${path.basename(file).replace(/\.csv$/, '.synthetic.json')} beside it`);
}

/** Runs `write`, which writes into `dir`; a file system's refusal becomes one line naming dir. */
function writeIn<T>(dir: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === undefined || err instanceof DataError) throw err;
    throw new DataError('WRITE', `cannot write to the data directory ${dir}: ${describeFsError(err)}`);
  }
}

/** The year's file, loaded; a file that does not load is the user's to fix. */
function load(dir: string, year: string): YearData {
  const loaded = loadYear(dir, year);
  if (!loaded.ok) throw new DataError('BAD_FORMAT', loaded.error);
  return loaded.data;
}

/** "synthetic (seed S)" from the sidecar; "synthetic (no label file)" by the event ids when it is missing; else "real". */
function describeKind(dir: string, data: YearData): string {
  const label = syntheticLabel(dir, data.year);
  if (label !== null) return `synthetic (seed ${label.seed})`;
  return hasSyntheticIds(data) ? 'synthetic (no label file)' : 'real';
}

/** Rows in columns: numbers right-aligned, the last column as is. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}
