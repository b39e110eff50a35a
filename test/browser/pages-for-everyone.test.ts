/**
 * What every page owes every user, against a real `eventlake serve` whose source names its hours
 * in Europe/Berlin: hour labels and pickers name that zone; each page has its own title and the
 * nav marks the page it is on (aria-current); axe finds no serious or critical violation on any
 * page (it also checks every page every browser test leaves open, see browser-page.ts); on a
 * 390 px phone no page is wider than the screen and every nav link can be reached and followed.
 */
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_HOUR } from '../helpers/fixtures.js';
import { expectAccessible, PHONE, screenshot, watchedPage, type WatchedPage } from './browser-page.js';
import { servedPage } from './served-page.js';

const ZONE = 'Europe/Berlin';
const app = servedPage({ env: { EVENTLAKE_SOURCE_TIMEZONE: ZONE } });
let url: string;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
beforeAll(() => {
  ({ url, browser, watched, page } = app);
});

const PAGES = [
  { hash: '#/runs', testid: 'runs-page', nav: 'nav-runs', title: 'Runs · eventlake' },
  { hash: '#/dlq', testid: 'dead-letters-page', nav: 'nav-dlq', title: 'Dead letters · eventlake' },
  { hash: '#/lake', testid: 'lake-page', nav: 'nav-lake', title: 'Lake · eventlake' },
  { hash: '#/warehouse', testid: 'warehouse-page', nav: 'nav-warehouse', title: 'Warehouse · eventlake' },
  { hash: '#/nowhere', testid: 'unknown-page', nav: undefined, title: 'No such page · eventlake' },
] as const;

async function open(on: Page, hash: string, testid: string): Promise<void> {
  await on.goto(`${url}${hash}`);
  await on.getByTestId(testid).waitFor();
  // The shell has heard from the server (the zone, the facts in the header).
  await on.getByTestId('server-facts').waitFor();
}

describe('hours in the source zone', () => {
  it('names the source zone beside every hour picker and on the hour of a triggered run', async () => {
    await open(page, '#/runs', 'runs-page');
    expect(await page.getByTestId('trigger-zone').textContent()).toBe(ZONE);
    expect(await page.getByTestId('backfill-from-zone').textContent()).toBe(ZONE);
    expect(await page.getByTestId('trigger-hour').getAttribute('aria-label')).toContain(`(${ZONE})`);

    await page.getByTestId('trigger-date').fill(SAMPLE_HOUR.slice(0, 10));
    await page.getByTestId('trigger-hour').selectOption('15');
    await page.getByTestId('trigger-submit').click();
    await page.getByTestId('trigger-result').waitFor();
    expect(await page.getByTestId('trigger-result').textContent()).toContain(`2019-06-01 15:00 ${ZONE}`);
    expect(watched.problems).toEqual([]);
  }, 60_000);
});

describe('every page', () => {
  it('has its own title, marks its nav link as the current page, and passes axe', async () => {
    const titles = new Set<string>();
    for (const { hash, testid, nav, title } of PAGES) {
      await open(page, hash, testid);
      await page.waitForFunction((t) => document.title === t, title);
      titles.add(await page.title());
      const current = await page.locator('header nav [aria-current="page"]').evaluateAll((links) => links.map((l) => l.getAttribute('data-testid')));
      expect(current, hash).toEqual(nav ? [nav] : []);
      await expectAccessible(page);
    }
    expect(titles.size).toBe(PAGES.length);
    expect(watched.problems).toEqual([]);
  }, 120_000);

  it('fits a 390 px phone: no page is wider than the screen, and each nav link is reachable and followed', async () => {
    const phone = await watchedPage(browser, PHONE);
    for (const { hash, testid } of PAGES) {
      await open(phone.page, hash, testid);
      const widths = await phone.page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: document.documentElement.clientWidth }));
      expect(widths.page, `${hash} is ${widths.page} px wide on a ${widths.screen} px screen`).toBeLessThanOrEqual(widths.screen);
      await screenshot(phone.page, `phone-${testid}`);
      await expectAccessible(phone.page);
    }
    for (const { nav, testid } of PAGES) {
      if (!nav) continue;
      const link = phone.page.getByTestId(nav);
      await link.scrollIntoViewIfNeeded();
      const box = await link.boundingBox();
      expect(box, nav).not.toBeNull();
      expect(box!.x, nav).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, nav).toBeLessThanOrEqual(PHONE.width);
      await link.click();
      await phone.page.getByTestId(testid).waitFor();
    }
    expect(phone.problems).toEqual([]);
  }, 120_000);
});
