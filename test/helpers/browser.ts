// The live view's page in a real browser (issue 16 §5): Debian's Chromium driven by playwright-core,
// headless, with everything that would make the page unfit recorded as a problem: an error on its
// console, an exception it did not catch, and any request to somewhere other than the manager's
// HTTP address (aborted as well as recorded). Used by test/e2e/live-view-browser.test.ts and by
// bench/live-view-screenshot.ts. Not a test file.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's package `chromium` (`.ci/run` installs it); playwright's own browsers are never fetched. */
export const CHROMIUM = '/usr/bin/chromium';

/** No sandbox (CI runs as root), no GPU, and nothing the browser itself would fetch from elsewhere. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why the browser tests cannot run here, or false when they can. */
export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM) ? false : `Chromium is not installed (${CHROMIUM}; apt-get install chromium): the live view's browser tests are skipped`;
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
    // (An expression, run in the page: the DOM's types are not in the node build.)
    await page.waitForFunction(`document.getElementById('connection')?.textContent === 'live'`, null, { timeout: 10_000 });
    return { browser, page, problems, close: () => browser.close() };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
