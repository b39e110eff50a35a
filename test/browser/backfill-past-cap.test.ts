/**
 * A backfill of 1,001 hours, more than one answer of GET /api/runs holds (1,000), in a real
 * chromium against a real `eventlake serve`: the hours' runs are held running by this test's
 * process (real rows, written before the server opened the state), so the backfill answers them
 * and the test ends them all while the page watches. The progress counts every one to the end.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { endSeededRuns, seedRunningRuns } from '../helpers/seeded-running-runs.js';
import { untilPolled, type WatchedPage } from './browser-page.js';
import { servedPage } from './served-page.js';

const HOURS = 1001;
let seeded: string[];
const app = servedPage({
  prepare: async ({ lake, state }) => {
    // 2010-01-01T00 to 2010-02-11T16.
    seeded = await seedRunningRuns(state, lake, HOURS, '2010-01-01T00');
  },
  clock: true,
});
let watched: WatchedPage;
let page: Page;
let url: string;
beforeAll(() => {
  ({ watched, page, url } = app);
});

describe('a backfill past the 1,000 runs one answer holds', () => {
  it('counts all 1,001 runs of the range to their end', async () => {
    await page.goto(`${url}#/runs`);
    await page.getByTestId('backfill-form').waitFor();
    await page.getByTestId('backfill-from-date').fill('2010-01-01');
    await page.getByTestId('backfill-from-hour').selectOption('0');
    await page.getByTestId('backfill-to-date').fill('2010-02-11');
    await page.getByTestId('backfill-to-hour').selectOption('16');
    await page.getByTestId('backfill-submit').click();
    await page.getByTestId('backfill-status').waitFor();
    expect(await page.getByTestId('backfill-progress').getAttribute('max')).toBe(String(HOURS));
    await untilPolled(page, async () => /^0 of 1001 hour\(s\) ended .*: 0 succeeded, 0 failed, 1001 running, 0 queued/.test((await page.getByTestId('backfill-status').textContent()) ?? ''));

    await endSeededRuns(app.state, seeded, 'seeded: ended by the test');
    await untilPolled(page, '[data-testid="backfill-status"][data-finished="true"]');
    expect(await page.getByTestId('backfill-progress').getAttribute('value')).toBe(String(HOURS));
    expect(await page.getByTestId('backfill-status').textContent()).toMatch(/^1001 of 1001 hour\(s\) ended .*: 0 succeeded, 1001 failed, 0 running, 0 queued/);
    expect(watched.problems).toEqual([]);
  }, 120_000);
});
