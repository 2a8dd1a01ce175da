// `stormdht data import`: a NOAA bulk details file (.csv or .csv.gz, tens of MB once unpacked)
// becomes details-YYYY.csv in one streaming pass: read → gunzip → tokenize → convert → write, with
// memory bounded by a chunk and one record. The output goes to a temporary file beside its final
// place and is renamed only once the whole input has converted, so a refused or broken input
// leaves nothing behind. Bytes pass as latin1, one char per byte, so values are copied exactly.
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Transform, pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BulkRecordConverter, parseBulkFileName } from './bulk-format.js';
import { CsvSyntaxError, CsvTokenizer, type CsvRecord } from './csv-tokenizer.js';
import { yearFileName, yearFilePath } from './csv.js';
import { abortedError, DataError, describeFsError } from './data-error.js';
import { YEAR_FILE_HEADER } from './fields.js';
import { tableSize } from './hashing.js';
import { isSyntheticYear, syntheticSidecarPath } from './synthetic.js';

/** Line separators of the course's files: CR for 1950–1952, CRLF for the others (SPEC §8). */
export const LINE_ENDINGS = { crlf: '\r\n', cr: '\r', lf: '\n' } as const;
export type LineEnding = keyof typeof LINE_ENDINGS;

export interface ImportOptions {
  /** The bulk file to read. */
  readonly input: string;
  /** Where details-YYYY.csv is written (created if absent), unless `out` is given. */
  readonly dataDir: string;
  /** Write exactly this file instead. */
  readonly out?: string;
  /** Between lines; default crlf. Like the course's files, the last line has no terminator. */
  readonly eol?: LineEnding;
  /** Replace an existing file that is not labelled synthetic. */
  readonly force?: boolean;
  /** Called as the input is read: bytes of the file so far (compressed when gzip) and its size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Stops the import (DataError ABORTED) and removes what it wrote. */
  readonly signal?: AbortSignal;
}

export interface ImportResult {
  readonly file: string;
  readonly year: string;
  readonly l: number;
  readonly s: number;
  /** What the output replaced: nothing, a synthetic year (its label is removed), or real data (--force). */
  readonly replaced: 'nothing' | 'synthetic' | 'real';
}

/** gzip's magic number (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Imports one bulk file; a DataError says what is wrong with the input or the output. */
export async function importBulkFile(options: ImportOptions): Promise<ImportResult> {
  const { input } = options;
  const totalBytes = inputSize(input);
  const gzip = isGzip(input);
  const named = parseBulkFileName(path.basename(input));
  const targetDir = options.out === undefined ? options.dataDir : path.dirname(options.out);
  try {
    mkdirSync(targetDir, { recursive: true });
  } catch (err) {
    throw new DataError('WRITE', `cannot create ${targetDir}: ${describeFsError(err)}`);
  }
  const temp = path.join(targetDir, `.stormdht-import-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const out = await createTemp(temp);
  const eol = LINE_ENDINGS[options.eol ?? 'crlf'];
  const chosen: { target?: Target } = {};
  try {
    const converter = await convertStream(readInput(input, gzip, totalBytes, options.onProgress), out, eol, input, options.signal, (year) => {
      if (named && named.year !== year) {
        throw new DataError('BAD_FORMAT', `${input}: its name says ${named.year} but its records are of ${year}`);
      }
      chosen.target = chooseTarget(options, year);
    });
    await out.close();
    const { target } = chosen;
    if (target === undefined || converter.year === null) throw new DataError('BAD_FORMAT', `${input}: no records (only a header)`);
    renameSync(temp, target.file);
    if (target.replaced === 'synthetic') rmSync(syntheticSidecarPath(path.dirname(target.file), converter.year), { force: true });
    return { file: target.file, year: converter.year, l: converter.count, s: tableSize(converter.count), replaced: target.replaced };
  } catch (err) {
    await out.close().catch(() => {}); // already closed after a late failure
    rmSync(temp, { force: true });
    throw options.signal?.aborted ? abortedError() : asDataError(err, input, gzip);
  }
}

/** Where the output goes and what it replaces. */
export interface Target {
  readonly file: string;
  readonly replaced: ImportResult['replaced'];
}

/**
 * Tokenizes and converts every chunk, writing each record as it completes; `onYear` runs at the
 * first record. `source` names the input in errors.
 */
async function convertStream(
  chunks: AsyncIterable<Buffer>,
  out: FileHandle,
  eol: string,
  source: string,
  signal: AbortSignal | undefined,
  onYear: (year: string) => void,
): Promise<BulkRecordConverter> {
  const tokenizer = new CsvTokenizer();
  let converter: BulkRecordConverter | null = null;
  const take = async (records: CsvRecord[]) => {
    let text = '';
    for (const record of records) {
      if (converter === null) {
        const made = BulkRecordConverter.fromHeader(record);
        if (typeof made === 'string') throw new DataError('BAD_FORMAT', `${source}: ${made}`);
        converter = made;
        text += YEAR_FILE_HEADER;
        continue;
      }
      const result = converter.convert(record);
      if (!result.ok) throw new DataError('BAD_FORMAT', `${source}: ${result.error}`);
      if (converter.count === 1) onYear(converter.year!);
      text += eol + result.fields.join(',');
    }
    if (text !== '') await out.write(text, null, 'latin1');
  };
  for await (const chunk of chunks) {
    if (signal?.aborted) throw abortedError();
    await take(tokenizer.push(chunk.toString('latin1')));
  }
  await take(tokenizer.end());
  if (converter === null) throw new DataError('BAD_FORMAT', `${source}: the file is empty`);
  return converter;
}

/** The file's bytes, gunzipped when gzip, reporting progress on the raw bytes read. */
function readInput(input: string, gzip: boolean, totalBytes: number, onProgress: ImportOptions['onProgress']): Readable {
  let bytesRead = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytesRead += chunk.length;
      onProgress?.(bytesRead, totalBytes);
      callback(null, chunk);
    },
  });
  const ignore = () => {}; // errors reach the consumer through the last stream
  return gzip ? pipeline(createReadStream(input), counter, createGunzip(), ignore) : pipeline(createReadStream(input), counter, ignore);
}

/**
 * Where the output of a year goes, and what it replaces; a DataError EXISTS when that is real data
 * and `force` is not set. Exported so fetch can refuse before it downloads.
 */
export function chooseTarget(options: Pick<ImportOptions, 'dataDir' | 'out' | 'force'>, year: string): Target {
  const file = path.resolve(options.out ?? yearFilePath(options.dataDir, year));
  if (!existsSync(file)) return { file, replaced: 'nothing' };
  const dir = path.dirname(file);
  if (path.basename(file) === yearFileName(year) && isSyntheticYear(dir, year)) return { file, replaced: 'synthetic' };
  if (options.force) return { file, replaced: 'real' };
  throw new DataError('EXISTS', `${file} exists and is not marked synthetic; use --force to replace it`);
}

function inputSize(input: string): number {
  try {
    const stat = statSync(input);
    if (stat.isDirectory()) throw new DataError('READ', `cannot read ${input}: it is a directory`);
    return stat.size;
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError('READ', `cannot read ${input}: ${describeFsError(err)}`);
  }
}

/** True when the file starts with gzip's magic number; a .gz name without it is refused. */
function isGzip(input: string): boolean {
  const head = Buffer.alloc(2);
  let fd: number | null = null;
  try {
    fd = openSync(input, 'r');
    readSync(fd, head, 0, 2, 0);
  } catch (err) {
    throw new DataError('READ', `cannot read ${input}: ${describeFsError(err)}`);
  } finally {
    if (fd !== null) closeSync(fd);
  }
  const gzip = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  if (!gzip && input.endsWith('.gz')) throw new DataError('BAD_FORMAT', `${input}: not gzip data, although its name ends in .gz`);
  return gzip;
}

/** Every failure as a DataError that names the input. */
function asDataError(err: unknown, input: string, gzip: boolean): unknown {
  if (err instanceof DataError) return err;
  if (err instanceof CsvSyntaxError) return new DataError('BAD_FORMAT', `${input}${gzip ? ' (unpacked)' : ''}: not valid CSV: ${err.message}`);
  const code = (err as NodeJS.ErrnoException | null)?.code ?? '';
  if (code.startsWith('Z_')) return new DataError('READ', `${input}: corrupt gzip data (${(err as Error).message})`);
  if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS') return new DataError('WRITE', `cannot write the output: ${describeFsError(err)}`);
  return err;
}

async function createTemp(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'wx');
  } catch (err) {
    throw new DataError('WRITE', `cannot write in ${path.dirname(file)}: ${describeFsError(err)}`);
  }
}
