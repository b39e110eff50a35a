/**
 * One smoke test per command, run as a user runs it: the built `eventlake` in a process of its
 * own, its exit code and output. The other tiers call the program in-process; this file holds
 * the built executable to the same results. The long-running commands are processes in their own
 * files: `up` (catchup, warehouse, late-data), `serve` (http-api-*), `demo` (cli-commands).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess, tempDir } from '../helpers/fixtures.js';

const HOUR = '2019-06-01T15';
const QUIET = { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none', EVENTLAKE_DEADLINES_MAX_RUN_DURATION: 'none' };

let dir: string;
let source: string;
let lake: string;
let state: string;
const where = (): string[] => ['--source', source, '--lake', lake, '--state', state];

/** The command's one JSON object; fails with its stderr when it did not exit 0. */
async function json<T = Record<string, unknown>>(args: readonly string[]): Promise<T> {
  const result = await runCliProcess(args, undefined, QUIET);
  expect({ code: result.code, stderr: result.stderr }, args.join(' ')).toEqual({ code: 0, stderr: '' });
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  dir = await tempDir();
  [source, lake, state] = [join(dir, 'source'), join(dir, 'lake'), join(dir, 'state')];
});

describe('every command as a process', () => {
  it('generate writes a short hour', async () => {
    expect(await json(['generate', '--out', source, '--hour', HOUR, '--vehicles', '5', '--seconds', '30', '--json'])).toMatchObject({ files: 30, events: 86 });
  });

  it('run, trigger and backfill process it; status, resume, dlq list and state prune report on it', async () => {
    const run = await json<{ events: Record<string, number>; quarantined: number }>(['run', ...where(), '--hour', HOUR, '--json']);
    expect(run).toMatchObject({ events: { vehicle: 80, operating_period: 6 }, quarantined: 0 });
    const trigger = await json<{ runs: { hour: string; status: string }[] }>(['trigger', ...where(), '--hour', HOUR, '--json']);
    expect(trigger.runs.map((r) => [r.hour, r.status])).toEqual([[HOUR, 'success']]);
    const backfill = await json<{ runs: { hour: string; status: string }[] }>(['backfill', ...where(), '--from', HOUR, '--to', HOUR, '--json']);
    expect(backfill.runs.map((r) => [r.hour, r.status])).toEqual([[HOUR, 'success']]);
    const status = await json<{ runs: { hour: string; status: string }[] }>(['status', '--state', state, '--json']);
    expect(status.runs.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    expect(await json(['resume', '--state', state, '--json'])).toMatchObject({ runs: [] });
    expect(await json(['dlq', 'list', '--state', state, '--json'])).toEqual({ deadLetters: [] });
    expect(await json(['state', 'prune', '--state', state, '--older-than', '0s', '--dry-run', '--json'])).toMatchObject({ prune: { runs: 3, keptDeadLettered: 0, dryRun: true } });
  });

  it('warehouse build, query, sql, explain and lineage answer from the warehouse', async () => {
    const build = await json<{ tables: Record<string, number> }>(['warehouse', 'build', '--lake', lake, '--state', state, '--json']);
    expect(build.tables).toEqual({ vehicle: 80, operating_period: 6 });
    const answer = await json<{ period_id: string; vehicles: number }[]>(['query', 'avg-distance', '--state', state, '--json']);
    // Two organizations share period ids (see synthetic-feed.ts); org-id deletes its _3, org-id-2 keeps its own.
    expect([...new Set(answer.map((r) => r.period_id))].sort()).toEqual(['op_2019060115_1', 'op_2019060115_2', 'op_2019060115_3']);
    expect(await json(['sql', 'SELECT count(*) AS n FROM vehicle', '--state', state, '--json'])).toEqual([{ n: '80' }]);
    const explain = await json(['explain', `SELECT count(*) FROM vehicle WHERE event = 'update'`, '--state', state, '--json']);
    expect(explain).toMatchObject({ plan: expect.any(Array) });
    const lineage = await json<{ table: string; upstream: { from: string }[] }>(['lineage', 'bi_avg_distance', '--state', state, '--json']);
    expect(lineage.upstream.map((l) => l.from)).toContain('lake.vehicle');
    const ddl = await runCliProcess(['warehouse', 'ddl', '--target', 'snowflake', '--lake-url', 's3://lake/', '--aws-role-arn', 'arn:aws:iam::123456789012:role/x', '--state', state]);
    expect(ddl.code).toBe(0);
    expect(ddl.stdout).toContain('CREATE');
  });

  it('init writes a starter config that status then reads', async () => {
    const file = join(dir, 'eventlake.config.yaml');
    const init = await runCliProcess(['init', '--file', file]);
    expect(init.code).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(await json(['status', '--config', file, '--state', state, '--json'])).toMatchObject({ runs: expect.any(Array) });
  });

  it('fanout and lambda refuse what they lack in one sentence (their work is tested with SQS and S3 doubles)', async () => {
    const fanout = await runCliProcess(['fanout', '--hour', HOUR, ...where()]);
    expect(fanout.code).toBe(2);
    expect(fanout.stderr).toBe("error: required option '--queue-url <url>' not specified\n");
    const event = join(dir, 'no-such-event.json');
    const lambda = await runCliProcess(['lambda', 'invoke', '--event', event, '--state', state]);
    expect(lambda.code).toBe(1);
    expect(lambda.stderr).toBe(`eventlake: event file ${event} does not exist\n`);
    await writeFile(join(dir, 'bad-event.json'), '{"Records": 3}');
    const bad = await runCliProcess(['lambda', 'invoke', '--event', join(dir, 'bad-event.json'), '--state', state]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
