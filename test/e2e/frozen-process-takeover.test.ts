/**
 * A frozen `eventlake up` (SIGSTOP, as Ctrl-Z does) must not block the state (issue 20, item 8):
 * once its claims go unheartbeated for the visibility timeout, its runs stop counting against
 * maxActiveRuns and a second `up` takes them over; when the frozen one wakes up, whatever it
 * tries to settle is refused, and the lake holds every hour exactly once.
 */
import { readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { dbRuns, duplicateLines, rowsPerHour, spawnCli, stagingLeft, stateRows, waitFor, writeSmallHour } from '../helpers/long-running.js';
import { killGroup } from '../helpers/processes.js';

const HOURS = ['2019-06-01T00', '2019-06-01T01', '2019-06-01T02', '2019-06-01T03'];
/** How long the first up holds each run just before publishing: longer than the takeover takes. */
const HOLD_MS = 15_000;

/**
 * Whether another process can write the state now. A process stopped inside one of its (short)
 * write transactions would hold the database's write lock while frozen: no fix can take that
 * over, so the test stops the process again at another instant.
 */
function stateWritable(state: string): boolean {
  const db = new Database(join(state, 'eventlake.db'), { timeout: 200 });
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

describe('eventlake up frozen with SIGSTOP while it holds maxActiveRuns runs', () => {
  it('is taken over by a second up after the visibility timeout; woken up, it changes nothing', { timeout: 180_000 }, async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = await tempDir();
    const expected: Record<string, number> = {};
    for (const label of HOURS) expected[label] = await writeSmallHour(source, label, 3, 3);
    const base = {
      EVENTLAKE_SCHEDULE_CATCHUP: 'false',
      EVENTLAKE_SCHEDULE_TICK: '200ms',
      EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS: '2',
      EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none',
      EVENTLAKE_DEADLINES_MAX_RUN_DURATION: 'none',
      EVENTLAKE_RETRIES_DELAY: '50ms',
      EVENTLAKE_RETRIES_VISIBILITY_TIMEOUT: '2s',
    };
    const target = ['--source', source, '--lake', lake, '--state', state, '--layout', 'flat', '--workers', '1'];
    // The first up holds each run a while just before publishing, so it holds two at once.
    const frozen = spawnCli(['up', ...target, '--json'], { ...base, EVENTLAKE_PAUSE_AT: 'before-publish', EVENTLAKE_PAUSE_MS: String(HOLD_MS) });
    await waitFor('the first up to register on the state', () => stateRows(state, `SELECT owner FROM schedulers`).length === 1);
    // Watched from before the backfill is queued, so the freeze comes within moments of the
    // second run reaching its finish: both of its runs (the state's maxActiveRuns of 2) are then
    // inside their finish, writing the hour's files or holding just before publishing.
    const atFinish = waitFor('the first up to hold two runs at their finish', () => stateRows(state, `SELECT id FROM messages WHERE kind = 'finish' AND status = 'claimed'`).length === 2, 60_000, 20);
    const backfill = await runCli(['backfill', ...target, '--from', HOURS[0] as string, '--to', HOURS[3] as string, '--json']);
    expect(backfill.code, backfill.stderr).toBe(0);
    const ids = (JSON.parse(backfill.stdout) as { handedToScheduler: boolean; runs: { id: string }[] }).runs.map((r) => r.id);
    expect(ids).toHaveLength(4);
    await atFinish;
    for (;;) {
      killGroup(frozen.pid, 'SIGSTOP');
      if (stateWritable(state)) break;
      killGroup(frozen.pid, 'SIGCONT');
    }
    const ownedByFrozen = (r: { owner: string | null }): boolean => r.owner?.split(':')[1] === String(frozen.pid);
    const held = dbRuns(state).filter((r) => r.status === 'running');
    expect(held).toHaveLength(2);
    expect(held.every(ownedByFrozen)).toBe(true);
    const heldIds = held.map((r) => r.id);
    const rest = ids.filter((id) => !heldIds.includes(id));
    expect(dbRuns(state).filter((r) => rest.includes(r.id)).map((r) => r.status)).toEqual(['queued', 'queued']);

    const second = spawnCli(['up', ...target, '--json'], base);
    const byId = (id: string): ReturnType<typeof dbRuns>[number] | undefined => dbRuns(state).find((r) => r.id === id);
    const alive = async (): Promise<void> => {
      if (await Promise.race([second.exited.then(() => true), Promise.resolve(false)])) throw new Error(`the second up exited early: ${second.err()}`);
    };
    // The frozen runs stop counting once their claims lapse: the other two hours get run.
    await waitFor('the second up to run the two queued hours', async () => {
      await alive();
      return rest.every((id) => byId(id)?.status === 'success');
    });
    // It takes the frozen runs over too; their hours are still leased by the frozen process (a
    // lake lease lapses on its own expiry, 5 minutes), so they wait in the queue, not failed.
    await waitFor('the second up to take the frozen runs over', async () => {
      await alive();
      return heldIds.every((id) => !ownedByFrozen(byId(id) ?? { owner: null }));
    });
    expect(heldIds.map((id) => byId(id)?.status).filter((s) => s !== 'queued' && s !== 'running')).toEqual([]);
    // Instead of waiting out those 5 minutes, the frozen holder's lease files are aged past them.
    const longAgo = new Date(Date.now() - 10 * 60_000);
    for (const id of heldIds) await utimes(join(lake, '_leases', `${byId(id)?.hour ?? ''}.lease`), longAgo, longAgo);
    await waitFor('the second up to finish the frozen runs', async () => {
      await alive();
      return heldIds.every((id) => byId(id)?.status === 'success');
    });
    expect(await rowsPerHour(lake)).toEqual(expected);
    const secondOwner = stateRows<{ claimed_by: string }>(state, `SELECT claimed_by FROM messages WHERE kind = 'finish' AND run_id = ?`, heldIds[0]);
    expect(secondOwner.map((m) => m.claimed_by.split(':')[1])).toEqual([String(second.pid)]);
    // Each frozen finish is recorded as lost, then done by the second up.
    const finishAttempts = stateRows<{ worker: string; outcome: string }>(
      state,
      `SELECT a.worker, a.outcome FROM attempts a JOIN messages m ON m.id = a.message_id WHERE m.kind = 'finish' AND m.run_id IN (?, ?) ORDER BY a.id`,
      ...heldIds,
    );
    expect(finishAttempts.map((a) => [a.worker.split(':')[1], a.outcome]).sort()).toEqual(
      [
        [String(frozen.pid), 'lost'],
        [String(frozen.pid), 'lost'],
        [String(second.pid), 'ok'],
        [String(second.pid), 'ok'],
      ].sort(),
    );

    // The frozen up wakes up mid-finish and is stopped: a clean stop lets its finishes go on to
    // their end first, so by its exit each has tried to finish. It publishes nothing (its task
    // files and leases are gone) and settles nothing (its claims were taken over).
    killGroup(frozen.pid, 'SIGCONT');
    frozen.child.kill('SIGINT');
    expect(await frozen.exited).toEqual({ code: 0, signal: null });
    expect(frozen.err()).toBe('');
    // It noticed, and said so in its log, rather than publishing.
    const log = await readFile(join(state, 'logs', 'eventlake.log'), 'utf8');
    for (const id of heldIds) expect(log).toContain(`run ${id} was taken over by another process`);
    expect(await rowsPerHour(lake)).toEqual(expected);
    expect(await duplicateLines(lake)).toEqual([]);
    expect(await stagingLeft(lake)).toEqual([]);
    expect(dbRuns(state).filter((r) => ids.includes(r.id)).map((r) => r.status)).toEqual(['success', 'success', 'success', 'success']);

    second.child.kill('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.err()).toBe('');
  });
});
