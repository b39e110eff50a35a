/**
 * The hour grid in a real chromium against a real `eventlake serve`: an hour that succeeded but
 * quarantined too many lines does not look like plain success (marked, and said in its title).
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedSucceededRun } from '../helpers/seeded-runs.js';
import { servedPage } from './served-page.js';

const app = servedPage({
  prepare: async ({ lake, state }) => {
    await seedSucceededRun(state, lake, '2018-03-01T10', false);
    await seedSucceededRun(state, lake, '2018-03-01T11', true);
  },
});
let page: Page;
beforeAll(() => {
  ({ page } = app);
});

describe('the hour grid', () => {
  it('marks a poor-quality success apart from a plain one, in its look and its title', async () => {
    await page.goto(`${app.url}#/runs`);
    const poor = page.getByTestId('grid-cell-2018-03-01T11');
    const plain = page.getByTestId('grid-cell-2018-03-01T10');
    await poor.waitFor();
    expect(await poor.getAttribute('data-poor-quality')).toBe('true');
    expect(await poor.getAttribute('title')).toBe('2018-03-01 11:00 UTC · success · poor quality (quarantined too many lines)');
    expect(await plain.getAttribute('data-poor-quality')).toBeNull();
    expect(await plain.getAttribute('title')).toBe('2018-03-01 10:00 UTC · success');
    const background = (testid: string): Promise<string> => page.getByTestId(testid).evaluate((el) => getComputedStyle(el).backgroundImage);
    expect(await background('grid-cell-2018-03-01T11')).toContain('repeating-linear-gradient');
    expect(await background('grid-cell-2018-03-01T10')).toBe('none');
  });
});
