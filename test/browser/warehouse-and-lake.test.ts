/**
 * The warehouse and lake pages against a real `eventlake serve` on a lake the CLI published: the
 * warehouse is built with the button, the SQL console answers a count (as DuckDB counts the lake
 * itself), refuses a write in one sentence and explains what a query reads; the BI answer is a
 * table and a bar chart; the tracks canvas has drawn; the lake lists the vehicle partitions.
 * Before the first build the page says so in a plain note (no red errors); a cell's text is isolated
 * (a U+202E in a value never turns its neighbours around); a running query can be cancelled; errors
 * carry no JSON API syntax.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { query, runCli, SAMPLE, SAMPLE_HOUR } from '../helpers/fixtures.js';
import { paintedPixels, screenshot, type WatchedPage } from './browser-page.js';
import { servedPage } from './served-page.js';

/** The tracks canvas's background, #f8fafc (src/ui/warehouse/tracks-canvas.tsx). */
const TRACKS_BACKGROUND = [0xf8, 0xfa, 0xfc] as const;

// The real sample's hour published by the CLI, then served; the browser starts meanwhile.
const app = servedPage({
  prepare: async ({ lake, state }) => {
    const run = await runCli(['run', '--source', SAMPLE, '--lake', lake, '--state', state, '--hour', SAMPLE_HOUR, '--workers', '1']);
    if (run.code !== 0) throw new Error(`eventlake run failed: ${run.stderr}`);
  },
  timeoutMs: 180_000,
});
let lake: string;
let url: string;
let watched: WatchedPage;
let page: Page;
beforeAll(() => {
  ({ lake, url, watched, page } = app);
});

async function runSql(sql: string, explain = false): Promise<void> {
  await page.getByTestId('sql-input').fill(sql);
  if ((await page.getByTestId('sql-explain').isChecked()) !== explain) await page.getByTestId('sql-explain').click();
  await page.getByTestId('sql-run').click();
  await page.waitForSelector('[data-testid="sql-run"]:not([disabled])');
}

describe('the warehouse page', () => {
  it('says there is no warehouse yet, builds it with the button, and shows the BI answer and the tracks', async () => {
    await page.goto(`${url}#/warehouse`);
    await page.getByTestId('warehouse-page').waitFor();
    // Before the first build that is the page's starting state, not a failure: a plain note, no red alert.
    expect(await page.getByTestId('avg-distance-error-not-built').textContent()).toMatch(/once the warehouse is built/i);
    await page.getByTestId('periods-error-not-built').waitFor();
    expect(await page.locator('[role="alert"]').count()).toBe(0);

    await page.getByTestId('warehouse-build').click();
    await page.getByTestId('warehouse-build-result').waitFor({ timeout: 120_000 });

    // The BI answer: a table row per operating period, and the bar chart drawn.
    await page.getByTestId('avg-distance-table').waitFor();
    // A row per period of an organization: two organizations may use one period id.
    const periods = await query(`SELECT count(DISTINCT (organization_id, period_id)) AS n FROM '${lake}/operating_period/*/*/*.parquet'`);
    expect(await page.locator('[data-testid="avg-distance-table"] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="avg-distance-table"] tbody tr').count()).toBeLessThanOrEqual(Number(periods[0]?.['n']));
    await page.getByTestId('avg-distance-chart').waitFor();
    const bars = await paintedPixels(page, 'avg-distance-chart', null);
    expect(bars.painted).toBeGreaterThan(bars.total * 0.005);

    // The tracks of the first operating period, drawn in color on the plain background.
    await page.getByTestId('period-select').waitFor();
    // Each choice names its organization: the feed's two organizations use the same period ids.
    const choices = await page.locator('[data-testid="period-select"] option').allTextContents();
    const [orgs] = await query(`SELECT list(DISTINCT organization_id ORDER BY organization_id) AS o FROM '${lake}/operating_period/*/*/*.parquet'`);
    for (const org of orgs?.['o'] as string[]) expect(choices.some((c) => c.endsWith(` (${org})`)), org).toBe(true);
    await page.waitForSelector('[data-testid="tracks-canvas"]:not([data-drawn=""])', { timeout: 30_000 });
    expect(Number(await page.getByTestId('tracks-canvas').getAttribute('data-drawn'))).toBeGreaterThan(0);
    const tracks = await paintedPixels(page, 'tracks-canvas', TRACKS_BACKGROUND);
    expect(tracks.painted).toBeGreaterThan(500);
    expect(tracks.painted).toBeLessThan(tracks.total * 0.9);
    expect(watched.problems).toEqual([]);
  }, 180_000);

  it('answers a query with a result table, refuses a write in one sentence, and explains what a query reads', async () => {
    await page.goto(`${url}#/warehouse`);
    await runSql('SELECT count(*) AS n FROM fact_vehicle_location');
    await page.getByTestId('sql-result').waitFor();
    expect(await page.locator('[data-testid="sql-result"] thead th').allTextContents()).toEqual(['n']);
    // fact_vehicle_location holds each distinct located position once: counted here from the lake itself.
    const [lakeRows] = await query(
      `SELECT count(*) AS n FROM (SELECT DISTINCT vehicle_id, location_at, lat, lng FROM '${lake}/vehicle/*/*/*.parquet' WHERE lat IS NOT NULL AND lng IS NOT NULL AND location_at IS NOT NULL)`,
    );
    expect(Number(lakeRows?.['n'])).toBeGreaterThan(1000);
    expect(await page.locator('[data-testid="sql-result"] tbody td').allTextContents()).toEqual([String(lakeRows?.['n'])]);
    expect(await page.getByTestId('sql-summary').textContent()).toMatch(/^1 row\(s\) in \d+ ms$/);

    await runSql('CREATE TABLE x (a int)');
    const refused = await page.getByTestId('sql-error').textContent();
    expect(refused?.length).toBeGreaterThan(10);
    expect(refused).not.toMatch(/\n\s+at /);
    expect(await page.getByTestId('sql-result').count()).toBe(0);

    await runSql('this is not SQL; DROP TABLE fact_vehicle_location');
    await page.getByTestId('sql-error').waitFor();
    await runSql('SELECT count(*) AS n FROM fact_vehicle_location');
    expect(await page.locator('[data-testid="sql-result"] tbody td').allTextContents()).toEqual([String(lakeRows?.['n'])]);

    // A right-to-left override in a value turns only its own text around: every cell isolates its text.
    await runSql(`SELECT 'ok ' || chr(8238) || 'desrever' AS line, 'the reason' AS reason`);
    await page.getByTestId('sql-result').waitFor();
    const isolation = await page.locator('[data-testid="sql-result"] tbody td').evaluateAll((cells) =>
      cells.map((td) => ({ cell: getComputedStyle(td).unicodeBidi, text: td.querySelector('bdi') ? getComputedStyle(td.querySelector('bdi') as Element).unicodeBidi : 'none' })),
    );
    expect(isolation).toEqual([
      { cell: 'isolate', text: 'isolate' },
      { cell: 'isolate', text: 'isolate' },
    ]);
    expect(await page.locator('[data-testid="sql-result"] tbody td').allTextContents()).toEqual(['ok \u202edesrever', 'the reason']);

    // A long query is cancelled with its button: said plainly, not as an error, and the console answers on.
    await page.getByTestId('sql-input').fill('SELECT sum(hash(i)) AS s FROM range(100000000000) t(i)');
    await page.getByTestId('sql-run').click();
    await page.getByTestId('sql-cancel').click();
    await page.getByTestId('sql-cancelled').waitFor();
    await page.waitForSelector('[data-testid="sql-run"]:not([disabled])');
    expect(await page.getByTestId('sql-error').count()).toBe(0);
    expect(await page.getByTestId('sql-cancel').count()).toBe(0);

    // The server's sentence without the JSON API's syntax (`send {"sql": …}`), which the form writes itself.
    await runSql(`SELECT '${'x'.repeat(100_000)}' AS long`);
    const tooLong = await page.getByTestId('sql-error').textContent();
    expect(tooLong).toMatch(/100,000 characters/);
    expect(tooLong).not.toMatch(/send|\{/);

    await runSql(`SELECT vehicle_id, lat FROM lake.vehicle WHERE date = DATE '2019-06-01' AND hour = 15`, true);
    await page.getByTestId('explain-report').waitFor();
    const files = await query(`SELECT count(*) AS n FROM glob('${lake}/vehicle/date=2019-06-01/hour=15/*.parquet')`);
    expect(await page.getByTestId('explain-files').textContent()).toBe(`${String(files[0]?.['n'])} of ${String(files[0]?.['n'])}`);
    expect(await page.getByTestId('explain-partitions').textContent()).toBe('1 of 1');
    expect(await page.locator('[data-testid="sql-result"] thead th').allTextContents()).toEqual(['vehicle_id', 'lat']);
    // The plan opens with a click on it, and Escape closes it, the focus back on what opened it.
    const plan = page.getByTestId('explain-report').locator('details');
    await plan.locator('summary').click();
    expect(await plan.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    await page.keyboard.press('Escape');
    expect(await plan.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await page.evaluate(() => (document.activeElement?.tagName === 'SUMMARY' ? document.activeElement.textContent : null))).toBe('plan');
    await screenshot(page, 'warehouse');
    expect(watched.problems).toEqual([]);
  }, 120_000);
});

describe('the lake page', () => {
  it('lists the vehicle partitions with files, rows and bytes', async () => {
    await page.goto(`${url}#/lake`);
    await page.getByTestId('lake-entity-vehicle').waitFor();
    const partition = page.getByTestId('partition-vehicle/date=2019-06-01/hour=15');
    await partition.waitFor();
    const cells = await partition.locator('td').allTextContents();
    const [lakeRows] = await query(`SELECT count(*) AS n FROM '${lake}/vehicle/*/*/*.parquet'`);
    expect(cells[0]).toBe('vehicle/date=2019-06-01/hour=15');
    // partition, hour, files, rows, bytes (the date heads its group).
    expect(cells[3]).toBe(Number(lakeRows?.['n']).toLocaleString('en-US'));
    expect(Number(cells[2])).toBeGreaterThan(0);
    await page.getByTestId('lake-entity-operating_period').waitFor();
    await screenshot(page, 'lake');
    expect(watched.problems).toEqual([]);
  }, 60_000);
});
