/** Late data seen by a running `eventlake up` (rerun or alert), and the quality alert of a run quarantining too much. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SchedulerPresence } from '../../src/orchestration/scheduler-state.js';
import { openStateStore } from '../../src/orchestration/state-store-registry.js';
import { query, runCli, tempDir, writeObject } from '../helpers/fixtures.js';
import { runsIn } from '../helpers/in-process.js';
import { appendTo, exitWithin, jsonLines, startCli, vehicleLine, waitFor, writeSmallHour, type Running } from '../helpers/processes.js';

const HOUR = '2019-06-01T15';
const LATE_KEY = '2019-06-01-15-0-59-events.json';

async function callbackConfig(dir: string, on: string, file: string): Promise<string> {
  const config = join(dir, 'alerts.yaml');
  await writeFile(config, ['callbacks:', `  - on: [${on}]`, `    command: ${JSON.stringify(appendTo(file))}`, ''].join('\n'));
  return config;
}

async function lakeRows(lake: string): Promise<number> {
  const rows = await query(`SELECT count(*) AS n FROM '${lake}/vehicle/*/*/*.parquet'`);
  return Number(rows[0]?.['n']);
}

/** The live scheduler and its progress (ticks, late-data checks), as the state records it; undefined while none is registered. */
async function liveScheduler(state: string): Promise<SchedulerPresence | undefined> {
  const store = await openStateStore({ kind: 'sqlite', dir: state });
  try {
    return (await store.scheduler.live())[0];
  } finally {
    store.close();
  }
}

/**
 * Waits until the live scheduler has completed `n` more late-data checks than it had when
 * called: what a check would find has been looked for `n` times. A scheduler loop that stalled
 * times the wait out (the test fails) rather than letting "nothing happened" pass.
 */
async function afterLateChecks(state: string, n: number): Promise<void> {
  const start = (await liveScheduler(state))?.lateChecks;
  if (start === undefined) throw new Error('no scheduler is registered on the state');
  await waitFor(`${n} more late-data checks`, async () => ((await liveScheduler(state))?.lateChecks ?? -1) >= start + n, 15_000);
}

async function lateEvents(state: string): Promise<Record<string, unknown>[]> {
  const store = await openStateStore({ kind: 'sqlite', dir: state });
  try {
    return (await store.events.events({ kind: 'late_data' })).map((e) => e.payload);
  } finally {
    store.close();
  }
}

const FAST = {
  EVENTLAKE_SCHEDULE_TICK: '200ms',
  EVENTLAKE_LATE_DATA_CHECK_EVERY: '200ms',
  EVENTLAKE_SCHEDULE_CATCHUP: 'false',
  // The hour the schedule makes due now has no objects here: let it fail at once, without retries.
  EVENTLAKE_RETRIES_COUNT: '0',
};

interface LateSetup {
  readonly source: string;
  readonly lake: string;
  readonly state: string;
  readonly calls: string;
  readonly common: string[];
  readonly rows: number;
}

/** One old hour run with `eventlake run`, then `eventlake up` started on the same folders. */
async function runThenUp(env: Record<string, string>): Promise<{ setup: LateSetup; up: Running }> {
  const dir = await tempDir();
  const [source, lake, state] = [join(dir, 'source'), join(dir, 'lake'), join(dir, 'state')];
  const calls = join(dir, 'calls.jsonl');
  const config = await callbackConfig(dir, 'late_data', calls);
  const rows = await writeSmallHour(source, HOUR, 3, 4);
  const common = ['--config', config, '--state', state, '--source', source, '--lake', lake, '--workers', '1'];
  const first = await runCli(['run', '--hour', HOUR, '--json', ...common]);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(await lakeRows(lake)).toBe(rows);
  const up = startCli(['up', '--json', ...common], { ...FAST, ...env });
  await waitFor('eventlake up to register', () => liveScheduler(state));
  return { setup: { source, lake, state, calls, common, rows }, up };
}

async function stopUp(up: Running): Promise<void> {
  up.child.kill('SIGINT');
  const exit = await exitWithin(up, 20_000);
  if (!exit) up.child.kill('SIGKILL');
  expect(exit, `eventlake up did not exit within 20 s of SIGINT; stderr: ${up.out.stderr}`).toEqual({ code: 0, signal: null });
}

describe('late data while eventlake up runs', () => {
  it('an object added to an hour that succeeded: one late_data event, its callback once, and the hour rerun with the new rows', async () => {
    const { setup, up } = await runThenUp({});
    try {
      await writeObject(setup.source, LATE_KEY, `${[vehicleLine('late-1'), vehicleLine('late-2')].join('\n')}\n`);

      const [call] = await waitFor('the late_data callback', async () => {
        const lines = await jsonLines(setup.calls);
        return lines.length > 0 ? lines : undefined;
      });
      expect(call).toMatchObject({ event: 'late_data', action: 'rerun', added: 1, changed: 0, removed: 0, run: { hour: HOUR, status: 'success' } });
      expect(call?.['objects']).toEqual([LATE_KEY]);

      const rerun = await waitFor('the rerun to succeed', async () => {
        const runs = await runsIn(setup.state);
        return runs.find((r) => r.hour === HOUR && r.trigger === 'late_data' && r.status === 'success');
      });
      expect(rerun.summary?.events).toEqual({ vehicle: setup.rows + 2 });
      expect(await lakeRows(setup.lake)).toBe(setup.rows + 2);
      const late = await query(`SELECT count(*) AS n FROM '${setup.lake}/vehicle/*/*/*.parquet' WHERE vehicle_id LIKE 'late-%'`);
      expect(Number(late[0]?.['n'])).toBe(2);

      // Five more checks go by: the rerun planned the new object, so nothing is late any more.
      await afterLateChecks(setup.state, 5);
      expect(await jsonLines(setup.calls)).toHaveLength(1);
      expect(await lateEvents(setup.state)).toHaveLength(1);
      expect((await runsIn(setup.state)).filter((r) => r.hour === HOUR).map((r) => r.trigger)).toEqual(['run', 'late_data']);
      expect(up.out.stdout).toMatch(new RegExp(`"event":"queued","run":\\{[^}]*"hour":"${HOUR}"[^}]*"trigger":"late_data"`));
    } finally {
      await stopUp(up);
    }
  });

  it('with lateData.action alert: the event and its callback, but no rerun', async () => {
    const { setup, up } = await runThenUp({ EVENTLAKE_LATE_DATA_ACTION: 'alert' });
    try {
      await writeObject(setup.source, LATE_KEY, `${vehicleLine('late-1')}\n`);
      const [call] = await waitFor('the late_data callback', async () => {
        const lines = await jsonLines(setup.calls);
        return lines.length > 0 ? lines : undefined;
      });
      expect(call).toMatchObject({ event: 'late_data', action: 'alert', added: 1, objects: [LATE_KEY] });
      // Five more checks find the same late object: it was recorded once and nothing reruns the hour.
      await afterLateChecks(setup.state, 5);
      expect(await jsonLines(setup.calls)).toHaveLength(1);
      expect((await runsIn(setup.state)).filter((r) => r.hour === HOUR).map((r) => [r.trigger, r.status])).toEqual([['run', 'success']]);
      expect(await lakeRows(setup.lake)).toBe(setup.rows);

      const status = await runCli(['status', '--json', ...setup.common.slice(0, 4)]);
      const s = JSON.parse(status.stdout) as { alerts: { kind: string; hour: string; payload: Record<string, unknown> }[]; schedulers: SchedulerPresence[] };
      expect(s.alerts).toEqual([expect.objectContaining({ kind: 'late_data', hour: HOUR, payload: expect.objectContaining({ action: 'alert' }) })]);
      // The scheduler's progress: at least the checks waited for above, each on a tick of its own.
      expect(s.schedulers).toEqual([expect.objectContaining({ lake: setup.lake, ticks: expect.any(Number), lastTickAt: expect.any(String), lateChecks: expect.any(Number) })]);
      const [scheduler] = s.schedulers as [SchedulerPresence];
      expect(scheduler.lateChecks).toBeGreaterThanOrEqual(6);
      expect(scheduler.ticks).toBeGreaterThanOrEqual(scheduler.lateChecks);
      expect(Date.parse(scheduler.lastTickAt as string)).toBeGreaterThanOrEqual(Date.parse(scheduler.since));
      const text = await runCli(['status', ...setup.common.slice(0, 4)]);
      expect(text.stdout).toMatch(/^scheduler: running as process \d+ since \S+ \(lake .+\), \d+ ticks, last \d+(\.\d)? s ago, \d+ late-data checks$/m);
    } finally {
      await stopUp(up);
    }
  });
});

describe('quality', () => {
  it('an hour quarantining half its lines publishes, raises the quality callback and is marked poorQuality', async () => {
    const dir = await tempDir();
    const [source, lake, state] = [join(dir, 'source'), join(dir, 'lake'), join(dir, 'state')];
    const calls = join(dir, 'calls.jsonl');
    const config = await callbackConfig(dir, 'quality', calls);
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${vehicleLine('good-1')}\n{not json\n`);
    const common = ['--config', config, '--state', state];
    const result = await runCli(['run', '--hour', HOUR, '--json', '--source', source, '--lake', lake, ...common], undefined, {
      EVENTLAKE_QUALITY_MAX_QUARANTINED_SHARE: '0.1',
    });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { runId: string; quarantined: number; events: Record<string, number>; warnings?: string[] };
    // A mark on the run and an event, not a warning: the hour did what it should.
    expect(summary).toMatchObject({ quarantined: 1, events: { vehicle: 1 }, poorQuality: true, quarantinedShare: 0.5 });
    expect(summary.warnings).toBeUndefined();
    expect(result.stderr).toBe('');
    expect(await lakeRows(lake)).toBe(1);

    const lines = await jsonLines(calls);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      event: 'quality',
      quarantinedShare: 0.5,
      threshold: 0.1,
      quarantined: 1,
      lines: 2,
      run: { id: summary.runId, hour: HOUR, status: 'success', attempt: 1, error: null },
    });

    const status = await runCli(['status', '--json', ...common], undefined, { EVENTLAKE_QUALITY_MAX_QUARANTINED_SHARE: '0.1' });
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as { runs: { id: string; status: string; poorQuality?: boolean }[]; alerts: { kind: string }[] };
    expect(s.runs).toEqual([expect.objectContaining({ id: summary.runId, status: 'success', poorQuality: true })]);
    expect(s.alerts.map((a) => a.kind)).toEqual(['quality']);
  });

  it('an hour at or under the threshold raises no quality event', async () => {
    const dir = await tempDir();
    const [source, lake, state] = [join(dir, 'source'), join(dir, 'lake'), join(dir, 'state')];
    const calls = join(dir, 'calls.jsonl');
    const config = await callbackConfig(dir, 'quality', calls);
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${vehicleLine('good-1')}\n{not json\n`);
    const result = await runCli(['run', '--hour', HOUR, '--json', '--source', source, '--lake', lake, '--config', config, '--state', state], undefined, {
      EVENTLAKE_QUALITY_MAX_QUARANTINED_SHARE: '0.5',
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(await jsonLines(calls)).toEqual([]);
    const status = await runCli(['status', '--json', '--config', config, '--state', state]);
    const s = JSON.parse(status.stdout) as { runs: { poorQuality?: boolean }[] };
    expect(s.runs[0]?.poorQuality).toBeUndefined();
  });
});
