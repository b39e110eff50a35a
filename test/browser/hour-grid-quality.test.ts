/**
 * The hour grid in a real chromium against a real `eventlake serve`: an hour that succeeded but
 * quarantined too many lines does not look like plain success (marked, and said in its title).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE, tempDir } from '../helpers/fixtures.js';
import { seedSucceededRun } from '../helpers/seeded-runs.js';
import { startServed, type Served } from '../helpers/served-cli.js';
import { allStarted, launchWithPage, type WatchedPage } from './browser-page.js';

let served: Served | undefined;
let watched: WatchedPage;
let page: Page;

beforeAll(async () => {
  const lake = await tempDir();
  const state = await tempDir('eventlake-state-');
  await seedSucceededRun(state, lake, '2018-03-01T10', false);
  await seedSucceededRun(state, lake, '2018-03-01T11', true);
  [, { watched }] = await allStarted([
    startServed('serve', ['--source', SAMPLE, '--lake', lake, '--state', state, '--workers', '1'], { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' }).then((s) => {
      served = s;
    }),
    launchWithPage(),
  ] as const);
  page = watched.page;
}, 120_000);

afterAll(async () => {
  await served?.stop();
});

describe('the hour grid', () => {
  it('marks a poor-quality success apart from a plain one, in its look and its title', async () => {
    await page.goto(`${served?.url ?? ''}#/runs`);
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
