/** Runs tasks on the calling thread, one at a time (`--workers 0`: for debugging and profiling). */
import { failTaskPoint } from '../../pipeline/fail-points.js';
import { openTaskProcessor } from '../../pipeline/open-task-processor.js';
import type { TaskOutput, TaskProgress } from '../../pipeline/run-manifest.js';
import type { TaskExecutor, TaskJob } from '../../pipeline/task-executor.js';

export class InlineTaskExecutor implements TaskExecutor {
  readonly slots = 1;

  async execute(job: TaskJob, onProgress: (p: TaskProgress) => void): Promise<TaskOutput> {
    failTaskPoint(job.task.id, job.attempt);
    const processor = await openTaskProcessor(job.settings, job.scratchDir);
    return processor.process(job.task, onProgress);
  }

  async releaseIdle(): Promise<void> {}

  async close(): Promise<void> {}
}
