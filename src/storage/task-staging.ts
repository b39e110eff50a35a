/**
 * The staging port: where a task's output waits for its run's finish. A process-task stage writes
 * its files into a local scratch folder; `keep` puts them where whichever process finishes the run
 * will find them, and `take` gives that process the outputs back as local files the finish stage
 * reads. Neither the worker nor the close knows where that is: in the cloud, objects under the
 * lake's `_staging/<run>/` (lake-object-staging.ts), since a Lambda's disk goes with its invocation.
 */
import type { TaskOutput } from '../pipeline/run-manifest.js';

export interface StagingProgress {
  /** The plan's tasks kept so far. */
  readonly done: string[];
  /** The plan's tasks not kept yet. */
  readonly missing: string[];
  /** Kept tasks the plan does not list (a message the plan never sent): never published. */
  readonly extra: string[];
}

export interface TaskStaging {
  /** Keeps a task's output, its files written under `scratchDir`; a task kept twice replaces itself (never adds rows). */
  keep(runId: string, scratchDir: string, output: TaskOutput): Promise<void>;
  /** How many of the run's tasks are kept (status shows it for a run in progress). */
  countKept(runId: string): Promise<number>;
  /** Which of the plan's tasks are kept, which are not yet, and which kept tasks the plan does not list. */
  progress(runId: string, planned: readonly string[]): Promise<StagingProgress>;
  /** The kept outputs of the given tasks, in that order, their files brought into `scratchDir` as the finish stage reads them. */
  take(runId: string, taskIds: readonly string[], scratchDir: string): Promise<TaskOutput[]>;
}
