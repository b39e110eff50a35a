/**
 * The dead-letter page in a real chromium against a real `eventlake serve` whose state holds 250
 * dead letters, 230 deadline misses and their 230 callback deliveries (real rows, written before
 * the server opened it): each list says which of how many it shows and pages through them all on
 * its own. An inspected letter's panel closes on Escape and on its ×, the focus back on the
 * Inspect link that opened it.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDeadLetters, seedDeadlineMisses } from '../helpers/seeded-dead-letters.js';
import { type WatchedPage } from './browser-page.js';
import { servedPage } from './served-page.js';

const app = servedPage({
  prepare: async ({ lake, state }) => {
    await seedDeadLetters(state, lake, 250);
    await seedDeadlineMisses(state, lake, 230);
  },
  clock: true,
});
let watched: WatchedPage;
let page: Page;
let url: string;
beforeAll(() => {
  ({ watched, page, url } = app);
});

const count = (testid: string): Promise<string | null> => page.getByTestId(testid).textContent();
const rows = (prefix: string): Promise<number> => page.locator(`[data-testid^="${prefix}"]`).count();
const focused = (): Promise<string | null> => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

describe('the dead-letter page with 250 dead letters and 230 deadline misses and deliveries', () => {
  it('says which of how many each list shows, and pages each on its own', async () => {
    await page.goto(`${url}#/dlq`);
    await page.getByTestId('dead-letter-table').waitFor();
    expect(await count('dead-letter-count')).toBe('Dead letters 1–200 of 250');
    expect(await count('deadline-miss-count')).toBe('Deadline misses 1–200 of 230');
    expect(await count('delivery-count')).toBe('Deliveries 1–200 of 230');
    expect(await rows('dead-letter-row-')).toBe(200);
    expect(await rows('delivery-row-')).toBe(200);
    expect(await page.getByTestId('dead-letter-page-previous').isDisabled()).toBe(true);
    const firstPage = await page.locator('[data-testid^="dead-letter-row-"]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')));

    await page.getByTestId('dead-letter-page-next').click();
    await page.waitForSelector('[data-testid="dead-letter-count"]:text-is("Dead letters 201–250 of 250")');
    expect(await rows('dead-letter-row-')).toBe(50);
    expect(await page.getByTestId('dead-letter-page-next').isDisabled()).toBe(true);
    const secondPage = await page.locator('[data-testid^="dead-letter-row-"]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')));
    expect(new Set([...firstPage, ...secondPage]).size).toBe(250);
    // The other lists stay on their first page.
    expect(await count('delivery-count')).toBe('Deliveries 1–200 of 230');

    await page.getByTestId('delivery-page-next').click();
    await page.waitForSelector('[data-testid="delivery-count"]:text-is("Deliveries 201–230 of 230")');
    expect(await rows('delivery-row-')).toBe(30);
    await page.getByTestId('deadline-miss-page-next').click();
    await page.waitForSelector('[data-testid="deadline-miss-count"]:text-is("Deadline misses 201–230 of 230")');
    expect(await page.locator('[data-testid="deadline-miss-table"] tbody tr').count()).toBe(30);
    expect(await count('dead-letter-count')).toBe('Dead letters 201–250 of 250');

    await page.getByTestId('dead-letter-page-previous').click();
    await page.waitForSelector('[data-testid="dead-letter-count"]:text-is("Dead letters 1–200 of 250")');
    expect(watched.problems).toEqual([]);
  });

  it('closes an inspected letter on Escape and on its ×, the focus back on its Inspect link', async () => {
    await page.goto(`${url}#/dlq`);
    const row = page.locator('[data-testid^="dead-letter-row-"]').nth(3);
    const id = (await row.getAttribute('data-testid'))?.replace('dead-letter-row-', '') ?? '';
    await page.getByTestId(`inspect-${id}`).click();
    await page.getByTestId('dead-letter-detail').waitFor();
    await page.getByTestId('dead-letter-replayed').waitFor();
    // The focus inside the panel (on its Replay button) when Escape closes it.
    await page.getByTestId(`detail-replay-${id}`).focus();
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="dead-letter-detail"]', { state: 'detached' });
    expect(page.url()).toMatch(/#\/dlq$/);
    await expect.poll(focused).toBe(`inspect-${id}`);

    // Opened from the keyboard this time, closed with its ×.
    expect(page.url()).toMatch(/#\/dlq$/);
    await page.keyboard.press('Enter');
    await page.getByTestId('dead-letter-detail').waitFor();
    expect(page.url()).toMatch(new RegExp(`#/dlq/${id}$`));
    await page.getByTestId('dead-letter-detail').getByRole('link', { name: 'close' }).click();
    await page.waitForSelector('[data-testid="dead-letter-detail"]', { state: 'detached' });
    await expect.poll(focused).toBe(`inspect-${id}`);
    expect(watched.problems).toEqual([]);
  });
});
