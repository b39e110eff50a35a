/** Several eventlake processes on one state folder: one hour is never run twice at once; a fresh state is created once. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCliProcess, tempDir } from '../helpers/fixtures.js';
import { MIGRATIONS } from '../../src/orchestration/sqlite/migrations.js';
import { dbRuns, duplicateLines, overlappingSameHour, rowsPerHour, spawnCli, stagingLeft, waitFor, writeSmallHour } from '../helpers/long-running.js';

const QUIET = { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none', EVENTLAKE_DEADLINES_MAX_RUN_DURATION: 'none' };

describe('processes sharing one state', () => {
  it('a second run of an hour being run stops at once, naming the process that runs it', { timeout: 120_000 }, async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = await tempDir();
    const HOUR = '2019-06-01T05';
    const lines = await writeSmallHour(source, HOUR, 3, 3);
    const args = ['run', '--source', source, '--lake', lake, '--state', state, '--hour', HOUR, '--layout', 'flat', '--workers', '1', '--json'];
    const first = spawnCli(args, { ...QUIET, EVENTLAKE_PAUSE_AT: 'after-lease', EVENTLAKE_PAUSE_MS: '3000' });
    await waitFor('the first run to be running', () => dbRuns(state).some((r) => r.hour === HOUR && r.status === 'running'), 60_000, 20);

    const second = await runCliProcess(args, undefined, QUIET);
    // The first still holds the hour: the second did not wait for it.
    expect(first.child.exitCode).toBe(null);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    const escaped = lake.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(second.stderr).toMatch(new RegExp(`^eventlake: hour ${HOUR} of ${escaped} is already being run by process ${first.pid} \\(run ${HOUR}-\\w+\\); wait for it to end\\n$`));

    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.err()).toBe('');
    expect(await rowsPerHour(lake)).toEqual({ [HOUR]: lines });
    // The refused run left no run of its own: one run, a success.
    expect(dbRuns(state).map((r) => [r.hour, r.status])).toEqual([[HOUR, 'success']]);
  });

  it('two backfills of the same hours started together both succeed, each hour run once', { timeout: 120_000 }, async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = await tempDir();
    const hours = ['2019-06-01T10', '2019-06-01T11', '2019-06-01T12', '2019-06-01T13'];
    const expected: Record<string, number> = {};
    for (const [i, h] of hours.entries()) expected[h] = await writeSmallHour(source, h, 2 + i, 2);
    const args = ['backfill', '--source', source, '--lake', lake, '--state', state, '--from', hours[0] as string, '--to', hours[3] as string, '--layout', 'flat', '--workers', '1', '--json'];
    // A short pause after the lease widens the window in which both could take the same hour.
    const env = { ...QUIET, EVENTLAKE_PAUSE_AT: 'after-lease', EVENTLAKE_PAUSE_MS: '200' };
    const [a, b] = await Promise.all([runCliProcess(args, undefined, env), runCliProcess(args, undefined, env)]);
    for (const r of [a, b]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { handedToScheduler: boolean; runs: { hour: string; status: string }[] };
      expect(out.handedToScheduler).toBe(false);
      expect(out.runs.map((x) => [x.hour, x.status])).toEqual(hours.map((h) => [h, 'success']));
    }
    const runs = dbRuns(state);
    expect(runs.map((r) => [r.hour, r.status]).sort()).toEqual(hours.map((h) => [h, 'success']));
    expect(overlappingSameHour(runs)).toBeUndefined();
    expect(await rowsPerHour(lake)).toEqual(expected);
    expect(await duplicateLines(lake)).toEqual([]);
    expect(await stagingLeft(lake)).toEqual([]);
  });

  it('a dozen processes opening a fresh state folder at once create its database once', { timeout: 120_000 }, async () => {
    const root = await tempDir();
    const state = join(root, 'fresh-state');
    // `resume` writes (status only reads, and refuses a state that does not exist).
    const results = await Promise.all(Array.from({ length: 12 }, () => runCliProcess(['resume', '--json', '--state', state], root)));
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
    }
    const db = new Database(join(state, 'eventlake.db'), { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(['attempts', 'dead_letters', 'deliveries', 'events', 'marks', 'messages', 'runs', 'schedulers']);
      expect(db.prepare(`SELECT count(*) AS n FROM runs`).get()).toEqual({ n: 0 });
      // One state id, the one its marker holds; each process made its database aside and only one was linked in.
      const id = db.prepare(`SELECT value FROM marks WHERE key = 'state.id'`).get() as { value: string };
      expect((await readFile(join(state, 'eventlake.db.id'), 'utf8')).trim()).toBe(id.value);
    } finally {
      db.close();
    }
    expect((await readdir(state)).filter((f) => f.includes('.new-'))).toEqual([]);
  });
});
