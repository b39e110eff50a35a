/** `eventlake up` catching up on missed hours: each hour once, never more than max_active_runs at a time. */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { runsIn } from '../helpers/in-process.js';
import { dbRuns, duplicateLines, maxOverlap, rowsPerHour, spawnCli, stagingLeft, stateRows, utcLabel, waitFor, writeSmallHour } from '../helpers/long-running.js';

const HOUR_MS = 3_600_000;

/** The live scheduler's completed ticks, as `eventlake status --json` reports them; undefined while none is registered. */
async function schedulerTicks(state: string): Promise<number | undefined> {
  const status = await runCli(['status', '--json', '--state', state]);
  return (JSON.parse(status.stdout) as { schedulers: { ticks: number }[] }).schedulers[0]?.ticks;
}

describe('eventlake up with catchup', () => {
  it('runs each of 24 missed hours once, at most max_active_runs at a time, and a restart queues nothing new', { timeout: 180_000 }, async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = await tempDir();
    const lastClosed = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
    const hours = Array.from({ length: 24 }, (_, i) => utcLabel(lastClosed - (23 - i) * HOUR_MS));
    const expected: Record<string, number> = {};
    // Hours of different sizes, so a count in the wrong hour shows.
    for (const [i, label] of hours.entries()) expected[label] = await writeSmallHour(source, label, 2 + (i % 3), 2);

    const env = {
      EVENTLAKE_SCHEDULE_CATCHUP: 'true',
      EVENTLAKE_SCHEDULE_START: hours[0] as string,
      EVENTLAKE_SCHEDULE_DELAY: '0s',
      EVENTLAKE_SCHEDULE_TICK: '200ms',
      EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS: '2',
      EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none',
      EVENTLAKE_DEADLINES_MAX_RUN_DURATION: 'none',
      EVENTLAKE_RETRIES_DELAY: '50ms',
      // Each run is held a moment after taking its hour: all 24 are queued at once, so without
      // the limit they would all overlap; with it, two do.
      EVENTLAKE_PAUSE_AT: 'after-lease',
      EVENTLAKE_PAUSE_MS: '100',
    };
    const args = ['up', '--source', source, '--lake', lake, '--state', state, '--layout', 'flat', '--workers', '1', '--json'];
    const up = spawnCli(args, env);
    const ours = (): ReturnType<typeof dbRuns> => dbRuns(state).filter((r) => hours.includes(r.hour));
    await waitFor(
      '24 catchup runs to succeed',
      async () => {
        const ended = await Promise.race([up.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('running'), 0))]);
        if (ended === 'exited') throw new Error(`up exited early: ${up.err()}`);
        return ours().filter((r) => r.status === 'success').length >= 24;
      },
      120_000,
      200,
    );
    up.child.kill('SIGINT');
    const exit = await up.exited;
    expect(up.err()).toBe('');
    expect(exit).toEqual({ code: 0, signal: null });

    // Exactly one run per hour, each a success started by catchup.
    const records = (await runsIn(state)).filter((r) => hours.includes(r.hour));
    expect(records.map((r) => r.hour).sort()).toEqual(hours);
    expect(records.every((r) => r.status === 'success' && r.trigger === 'catchup')).toBe(true);
    // The JSON lines: one "queued" and one "success" per hour.
    const lines = up.jsonLines();
    const queued = lines.filter((l) => l['event'] === 'queued').map((l) => (l['run'] as { hour: string }).hour);
    const succeeded = lines.filter((l) => l['event'] === 'success').map((l) => (l['run'] as { hour: string }).hour);
    expect(queued.filter((h) => hours.includes(h)).sort()).toEqual(hours);
    expect(succeeded.filter((h) => hours.includes(h)).sort()).toEqual(hours);

    // The lake holds each hour's rows once.
    expect(await rowsPerHour(lake)).toEqual(expected);
    expect(await duplicateLines(lake)).toEqual([]);
    expect(await stagingLeft(lake)).toEqual([]);

    // Never more than 2 at once, and 2 is reached: the limit is what holds it.
    const overlap = maxOverlap(ours());
    expect(overlap).toBeLessThanOrEqual(2);
    expect(overlap).toBe(2);
    // Across every run of the state, too (an hour closing during the test adds one).
    expect(maxOverlap(dbRuns(state))).toBeLessThanOrEqual(2);

    // A restart finds the marks: no hour is queued again.
    const before = dbRuns(state).length;
    const again = spawnCli(args, env);
    const registered = await waitFor('the restarted up to register', async () => {
      const ticks = await schedulerTicks(state);
      return ticks === undefined ? undefined : { ticks };
    });
    // Five ticks (each looks for due hours, catching up from the marks) complete while it runs;
    // a scheduler loop that stalled would time this wait out instead of passing.
    await waitFor('5 more scheduler ticks', async () => ((await schedulerTicks(state)) ?? -1) >= registered.ticks + 5, 15_000);
    again.child.kill('SIGINT');
    const exitAgain = await again.exited;
    expect(again.err()).toBe('');
    expect(exitAgain).toEqual({ code: 0, signal: null });
    expect(again.jsonLines().filter((l) => l['event'] === 'queued' && hours.includes((l['run'] as { hour: string }).hour))).toEqual([]);
    expect(ours()).toHaveLength(24);
    // Nothing new at all, unless a new hour closed meanwhile.
    const newHour = utcLabel(Date.now() - HOUR_MS) !== hours[23];
    if (!newHour) expect(dbRuns(state)).toHaveLength(before);
    expect(stateRows(state, `SELECT owner FROM schedulers`)).toEqual([]);
  });
});
