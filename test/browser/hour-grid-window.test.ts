/**
 * The runs page past the 1,000 runs one answer of GET /api/runs holds, in a real chromium against
 * a real `eventlake serve`: a success of 2018-03-01T10 queued first, then 1,000 failed runs of
 * older hours, 25 of the first hour of each of 40 days (real rows, written before the server
 * opened the state; few hours, so the grid has few cells for axe to check). The grid still shows every
 * hour of its window, and says which of how many days with runs it shows. A run opened from the grid or the table closes on Escape, the focus
 * back on the link that opened it.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedFailedReruns } from '../helpers/seeded-reruns.js';
import { seedSucceededRun } from '../helpers/seeded-runs.js';
import { type WatchedPage } from './browser-page.js';
import { servedPage } from './served-page.js';

let succeeded: string;
const app = servedPage({
  prepare: async ({ lake, state }) => {
    succeeded = await seedSucceededRun(state, lake, '2018-03-01T10', false);
    // 2017-01-01 to 2017-02-09: 40 days, 25 runs of each one's 00:00 hour.
    await seedFailedReruns(state, lake, 40, 25, '2017-01-01');
  },
  clock: true,
});
let watched: WatchedPage;
let page: Page;
let url: string;
beforeAll(() => {
  ({ watched, page, url } = app);
});

/** The data-testid of the element that has the focus. */
const focused = (): Promise<string | null> => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

describe('the hour grid past 1,000 runs', () => {
  it('shows every hour of its window, and says it shows the newest 31 of 41 days with runs', async () => {
    await page.goto(`${url}#/runs`);
    await page.getByTestId('hour-grid').waitFor();
    const cell = page.getByTestId('grid-cell-2018-03-01T10');
    expect(await cell.getAttribute('data-status')).toBe('success');
    expect(await cell.getAttribute('href')).toBe(`#/runs/${succeeded}`);
    expect(await page.locator('[data-testid="hour-grid"] tbody tr').count()).toBe(31);
    // The newest 30 days of 2017: 2017-01-11 to 2017-02-09, the first hour of each.
    const failed = await page.locator('[data-testid^="grid-cell-"][data-status="failed"]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-testid')));
    expect(failed).toHaveLength(30);
    expect(failed[0]).toBe('grid-cell-2017-02-09T00');
    expect(failed[29]).toBe('grid-cell-2017-01-11T00');
    expect(await page.getByTestId('hour-grid-days').textContent()).toBe("Showing the newest 31 of 41 days with runs; the older days' runs are in the table below.");
    expect(watched.problems).toEqual([]);
  });

  it('closes a run opened from the grid or the table on Escape, and gives the focus back to the link that opened it', async () => {
    await page.goto(`${url}#/runs`);
    await page.getByTestId('grid-cell-2017-02-09T00').click();
    await page.getByTestId('run-detail-page').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('runs-page').waitFor();
    expect(page.url()).toMatch(/#\/runs$/);
    await expect.poll(focused).toBe('grid-cell-2017-02-09T00');

    // The table's link to the newest failed run: the focus comes back to it, not to its grid cell.
    const row = page.locator('[data-testid^="run-row-"]').first();
    const rowId = await row.getAttribute('data-testid');
    await row.locator('a[href^="#/runs/"]').click();
    await page.getByTestId('run-detail-page').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('run-table').waitFor();
    await expect
      .poll(() => page.evaluate(() => `${document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? ''} ${document.activeElement?.tagName ?? ''}`))
      .toBe(`${rowId ?? ''} A`);
    expect(watched.problems).toEqual([]);
  });
});
