/** Runs tasks on the calling thread, one at a time (`--workers 0`: for debugging and profiling). */
import { defaultRegistry } from '../../events/entity-registry.js';
import { loadLakeFormat } from '../../formats/lake-formats.js';
import { failTaskPoint } from '../../pipeline/fail-points.js';
import { readLimitsFromEnv } from '../../pipeline/read-limits.js';
import type { TaskOutput, TaskProgress } from '../../pipeline/run-manifest.js';
import type { TaskExecutor, TaskJob } from '../../pipeline/task-executor.js';
import { TaskProcessor } from '../../pipeline/task-processor.js';
import { openObjectStore } from '../../storage/object-store-registry.js';

export class InlineTaskExecutor implements TaskExecutor {
  readonly slots = 1;

  async execute(job: TaskJob, onProgress: (p: TaskProgress) => void): Promise<TaskOutput> {
    failTaskPoint(job.task.id, job.attempt);
    const processor = new TaskProcessor(job.settings, job.scratchDir, {
      store: await openObjectStore(job.settings.source),
      registry: defaultRegistry(),
      format: await loadLakeFormat(job.settings.format),
      limits: readLimitsFromEnv(),
    });
    return processor.process(job.task, onProgress);
  }

  async releaseIdle(): Promise<void> {}

  async close(): Promise<void> {}
}
