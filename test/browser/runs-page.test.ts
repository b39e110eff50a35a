/**
 * The runs page in a real chromium against a real `eventlake serve`: an hour triggered with the
 * date-hour picker shows in the hours × status grid and succeeds; its run shows its tasks, rows
 * per entity (as the lake holds them) and the events-per-minute chart. Odd input is refused in
 * one sentence, and unknown pages and runs say so.
 */
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { startServed, type Served } from '../helpers/served-cli.js';
import { launchBrowser, paintedPixels, screenshot, watchedPage, type WatchedPage } from './browser-page.js';

const RUN_MS = 120_000;
let served: Served;
let lake: string;
let watched: WatchedPage;
let page: Page;

beforeAll(async () => {
  lake = await tempDir();
  const state = await tempDir('eventlake-state-');
  served = await startServed('serve', ['--source', SAMPLE, '--lake', lake, '--state', state, '--workers', '1'], { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' });
  watched = await watchedPage(await launchBrowser());
  page = watched.page;
}, 120_000);

afterAll(async () => {
  await served?.stop();
});

const cell = (label: string, status?: string): string => `[data-testid="grid-cell-${label}"]${status ? `[data-status="${status}"]` : ''}`;

describe('the runs page', () => {
  it('triggers an hour with the picker, shows it in the grid until it succeeds, and opens its run', async () => {
    await page.goto(served.url);
    await page.getByTestId('runs-page').waitFor();
    await page.getByTestId('hour-grid-empty').waitFor();

    await page.getByTestId('trigger-date').fill(SAMPLE_HOUR.slice(0, 10));
    await page.getByTestId('trigger-hour').selectOption('15');
    await page.getByTestId('trigger-submit').click();
    await page.getByTestId('trigger-result').waitFor();
    expect(await page.getByTestId('trigger-result').textContent()).toContain('2019-06-01 15:00');

    // The grid fills in without a reload (polling), and turns green when the run succeeds.
    await page.waitForSelector(cell(SAMPLE_HOUR), { timeout: 10_000 });
    await page.waitForSelector(cell(SAMPLE_HOUR, 'success'), { timeout: RUN_MS });
    expect(await page.locator(cell(SAMPLE_HOUR)).getAttribute('title')).toBe('2019-06-01 15:00 · success');
    const row = page.locator(`[data-testid^="run-row-"][data-hour="${SAMPLE_HOUR}"]`);
    await page.waitForSelector(`[data-testid^="run-row-"][data-hour="${SAMPLE_HOUR}"][data-status="success"]`);
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').first().textContent()).toBe('2019-06-01 15:00');
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
    await page.goto(`${served.url}#/runs`);
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

  it('backfills a range with a progress bar that counts the runs as they end', async () => {
    await page.goto(`${served.url}#/runs`);
    await page.reload();
    await page.getByTestId('backfill-from-date').fill('2019-06-01');
    await page.getByTestId('backfill-from-hour').selectOption('14');
    await page.getByTestId('backfill-to-date').fill('2019-06-01');
    await page.getByTestId('backfill-to-hour').selectOption('15');
    await page.getByTestId('backfill-submit').click();
    await page.waitForSelector('[data-testid="backfill-status"][data-finished="true"]', { timeout: RUN_MS });
    // Its progress stops asking once every run has ended.
    const progressPolls: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).searchParams.has('from')) progressPolls.push(request.url());
    });
    await page.waitForTimeout(4_500);
    page.removeAllListeners('request');
    expect(progressPolls).toEqual([]);
    expect(await page.getByTestId('backfill-progress').getAttribute('value')).toBe('2');
    expect(await page.getByTestId('backfill-progress').getAttribute('max')).toBe('2');
    // 14:00 has no source objects (the sample is one hour): it fails with its reason and can be rerun.
    const status = await page.getByTestId('backfill-status').textContent();
    expect(status).toContain('2 of 2 hour(s) ended');
    await page.waitForSelector(cell('2019-06-01T14', 'failed'), { timeout: 10_000 });
    await page.waitForSelector(cell(SAMPLE_HOUR, 'success'));
    const failedRow = page.locator('[data-testid^="run-row-"][data-hour="2019-06-01T14"]');
    expect(await failedRow.locator('.error-cell').textContent()).not.toBe('');
    await failedRow.locator('[data-testid^="rerun-"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="run-row-"][data-hour="2019-06-01T14"]').length === 2, undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="run-row-"][data-hour="2019-06-01T14"][data-status="failed"]').length === 2, undefined, { timeout: RUN_MS });
    // The README's picture of the runs page (DOCS_SCREENSHOT=1 writes docs/runs-page.png).
    await screenshot(page, 'runs-after-backfill', process.env['DOCS_SCREENSHOT'] ? resolve('docs/runs-page.png') : undefined);
    expect(watched.problems).toEqual([]);
  }, 180_000);

  it('polls the runs every 2 s while shown, and stops once the page is left', async () => {
    const asked: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/runs') asked.push(url.search);
    });
    await page.goto(`${served.url}#/runs`);
    await page.reload();
    await page.getByTestId('hour-grid').waitFor();
    await page.waitForTimeout(4_500);
    // The grid and the table each ask on load and again every 2 s.
    expect(asked.length).toBeGreaterThanOrEqual(4);
    expect(asked.length).toBeLessThanOrEqual(8);

    await page.getByTestId('nav-lake').click();
    await page.getByTestId('lake-page').waitFor();
    const before = asked.length;
    await page.waitForTimeout(4_500);
    expect(asked.length).toBe(before);
    page.removeAllListeners('request');
    expect(watched.problems).toEqual([]);
  }, 60_000);

  it('says so for an unknown run and an unknown page', async () => {
    await page.goto(`${served.url}#/runs/no-such-run`);
    const error = await page.getByTestId('run-detail-error').textContent();
    expect(error).toMatch(/no-such-run/);
    await page.goto(`${served.url}#/runs/%E0%A4%A`);
    await page.getByTestId('unknown-page').waitFor();
    await page.goto(`${served.url}#/nothing/here/at/all`);
    expect(await page.getByTestId('unknown-page').textContent()).toContain('#/nothing/here/at/all');
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('runs-page').waitFor();
    expect(watched.problems).toEqual([]);
  }, 60_000);
});
