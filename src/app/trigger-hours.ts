/**
 * Runs asked for by hand, `eventlake trigger` and `eventlake backfill`: queued in the state; with
 * a scheduler (`eventlake up`) on the same state they are left to it, otherwise this process
 * works on them until every one has ended.
 */
import type { EngineObserver } from '../orchestration/run-engine.js';
import type { RunRecord, RunTrigger } from '../orchestration/run-store.js';
import type { Orchestrator, RunTarget } from './orchestrator.js';
import { checkTarget } from './run-hour.js';

export interface TriggerResult {
  /** True when a running scheduler will run them: the runs are as queued. */
  readonly handedToScheduler: boolean;
  readonly runs: readonly RunRecord[];
}

export async function triggerHours(
  orchestrator: Orchestrator,
  hours: readonly string[],
  target: RunTarget,
  options: { trigger: RunTrigger; maxRunning?: number; observer?: EngineObserver },
): Promise<TriggerResult> {
  await checkTarget(target, orchestrator.stateDir);
  const runs: RunRecord[] = [];
  for (const hour of hours) runs.push((await orchestrator.submit(hour, options.trigger, target)).run);
  if (await orchestrator.schedulerRunning()) return { handedToScheduler: true, runs };
  const ended = await orchestrator.workOn(
    runs.map((r) => r.id),
    { retryRuns: false, ...(options.maxRunning === undefined ? {} : { maxRunning: options.maxRunning }), ...(options.observer ? { observer: options.observer } : {}) },
  );
  return { handedToScheduler: false, runs: ended };
}
