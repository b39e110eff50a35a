/**
 * Runs asked for through the HTTP API (trigger, rerun, backfill, dead-letter replay). Under
 * `eventlake up` the scheduler's workers run whatever is queued. Under `eventlake serve` this
 * process works on the runs asked of it, unless a scheduler is live on the state: the rule of
 * `eventlake trigger`, so a run asked for is never left queued with nobody to run it.
 */
import type { EngineObserver } from '../orchestration/run-engine.js';
import type { RunRecord, RunTrigger } from '../orchestration/run-store.js';
import type { Orchestrator, RunTarget } from './orchestrator.js';
import { replayDeadLetter, type ReplayResult } from './replay-dead-letter.js';
import { checkTarget } from './run-hour.js';

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

  /** `serve`'s work: the runs asked of it, until the orchestrator is stopped. */
  work(options: { readonly maxRunning: number; readonly observer?: EngineObserver }): Promise<void> {
    return this.orchestrator.work({ ids: this.ids, maxRunning: options.maxRunning }, async () => false, {
      retryRuns: false,
      ...(options.observer ? { observer: options.observer } : {}),
    });
  }
}
