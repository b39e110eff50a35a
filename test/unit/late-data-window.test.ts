/**
 * The late-data check on a real SQLite state and real source folder: it lists the source of the
 * hours inside `lateData.window` only, counted through the listing it is given (not timed).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hourOf, parseHour, type Hour } from '../../src/pipeline/hour.js';
import { planRun } from '../../src/orchestration/plan-run.js';
import { thisProcess } from '../../src/orchestration/process-identity.js';
import { RunEvents } from '../../src/orchestration/run-events.js';
import type { RunRequest } from '../../src/orchestration/run-store.js';
import { Scheduler, type ScheduleSettings } from '../../src/orchestration/scheduler.js';
import type { StateStore } from '../../src/orchestration/state-store.js';
import { openStateStore } from '../../src/orchestration/state-store-registry.js';
import { tempDir, writeObject } from '../helpers/fixtures.js';
import { LOCAL_RUN_REQUEST } from '../helpers/run-request.js';
import { vehicleLine } from '../helpers/processes.js';

const HOURS = 310;
const FIRST = Date.parse('2019-05-20T00:00:00Z');
const label = (n: number): string => hourOf(new Date(FIRST + n * 3_600_000)).label;
const objectKey = (n: number, s = 0): string => `${label(n).slice(0, 10)}-${label(n).slice(11, 13)}-0-${s}-events.json`;

function settings(windowMs: number): ScheduleSettings {
  return {
    lake: '/lake',
    cron: '0 * * * *',
    timezone: 'UTC',
    delayMs: 0,
    catchup: false,
    tickMs: 200,
    lateData: { action: 'alert', lookBackMs: 24 * 3_600_000, checkEveryMs: 1000, windowMs },
  };
}

/** `HOURS` hours that succeeded, each planned from one object of a real source folder. */
async function succeededHours(): Promise<{ state: StateStore; source: string; request: RunRequest }> {
  const dir = await tempDir();
  const source = join(dir, 'source');
  const request: RunRequest = { ...LOCAL_RUN_REQUEST, source: { kind: 'local', root: source } };
  const state = await openStateStore({ kind: 'sqlite', dir: join(dir, 'state') });
  for (let n = 0; n < HOURS; n++) {
    await writeObject(source, objectKey(n), `${vehicleLine(`v-${n}`)}\n`);
    const { run } = await state.runs.submit({ lake: '/lake', hour: label(n), trigger: 'catchup', request });
    await state.runs.start('me', { ids: [run.id], claimMs: 60_000 });
    await state.runs.saveManifest(run.id, await planRun(request, parseHour(label(n)) as Hour, run.id));
    const summary = { objects: 1, bytes: 1, skipped: 0, events: { vehicle: 1 }, quarantined: 0, outputs: [], seconds: 1, quarantinedShare: 0 };
    expect(await state.runs.end(run.id, 'me', { status: 'success', summary, poorQuality: false })).toBe(true);
  }
  return { state, source, request };
}

// Setting up 310 planned hours is most of the time, on a machine shared with other tests.
describe('late-data check window', { timeout: 60_000 }, () => {
  it('lists only the hours inside the window, however many hours succeeded, and still finds late objects there', async () => {
    const { state, source } = await succeededHours();
    try {
      const listed: string[] = [];
      const countingList = (request: RunRequest, hour: Hour): ReturnType<typeof planRun> => {
        listed.push(hour.label);
        return planRun(request, hour);
      };
      const scheduler = new Scheduler(state, thisProcess, new RunEvents(state.events, []), () => Promise.reject(new Error('no reruns')), settings(48 * 3_600_000), undefined, countingList);

      await scheduler.checkLateData();
      const newest48 = Array.from({ length: 48 }, (_, i) => label(HOURS - 48 + i));
      expect(listed.sort()).toEqual(newest48);
      expect(await state.events.events({ kind: 'late_data' })).toHaveLength(0);

      // A late object inside the window is found; one in an hour outside it is not looked for.
      await writeObject(source, objectKey(HOURS - 2, 1), `${vehicleLine('late-in')}\n`);
      await writeObject(source, objectKey(10, 1), `${vehicleLine('late-out')}\n`);
      listed.length = 0;
      await scheduler.checkLateData();
      expect(listed).toHaveLength(48);
      expect(listed).not.toContain(label(10));
      const late = await state.events.events({ kind: 'late_data' });
      expect(late.map((e) => [e.hour, e.payload['objects']])).toEqual([[label(HOURS - 2), [objectKey(HOURS - 2, 1)]]]);
    } finally {
      state.close();
    }
  });

  it('a one-hour window looks at the newest hour only', async () => {
    const { state } = await succeededHours();
    try {
      const listed: string[] = [];
      const scheduler = new Scheduler(state, thisProcess, new RunEvents(state.events, []), () => Promise.reject(new Error('no reruns')), settings(3_600_000), undefined, (request, hour) => {
        listed.push(hour.label);
        return planRun(request, hour);
      });
      await scheduler.checkLateData();
      expect(listed).toEqual([label(HOURS - 1)]);
    } finally {
      state.close();
    }
  });
});
