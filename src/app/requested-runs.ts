/**
 * Runs asked for through the HTTP API (trigger, rerun, backfill, dead-letter replay). Under
 * `eventlake up` the scheduler's workers run whatever is queued. Under `eventlake serve` this
 * process works on the runs asked of it, unless a scheduler is live on the state: the rule of
 * `eventlake trigger`. While no scheduler is live it also takes on its lake's runs left queued
 * (a stopped serve's, a stopped up's) and running runs whose process died, so a run asked for
 * is never left with nobody to run it.
 */
import type { EngineObserver } from '../orchestration/run-engine.js';
import type { RunRecord, RunTrigger } from '../orchestration/run-store.js';
import type { Orchestrator, RunTarget } from './orchestrator.js';
import { replayDeadLetter, type ReplayResult } from './replay-dead-letter.js';
import { checkTarget } from './run-hour.js';
import { checkRunnableHour } from '../orchestration/schedule/runnable-hours.js';
import { isOrphaned } from './run-view.js';

export interface Submitted {
  readonly run: RunRecord;
  /** False: the hour already had this run queued or running. */
  readonly created: boolean;
}

export class RequestedRuns {
  /** The runs this process works on (serve only); the engine reads the list at every step. */
  private readonly ids: string[] = [];

  constructor(
    private readonly orchestrator: Orchestrator,
    private readonly target: RunTarget,
    /** True under `serve`: no workers of a scheduler in this process. */
    private readonly worksOnRequests: boolean,
  ) {}

  async submit(hours: readonly string[], trigger: RunTrigger): Promise<Submitted[]> {
    await checkTarget(this.target, this.orchestrator.stateDir);
    // All or none: a backfill reaching past now queues nothing.
    for (const hour of hours) checkRunnableHour(hour, this.target.timezone);
    const submitted: Submitted[] = [];
    for (const hour of hours) submitted.push(await this.orchestrator.submit(hour, trigger, this.target));
    await this.adopt(submitted.map((s) => s.run.id));
    return submitted;
  }

  async replay(deadLetterId: number): Promise<ReplayResult> {
    const result = await replayDeadLetter(this.orchestrator, deadLetterId, { wait: false });
    await this.adopt([result.run.id]);
    return result;
  }

  private async adopt(ids: readonly string[]): Promise<void> {
    if (!this.worksOnRequests || (await this.orchestrator.schedulerRunning())) return;
    for (const id of ids) if (!this.ids.includes(id)) this.ids.push(id);
  }

  /** The lake's runs nobody works on: queued, or running for a process that is gone. */
  private async adoptWaiting(): Promise<void> {
    if (!this.worksOnRequests || (await this.orchestrator.schedulerRunning())) return;
    const { runs } = this.orchestrator.state;
    const lake = this.target.lake;
    const waiting = [...(await runs.list({ lake, status: 'queued' })), ...(await runs.list({ lake, status: 'running' })).filter(isOrphaned)];
    for (const run of waiting) if (!this.ids.includes(run.id)) this.ids.push(run.id);
  }

  /** `serve`'s work: the runs asked of it and those left waiting, until the orchestrator is stopped. */
  async work(options: { readonly maxRunning: number; readonly observer?: EngineObserver }): Promise<void> {
    await this.adoptWaiting();
    return this.orchestrator.work({ ids: this.ids, maxRunning: options.maxRunning }, async () => false, {
      retryRuns: false,
      ...(options.observer ? { observer: options.observer } : {}),
      onTick: () => this.adoptWaiting(),
    });
  }
}
