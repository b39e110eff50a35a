/**
 * The Lake page in a real chromium against a real `eventlake serve`: one hour of the real sample
 * run, and 312 more partitions (13 days of hours) plus a quarantine file written into the lake by
 * hand, whose rows no run counted. The entity's total keeps the rows it knows and says how many
 * partitions it leaves out; the partitions come a date at a time, a page of dates at a time; the
 * quarantine is listed like an entity.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { query, SAMPLE_HOUR } from '../helpers/fixtures.js';
import { ask, runEnded } from '../helpers/served-cli.js';
import { screenshot, type WatchedPage } from './browser-page.js';
import { servedPage } from './served-page.js';

const app = servedPage({ timeoutMs: 180_000 });
let watched: WatchedPage;
let page: Page;
let lake: string;

beforeAll(async () => {
  ({ watched, page, lake } = app);
  const { url } = app;
  const run = await ask(url, '/api/runs', { body: { hour: SAMPLE_HOUR } });
  expect((await runEnded(url, run.json.id as string))['status']).toBe('success');
  // 13 days × 24 hours written by hand: files no run on this state wrote.
  for (let day = 1; day <= 13; day++) {
    for (let hour = 0; hour < 24; hour++) {
      const folder = join(lake, `vehicle/date=2019-05-${String(day).padStart(2, '0')}/hour=${String(hour).padStart(2, '0')}`);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'by-hand.parquet'), 'not counted');
    }
  }
  await mkdir(join(lake, '_quarantine/date=2019-05-01/hour=00'), { recursive: true });
  await writeFile(join(lake, '_quarantine/date=2019-05-01/hour=00/by-hand.jsonl'), '{"reason":"by hand"}\n');
}, 180_000);

describe('the lake page with 313 vehicle partitions', () => {
  it('keeps the counted rows in the total, pages dates, opens a date to its hours, and lists the quarantine', async () => {
    await page.goto(`${app.url}#/lake`);
    await page.getByTestId('lake-entity-vehicle').waitFor();
    const [counted] = await query(`SELECT count(*) AS n FROM '${lake}/vehicle/date=2019-06-01/*/*.parquet'`);
    const totals = await page.getByTestId('lake-entity-totals-vehicle').textContent();
    expect(totals).toContain('313 partition(s) on 14 date(s)');
    expect(totals).toContain(`${Number(counted?.['n']).toLocaleString('en-US')} rows counted (312 partition(s) not`);
    expect(totals).not.toContain('—');

    // A week of dates a page, newest first; the newest open, the others closed.
    expect(await page.getByTestId('lake-dates-vehicle').textContent()).toBe('Dates 1–7 of 14');
    const visibleRows = (): Promise<number> => page.locator('[data-testid="lake-entity-vehicle"] tr[data-testid^="partition-"]:visible').count();
    expect(await visibleRows()).toBe(1);
    expect(await page.getByTestId('partition-vehicle/date=2019-06-01/hour=15').isVisible()).toBe(true);
    const box = await page.getByTestId('lake-entity-vehicle').boundingBox();
    expect(box?.height ?? Infinity).toBeLessThan(1500);
    await page.getByTestId('lake-date-vehicle-2019-05-13').locator('summary').click();
    await page.getByTestId('partition-vehicle/date=2019-05-13/hour=23').waitFor();
    expect(await visibleRows()).toBe(25);
    expect(await page.getByTestId('partition-vehicle/date=2019-05-13/hour=23').locator('td').nth(3).textContent()).toBe('not counted');
    await screenshot(page, 'lake-dates');

    await page.getByTestId('lake-older-vehicle').click();
    expect(await page.getByTestId('lake-dates-vehicle').textContent()).toBe('Dates 8–14 of 14');
    await page.getByTestId('lake-date-vehicle-2019-05-01').waitFor();
    expect(await page.getByTestId('lake-older-vehicle').isDisabled()).toBe(true);

    // The quarantine: browsable, after the entities.
    await page.getByTestId('lake-entity-_quarantine').waitFor();
    const sections = await page.locator('[data-testid^="lake-entity-"]:not([data-testid^="lake-entity-totals-"])').evaluateAll((s) => s.map((e) => e.getAttribute('data-testid')));
    expect(sections.at(-1)).toBe('lake-entity-_quarantine');
    // Its only date is its newest: open.
    await page.getByTestId('partition-_quarantine/date=2019-05-01/hour=00').waitFor();
    expect(watched.problems).toEqual([]);
  }, 60_000);

  it('closes an open date on Escape, the focus back on the date that opened it, an entity’s and the quarantine’s alike', async () => {
    // A fresh load (the test before left this page on its second page of dates).
    await page.goto('about:blank');
    await page.goto(`${app.url}#/lake`);
    const isOpen = (testid: string): Promise<boolean> => page.getByTestId(testid).evaluate((d) => (d as HTMLDetailsElement).open);
    const focusedSummaryOf = (): Promise<string | null> =>
      page.evaluate(() => (document.activeElement?.tagName === 'SUMMARY' ? (document.activeElement.parentElement?.getAttribute('data-testid') ?? null) : null));

    // Opened with a click, the focus moved into its hours' table, then Escape.
    const date = 'lake-date-vehicle-2019-05-13';
    await page.getByTestId(date).locator('summary').click();
    await page.getByTestId('partition-vehicle/date=2019-05-13/hour=23').waitFor();
    await page.getByTestId(date).locator('[tabindex="0"]').focus();
    await page.keyboard.press('Escape');
    expect(await isOpen(date)).toBe(false);
    expect(await page.getByTestId('partition-vehicle/date=2019-05-13/hour=23').isVisible()).toBe(false);
    expect(await focusedSummaryOf()).toBe(date);
    // Enter opens it again from its summary.
    await page.keyboard.press('Enter');
    expect(await isOpen(date)).toBe(true);

    // The quarantine's newest date starts open: Escape from inside it closes it too.
    const quarantined = 'lake-date-_quarantine-2019-05-01';
    expect(await isOpen(quarantined)).toBe(true);
    await page.getByTestId(quarantined).locator('[tabindex="0"]').focus();
    await page.keyboard.press('Escape');
    expect(await isOpen(quarantined)).toBe(false);
    expect(await focusedSummaryOf()).toBe(quarantined);
    // The page stays: Escape closes the date, not the page.
    expect(page.url()).toMatch(/#\/lake$/);
    expect(watched.problems).toEqual([]);
  }, 60_000);
});
