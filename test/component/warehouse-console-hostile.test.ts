/**
 * Issue 20, items 1-3, as the hostile sweep found them, against a warehouse built from a really
 * run hour: an explain whose plan text, pasted back into SQL, ran a COPY into the lake and forged
 * the BI answer; a refused EXPORT DATABASE that still created a folder where the hour's lease
 * goes; and limits stepped around (a trailing comment past the size cap, work done while
 * preparing past the time limit, explain without one, `eventlake sql` holding its answer whole).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { avgDistance, explainQuery, querySql } from '../../src/app/warehouse.js';
import { UserError } from '../../src/errors/user-error.js';
import { leaseKey, partitionKeyOfRun } from '../../src/pipeline/lake-layout.js';
import { listFiles, runCli, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';

let source: string;
let lake: string;
let state: string;
let partitionKey: string;

beforeAll(async () => {
  source = await tempDir();
  lake = await tempDir();
  state = `${lake}-state`;
  expect((await runCli(['generate', '--out', source, '--hour', SAMPLE_HOUR, '--vehicles', '20'])).code).toBe(0);
  const run = await runCli(['run', '--source', source, '--lake', lake, '--state', state, '--hour', SAMPLE_HOUR, '--layout', 'flat', '--json']);
  expect(run.code).toBe(0);
  partitionKey = partitionKeyOfRun((JSON.parse(run.stdout) as { runId: string }).runId);
  expect((await runCli(['warehouse', 'build', '--lake', lake, '--state', state])).code).toBe(0);
}, 120_000);

/** Every file of the lake with a hash of its bytes. */
async function lakeBytes(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const file of (await listFiles(lake)).sort()) files[file] = createHash('sha256').update(await readFile(file)).digest('hex');
  return files;
}

async function refusal(answer: Promise<unknown>): Promise<string> {
  try {
    await answer;
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('it was answered');
}

/** DuckDB prints struct keys unescaped in the plan's File Filters: this key closes the filter and runs a COPY into the lake. */
function forgingQuery(): string {
  const target = join(lake, 'vehicle', 'date=2019-06-01', 'hour=15', 'part-00001.parquet');
  const key = `a': 1})) OR true; COPY (SELECT * EXCLUDE (date, hour) REPLACE (lat + 1 AS lat) FROM lake.vehicle) TO '${target}' (FORMAT parquet); SELECT (({'b`;
  return `SELECT vehicle_id FROM lake.vehicle WHERE struct_pack("${key}" := hour) = {'${key.replaceAll("'", "''")}': 23}`;
}

describe('explain never runs its plan as SQL (item 1)', () => {
  it('leaves the lake byte-identical and the BI answer unchanged after the forging explain, by the app and the CLI', async () => {
    const before = await lakeBytes();
    // Rounded: a rebuild may sum the same distances in another order.
    const bi = async (): Promise<string[]> => (await avgDistance(state)).map((p) => `${p.period_id} ${p.vehicles} ${p.avg_km.toFixed(6)}`);
    const answer = await bi();
    expect(answer.length).toBeGreaterThan(0);

    const report = await explainQuery(state, forgingQuery());
    const cli = await runCli(['explain', forgingQuery(), '--json', '--state', state]);
    expect(await lakeBytes()).toEqual(before);
    expect(cli.code, cli.stderr).toBe(0);
    // The plan still reports the scan; its filter (not understood) is never run.
    expect(report).toMatchObject({ files_total: 1, partitions_total: 1 });
    expect(report.partitions_read).toBeLessThanOrEqual(report.files_read);
    expect((await runCli(['warehouse', 'build', '--lake', lake, '--state', state])).code).toBe(0);
    expect(await bi()).toEqual(answer);
  });

  it('still counts the partitions a plain date and hour filter reads', async () => {
    expect(await explainQuery(state, "SELECT vehicle_id FROM lake.vehicle WHERE date = DATE '2019-06-01' AND hour = 15")).toMatchObject({ files_read: 1, partitions_read: 1, partitions_total: 1 });
    expect(await explainQuery(state, 'SELECT vehicle_id FROM lake.vehicle WHERE hour = 3')).toMatchObject({ files_read: 0, partitions_read: 0, partitions_total: 1 });
  });
});

describe('a refused statement has no effect (item 2)', () => {
  it('refuses EXPORT DATABASE into the lease folder without creating it, and the hour still runs', async () => {
    const lease = join(lake, leaseKey(partitionKey));
    const before = await lakeBytes();
    for (const ask of [() => querySql(state, `EXPORT DATABASE '${lease}'`), () => explainQuery(state, `EXPORT DATABASE '${lease}'`)]) {
      expect(await refusal(ask())).toBe('the warehouse refused the query: only reading is allowed here: DuckDB parses this as EXPORT, not SELECT');
    }
    const cli = await runCli(['sql', `EXPORT DATABASE '${lease}'`, '--state', state]);
    expect(cli.code).toBe(1);
    expect(existsSync(lease)).toBe(false);
    expect(await lakeBytes()).toEqual(before);
    const rerun = await runCli(['run', '--source', source, '--lake', lake, '--state', state, '--hour', SAMPLE_HOUR, '--layout', 'flat', '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
  });
});

describe('console limits cannot be stepped around (item 3)', () => {
  const big = "SELECT repeat('x', 100000) AS s FROM range(1000)";
  const limits = { maxRows: 1000, maxBytes: 1024 * 1024 };

  it('refuses an answer past the size cap, a trailing comment or empty statement or not', async () => {
    const plain = await refusal(querySql(state, big, limits));
    for (const tail of ['; -- c', ';;', '\n-- c', '; /* c */']) expect(await refusal(querySql(state, `${big}${tail}`, limits)), tail).toBe(plain);
    expect(plain).toMatch(/^the warehouse refused the query: its answer passed the 1 MB it may be at row \d+: /);
  });

  it('stops work done while preparing at the time limit, in the console and in explain', async () => {
    const folding = 'SELECT list_reduce(range(40000000), (a, x) -> a + x) AS s';
    expect(await refusal(querySql(state, folding, { ...limits, timeoutMs: 500 }))).toBe('the query ran longer than the SQL console allows (500 ms) and was stopped: ask for less (fewer dates and hours, fewer rows)');
    expect(await refusal(explainQuery(state, folding, 500))).toBe('the query ran longer than the SQL console allows (500 ms) and was stopped: ask for less (fewer dates and hours, fewer rows)');
    const cli = await runCli(['explain', folding, '--timeout', '1', '--state', state]);
    expect(cli).toMatchObject({ code: 1, stderr: 'eventlake: the query ran longer than the SQL console allows (1 s) and was stopped: ask for less (fewer dates and hours, fewer rows)\n' });
    expect((await querySql(state, 'SELECT count(*) AS n FROM dim_vehicle')).rows).toEqual([{ n: '20' }]);
  });

  it('streams eventlake sql out, stopping at its row and size caps with a note, --json still valid', async () => {
    const rows = await runCli(['sql', 'SELECT range AS i FROM range(5000)', '--max-rows', '1200', '--json', '--state', state]);
    expect(rows.code).toBe(0);
    expect(JSON.parse(rows.stdout)).toHaveLength(1200);
    expect(rows.stderr).toBe('eventlake: stopped after 1,200 row(s), at the --max-rows cap of 1,200 rows: the query has more (raise the cap or narrow the query)\n');

    const sized = await runCli(['sql', big, '--max-mb', '1', '--json', '--state', state]);
    expect(sized.code).toBe(0);
    const printed = JSON.parse(sized.stdout) as { s: string }[];
    expect(printed.length).toBeGreaterThan(0);
    expect(printed.length).toBeLessThan(11);
    expect(sized.stderr).toMatch(/^eventlake: stopped after \d+ row\(s\), at the --max-mb cap of 1 MB: /);

    const text = await runCli(['sql', 'SELECT range AS i FROM range(3)', '--state', state]);
    expect(text).toMatchObject({ code: 0, stdout: 'i\n0\n1\n2\n', stderr: '' });
    expect((await runCli(['sql', 'SELECT 1 AS a WHERE false', '--json', '--state', state])).stdout).toBe('[]\n');
  });
});
