// `stormdht data import` and `data fetch`: bring NOAA's bulk files into the data directory, with
// progress bars on stderr when it is a terminal. The work itself is in data/bulk-import.ts and
// data/noaa-fetch.ts; this file parses the arguments and says what happened.
import path from 'node:path';
import { LINE_ENDINGS, type ImportOptions, type ImportResult, importBulkFile } from '../data/bulk-import.js';
import { fetchYear } from '../data/noaa-fetch.js';
import { NOAA_BASE_URL } from '../data/noaa-listing.js';
import { DATA_FETCH_USAGE, DATA_IMPORT_USAGE } from './data-usage.js';
import { dataDirOption, parseChoice, parseCommandLine, parseYear } from './options.js';
import { createProgress } from './progress.js';
import { UsageError } from './usage.js';

/** The options import and fetch share. */
const WRITE_OPTIONS = { out: { type: 'string' }, eol: { type: 'string' }, force: { type: 'boolean' } } as const;

export async function importMain(argv: string[]): Promise<void> {
  const parsed = parseCommandLine(argv, { 'data-dir': { type: 'string' }, ...WRITE_OPTIONS }, DATA_IMPORT_USAGE, ['<file>']);
  if (parsed === null) return;
  const input = parsed.args[0]!;
  const write = writeOptions(parsed.values, DATA_IMPORT_USAGE);
  const bar = createProgress({ label: `importing ${path.basename(input)}`, unit: 'bytes' });
  let result: ImportResult;
  try {
    result = await interruptible((signal) => importBulkFile({ ...write, input, signal, onProgress: (done, total) => bar.update(done, total) }));
  } finally {
    bar.done();
  }
  report(result);
}

export async function fetchMain(argv: string[]): Promise<void> {
  const parsed = parseCommandLine(argv, { 'data-dir': { type: 'string' }, ...WRITE_OPTIONS, 'base-url': { type: 'string' } }, DATA_FETCH_USAGE, ['<year>']);
  if (parsed === null) return;
  const year = parseYear(parsed.args[0], DATA_FETCH_USAGE);
  const baseUrl = parseBaseUrl(parsed.values['base-url']);
  const write = writeOptions(parsed.values, DATA_FETCH_USAGE);
  const download = createProgress({ label: 'downloading', unit: 'bytes' });
  const importing = createProgress({ label: 'importing', unit: 'bytes' });
  const announce = (name: string, url: string) => console.log(`newest ${year} file in the listing: ${name}\ndownloading ${url}`);
  const onImportProgress = (done: number, total: number) => {
    download.done(); // the download is over once the import reads
    importing.update(done, total);
  };
  let result: ImportResult;
  try {
    result = await interruptible((signal) =>
      fetchYear(
        { year, baseUrl, signal, onChosen: (file, url) => announce(file.name, url), onDownloadProgress: (bytes, total) => download.update(bytes, total) },
        { ...write, onProgress: onImportProgress },
      ),
    );
  } finally {
    download.done();
    importing.done();
  }
  report(result);
}

/**
 * Runs `work` with a signal that Ctrl-C (SIGINT) or SIGTERM fires, so an interrupted import or
 * download removes its temporary files (DataError ABORTED). A second Ctrl-C kills at once.
 */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
  }
}

function writeOptions(values: Record<string, unknown>, usage: string): Omit<ImportOptions, 'input'> {
  const eol = parseChoice(values.eol, '--eol', Object.keys(LINE_ENDINGS) as (keyof typeof LINE_ENDINGS)[], usage);
  return {
    dataDir: dataDirOption(values['data-dir']),
    ...(values.out === undefined ? {} : { out: values.out as string }),
    ...(eol === undefined ? {} : { eol }),
    force: values.force === true,
  };
}

/** An http or https URL; NOAA's directory when not given. */
function parseBaseUrl(option: unknown): string {
  if (option === undefined) return NOAA_BASE_URL;
  const text = String(option);
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // reported below
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--base-url "${text}" is not an http or https URL`, DATA_FETCH_USAGE);
  }
  return url.href;
}

function report(result: ImportResult): void {
  const replaced = result.replaced === 'synthetic' ? ' (replacing a synthetic year)' : result.replaced === 'real' ? ' (replacing the file there, --force)' : '';
  console.log(`imported ${result.l} records of ${result.year} into ${result.file}${replaced}`);
  console.log(`l = ${result.l}, s = ${result.s}`);
}
