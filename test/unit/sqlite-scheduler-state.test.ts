/** The SQLite scheduler state: presence, progress (ticks, late-data checks) and marks, with an injected clock. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { thisProcess } from '../../src/orchestration/process-identity.js';
import { MIGRATIONS } from '../../src/orchestration/sqlite/migrations.js';
import { SqliteSchedulerState } from '../../src/orchestration/sqlite/sqlite-scheduler-state.js';
import { openStateDatabase, STATE_DB_FILE } from '../../src/orchestration/sqlite/state-database.js';
import { tempDir } from '../helpers/fixtures.js';

const T0 = Date.parse('2024-05-01T10:30:00.000Z');
/** An owner on another host: it cannot be asked, so it counts as alive. */
const FAR = 'worker-b:4242:1';

describe('SqliteSchedulerState', () => {
  it('registers a scheduler with no ticks, counts each tick and late-data check, and forgets it on unregister', async () => {
    const db = await openStateDatabase(await tempDir());
    const state = new SqliteSchedulerState(db, () => T0);
    await state.register(thisProcess, { lake: '/lake', source: '/source' });
    expect(await state.live()).toEqual([{ owner: thisProcess, lake: '/lake', source: '/source', since: '2024-05-01T10:30:00.000Z', ticks: 0, lateChecks: 0 }]);

    await state.recordTick(thisProcess, new Date(T0 + 200), true);
    await state.recordTick(thisProcess, new Date(T0 + 400), false);
    await state.recordTick(thisProcess, new Date(T0 + 600), false);
    expect(await state.live()).toEqual([
      expect.objectContaining({ owner: thisProcess, ticks: 3, lastTickAt: '2024-05-01T10:30:00.600Z', lateChecks: 1 }),
    ]);

    // Registering again (the same process) keeps its progress; another scheduler counts apart.
    await state.register(thisProcess, { lake: '/lake', source: '/source' });
    await state.register(FAR, { lake: '/other', source: '/source' });
    await state.recordTick(FAR, new Date(T0 + 700), true);
    expect((await state.live()).map((s) => [s.owner, s.ticks, s.lateChecks])).toEqual([
      [thisProcess, 3, 1],
      [FAR, 1, 1],
    ]);

    await state.unregister(thisProcess);
    // A tick after unregistering (a stop racing the last tick) records nothing and does not throw.
    await state.recordTick(thisProcess, new Date(T0 + 800), false);
    expect((await state.live()).map((s) => s.owner)).toEqual([FAR]);
    db.close();
  });

  it('drops a scheduler whose process died', async () => {
    const db = await openStateDatabase(await tempDir());
    const state = new SqliteSchedulerState(db, () => T0);
    await state.register(`${thisProcess.split(':')[0] ?? ''}:999999999:1`, { lake: '/lake', source: '/source' });
    expect(await state.live()).toEqual([]);
    expect(db.prepare(`SELECT count(*) AS n FROM schedulers`).get()).toEqual({ n: 0 });
    db.close();
  });

  it('adds the progress columns to a state made by the previous schema, keeping a registered scheduler', async () => {
    const dir = await tempDir();
    const old = new Database(join(dir, STATE_DB_FILE));
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    old.prepare(`INSERT INTO schedulers (owner, lake, source, since) VALUES (?, ?, ?, ?)`).run(FAR, '/lake', '/source', T0);
    old.close();

    const db = await openStateDatabase(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const state = new SqliteSchedulerState(db);
    expect(await state.live()).toEqual([{ owner: FAR, lake: '/lake', source: '/source', since: '2024-05-01T10:30:00.000Z', ticks: 0, lateChecks: 0 }]);
    await state.recordTick(FAR, new Date(T0 + 5000), false);
    expect((await state.live())[0]).toMatchObject({ ticks: 1, lastTickAt: '2024-05-01T10:30:05.000Z', lateChecks: 0 });
    db.close();
  });

  it('keeps marks', async () => {
    const db = await openStateDatabase(await tempDir());
    const state = new SqliteSchedulerState(db);
    expect(await state.mark('k')).toBeUndefined();
    await state.setMark('k', 'a');
    await state.setMark('k', 'b');
    expect(await state.mark('k')).toBe('b');
    db.close();
  });
});
