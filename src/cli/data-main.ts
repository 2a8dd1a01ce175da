// `stormdht data`: the data directory's years (list, inspect) and how to fill it (generate here;
// import and fetch in data-transfer.ts). A DataError is the user's to fix: its message is printed
// without a stack and the exit status is 1. Bad arguments are UsageErrors (exit 2).
import path from 'node:path';
import { loadYear, yearFileName, type YearData } from '../data/csv.js';
import { DataError, describeFsError } from '../data/data-error.js';
import { DEFAULT_SEED, MAX_SYNTHETIC_RECORDS, syntheticLabel, writeSyntheticYear } from '../data/synthetic.js';
import { yearsInDir, yearStats } from '../data/year-stats.js';
import { DATA_GENERATE_USAGE, DATA_INSPECT_USAGE, DATA_LIST_USAGE, DATA_USAGE } from './data-usage.js';
import { fetchMain, importMain } from './data-transfer.js';
import { dataDirOption, parseCommandLine, parseIntegerOption, parseYear } from './options.js';
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
  const dir = dataDirOption(parsed.values['data-dir']);
  let years: string[];
  try {
    years = yearsInDir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DataError('READ', `the data directory ${dir} does not exist (choose one with --data-dir DIR or $STORMDHT_DATA_DIR)`);
    }
    throw new DataError('READ', `cannot read the data directory ${dir}: ${describeFsError(err)}`);
  }
  console.log(`data directory: ${path.resolve(dir)}`);
  if (years.length === 0) {
    console.log('no details-YYYY.csv files (add one with "stormdht data fetch <year>", "import <file>" or "generate <year>")');
    return;
  }
  const rows = years.map((year) => {
    const loaded = loadYear(dir, year);
    if (!loaded.ok) return [year, '-', '-', `invalid: ${loaded.error}`];
    return [year, String(loaded.data.l), String(loaded.data.s), describeKind(dir, year)];
  });
  for (const line of table(['year', 'records (l)', 'table size (s)', 'kind'], rows)) console.log(line);
}

function inspectMain(argv: string[]): void {
  const parsed = parseCommandLine(argv, { ...DATA_DIR, n: { type: 'string' } }, DATA_INSPECT_USAGE, ['<year>']);
  if (parsed === null) return;
  const year = parseYear(parsed.args[0], DATA_INSPECT_USAGE);
  const n = parseIntegerOption(parsed.values.n, '--n', 1, MAX_INSPECT_N, DATA_INSPECT_USAGE) ?? 3;
  const dir = dataDirOption(parsed.values['data-dir']);
  const data = load(dir, year);
  const stats = yearStats(data, n);
  const { sharedSlots, recordsInSharedSlots, longestChain } = stats.collisions;
  console.log(`${yearFileName(year)} in ${path.resolve(dir)}: ${describeKind(dir, year)}`);
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
  const file = writeSyntheticYear(dir, year, { ...(records === undefined ? {} : { records }), ...(seed === undefined ? {} : { seed }) }, values.force === true);
  const data = load(dir, year);
  console.log(`wrote ${path.resolve(file)}: ${data.l} records of SYNTHETIC data (seed ${seed ?? DEFAULT_SEED}), generated by stormdht, not NOAA's`);
  console.log(`l = ${data.l}, s = ${data.s}; labelled synthetic by ${path.basename(file).replace(/\.csv$/, '.synthetic.json')} beside it`);
}

/** The year's file, loaded; a file that does not load is the user's to fix. */
function load(dir: string, year: string): YearData {
  const loaded = loadYear(dir, year);
  if (!loaded.ok) throw new DataError('BAD_FORMAT', loaded.error);
  return loaded.data;
}

/** "real" or "synthetic (seed S)", from the sidecar. */
function describeKind(dir: string, year: string): string {
  const label = syntheticLabel(dir, year);
  return label === null ? 'real' : `synthetic (seed ${label.seed})`;
}

/** Rows in columns: numbers right-aligned, the last column as is. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}
