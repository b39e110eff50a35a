/**
 * Runs asked for by hand, `eventlake trigger` and `eventlake backfill`: queued in the state; with
 * a scheduler (`eventlake up`) on the same state they are left to it, otherwise this process
 * works on them until every one has ended.
 */
import { checkRunnableHour } from '../orchestration/schedule/runnable-hours.js';
import type { EngineObserver } from '../orchestration/run-engine.js';
import type { RunRecord, RunTrigger } from '../orchestration/run-store.js';
import { runRequest, type Orchestrator, type RunTarget } from './orchestrator.js';
import { checkTarget } from './run-hour.js';

export interface TriggerResult {
  /** True when a running scheduler will run them: the runs are as queued. */
  readonly handedToScheduler: boolean;
  readonly runs: readonly RunRecord[];
  /** Hours that already had a run queued or running with other settings: that run stands. */
  readonly others: readonly RunRecord[];
}

export async function triggerHours(
  orchestrator: Orchestrator,
  hours: readonly string[],
  target: RunTarget,
  options: { trigger: RunTrigger; maxRunning?: number; observer?: EngineObserver },
): Promise<TriggerResult> {
  await checkTarget(target, orchestrator.stateDir);
  // All or none: a backfill reaching past now queues nothing.
  for (const hour of hours) checkRunnableHour(hour, target.timezone);
  const runs: RunRecord[] = [];
  const others: RunRecord[] = [];
  const asked = JSON.stringify(runRequest(target));
  for (const hour of hours) {
    const { run, created } = await orchestrator.submit(hour, options.trigger, target);
    runs.push(run);
    if (!created && JSON.stringify(run.request) !== asked) others.push(run);
  }
  if (await orchestrator.schedulerRunning()) return { handedToScheduler: true, runs, others };
  const ended = await orchestrator.workOn(
    runs.map((r) => r.id),
    { retryRuns: false, ...(options.maxRunning === undefined ? {} : { maxRunning: options.maxRunning }), ...(options.observer ? { observer: options.observer } : {}) },
  );
  return { handedToScheduler: false, runs: ended, others };
}
