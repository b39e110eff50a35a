/**
 * The runs table in a real chromium against a real `eventlake serve` whose state holds 364 ended
 * runs (real rows, written before the server opened it): the table says which of how many it shows
 * and pages through them all, a filter starts again at its first page, and a Rerun under a status
 * filter that leaves the new run out says where it went.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hourAfter, seedFailedRuns } from '../helpers/seeded-runs.js';
import { screenshot, untilPolled, type WatchedPage } from './browser-page.js';
import { servedPage } from './served-page.js';

let seeded: string[];
const app = servedPage({
  prepare: async ({ lake, state }) => {
    seeded = await seedFailedRuns(state, lake, 364);
  },
  clock: true,
});
let watched: WatchedPage;
let page: Page;
let url: string;
beforeAll(() => {
  ({ watched, page, url } = app);
});

const rows = (): Promise<number> => page.locator('[data-testid^="run-row-"]').count();

describe('the runs table with 364 runs', () => {
  it('shows 1–200 of 364, then 201–364 of 364, and every run once across the pages', async () => {
    await page.goto(`${url}#/runs`);
    await page.getByTestId('run-table').waitFor();
    expect(await page.getByTestId('run-count').textContent()).toBe('Runs 1–200 of 364');
    expect(await rows()).toBe(200);
    expect(await page.getByTestId('run-page-previous').isDisabled()).toBe(true);
    const firstPage = await page.locator('[data-testid^="run-row-"]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')));

    await page.getByTestId('run-page-next').click();
    await page.waitForSelector('[data-testid="run-count"]:text-is("Runs 201–364 of 364")');
    expect(await rows()).toBe(164);
    expect(await page.getByTestId('run-page-next').isDisabled()).toBe(true);
    const secondPage = await page.locator('[data-testid^="run-row-"]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')));
    expect(new Set([...firstPage, ...secondPage]).size).toBe(364);
    expect([...firstPage, ...secondPage].sort()).toEqual(seeded.map((id) => `run-row-${id}`).sort());
    await screenshot(page, 'runs-second-page');

    // A filter starts at its first page, and counts what matches.
    await page.getByTestId('filter-from-date').fill('2018-01-01');
    await page.getByTestId('filter-to-date').fill('2018-01-01');
    await page.waitForSelector('[data-testid="run-count"]:text-is("Runs 1–24 of 24")');
    expect(await rows()).toBe(24);
    await page.getByTestId('filter-clear').click();
    await page.waitForSelector('[data-testid="run-count"]:text-is("Runs 1–200 of 364")');
    expect(watched.problems).toEqual([]);
  }, 60_000);

  it('says where a rerun went when the status filter leaves it out, and follows its status', async () => {
    await page.goto(`${url}#/runs`);
    await page.getByTestId('filter-status').selectOption('failed');
    await page.waitForSelector('[data-testid="run-count"]:text-is("Runs 1–200 of 364")');
    const newest = seeded.at(-1) ?? '';
    const newestHour = hourAfter('2018-01-01T00', 363);
    await page.getByTestId(`rerun-${newest}`).click();
    const note = page.getByTestId('rerun-note');
    await note.waitFor();
    expect(await note.textContent()).toContain(`Rerun of ${newestHour.slice(0, 10)} ${newestHour.slice(11)}:00 UTC asked for: run `);
    const status = await page.getByTestId('rerun-note-status').getAttribute('data-status');
    // While it is queued or running, the failed-only table does not list it, and the note says so.
    if (status !== 'failed') expect(await note.textContent()).toContain('not listed below, whose status filter is failed');
    // Its hour has no source objects: it fails, the note follows, and the table lists it again.
    await untilPolled(page, '[data-testid="rerun-note-status"][data-status="failed"]', 60_000);
    await untilPolled(page, '[data-testid="run-count"]:text-is("Runs 1–200 of 365")');
    await untilPolled(page, async () => !((await note.textContent()) ?? '').includes('not listed'));
    await page.getByTestId('rerun-note-close').click();
    expect(await note.count()).toBe(0);
    expect(watched.problems).toEqual([]);
  }, 90_000);
});
