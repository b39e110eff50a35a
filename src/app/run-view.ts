/** A run as the API and the UI list it: the record's plain facts, and whether its process is gone. */
import { ownerAlive } from '../orchestration/process-identity.js';
import type { RunRecord } from '../orchestration/run-store.js';
import type { RunView } from './api-views.js';

/** A run marked running whose process is gone: `resume` or `up` takes it over. */
export function isOrphaned(run: RunRecord): boolean {
  return run.status === 'running' && (run.owner === undefined || !ownerAlive(run.owner));
}

export function runView(run: RunRecord, tasks?: { readonly done: number; readonly total: number }): RunView {
  return {
    id: run.id,
    hour: run.hour,
    status: run.status,
    trigger: run.trigger,
    attempt: run.attempt,
    queuedAt: run.queuedAt,
    ...(run.startedAt === undefined ? {} : { startedAt: run.startedAt }),
    ...(run.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
    ...(run.error === undefined ? {} : { error: run.error }),
    ...(run.summary ? { events: run.summary.events, quarantined: run.summary.quarantined, seconds: Number(run.summary.seconds.toFixed(3)) } : {}),
    ...(run.summary?.deadSeconds === undefined ? {} : { deadSeconds: Number(run.summary.deadSeconds.toFixed(3)) }),
    ...(run.poorQuality ? { poorQuality: true } : {}),
    ...(isOrphaned(run) ? { orphaned: true } : {}),
    ...(tasks ? { tasks } : {}),
    ...(run.prunedAt === undefined ? {} : { prunedAt: run.prunedAt }),
  };
}
