/**
 * Replaying a dead letter from the UI, with real processes: a task that fails on every attempt
 * (EVENTLAKE_FAIL_TASK, fast retries) dead-letters and fails its hour; the server is stopped and
 * started again on the same state without the fail point, and the Replay button runs the task
 * again until the hour succeeds. The real sample: of its two tasks one dead-letters while the
 * other succeeds, and the replay must add that task's rows without repeating the other's. The
 * page's clock is Playwright's, run a poll ahead at a time while the test waits for the server.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { startServed, type Served } from '../helpers/served-cli.js';
import { allStarted, launchWithPage, screenshot, untilPolled, type WatchedPage } from './browser-page.js';

const FAST_RETRIES = { EVENTLAKE_RETRIES_DELAY: '50ms', EVENTLAKE_RETRIES_COUNT: '1' };
const QUIET = { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' };
const RUN_MS = 120_000;

let lake: string;
let state: string;
let served: Served | undefined;
let watched: WatchedPage;
let page: Page;

function serve(env: Record<string, string>): Promise<Served> {
  return startServed('serve', ['--source', SAMPLE, '--lake', lake, '--state', state, '--workers', '1'], { ...QUIET, ...env });
}

beforeAll(async () => {
  lake = await tempDir();
  state = await tempDir('eventlake-state-');
  // The first server fails task t00000 on every attempt, with fast retries.
  [, { watched }] = await allStarted([
    serve({ ...FAST_RETRIES, EVENTLAKE_FAIL_TASK: 't00000' }).then((s) => {
      served = s;
    }),
    launchWithPage(),
  ] as const);
  page = watched.page;
  await page.clock.install();
}, 60_000);

afterAll(async () => {
  await served?.stop();
});

describe('dead letters in the UI', () => {
  it('shows the dead letter of a failing task, and replays it to success once the cause is gone', async () => {
    if (!served) throw new Error('the server did not start');
    await page.goto(served.url);
    await page.getByTestId('trigger-date').fill(SAMPLE_HOUR.slice(0, 10));
    await page.getByTestId('trigger-hour').selectOption(SAMPLE_HOUR.slice(11, 13));
    await page.getByTestId('trigger-submit').click();
    await untilPolled(page, `[data-testid="grid-cell-${SAMPLE_HOUR}"][data-status="failed"]`, RUN_MS);
    await untilPolled(page, `[data-testid^="run-row-"][data-hour="${SAMPLE_HOUR}"][data-status="failed"]`);
    const failedRow = page.locator(`[data-testid^="run-row-"][data-hour="${SAMPLE_HOUR}"]`);
    expect(await failedRow.locator('.error-cell').textContent()).toMatch(/t00000/);
    expect(await failedRow.locator('[data-testid^="rerun-"]').count()).toBe(1);

    await page.getByTestId('nav-dlq').click();
    await page.getByTestId('dead-letter-table').waitFor();
    const rows = page.locator('[data-testid^="dead-letter-row-"]');
    expect(await rows.count()).toBe(1);
    const rowId = (await rows.first().getAttribute('data-testid'))?.replace('dead-letter-row-', '');
    expect(rowId).toMatch(/^\d+$/);
    const id = Number(rowId);
    const row = page.getByTestId(`dead-letter-row-${id}`);
    expect(await row.textContent()).toContain('t00000');
    expect(await row.textContent()).toContain('2019-06-01 15:00');
    expect(await row.getAttribute('data-replayed')).toBe('false');
    await screenshot(page, 'dead-letters');

    // The cause goes away: the same state served again, without the fail point.
    await served.stop();
    served = await serve({});
    await page.goto(`${served.url}#/dlq`);
    await page.getByTestId(`inspect-${id}`).click();
    await page.getByTestId('dead-letter-detail').waitFor();
    expect(page.url()).toMatch(new RegExp(`#/dlq/${id}$`));
    await page.getByTestId('dead-letter-objects').waitFor();
    expect(await page.locator('[data-testid="dead-letter-objects"] tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'dead-letter-detail');

    await page.getByTestId(`detail-replay-${id}`).click();
    await untilPolled(page, `[data-testid="dead-letter-row-${id}"][data-replayed="true"]`, 10_000);
    expect(await page.getByTestId(`replay-${id}`).count()).toBe(0);

    // The run of the hour succeeds, with every row once.
    await page.getByTestId('nav-runs').click();
    await untilPolled(page, `[data-testid="grid-cell-${SAMPLE_HOUR}"][data-status="success"]`, RUN_MS);
    const [vehicles] = await query(`SELECT count(*) AS n, count(DISTINCT (source_object, source_line)) AS distinct_lines FROM '${lake}/vehicle/*/*/*.parquet'`);
    expect(Number(vehicles?.['n'])).toBeGreaterThan(1000);
    expect(vehicles?.['n']).toBe(vehicles?.['distinct_lines']);
    expect(watched.problems).toEqual([]);
  }, 300_000);

  it('says so for a dead letter that does not exist', async () => {
    if (!served) throw new Error('the server of the test before is gone');
    await page.goto(`${served.url}#/dlq/999999`);
    expect(await page.getByTestId('dead-letter-detail-error').textContent()).toMatch(/999999/);
    await page.goto(`${served.url}#/dlq/not-a-number`);
    await page.getByTestId('unknown-page').waitFor();
    expect(watched.problems).toEqual([]);
  }, 60_000);
});
