/** Retention on a real SQLite state, on an injected clock: what `up`'s scheduler prunes and what it never touches. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { RunManifest, Task } from '../../src/pipeline/run-manifest.js';
import { thisProcess } from '../../src/orchestration/process-identity.js';
import { RunEvents } from '../../src/orchestration/run-events.js';
import type { RunRecord } from '../../src/orchestration/run-store.js';
import { PRUNE_EVERY_MS, Scheduler, type ScheduleSettings } from '../../src/orchestration/scheduler.js';
import { openSqliteStateStore } from '../../src/orchestration/sqlite/sqlite-state-store.js';
import type { StateStore } from '../../src/orchestration/state-store.js';
import { tempDir } from '../helpers/fixtures.js';
import { LOCAL_RUN_REQUEST } from '../helpers/run-request.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-05-01T10:30:00.000Z');
const SUMMARY = { objects: 1, bytes: 1, skipped: 0, events: { vehicle: 3 }, quarantined: 0, outputs: [], seconds: 1, quarantinedShare: 0 };

function settings(retentionMs?: number): ScheduleSettings {
  return {
    lake: '/lake',
    cron: '0 * * * *',
    timezone: 'UTC',
    delayMs: 0,
    catchup: false,
    tickMs: 200,
    lateData: { action: 'ignore', lookBackMs: DAY, checkEveryMs: 1000, windowMs: 2 * DAY },
    ...(retentionMs === undefined ? {} : { retentionMs }),
  };
}

const task = (hour: string): Task => ({ id: 't00000', objects: [{ index: 0, key: `${hour}-0-0-events.json`, size: 10 }], bytes: 10 });

/** A run planned with one task; `finish`: its task done and the run ended successfully. */
async function plannedRun(state: StateStore, hour: string, finish: boolean): Promise<string> {
  const { run } = await state.runs.submit({ lake: '/lake', hour, trigger: 'schedule', request: LOCAL_RUN_REQUEST });
  await state.runs.start('me', { ids: [run.id], claimMs: 60_000 });
  await state.runs.saveManifest(run.id, { runId: run.id, tasks: [task(hour)] } as unknown as RunManifest);
  await state.queue.enqueue(run.id, [{ kind: 'task', task: task(hour) }]);
  if (finish) {
    const claim = await state.queue.claim('me', [run.id], 60_000);
    expect(claim && (await state.queue.complete({ messageId: claim.id, claimToken: claim.claimToken }))).toBe(true);
    expect(await state.runs.end(run.id, 'me', { status: 'success', summary: SUMMARY, poorQuality: false })).toBe(true);
  }
  return run.id;
}

async function kept(state: StateStore, id: string): Promise<{ manifest: boolean; messages: number; run?: RunRecord }> {
  const run = await state.runs.get(id);
  return { manifest: (await state.runs.manifest(id)) !== undefined, messages: (await state.queue.counts(id)).tasks, ...(run ? { run } : {}) };
}

describe('state retention', () => {
  it('the scheduler prunes finished runs past the retention on its tick, never a queued or running one', async () => {
    let now = T0;
    const state = await openSqliteStateStore(await tempDir(), { now: () => now });
    try {
      const done = await plannedRun(state, '2024-05-01T08', true);
      const running = await plannedRun(state, '2024-05-01T09', false);
      const { run: queued } = await state.runs.submit({ lake: '/lake', hour: '2024-05-01T07', trigger: 'schedule', request: LOCAL_RUN_REQUEST });
      const submit = async (): Promise<{ run: RunRecord; created: boolean }> => ({ run: queued, created: false });

      // Without a retention the scheduler prunes nothing, however old the run.
      now = T0 + 40 * DAY;
      await new Scheduler(state, thisProcess, new RunEvents(state.events, []), submit, settings()).tick(new Date(now));
      expect((await kept(state, done)).manifest).toBe(true);

      // With 30 days: 29 days on nothing goes; 31 days on the finished run loses its plan and messages.
      now = T0 + 29 * DAY;
      const scheduler = new Scheduler(state, thisProcess, new RunEvents(state.events, []), submit, settings(30 * DAY));
      expect(await scheduler.tick(new Date(now))).toBe(true);
      expect((await kept(state, done)).manifest).toBe(true);
      now = T0 + 31 * DAY;
      expect(await scheduler.tick(new Date(now + PRUNE_EVERY_MS))).toBe(true);

      const pruned = await kept(state, done);
      expect(pruned.manifest).toBe(false);
      expect(pruned.run).toMatchObject({ status: 'success', summary: SUMMARY, planned: true, prunedAt: new Date(now).toISOString() });
      expect(await state.queue.attempts(done)).toEqual([]);
      const stillRunning = await kept(state, running);
      expect(stillRunning.manifest).toBe(true);
      expect(stillRunning.run?.status).toBe('running');
      expect((await state.runs.get(queued.id))?.status).toBe('queued');
      expect(await state.retention.prune({ finishedBefore: new Date(now), dryRun: true })).toEqual({ runs: 0, messages: 0, attempts: 0, bytes: 0, keptDeadLettered: 0 });
    } finally {
      state.close();
    }
  });
});

describe('a run plan kept once', () => {
  it("a task message keeps no copy of the task its run's manifest holds, and reads it back from there", async () => {
    const dir = await tempDir();
    const state = await openSqliteStateStore(dir);
    try {
      const id = await plannedRun(state, '2024-05-01T08', false);
      // A task not in the manifest (none such is queued today) keeps its own copy.
      const other: Task = { id: 't00001', objects: [{ index: 1, key: 'other-events.json', size: 5 }], bytes: 5 };
      await state.queue.enqueue(id, [{ kind: 'task', task: other }]);
      const db = new Database(join(dir, 'eventlake.db'), { readonly: true });
      try {
        const bodies = db.prepare(`SELECT task_id, body FROM messages WHERE run_id = ? ORDER BY task_id`).all(id) as { task_id: string; body: string | null }[];
        expect(bodies).toEqual([
          { task_id: 't00000', body: null },
          { task_id: 't00001', body: JSON.stringify(other) },
        ]);
      } finally {
        db.close();
      }
      expect((await state.queue.messages(id)).map((m) => m.task)).toEqual([task('2024-05-01T08'), other]);
      const claim = await state.queue.claim('me', [id], 60_000);
      expect(claim?.task).toEqual(task('2024-05-01T08'));
    } finally {
      state.close();
    }
  });
});
