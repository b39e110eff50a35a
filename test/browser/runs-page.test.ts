/**
 * The runs page in a real chromium against a real `eventlake serve` on the real sample: an hour
 * triggered with the date-hour picker shows in the hours × status grid and succeeds; its run shows
 * its tasks, rows per entity (as the lake holds them) and the events-per-minute chart. Odd input
 * is refused in one sentence, and unknown pages and runs say so. The page's clock is Playwright's:
 * waits for a change on the server run it a poll ahead at a time (untilPolled), and the polling
 * tests count the polls of a page whose clock stands still until the test moves it.
 */
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { query, SAMPLE_HOUR } from '../helpers/fixtures.js';
import { apiCalls, paintedPixels, pausedPage, POLL_MS, screenshot, untilPolled, type WatchedPage } from './browser-page.js';
import { servedPage } from './served-page.js';

const RUN_MS = 120_000;
// Time flows as usual in its page; untilPolled runs it ahead while a test waits for the server.
const app = servedPage({ clock: true });
let lake: string;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
let url: string;
beforeAll(() => {
  ({ lake, browser, watched, page, url } = app);
});

const cell = (label: string, status?: string): string => `[data-testid="grid-cell-${label}"]${status ? `[data-status="${status}"]` : ''}`;

describe('the runs page', () => {
  it('triggers an hour with the picker, shows it in the grid until it succeeds, and opens its run', async () => {
    await page.goto(url);
    await page.getByTestId('runs-page').waitFor();
    await page.getByTestId('hour-grid-empty').waitFor();

    await page.getByTestId('trigger-date').fill(SAMPLE_HOUR.slice(0, 10));
    await page.getByTestId('trigger-hour').selectOption('15');
    await page.getByTestId('trigger-submit').click();
    await page.getByTestId('trigger-result').waitFor();
    expect(await page.getByTestId('trigger-result').textContent()).toContain('2019-06-01 15:00');

    // The grid fills in without a reload (polling), and turns green when the run succeeds.
    await page.waitForSelector(cell(SAMPLE_HOUR), { timeout: 10_000 });
    await untilPolled(page, cell(SAMPLE_HOUR, 'success'), RUN_MS);
    expect(await page.locator(cell(SAMPLE_HOUR)).getAttribute('title')).toBe('2019-06-01 15:00 UTC · success');
    const row = page.locator(`[data-testid^="run-row-"][data-hour="${SAMPLE_HOUR}"]`);
    await untilPolled(page, `[data-testid^="run-row-"][data-hour="${SAMPLE_HOUR}"][data-status="success"]`);
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').first().textContent()).toBe('2019-06-01 15:00 UTC');
    // The day's other hours have no run.
    expect(await page.locator('[data-testid^="grid-cell-"]').count()).toBe(1);
    await screenshot(page, 'runs');

    await page.locator(cell(SAMPLE_HOUR)).click();
    await page.getByTestId('run-detail-page').waitFor();
    expect(page.url()).toMatch(/#\/runs\/[^/]+$/);
    await page.waitForSelector('[data-testid="run-status"][data-status="success"]');

    // Tasks: every one done, none dead.
    const tasks = page.locator('[data-testid^="task-row-"]');
    await page.getByTestId('task-table').waitFor();
    expect(await tasks.count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid^="task-row-"][data-status="done"]').count()).toBe(await tasks.count());

    // Rows per entity, as the lake itself counts them.
    const [vehicles] = await query(`SELECT count(*) AS n FROM '${lake}/vehicle/*/*/*.parquet'`);
    const [periods] = await query(`SELECT count(*) AS n FROM '${lake}/operating_period/*/*/*.parquet'`);
    expect(await page.getByTestId('entity-rows-vehicle').textContent()).toBe(Number(vehicles?.['n']).toLocaleString('en-US'));
    expect(await page.getByTestId('entity-rows-operating_period').textContent()).toBe(Number(periods?.['n']).toLocaleString('en-US'));
    expect(Number(vehicles?.['n'])).toBeGreaterThan(1000);

    // The timeline chart has drawn on its canvas.
    await page.getByTestId('timeline-chart').waitFor();
    await page.waitForFunction(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="timeline-chart"]');
      return canvas !== null && canvas.width > 0 && canvas.height > 0;
    });
    const chart = await paintedPixels(page, 'timeline-chart', null);
    expect(chart.painted).toBeGreaterThan(chart.total * 0.005);
    expect(await page.getByTestId('timeline-error').count()).toBe(0);
    await screenshot(page, 'run-detail');
    expect(watched.problems).toEqual([]);
  }, 180_000);

  it('refuses odd input in one sentence: no hour chosen, a range that ends before it starts, a filter hour range', async () => {
    await page.goto(`${url}#/runs`);
    await page.getByTestId('runs-page').waitFor();

    await page.getByTestId('trigger-date').fill('');
    await page.getByTestId('trigger-submit').click();
    expect(await page.getByTestId('trigger-error').textContent()).toBe('Choose a date and an hour first.');

    await page.getByTestId('backfill-from-date').fill('2019-06-01');
    await page.getByTestId('backfill-from-hour').selectOption('16');
    await page.getByTestId('backfill-to-date').fill('2019-06-01');
    await page.getByTestId('backfill-to-hour').selectOption('14');
    await page.getByTestId('backfill-submit').click();
    const refused = await page.getByTestId('backfill-error').textContent();
    expect(refused).toMatch(/2019-06-01T16\.\.2019-06-01T14 ends before it starts/);
    expect(refused).not.toMatch(/\n\s+at /);

    // Filters: a range that holds the hour shows its run; one after it shows none.
    await page.getByTestId('filter-from-date').fill('2019-06-01');
    await page.getByTestId('filter-from-hour').selectOption('16');
    await page.getByTestId('run-table-empty').waitFor();
    await page.getByTestId('filter-from-hour').selectOption('15');
    await page.waitForSelector(`[data-testid^="run-row-"][data-hour="${SAMPLE_HOUR}"]`);
    await page.getByTestId('filter-status').selectOption('failed');
    await page.getByTestId('run-table-empty').waitFor();
    await page.getByTestId('filter-clear').click();
    await page.waitForSelector(`[data-testid^="run-row-"][data-hour="${SAMPLE_HOUR}"]`);
    expect(watched.problems).toEqual([]);
  }, 60_000);

  it('backfills a range with a progress bar that counts the runs as they end, and stops asking once they all have', async () => {
    // Its own page, whose clock moves only when this test moves it.
    const { page: clocked, problems } = await pausedPage(browser);
    try {
      await clocked.goto(`${url}#/runs`);
      await clocked.getByTestId('backfill-form').waitFor();
      await clocked.getByTestId('backfill-from-date').fill('2019-06-01');
      await clocked.getByTestId('backfill-from-hour').selectOption('14');
      await clocked.getByTestId('backfill-to-date').fill('2019-06-01');
      await clocked.getByTestId('backfill-to-hour').selectOption('15');
      await clocked.getByTestId('backfill-submit').click();
      await untilPolled(clocked, '[data-testid="backfill-status"][data-finished="true"]', RUN_MS);
      expect(await clocked.getByTestId('backfill-progress').getAttribute('value')).toBe('2');
      expect(await clocked.getByTestId('backfill-progress').getAttribute('max')).toBe('2');

      // The progress asks for the range (`from`): it did until every run had ended, and never again after.
      const progressPolls = async (): Promise<number> => (await apiCalls(clocked)).filter((c) => new URL(c.url, url).searchParams.has('from')).length;
      const asked = await progressPolls();
      expect(asked).toBeGreaterThanOrEqual(1);
      await clocked.clock.runFor(5 * POLL_MS);
      expect(await progressPolls()).toBe(asked);

      // 14:00 has no source objects (the sample is one hour): it fails with its reason and can be rerun.
      const status = await clocked.getByTestId('backfill-status').textContent();
      expect(status).toContain('2 of 2 hour(s) ended');
      expect(status).toMatch(/1 succeeded, 1 failed/);
      await untilPolled(clocked, cell('2019-06-01T14', 'failed'));
      await untilPolled(clocked, cell(SAMPLE_HOUR, 'success'));
      const failedRow = clocked.locator('[data-testid^="run-row-"][data-hour="2019-06-01T14"]');
      await untilPolled(clocked, '[data-testid^="run-row-"][data-hour="2019-06-01T14"] .error-cell');
      expect(await failedRow.locator('.error-cell').textContent()).not.toBe('');
      await failedRow.locator('[data-testid^="rerun-"]').click();
      const rows = (status?: string): Promise<number> => clocked.locator(`[data-testid^="run-row-"][data-hour="2019-06-01T14"]${status ? `[data-status="${status}"]` : ''}`).count();
      await untilPolled(clocked, async () => (await rows()) === 2, 10_000);
      await untilPolled(clocked, async () => (await rows('failed')) === 2, RUN_MS);
      // The README's picture of the runs page (DOCS_SCREENSHOT=1 writes docs/runs-page.png).
      await screenshot(clocked, 'runs-after-backfill', process.env['DOCS_SCREENSHOT'] ? resolve('docs/runs-page.png') : undefined);
      expect(problems).toEqual([]);
    } finally {
      await clocked.context().close();
    }
  }, 180_000);

  it('polls the runs every 2 s while shown, not while the tab is hidden, and stops once the page is left', async () => {
    const { page: clocked, problems } = await pausedPage(browser);
    try {
      const runsCalls = async (): Promise<{ asked: number; answered: number }> => {
        // The grid's window (/api/runs/hours) and the table's page (/api/runs?…).
        const calls = (await apiCalls(clocked)).filter((c) => c.url.startsWith('/api/runs?') || c.url.startsWith('/api/runs/hours'));
        return { asked: calls.length, answered: calls.filter((c) => c.answered).length };
      };
      /** Every poll asked has been answered and handled: the next ones are scheduled. */
      const allAnswered = async (asked: number): Promise<void> => {
        await expect.poll(runsCalls, { timeout: 10_000, interval: 20 }).toEqual({ asked, answered: asked });
      };
      await clocked.goto(`${url}#/runs`);
      await clocked.getByTestId('runs-page').waitFor();
      // The first frame: the grid and the table each load once.
      await clocked.clock.runFor(100);
      await allAnswered(2);
      await clocked.locator('[data-testid="hour-grid"], [data-testid="hour-grid-empty"]').first().waitFor();

      // Then each asks again exactly 2 s after its answer: not a millisecond sooner.
      for (const polled of [4, 6]) {
        await clocked.clock.runFor(POLL_MS - 1);
        expect((await runsCalls()).asked).toBe(polled - 2);
        await clocked.clock.runFor(1);
        expect((await runsCalls()).asked).toBe(polled);
        await allAnswered(polled);
      }

      // A hidden tab does not ask; shown again, it asks at once for what fell due meanwhile, once.
      await clocked.evaluate(() => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await clocked.clock.runFor(5 * POLL_MS);
      expect((await runsCalls()).asked).toBe(6);
      await clocked.evaluate(() => {
        Reflect.deleteProperty(document, 'hidden');
        Reflect.deleteProperty(document, 'visibilityState');
        document.dispatchEvent(new Event('visibilitychange'));
      });
      expect((await runsCalls()).asked).toBe(8);
      await allAnswered(8);
      await clocked.clock.runFor(POLL_MS);
      expect((await runsCalls()).asked).toBe(10);
      await allAnswered(10);

      // Another page: the runs are never asked for again, however long it stays.
      await clocked.getByTestId('nav-lake').click();
      await clocked.getByTestId('lake-page').waitFor();
      await clocked.clock.runFor(10 * POLL_MS);
      expect((await runsCalls()).asked).toBe(10);
      expect((await apiCalls(clocked)).filter((c) => c.url === '/api/lake')).toHaveLength(1);
      await clocked.getByTestId('lake-location').waitFor();
      expect(problems).toEqual([]);
    } finally {
      await clocked.context().close();
    }
  }, 60_000);

  it('says so for an unknown run and an unknown page', async () => {
    await page.goto(`${url}#/runs/no-such-run`);
    const error = await page.getByTestId('run-detail-error').textContent();
    expect(error).toMatch(/no-such-run/);
    await page.goto(`${url}#/runs/%E0%A4%A`);
    await page.getByTestId('unknown-page').waitFor();
    await page.goto(`${url}#/nothing/here/at/all`);
    expect(await page.getByTestId('unknown-page').textContent()).toContain('#/nothing/here/at/all');
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('runs-page').waitFor();
    expect(watched.problems).toEqual([]);
  }, 60_000);
});
