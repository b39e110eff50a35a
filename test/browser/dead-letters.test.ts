/**
 * Replaying a dead letter from the UI, with real processes: a task that fails on every attempt
 * (EVENTLAKE_FAIL_TASK, fast retries) dead-letters and fails its hour; the server is stopped and
 * started again on the same state without the fail point, and the Replay button runs the task
 * again until the hour succeeds. The real sample: of its two tasks one dead-letters while the
 * other succeeds, and the replay must add that task's rows without repeating the other's. The
 * page's clock is Playwright's, run a poll ahead at a time while the test waits for the server.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { query, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { screenshot, untilPolled, type WatchedPage } from './browser-page.js';
import { servedPage } from './served-page.js';

const FAST_RETRIES = { EVENTLAKE_RETRIES_DELAY: '50ms', EVENTLAKE_RETRIES_COUNT: '1' };
const RUN_MS = 120_000;

let config: string;
// The first server fails task t00000 on every attempt, with fast retries.
const app = servedPage({
  prepare: async () => {
    // A command callback on every run's end: its deliveries are listed with their exit code.
    config = join(await tempDir('eventlake-config-'), 'eventlake.yaml');
    await writeFile(config, ['callbacks:', '  - on: [failure, success]', '    command: "cat > /dev/null"', ''].join('\n'));
  },
  args: () => ['--config', config],
  env: { ...FAST_RETRIES, EVENTLAKE_FAIL_TASK: 't00000' },
  clock: true,
  timeoutMs: 60_000,
});
let lake: string;
let watched: WatchedPage;
let page: Page;
beforeAll(() => {
  ({ lake, watched, page } = app);
});

/** The failed run's id, from its link in the dead-letter table. */
async function failedRunId(page: Page): Promise<string> {
  const href = await page.locator('[data-testid^="dead-letter-row-"] a[href^="#/runs/"]').first().getAttribute('href');
  return href?.replace('#/runs/', '') ?? '';
}

describe('dead letters in the UI', () => {
  it('shows the dead letter of a failing task, and replays it to success once the cause is gone', async () => {
    await page.goto(app.url);
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
    // The failure's callback: a command, so an exit code (never "HTTP 0"), with its hour and run.
    await untilPolled(page, '[data-testid^="delivery-row-"][data-status="delivered"]');
    const delivery = page.locator('[data-testid^="delivery-row-"][data-status="delivered"]').first();
    expect(await delivery.locator('[data-testid^="delivery-result-"]').textContent()).toBe('exit 0');
    expect(await delivery.textContent()).toContain('2019-06-01 15:00');
    expect(await delivery.textContent()).not.toContain('HTTP');
    const runId = await failedRunId(page);
    expect(await delivery.locator(`a[href="#/runs/${runId}"]`).count()).toBe(1);
    await screenshot(page, 'dead-letters');

    // The cause goes away: the same state served again, without the fail point.
    const served = await app.restart();
    await page.goto(`${served.url}#/dlq`);
    await page.getByTestId(`inspect-${id}`).click();
    await page.getByTestId('dead-letter-detail').waitFor();
    expect(page.url()).toMatch(new RegExp(`#/dlq/${id}$`));
    await page.getByTestId('dead-letter-objects').waitFor();
    expect(await page.locator('[data-testid="dead-letter-objects"] tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'dead-letter-detail');

    expect(await page.getByTestId('dead-letter-run-status').getAttribute('data-status')).toBe('failed');
    // Escape closes the panel; inspecting again opens it.
    await page.keyboard.press('Escape');
    await untilPolled(page, async () => (await page.getByTestId('dead-letter-detail').count()) === 0, 10_000);
    expect(page.url()).toMatch(/#\/dlq$/);
    await page.getByTestId(`inspect-${id}`).click();
    await page.getByTestId('dead-letter-detail').waitFor();

    // Replayed from the list while the letter is inspected: the inspected letter says so too,
    // and follows its run to the end instead of showing "failed" and a Replay button.
    await page.getByTestId(`replay-${id}`).click();
    await untilPolled(page, `[data-testid="dead-letter-row-${id}"][data-replayed="true"]`, 10_000);
    await untilPolled(page, async () => (await page.getByTestId(`detail-replay-${id}`).count()) === 0, 10_000);
    expect(await page.getByTestId('dead-letter-replayed').textContent()).not.toBe('');
    await untilPolled(page, '[data-testid="dead-letter-run-status"][data-status="success"]', RUN_MS);
    expect(await page.getByTestId(`replay-${id}`).count()).toBe(0);

    // The replayed run: its log says it was replayed; the task that died is done with no error,
    // its attempts counted on across the replay; the time it lay dead is not time it took.
    await page.goto(`${served.url}#/runs/${runId}`);
    await page.waitForSelector('[data-testid="run-status"][data-status="success"]');
    await page.getByTestId('run-log').waitFor();
    expect(await page.getByTestId('run-log').textContent()).toContain(`dead letter ${id} replayed: task t00000 queued again`);
    const task = page.getByTestId('task-row-t00000');
    expect(await task.getAttribute('data-status')).toBe('done');
    expect(await task.locator('.error-cell').textContent()).toBe('');
    expect(await task.locator('td').nth(4).textContent()).toBe('3');
    const detail = (await (await fetch(`${served.url}api/runs/${runId}`)).json()) as {
      run: { seconds: number; startedAt: string; finishedAt: string };
      attempts: { taskId?: string; attempt: number; outcome: string }[];
    };
    expect(detail.attempts.filter((a) => a.taskId === 't00000').map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'error'],
      [2, 'error'],
      [3, 'ok'],
    ]);
    const letter = (await (await fetch(`${served.url}api/dlq/${id}`)).json()) as { deadLetter: { deadAt: string; replayedAt: string } };
    const wall = (Date.parse(detail.run.finishedAt) - Date.parse(detail.run.startedAt)) / 1000;
    const dead = (Date.parse(letter.deadLetter.replayedAt) - Date.parse(letter.deadLetter.deadAt)) / 1000;
    // The letter lay dead across a server restart; the run's figure leaves that out (to within
    // the moments between the task's death and the run's failure, and the summary's own clock).
    expect(dead).toBeGreaterThan(1);
    expect(detail.run.seconds).toBeLessThan(wall - dead + 0.5);
    // The runs table says the same.
    const listed = (await (await fetch(`${served.url}api/runs?hour=${SAMPLE_HOUR}`)).json()) as { runs: { id: string; seconds?: number }[] };
    expect(listed.runs.find((r) => r.id === runId)?.seconds).toBe(detail.run.seconds);

    // The run of the hour succeeded, with every row once.
    await page.getByTestId('nav-runs').click();
    await untilPolled(page, `[data-testid="grid-cell-${SAMPLE_HOUR}"][data-status="success"]`, RUN_MS);
    const [vehicles] = await query(`SELECT count(*) AS n, count(DISTINCT (source_object, source_line)) AS distinct_lines FROM '${lake}/vehicle/*/*/*.parquet'`);
    expect(Number(vehicles?.['n'])).toBeGreaterThan(1000);
    expect(vehicles?.['n']).toBe(vehicles?.['distinct_lines']);
    expect(watched.problems).toEqual([]);
  }, 300_000);

  it('says so for a dead letter that does not exist', async () => {
    const { served } = app;
    await page.goto(`${served.url}#/dlq/999999`);
    expect(await page.getByTestId('dead-letter-detail-error').textContent()).toMatch(/999999/);
    await page.goto(`${served.url}#/dlq/not-a-number`);
    await page.getByTestId('unknown-page').waitFor();
    expect(watched.problems).toEqual([]);
  }, 60_000);
});
