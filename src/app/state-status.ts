/** `eventlake status`: what the state says now, the same data the HTTP API and the UI show. */
import type { CallbackDelivery, RecordedEvent } from '../orchestration/event-log.js';
import type { RunRecord } from '../orchestration/run-store.js';
import type { SchedulerPresence } from '../orchestration/scheduler-state.js';
import type { DeadLetter, QueueMessage } from '../orchestration/work-queue.js';
import { LakeRunStore } from '../orchestration/lake/lake-run-store.js';
import { parseLocation } from '../storage/location.js';
import { openObjectStore } from '../storage/object-store-registry.js';
import { LakeObjectStaging } from '../storage/lake-object-staging.js';
import type { Orchestrator } from './orchestrator.js';

/** A cloud run as its record in the lake tells it, with how many of its tasks are done. */
export interface LakeRunStatus {
  readonly runId: string;
  readonly hour: string;
  readonly status: RunRecord['status'];
  readonly queuedAt: string;
  readonly finishedAt?: string;
  readonly tasks: number;
  /** Tasks with outputs staged (for a run still queued; every task once it ended). */
  readonly tasksDone: number;
  readonly objects: number;
  readonly events?: Record<string, number>;
  readonly quarantined?: number;
  readonly error?: string;
  /** How it went, when that is not an error (an hour recorded empty, a replay). */
  readonly note?: string;
}

export interface StateStatus {
  readonly state: string;
  /** Live schedulers with their progress: ticks, the last one's time, late-data checks. */
  readonly schedulers: readonly SchedulerPresence[];
  readonly runs: readonly RunRecord[];
  readonly runningTasks: readonly QueueMessage[];
  readonly deadLetters: readonly DeadLetter[];
  readonly deadlineMisses: readonly RecordedEvent[];
  readonly alerts: readonly RecordedEvent[];
  readonly deliveries: readonly CallbackDelivery[];
  /** Runs recorded in the lake itself by the cloud worker (fan-out, Lambda, close). */
  readonly lakeRuns: readonly LakeRunStatus[];
}

/** The runs a lake records under `_runs/`, newest first: cloud runs need no database. */
export async function lakeRuns(lake: string, limit: number): Promise<LakeRunStatus[]> {
  const store = await openObjectStore(parseLocation(lake, 'lake'));
  const runs = new LakeRunStore(store);
  return Promise.all(
    (await runs.list({ limit })).map(async (r) => {
      const manifest = await runs.manifest(r.id);
      const tasks = manifest?.tasks.length ?? 0;
      return {
        runId: r.id,
        hour: r.hour,
        status: r.status,
        queuedAt: r.queuedAt,
        ...(r.finishedAt === undefined ? {} : { finishedAt: r.finishedAt }),
        tasks,
        tasksDone: r.status === 'queued' ? await new LakeObjectStaging(store).countKept(r.id) : tasks,
        objects: manifest?.objects ?? 0,
        ...(r.summary ? { events: r.summary.events, quarantined: r.summary.quarantined } : {}),
        ...(r.error === undefined ? {} : { error: r.error }),
        ...(r.note === undefined ? {} : { note: r.note }),
      };
    }),
  );
}

export async function stateStatus(orchestrator: Orchestrator, lake: string, limit: number): Promise<StateStatus> {
  const { state } = orchestrator;
  const alerts = [...(await state.events.events({ kind: 'late_data', limit })), ...(await state.events.events({ kind: 'quality', limit }))];
  return {
    state: state.location,
    schedulers: await state.scheduler.live(),
    runs: await state.runs.list({ limit }),
    runningTasks: await state.queue.claimed(),
    deadLetters: await state.queue.deadLetters({ limit }),
    deadlineMisses: await state.events.events({ kind: 'deadline_miss', limit }),
    alerts: alerts.sort((a, b) => b.id - a.id).slice(0, limit),
    deliveries: await state.events.deliveries({ limit }),
    lakeRuns: await lakeRuns(lake, limit),
  };
}
