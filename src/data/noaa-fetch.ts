// `stormdht data fetch`: read NOAA's directory listing, take the newest bulk details file of the
// year, download it to a private temporary directory and import it (bulk-import.ts). Uses Node's
// built-in fetch; every failure becomes a DataError that says which URL and what went wrong.
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chooseTarget, importBulkFile, type ImportOptions, type ImportResult } from './bulk-import.js';
import { abortedError, DataError } from './data-error.js';
import { describeYears, newestForYear, parseListing, type ListedFile } from './noaa-listing.js';

export interface FetchOptions {
  readonly year: string;
  /** The directory listing's URL; NOAA_BASE_URL by default (the caller passes it). */
  readonly baseUrl: string;
  /** Called once the listing has been read, with the file chosen and its URL. */
  readonly onChosen?: (file: ListedFile, url: string) => void;
  /** Bytes downloaded so far, and the size the server announced (null when it did not). */
  readonly onDownloadProgress?: (bytes: number, totalBytes: number | null) => void;
  /** Stops the listing, the download or the import (DataError ABORTED); nothing is left behind. */
  readonly signal?: AbortSignal;
}

export interface FetchResult extends ImportResult {
  readonly url: string;
}

/** Downloads the year's newest bulk file from the listing at `options.baseUrl` and imports it with `importOptions`. */
export async function fetchYear(options: FetchOptions, importOptions: Omit<ImportOptions, 'input'>): Promise<FetchResult> {
  const listingUrl = directoryUrl(options.baseUrl);
  const { signal } = options;
  const listing = await get(listingUrl, signal);
  const files = parseListing(await readText(listing, listingUrl, signal));
  if (files.length === 0) {
    throw new DataError('NOT_LISTED', `${listingUrl} lists no StormEvents details files; is the base URL right?`);
  }
  const chosen = newestForYear(files, options.year);
  if (chosen === null) {
    throw new DataError('NOT_LISTED', `no details file for ${options.year} in ${listingUrl} (it lists ${describeYears(files)})`);
  }
  const url = new URL(encodeURIComponent(chosen.name), listingUrl).href;
  chooseTarget(importOptions, options.year); // refuse now rather than after the download
  options.onChosen?.(chosen, url);

  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'stormdht-fetch-'));
  try {
    const file = path.join(tempDir, chosen.name);
    await download(url, file, options.onDownloadProgress, signal);
    return { ...(await importBulkFile({ ...importOptions, ...(signal ? { signal } : {}), input: file })), url };
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}

/** The listing's URL with a final slash, so file names resolve inside it. */
export function directoryUrl(baseUrl: string): string {
  return baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
}

/** GET url; an error status or an unreachable server becomes a DataError. */
async function get(url: string, signal: AbortSignal | undefined): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (err) {
    throw networkError(url, err, signal);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new DataError('HTTP', `${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  }
  return response;
}

async function readText(response: Response, url: string, signal: AbortSignal | undefined): Promise<string> {
  try {
    return await response.text();
  } catch (err) {
    throw networkError(url, err, signal);
  }
}

/** Streams url's body into `file`, reporting the bytes as they arrive. */
async function download(url: string, file: string, onProgress: FetchOptions['onDownloadProgress'], signal: AbortSignal | undefined): Promise<void> {
  const response = await get(url, signal);
  const announced = Number(response.headers.get('content-length'));
  const total = Number.isSafeInteger(announced) && announced > 0 ? announced : null;
  const out = await open(file, 'w');
  let bytes = 0;
  try {
    if (response.body === null) throw new DataError('NETWORK', `${url}: the response has no body`);
    for await (const chunk of response.body) {
      await out.write(chunk);
      bytes += chunk.length;
      onProgress?.(bytes, total);
    }
  } catch (err) {
    throw err instanceof DataError ? err : networkError(url, err, signal);
  } finally {
    await out.close();
  }
  if (total !== null && bytes !== total) {
    throw new DataError('NETWORK', `${url}: the download stopped after ${bytes} of ${total} bytes`);
  }
}

/** fetch's "fetch failed" hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, a reset…). */
function networkError(url: string, err: unknown, signal: AbortSignal | undefined): DataError {
  if (signal?.aborted) return abortedError();
  const cause = (err as { cause?: unknown } | null)?.cause ?? err;
  const code = (cause as NodeJS.ErrnoException | null)?.code;
  const message = cause instanceof Error && cause.message !== '' ? cause.message : String(code ?? cause);
  return new DataError('NETWORK', `cannot download ${url}: ${message}`);
}
