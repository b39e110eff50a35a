/** `kill -9` of `eventlake up` in the middle of a backfill: the next `up` finishes every hour, each exactly once. */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { dbRuns, duplicateLines, rowsPerHour, spawnCli, stagingLeft, stateRows, waitFor, writeSmallHour, type DbRun } from '../helpers/long-running.js';

const HOURS = Array.from({ length: 8 }, (_, h) => `2019-06-01T0${h}`);
/**
 * How long the killed up holds each run it starts (EVENTLAKE_PAUSE_AT=after-lease): a run that
 * started less than half of it ago cannot end before a kill sent at once, whatever the load.
 */
const HOLD_MS = 2000;

describe('eventlake up killed with -9 during a backfill', () => {
  it('is finished by the next up without a manual step: every hour in the lake exactly once', { timeout: 180_000 }, async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = await tempDir();
    const expected: Record<string, number> = {};
    for (const [i, label] of HOURS.entries()) expected[label] = await writeSmallHour(source, label, 2 + (i % 3), 3);

    const base = {
      EVENTLAKE_SCHEDULE_CATCHUP: 'false',
      EVENTLAKE_SCHEDULE_TICK: '200ms',
      EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none',
      EVENTLAKE_DEADLINES_MAX_RUN_DURATION: 'none',
      EVENTLAKE_RETRIES_DELAY: '50ms',
    };
    const target = ['--source', source, '--lake', lake, '--state', state, '--layout', 'flat', '--workers', '1'];
    const up = spawnCli(['up', ...target, '--json'], { ...base, EVENTLAKE_PAUSE_AT: 'after-lease', EVENTLAKE_PAUSE_MS: String(HOLD_MS) });
    await waitFor('up to register on the state', () => stateRows(state, `SELECT owner FROM schedulers`).length === 1);

    const backfill = await runCli(['backfill', ...target, '--from', HOURS[0] as string, '--to', HOURS[7] as string, '--json']);
    expect(backfill.stderr).toBe('');
    expect(backfill.code).toBe(0);
    const handed = JSON.parse(backfill.stdout) as { handedToScheduler: boolean; runs: { id: string; hour: string; status: string }[] };
    expect(handed.handedToScheduler).toBe(true);
    expect(handed.runs.map((r) => r.hour)).toEqual(HOURS);
    const ids = handed.runs.map((r) => r.id);
    expect(new Set(ids).size).toBe(8);

    const succeeded = (): number => dbRuns(state).filter((r) => ids.includes(r.id) && r.status === 'success').length;
    const running = (): number => dbRuns(state).filter((r) => ids.includes(r.id) && r.status === 'running').length;
    // Killed in the middle: some hours done, one just started, so held by the process mid-run
    // (a run seen running a moment before the kill may have ended in between: not this one).
    const justStarted = (): DbRun | undefined =>
      dbRuns(state).find((r) => ids.includes(r.id) && r.status === 'running' && r.started_at !== null && Date.now() - r.started_at < HOLD_MS / 2);
    const held = await waitFor('a first backfill hour to succeed while another has just started', () => (succeeded() >= 1 ? justStarted() : undefined), 60_000, 20);
    const killedAt = Date.now();
    up.child.kill('SIGKILL');
    const killed = await up.exited;
    // The kill landed: up (which never ends by itself) died of it, in the middle of the backfill,
    // while the run it had just started was still in its hold.
    expect(killed, up.err()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(killedAt - (held.started_at ?? 0)).toBeLessThan(HOLD_MS);
    expect(dbRuns(state).find((r) => r.id === held.id)?.status).toBe('running');
    const doneAtKill = succeeded();
    expect(doneAtKill).toBeGreaterThanOrEqual(1);
    expect(doneAtKill).toBeLessThan(8);
    // The dead process left runs mid-way (status running, its owner gone): they are what must be taken over.
    expect(running()).toBeGreaterThanOrEqual(1);
    // And the lake without some of the hours: none of a run still queued, and not all eight.
    // (A run left running may have published just before the kill: a dead run's hour may be there.)
    const atKill = dbRuns(state).filter((r) => ids.includes(r.id));
    const inLakeAtKill = Object.keys(await rowsPerHour(lake));
    const queuedAtKill = atKill.filter((r) => r.status === 'queued').map((r) => r.hour);
    expect(inLakeAtKill.filter((h) => queuedAtKill.includes(h))).toEqual([]);
    expect(inLakeAtKill.length).toBeLessThan(8);
    expect(atKill.filter((r) => r.status === 'success').map((r) => r.hour).every((h) => inLakeAtKill.includes(h))).toBe(true);

    // The next up, with no pause, takes over what the dead one held and runs the rest.
    const next = spawnCli(['up', ...target, '--json'], base);
    await waitFor('all 8 backfill hours to succeed', async () => {
      const exited = await Promise.race([next.exited.then(() => true), Promise.resolve(false)]);
      if (exited) throw new Error(`up exited early: ${next.err()}`);
      return succeeded() === 8;
    });
    next.child.kill('SIGINT');
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(next.err()).toBe('');

    expect(await rowsPerHour(lake)).toEqual(expected);
    expect(await duplicateLines(lake)).toEqual([]);
    expect(await stagingLeft(lake)).toEqual([]);
    // One run per hour of the range, the backfill's own, each a success.
    const runs = dbRuns(state).filter((r) => HOURS.includes(r.hour));
    expect(runs.map((r) => [r.hour, r.status, r.trigger]).sort()).toEqual(HOURS.map((h) => [h, 'success', 'backfill']));
    expect(runs.map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it('stopped with Ctrl-C during a backfill: exits 0, and the next up finishes every hour exactly once', { timeout: 180_000 }, async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = await tempDir();
    const expected: Record<string, number> = {};
    for (const [i, label] of HOURS.entries()) expected[label] = await writeSmallHour(source, label, 2 + (i % 3), 3);
    const base = {
      EVENTLAKE_SCHEDULE_CATCHUP: 'false',
      EVENTLAKE_SCHEDULE_TICK: '200ms',
      EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none',
      EVENTLAKE_DEADLINES_MAX_RUN_DURATION: 'none',
      EVENTLAKE_RETRIES_DELAY: '50ms',
    };
    const target = ['--source', source, '--lake', lake, '--state', state, '--layout', 'flat', '--workers', '1'];
    const up = spawnCli(['up', ...target, '--json'], { ...base, EVENTLAKE_PAUSE_AT: 'after-lease', EVENTLAKE_PAUSE_MS: '700' });
    await waitFor('up to register on the state', () => stateRows(state, `SELECT owner FROM schedulers`).length === 1);
    const backfill = await runCli(['backfill', ...target, '--from', HOURS[0] as string, '--to', HOURS[7] as string, '--json']);
    expect(backfill.code).toBe(0);
    const ids = (JSON.parse(backfill.stdout) as { runs: { id: string }[] }).runs.map((r) => r.id);
    const succeeded = (): number => dbRuns(state).filter((r) => ids.includes(r.id) && r.status === 'success').length;
    const running = (): number => dbRuns(state).filter((r) => ids.includes(r.id) && r.status === 'running').length;
    await waitFor('a first backfill hour to succeed while another runs', () => succeeded() >= 1 && running() >= 1, 60_000, 20);
    up.child.kill('SIGINT');
    // up never ends by itself: exiting 0 is its clean stop on the Ctrl-C.
    expect(await up.exited).toEqual({ code: 0, signal: null });
    expect(up.err()).toBe('');
    // A clean stop gives its runs back to the queue and leaves the scheduler table.
    expect(running()).toBe(0);
    expect(stateRows(state, `SELECT owner FROM schedulers`)).toEqual([]);
    expect(succeeded()).toBeLessThan(8);
    // The stop landed mid-backfill: the hours not done went back to the queue, unpublished (a
    // clean stop lets a run that is publishing finish first), so the lake holds exactly the done ones.
    const atStop = dbRuns(state).filter((r) => ids.includes(r.id));
    const doneAtStop = atStop.filter((r) => r.status === 'success').map((r) => r.hour);
    expect(atStop.filter((r) => r.status !== 'success').map((r) => r.status)).toEqual(Array.from({ length: 8 - doneAtStop.length }, () => 'queued'));
    expect(Object.keys(await rowsPerHour(lake))).toEqual([...doneAtStop].sort());

    const next = spawnCli(['up', ...target, '--json'], base);
    await waitFor('all 8 backfill hours to succeed', async () => {
      const exited = await Promise.race([next.exited.then(() => true), Promise.resolve(false)]);
      if (exited) throw new Error(`up exited early: ${next.err()}`);
      return succeeded() === 8;
    });
    next.child.kill('SIGINT');
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(await rowsPerHour(lake)).toEqual(expected);
    expect(await duplicateLines(lake)).toEqual([]);
    expect(await stagingLeft(lake)).toEqual([]);
    const runs = dbRuns(state).filter((r) => HOURS.includes(r.hour));
    expect(runs.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(runs.every((r) => r.status === 'success')).toBe(true);
  });
});
