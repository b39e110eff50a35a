/**
 * The task-runner port: runs the process-task stage for every task of a planned hour and hands
 * back each task's output. The local runtime uses worker threads; a queue of Lambda
 * invocations will run the same stage, one task per message.
 */
import type { RunManifest, TaskOutput, TaskProgress } from './run-manifest.js';

export interface TaskRunner {
  /** `scratchDir`: the run's scratch space on this machine. Outputs come back in task order. */
  run(manifest: RunManifest, scratchDir: string, onProgress: (p: TaskProgress) => void): Promise<TaskOutput[]>;
}
