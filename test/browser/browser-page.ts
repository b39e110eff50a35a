/**
 * Browser tests drive Debian's chromium (installed by .ci/run with apt; never downloaded) through
 * playwright-core. A page records what went wrong inside it (uncaught errors, refused content)
 * so each test can check the UI ran cleanly; screenshots are kept in test-artifacts/screenshots.
 * Time in a page is Playwright's clock (page.clock): the UI's polls are driven by it, never
 * waited for in real time, and a test that counts polls counts them in the page itself.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = resolve('test-artifacts/screenshots');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const browsers = new Set<Browser>();
// Every browser a test file launched is closed when the file ends (its contexts and pages with it).
afterAll(async () => {
  await Promise.all([...browsers].map((b) => b.close().catch(() => undefined)));
  browsers.clear();
});

/** The impacts axe reports that fail a test. */
const FAILING_IMPACTS: ReadonlySet<string> = new Set(['serious', 'critical']);

/**
 * axe-core's serious and critical violations on the page as it is now, one line each (rule, what
 * it says, the first elements): axe's source is injected from node_modules, nothing is downloaded.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => FAILING_IMPACTS.has(v.impact ?? ''))
    .map((v) => `${v.impact ?? ''} ${v.id}: ${v.help} (${v.nodes.length} element(s), e.g. ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
}

/** Fails when axe finds a serious or critical violation on the page. */
export async function expectAccessible(page: Page): Promise<void> {
  const found = await accessibilityViolations(page);
  if (found.length > 0) throw new Error(`accessibility violations on ${page.url()}:\n${found.join('\n')}`);
}

/** axe's time on a large page (a grid of 31 full days, 200 table rows) under a loaded 2-core machine: over a minute at worst. */
const AXE_MS = 180_000;

/**
 * After every test in a file that uses this helper, axe checks each page still open in the
 * browsers it launched (as the test left it): a page with a serious or critical violation fails the test.
 */
afterEach(async () => {
  const pages = [...browsers].flatMap((b) => b.contexts().flatMap((c) => c.pages())).filter((p) => !p.isClosed() && /^https?:/.test(p.url()));
  for (const page of pages) await expectAccessible(page);
}, AXE_MS);

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

/**
 * Starts everything at once (a browser, a server…) and waits for every start to settle, so each
 * one that did start is assigned and stopped by afterAll even when another failed; then throws the
 * first failure.
 */
export async function allStarted<T extends readonly unknown[]>(starts: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  assertUiBuilt();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  browsers.add(browser);
  return browser;
}

/** A browser with a first watched page ready in it (a new browser's first page costs most of a second: start it with the rest). */
export async function launchWithPage(): Promise<{ readonly browser: Browser; readonly watched: WatchedPage }> {
  const browser = await launchBrowser();
  return { browser, watched: await watchedPage(browser) };
}

/** A phone's screen (an iPhone 12 to 15 held upright), for the narrow-screen checks. */
export const PHONE = { width: 390, height: 844 } as const;

/** A page in a fresh context (its own cookies), sized like a laptop screen unless `viewport` says otherwise. */
export async function watchedPage(browser: Browser, viewport: { readonly width: number; readonly height: number } = { width: 1366, height: 900 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { ...viewport } });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`refused: ${message.text()}`);
  });
  return { page, problems };
}

/** The UI asks again this long after each answer while it polls (src/ui/api/use-api.ts, everyMs). */
export const POLL_MS = 2_000;

/**
 * Waits for `condition` (a selector in the page, or a check that holds) while running the page's clock
 * (installed with page.clock.install()) one poll period ahead between looks: each poll the UI has
 * scheduled fires at once instead of 2 s of real time later, so a change on the server shows as
 * soon as the answer before it is in. The polls are the UI's own timers; only time is faster.
 */
export async function untilPolled(page: Page, condition: string | (() => Promise<boolean>), timeoutMs = 30_000): Promise<void> {
  const what = typeof condition === 'string' ? condition : 'the condition';
  const met = typeof condition === 'string' ? async () => (await page.locator(condition).count()) > 0 : condition;
  const deadline = Date.now() + timeoutMs;
  while (!(await met())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} while the page polled`);
    await page.clock.runFor(POLL_MS);
    // Room for the poll's round trip before the next look.
    if (typeof condition === 'string') await page.waitForSelector(condition, { state: 'attached', timeout: 100 }).catch(() => undefined);
    else await new Promise((r) => setTimeout(r, 100));
  }
}

/** A GET (or any call) the page made, as its code made it; see trackApiCalls. */
export interface ApiCall {
  /** Path and query, e.g. `/api/runs?limit=1000`. */
  readonly url: string;
  /** Its body has been read and every microtask after that has run: the caller has scheduled its next poll. */
  readonly answered: boolean;
}

const API_CALLS = '__eventlakeTestApiCalls';

/**
 * Records, inside the page, every fetch its code makes from now on (in every document it loads):
 * counted where the UI calls fetch, so a count read right after page.clock.runFor() is exact, with
 * no wait for network events. A call counts as answered a task after its body was read: by then
 * the UI's own continuation (its state update, its next setTimeout) has run.
 */
export async function trackApiCalls(page: Page): Promise<void> {
  await page.addInitScript((key: string) => {
    const calls: { url: string; answered: boolean }[] = [];
    Object.defineProperty(window, key, { value: calls });
    const realFetch = window.fetch.bind(window);
    const afterTask = (then: () => void): void => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        then();
      };
      channel.port2.postMessage(null);
    };
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const url = new URL(input instanceof Request ? input.url : String(input), location.href);
      const call = { url: `${url.pathname}${url.search}`, answered: false };
      calls.push(call);
      const response = await realFetch(input, init);
      const answered = (): void => afterTask(() => (call.answered = true));
      const json = response.json.bind(response);
      const text = response.text.bind(response);
      response.json = () => json().finally(answered);
      response.text = () => text().finally(answered);
      return response;
    };
  }, API_CALLS);
}

/** The calls the page's current document has made so far (trackApiCalls first). */
export async function apiCalls(page: Page): Promise<ApiCall[]> {
  return page.evaluate((key: string) => [...((window as unknown as Record<string, { url: string; answered: boolean }[]>)[key] ?? [])], API_CALLS);
}

/**
 * A page whose clock stands still from the start (page.clock.pauseAt): nothing time-driven happens
 * in it, not even the effects that start a page's loads (they wait for a frame), until the test
 * runs the clock. Its API calls are tracked.
 */
export async function pausedPage(browser: Browser): Promise<WatchedPage> {
  const watched = await watchedPage(browser);
  await trackApiCalls(watched.page);
  const now = Date.now();
  await watched.page.clock.install({ time: now });
  await watched.page.clock.pauseAt(now + 1_000);
  return watched;
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
