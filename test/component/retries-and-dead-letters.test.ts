/**
 * Retries and dead letters with real processes: a task that fails (EVENTLAKE_FAIL_TASK, a fail
 * point in the task's worker thread) is retried with backoff; after its last attempt it is a
 * dead letter, its hour is failed and not published until `eventlake dlq replay` succeeds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { query, runCli, SAMPLE, SAMPLE_HOUR, tempDir, writeObject } from '../helpers/fixtures.js';
import { runsIn } from '../helpers/in-process.js';
import { listedWithoutDeadTime } from '../../src/app/run-replays.js';
import { runView } from '../../src/app/run-view.js';
import type { RunRecord } from '../../src/orchestration/run-store.js';
import { openStateStore } from '../../src/orchestration/state-store-registry.js';
import { STATE_DB_FILE } from '../../src/orchestration/sqlite/state-database.js';

const FAST_RETRIES = { EVENTLAKE_RETRIES_DELAY: '50ms', EVENTLAKE_RETRIES_COUNT: '3' };

async function folders(): Promise<{ lake: string; state: string; args: string[] }> {
  const lake = await tempDir();
  const state = `${lake}-state`;
  return { lake, state, args: ['--source', SAMPLE, '--lake', lake, '--state', state, '--hour', SAMPLE_HOUR, '--workers', '1'] };
}

describe('a task that fails', () => {
  it('twice, then succeeds: the hour publishes, with three attempts recorded', async () => {
    const { lake, state, args } = await folders();
    const result = await runCli(['run', ...args, '--json'], undefined, { ...FAST_RETRIES, EVENTLAKE_FAIL_TASK: 't00000:2' });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ events: { vehicle: 35349, operating_period: 2 } });
    expect(await query(`SELECT count(*) AS n FROM '${lake}/vehicle/*/*/*.parquet'`)).toEqual([{ n: '35349' }]);
    const status = JSON.parse((await runCli(['status', '--json', '--state', state])).stdout) as { runs: { status: string; attempt: number }[]; deadLetters: unknown[] };
    expect(status.runs).toMatchObject([{ status: 'success' }]);
    expect(status.deadLetters).toEqual([]);
    const [run] = await runsIn(state);
    expect(run?.status).toBe('success');
  });

  it('on every attempt: a dead letter, the hour failed and unpublished, until a replay succeeds', async () => {
    const { lake, state, args } = await folders();
    const failing = await runCli(['trigger', ...args], undefined, { ...FAST_RETRIES, EVENTLAKE_FAIL_TASK: 't00001' });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/failed .*task t00001 failed 4 times: task t00001 failed on purpose .*\(dead letter 1; eventlake dlq replay 1 runs it again\)/);
    expect(failing.stderr).toMatch(/trying again in \d+ s/);
    expect(existsSync(`${lake}/vehicle`)).toBe(false);

    const list = JSON.parse((await runCli(['dlq', 'list', '--json', '--state', state])).stdout) as { deadLetters: { id: number; taskId: string; attempts: number }[] };
    expect(list.deadLetters).toMatchObject([{ id: 1, taskId: 't00001', attempts: 4 }]);
    const shown = await runCli(['dlq', 'show', '1', '--state', state]);
    expect(shown.stdout.match(/^ {2}\d {2}\S+ {2}error: task t00001 failed on purpose/gm)).toHaveLength(4);

    // The cause is gone (no fail point): the replay runs the dead task and publishes the hour.
    const replay = await runCli(['dlq', 'replay', '1', '--json', '--state', state]);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ handedToScheduler: false, run: { status: 'success', hour: SAMPLE_HOUR } });
    expect(await query(`SELECT count(*) AS n FROM '${lake}/vehicle/*/*/*.parquet'`)).toEqual([{ n: '35349' }]);
    expect(await query(`SELECT count(*) AS n FROM (SELECT source_object, source_line FROM '${lake}/vehicle/*/*/*.parquet' GROUP BY ALL HAVING count(*) > 1)`)).toEqual([{ n: '0' }]);
    // One run, failed then replayed to success; the dead letter is marked replayed.
    expect((await runsIn(state)).map((r) => r.status)).toEqual(['success']);
    expect(JSON.parse((await runCli(['dlq', 'list', '--json', '--state', state])).stdout)).toEqual({ deadLetters: [] });
    const all = JSON.parse((await runCli(['dlq', 'list', '--all', '--json', '--state', state])).stdout) as { deadLetters: { replayedAt?: string }[] };
    expect(all.deadLetters[0]?.replayedAt).toEqual(expect.any(String));
    expect(existsSync(`${lake}/_staging`)).toBe(false);
  });

  it('replayed an hour after it failed: the stored summary leaves the hour it lay failed out of how long it took', async () => {
    const { state, args } = await folders();
    expect((await runCli(['trigger', ...args], undefined, { ...FAST_RETRIES, EVENTLAKE_FAIL_TASK: 't00001' })).code).toBe(1);
    // The run failed an hour ago (its start, the dead letter, the failure moved back), not by waiting an hour.
    const db = new Database(join(state, STATE_DB_FILE));
    const HOUR_MS = 3_600_000;
    db.prepare('UPDATE runs SET queued_at = queued_at - ?, started_at = started_at - ?, finished_at = finished_at - ?').run(HOUR_MS, HOUR_MS, HOUR_MS);
    db.prepare('UPDATE dead_letters SET dead_at = dead_at - ?').run(HOUR_MS);
    db.prepare("UPDATE events SET at = at - ? WHERE kind IN ('failure', 'retry')").run(HOUR_MS);
    db.close();
    expect((await runCli(['dlq', 'replay', '1', '--json', '--state', state])).code).toBe(0);
    const [run] = await runsIn(state);
    expect(run?.status).toBe('success');
    // What it took was seconds of work, not the hour in between; that hour is said apart.
    expect(run?.summary?.seconds).toBeLessThan(600);
    expect(run?.summary?.deadSeconds).toBeGreaterThan(HOUR_MS / 1000 - 600);
    // The API's answers do not take it out a second time.
    const store = await openStateStore({ kind: 'sqlite', dir: state });
    try {
      const [view] = await listedWithoutDeadTime(store.queue, store.events, [runView(run as RunRecord)]);
      expect(view?.seconds).toBe(Number(run?.summary?.seconds.toFixed(3)));
    } finally {
      store.close();
    }
  });

  it('a replay of an unknown or already replayed dead letter says so in one line', async () => {
    const { state } = await folders();
    const unknown = await runCli(['dlq', 'replay', '7', '--state', state]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('eventlake: no dead letter 7 (eventlake dlq list shows them)\n');
    const bad = await runCli(['dlq', 'show', 'x', '--state', state]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/a dead letter id is a whole number/);
  });

  it('a replay of a run a newer run of its hour has replaced is refused in one sentence; the lake keeps the newer rows', async () => {
    // The repro of issue 20 item 6: dead letter for the hour, a late file, a rerun (+8 rows), then the replay.
    const source = await tempDir();
    const lake = await tempDir();
    const state = `${lake}-state`;
    const line = (id: string): string =>
      JSON.stringify({ event: 'update', on: 'vehicle', at: '2019-06-01T15:23:57.196Z', data: { id, location: { lat: 52.5, lng: 13.4 } }, organization_id: 'org-id' });
    for (let s = 0; s < 5; s++) await writeObject(source, `2019-06-01-15-1-${s}-events.json`, `${line(`a${s}`)}\n${line(`b${s}`)}\n`);
    const args = ['--source', source, '--lake', lake, '--state', state, '--hour', SAMPLE_HOUR, '--workers', '1'];
    const failing = await runCli(['trigger', ...args], undefined, { ...FAST_RETRIES, EVENTLAKE_FAIL_TASK: 't00000' });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/dead letter 1; eventlake dlq replay 1 runs it again/);
    const [dead] = await runsIn(state);

    await writeObject(source, '2019-06-01-15-50-0-events.json', `${Array.from({ length: 8 }, (_, i) => line(`late${i}`)).join('\n')}\n`);
    const rerun = await runCli(['run', ...args, '--json']);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ events: { vehicle: 18 } });
    const newer = (await runsIn(state)).find((r) => r.id !== dead?.id);

    const replay = await runCli(['dlq', 'replay', '1', '--state', state]);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toBe(
      `eventlake: dead letter 1 was not replayed: its run ${dead?.id} is older than run ${newer?.id}, which published hour ${SAMPLE_HOUR} since (at ${newer?.finishedAt}), and replaying it would put the older data back; eventlake run --hour ${SAMPLE_HOUR} reads the hour's sources again if they changed\n`,
    );
    // The lake still holds the newer run's rows, the old run is still failed, the letter still unreplayed.
    expect(await query(`SELECT count(*) AS n FROM '${lake}/vehicle/*/*/*.parquet'`)).toEqual([{ n: '18' }]);
    expect(Object.fromEntries((await runsIn(state)).map((r) => [r.id, r.status]))).toEqual({ [dead?.id as string]: 'failed', [newer?.id as string]: 'success' });
    const letters = JSON.parse((await runCli(['dlq', 'list', '--json', '--state', state])).stdout) as { deadLetters: { id: number }[] };
    expect(letters.deadLetters.map((d) => d.id)).toEqual([1]);
  });
});
