/**
 * `eventlake up`: the scheduler and the workers of one machine, until stopped. It registers on
 * the state (so triggers leave their runs to it), takes over runs whose process died, queues
 * what the schedule makes due, and works the queue with `maxActiveRuns` runs at a time.
 */
import type { EngineObserver } from '../orchestration/run-engine.js';
import type { RunRecord } from '../orchestration/run-store.js';
import { fireMark, Scheduler, type ScheduleSettings } from '../orchestration/scheduler.js';
import type { Orchestrator, RunTarget } from './orchestrator.js';
import { checkTarget } from './run-hour.js';

export interface ServeOptions {
  readonly target: RunTarget;
  readonly schedule: ScheduleSettings;
  readonly maxActiveRuns: number;
  /** Hours to queue at the start (the demo's first hour). */
  readonly initialHours?: readonly string[];
  /** With no fire handled yet, fires before this are not run (unless catching up). */
  readonly scheduleFrom?: Date;
  readonly onQueued?: (run: RunRecord) => void;
  readonly observer?: EngineObserver;
}

export async function serveScheduler(orchestrator: Orchestrator, options: ServeOptions): Promise<void> {
  await checkTarget(options.target, orchestrator.stateDir);
  const { state } = orchestrator;
  await state.scheduler.register(orchestrator.owner, { lake: options.target.lake, source: options.target.source });
  if (options.scheduleFrom) await markScheduleStart(orchestrator, options.schedule.lake, options.scheduleFrom);
  const scheduler = new Scheduler(
    state,
    orchestrator.owner,
    orchestrator.runEvents,
    (hour, trigger) => orchestrator.submit(hour, trigger, options.target),
    options.schedule,
    options.onQueued,
  );
  try {
    for (const hour of options.initialHours ?? []) {
      const { run, created } = await orchestrator.submit(hour, 'manual', options.target);
      if (created) options.onQueued?.(run);
    }
    await orchestrator.work({ maxRunning: options.maxActiveRuns }, async () => false, {
      retryRuns: true,
      ...(options.observer ? { observer: options.observer } : {}),
      onTick: async () => {
        await scheduler.tick();
      },
    });
  } finally {
    await state.scheduler.unregister(orchestrator.owner);
  }
}

async function markScheduleStart(orchestrator: Orchestrator, lake: string, from: Date): Promise<void> {
  const key = fireMark(lake);
  if ((await orchestrator.state.scheduler.mark(key)) === undefined) await orchestrator.state.scheduler.setMark(key, from.toISOString());
}
