/** The scheduler counts its ticks and late-data checks in the state, on an injected clock (no sleeps). */
import { describe, expect, it } from 'vitest';
import { thisProcess } from '../../src/orchestration/process-identity.js';
import { RunEvents } from '../../src/orchestration/run-events.js';
import type { RunRecord, RunTrigger } from '../../src/orchestration/run-store.js';
import { Scheduler, type ScheduleSettings } from '../../src/orchestration/scheduler.js';
import type { StateStore } from '../../src/orchestration/state-store.js';
import { openStateStore } from '../../src/orchestration/state-store-registry.js';
import { tempDir } from '../helpers/fixtures.js';

const T0 = Date.parse('2024-05-01T10:30:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);

const settings: ScheduleSettings = {
  lake: '/lake',
  cron: '0 * * * *',
  timezone: 'UTC',
  delayMs: 0,
  catchup: false,
  tickMs: 200,
  lateData: { action: 'alert', lookBackMs: 24 * 3_600_000, checkEveryMs: 1000, windowMs: 48 * 3_600_000 },
};

interface Setup {
  readonly state: StateStore;
  readonly scheduler: Scheduler;
  readonly submitted: string[];
  /** Makes the next submit throw (a source folder gone for a moment). */
  failNext(): void;
  progress(): Promise<{ ticks: number; lateChecks: number; lastTickAt?: string } | undefined>;
}

async function setup(): Promise<Setup> {
  const state = await openStateStore({ kind: 'sqlite', dir: await tempDir() });
  await state.scheduler.register(thisProcess, { lake: '/lake', source: '/source' });
  const submitted: string[] = [];
  let fail = false;
  const submit = async (hour: string, trigger: RunTrigger): Promise<{ run: RunRecord; created: boolean }> => {
    if (fail) {
      fail = false;
      throw new Error('source folder gone');
    }
    submitted.push(`${hour} ${trigger}`);
    return { run: { id: `r-${hour}` } as RunRecord, created: true };
  };
  const scheduler = new Scheduler(state, thisProcess, new RunEvents(state.events, []), submit, settings);
  return {
    state,
    scheduler,
    submitted,
    failNext: () => (fail = true),
    progress: async () => {
      const [mine] = await state.scheduler.live();
      return mine && { ticks: mine.ticks, lateChecks: mine.lateChecks, ...(mine.lastTickAt === undefined ? {} : { lastTickAt: mine.lastTickAt }) };
    },
  };
}

describe('Scheduler ticks', () => {
  it('counts a tick at most once per tickMs, and a late-data check once per checkEvery', async () => {
    const s = await setup();
    expect(await s.progress()).toEqual({ ticks: 0, lateChecks: 0 });
    // Woken far more often than it ticks (every settled job wakes the loop).
    const ticked: boolean[] = [];
    for (let ms = 0; ms <= 2000; ms += 50) ticked.push(await s.scheduler.tick(at(ms)));
    // Ticks at 0, 200, …, 2000; late-data checks at 0, 1000, 2000.
    expect(ticked.filter(Boolean)).toHaveLength(11);
    expect(await s.progress()).toEqual({ ticks: 11, lateChecks: 3, lastTickAt: at(2000).toISOString() });
    // The first tick queued the hour the schedule made due, once.
    expect(s.submitted).toEqual(['2024-05-01T09 schedule']);
    s.state.close();
  });

  it('does not count a tick that failed, and counts the next one that works', async () => {
    const s = await setup();
    s.failNext();
    await expect(s.scheduler.tick(at(0))).rejects.toThrow(/source folder gone/);
    expect(await s.progress()).toEqual({ ticks: 0, lateChecks: 0 });
    // Too soon after the failed one: no tick.
    expect(await s.scheduler.tick(at(100))).toBe(false);
    // The late-data check the failed tick never reached is made by the next one.
    expect(await s.scheduler.tick(at(200))).toBe(true);
    expect(await s.progress()).toEqual({ ticks: 1, lateChecks: 1, lastTickAt: at(200).toISOString() });
    expect(await s.scheduler.tick(at(1000))).toBe(true);
    expect(await s.progress()).toEqual({ ticks: 2, lateChecks: 1, lastTickAt: at(1000).toISOString() });
    expect(await s.scheduler.tick(at(1200))).toBe(true);
    expect(await s.progress()).toEqual({ ticks: 3, lateChecks: 2, lastTickAt: at(1200).toISOString() });
    expect(s.submitted).toEqual(['2024-05-01T09 schedule']);
    s.state.close();
  });
});
