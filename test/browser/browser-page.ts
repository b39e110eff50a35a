/**
 * Browser tests drive Debian's chromium (installed by .ci/run with apt; never downloaded) through
 * playwright-core. A page records what went wrong inside it (uncaught errors, refused content)
 * so each test can check the UI ran cleanly; screenshots are kept in test-artifacts/screenshots.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = resolve('test-artifacts/screenshots');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const browsers = new Set<Browser>();
afterAll(async () => {
  await Promise.all([...browsers].map((b) => b.close().catch(() => undefined)));
});

export interface WatchedPage {
  readonly page: Page;
  /** Uncaught exceptions in the page and content the browser refused (CSP), as they happened. */
  readonly problems: string[];
}

/** The server serves dist/ui as `npm run build` bundled it: a bundle older than its sources would test old code. */
function assertUiBuilt(): void {
  const bundle = resolve('dist/ui/app.js');
  if (!existsSync(bundle)) throw new Error('dist/ui/app.js is missing: run npm run build first (it bundles the web UI)');
  const built = statSync(bundle).mtimeMs;
  const stale = readdirSync(resolve('src/ui'), { recursive: true, withFileTypes: true }).find((e) => e.isFile() && statSync(join(e.parentPath, e.name)).mtimeMs > built);
  if (stale) throw new Error(`the web UI bundle is older than src/ui (${stale.name}): run npm run build first`);
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  assertUiBuilt();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  browsers.add(browser);
  return browser;
}

/** A page in a fresh context (its own cookies), sized like a laptop screen. */
export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`refused: ${message.text()}`);
  });
  return { page, problems };
}

/** A full-page screenshot kept as a test artifact; `alsoTo` copies it (the README's picture). */
export async function screenshot(page: Page, name: string, alsoTo?: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (alsoTo) await copyFile(file, alsoTo);
  return file;
}

/** Pixels of a canvas that differ from `background` (an [r, g, b] color), and the total; transparent pixels count as background. */
export async function paintedPixels(page: Page, testid: string, background: readonly [number, number, number] | null): Promise<{ painted: number; total: number }> {
  return page.getByTestId(testid).evaluate((element, bg) => {
    const canvas = element as HTMLCanvasElement;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('the canvas has no 2d context');
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      const alpha = data[i + 3] as number;
      if (alpha === 0) continue;
      if (bg && data[i] === bg[0] && data[i + 1] === bg[1] && data[i + 2] === bg[2]) continue;
      painted++;
    }
    return { painted, total: data.length / 4 };
  }, background);
}
