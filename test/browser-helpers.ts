/**
 * The real-browser harness: Debian's chromium (CI installs it, .ci/run), driven headless by playwright-core
 * pointed at that binary (nothing downloads a browser), in a fresh profile. Every console error, uncaught
 * page error, failed request and HTTP error answer is collected in `problems`; tests assert it stays empty.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.OE_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const noChromium = `${CHROMIUM} is missing (apt-get install chromium; CI installs it)`;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors, failed requests and 4xx/5xx answers, as one line each. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Launches chromium with a fresh --user-data-dir. `expectedAborts` lists URL substrings of requests the
 * page itself cancels (an EventSource closed when its page is left) that are not failures.
 */
export async function openBrowser(expectedAborts: string[] = []): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'oe-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (why.includes('ERR_ABORTED') && expectedAborts.some((u) => r.url().includes(u))) return;
    problems.push(`request failed: ${r.method()} ${r.url()} ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
