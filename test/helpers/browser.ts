// The live view's page in a real browser (issue 16 §5): Debian's Chromium driven by playwright-core,
// headless, with everything that would make the page unfit recorded as a problem: an error on its
// console, an exception it did not catch, and any request to somewhere other than the manager's
// HTTP address (aborted as well as recorded). Used by test/e2e/live-view-browser.test.ts and by
// bench/live-view-screenshot.ts. Not a test file.
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's package `chromium` (`.ci/run` installs it); playwright's own browsers are never fetched. */
export const CHROMIUM = '/usr/bin/chromium';

/** No sandbox (CI runs as root), no GPU, and nothing the browser itself would fetch from elsewhere. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why no page can be opened here, or null when one can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `Chromium is not installed (${CHROMIUM}; apt-get install chromium)`;
}

export interface LivePage {
  readonly browser: Browser;
  readonly page: Page;
  /** Console errors, uncaught exceptions and requests off `base`, in the order they happened. */
  readonly problems: readonly string[];
  close(): Promise<void>;
}

/**
 * Opens `base` (e.g. `http://127.0.0.1:8080/`) in a fresh headless Chromium, light colour scheme,
 * and waits until the page's script says it is live (its stream of states is open).
 */
export async function openLivePage(base: string, viewport = { width: 1280, height: 900 }): Promise<LivePage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const problems: string[] = [];
  try {
    const context = await browser.newContext({ viewport, colorScheme: 'light', serviceWorkers: 'block' });
    await context.route('**', (route) => {
      const url = route.request().url();
      if (url.startsWith(base)) return route.continue();
      problems.push(`aborted a request off the manager's address: ${url}`);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught in the page: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(base)) problems.push(`a request off the manager's address: ${request.method()} ${request.url()}`);
    });
    await page.goto(base, { waitUntil: 'load' });
    await waitInPage(page, 'the page live', () => (globalThis as unknown as PageWindow).document.getElementById('connection')?.textContent === 'live', null, 10_000);
    return { browser, page, problems, close: () => browser.close() };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/**
 * The little of the DOM that functions run in the page use (`globalThis as unknown as PageWindow`):
 * the DOM's types are not in the node build.
 */
export interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  readonly textContent: string | null;
}
export interface PageWindow {
  readonly document: {
    querySelectorAll(selector: string): Iterable<PageElement>;
    querySelector(selector: string): PageElement | null;
    getElementById(id: string): PageElement | null;
  };
  getComputedStyle(e: PageElement): { readonly fill: string };
}

/**
 * Polls `test` in the page (page.evaluate) until it is true; fails after `timeoutMs`. Not
 * page.waitForFunction, which evaluates a string in the page: its Content-Security-Policy forbids
 * that. `test` is sent as its source, so it may use nothing but the page's globals and `arg`.
 */
export async function waitInPage<A>(page: Page, what: string, test: (arg: A) => boolean, arg: A, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(test as (arg: unknown) => boolean, arg as unknown))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Where the browser tests keep their screenshots: test-artifacts under the system's temporary directory. */
export const ARTIFACTS = path.join(os.tmpdir(), 'test-artifacts');

/** Saves the whole page as ARTIFACTS/file and returns its path. */
export async function keepScreenshot(page: Page, file: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const out = path.join(ARTIFACTS, file);
  await page.screenshot({ path: out, fullPage: true });
  return out;
}
