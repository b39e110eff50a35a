/**
 * One real `eventlake serve` (on a fresh lake and state, the real sample as its source) and one
 * watched page in a fresh chromium for a test file: started together in the file's beforeAll, the
 * server stopped in its afterAll (the browser is closed by browser-page.ts). What a file prepares
 * before the server opens the state (seeded runs, an hour published by the CLI) runs while the
 * browser starts.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { SAMPLE, tempDir } from '../helpers/fixtures.js';
import { startServed, type Served } from '../helpers/served-cli.js';
import { allStarted, launchWithPage, type WatchedPage } from './browser-page.js';

/** No deadline alerts unless a test asks for them: they would add events the tests do not expect. */
const QUIET = { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' };

export interface Folders {
  readonly lake: string;
  readonly state: string;
}

export interface ServedPageOptions {
  /** Environment of the server, over QUIET. */
  readonly env?: Record<string, string>;
  /** More arguments after `--source --lake --state --workers 1` (read after `prepare`, so it can name what that made). */
  readonly args?: () => readonly string[];
  /** Runs before the server opens the state, while the browser starts. */
  readonly prepare?: (folders: Folders) => Promise<void>;
  /** Installs Playwright's clock on the page: time flows as usual; untilPolled runs it ahead. */
  readonly clock?: boolean;
  /** The beforeAll's timeout (120 s unless said). */
  readonly timeoutMs?: number;
}

export interface ServedPage extends Folders {
  readonly served: Served;
  /** The server's address, ending in `/`. */
  readonly url: string;
  readonly browser: Browser;
  readonly watched: WatchedPage;
  readonly page: Page;
  /** Stops the server and serves the same lake and state again, with `env` instead of the options' env. */
  restart(env?: Record<string, string>): Promise<Served>;
}

interface Started {
  lake?: string;
  state?: string;
  served?: Served;
  browser?: Browser;
  watched?: WatchedPage;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`servedPage: the ${what} is not started (its beforeAll failed or has not run)`);
  return value;
}

/** Registers the file's beforeAll and afterAll; the answer's fields are there once the beforeAll has run. */
export function servedPage(options: ServedPageOptions = {}): ServedPage {
  const started: Started = {};
  const serve = (env: Record<string, string>): Promise<Served> => {
    const { lake, state } = { lake: need(started.lake, 'lake'), state: need(started.state, 'state') };
    return startServed('serve', ['--source', SAMPLE, '--lake', lake, '--state', state, '--workers', '1', ...(options.args?.() ?? [])], { ...QUIET, ...env });
  };

  beforeAll(async () => {
    started.lake = await tempDir();
    started.state = await tempDir('eventlake-state-');
    const folders = { lake: started.lake, state: started.state };
    const server = async (): Promise<void> => {
      await options.prepare?.(folders);
      started.served = await serve(options.env ?? {});
    };
    const [, { browser, watched }] = await allStarted([server(), launchWithPage()] as const);
    started.browser = browser;
    started.watched = watched;
    if (options.clock) await watched.page.clock.install();
  }, options.timeoutMs ?? 120_000);

  afterAll(async () => {
    await started.served?.stop();
  });

  return {
    get lake() {
      return need(started.lake, 'lake');
    },
    get state() {
      return need(started.state, 'state');
    },
    get served() {
      return need(started.served, 'server');
    },
    get url() {
      return need(started.served, 'server').url;
    },
    get browser() {
      return need(started.browser, 'browser');
    },
    get watched() {
      return need(started.watched, 'page');
    },
    get page() {
      return need(started.watched, 'page').page;
    },
    async restart(env = {}) {
      const running = started.served;
      started.served = undefined;
      await running?.stop();
      started.served = await serve(env);
      return started.served;
    },
  };
}
