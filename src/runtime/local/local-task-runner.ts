/** Runs an hour's tasks on this machine: on worker threads, or inline when asked for none. */
import { defaultRegistry } from '../../events/entity-registry.js';
import { loadLakeFormat } from '../../formats/lake-formats.js';
import { crashPoint } from '../../pipeline/fail-points.js';
import { TaskProcessor } from '../../pipeline/task-processor.js';
import type { RunManifest, Task, TaskOutput, TaskProgress, TaskSettings } from '../../pipeline/run-manifest.js';
import { openObjectStore } from '../../storage/object-store-registry.js';
import type { TaskRunner } from '../../pipeline/task-runner.js';
import { runPool } from './worker-pool.js';

export interface TaskWorkerSetup {
  readonly settings: TaskSettings;
  readonly scratchDir: string;
}

export class LocalTaskRunner implements TaskRunner {
  /** `workers`: threads to use; 0 processes on the calling thread. */
  constructor(private readonly workers: number) {}

  async run(manifest: RunManifest, scratchDir: string, onProgress: (p: TaskProgress) => void): Promise<TaskOutput[]> {
    const settings: TaskSettings = {
      runId: manifest.runId,
      source: manifest.source,
      format: manifest.format,
      codec: manifest.codec,
      targetFileBytes: manifest.targetFileBytes,
      maxLineBytes: manifest.maxLineBytes,
    };
    let done = 0;
    const afterTask = (): void => {
      if (++done === 1) crashPoint('after-first-task');
    };
    if (this.workers === 0) {
      const processor = new TaskProcessor(settings, scratchDir, {
        store: await openObjectStore(manifest.source),
        registry: defaultRegistry(),
        format: await loadLakeFormat(manifest.format),
      });
      const outputs: TaskOutput[] = [];
      for (const task of manifest.tasks) {
        outputs.push(await processor.process(task, onProgress));
        afterTask();
      }
      return outputs;
    }
    const count = Math.max(1, Math.min(this.workers, manifest.tasks.length));
    return runPool<TaskWorkerSetup, Task, TaskProgress, TaskOutput>({
      script: new URL('./task-worker.js', import.meta.url),
      setups: Array.from({ length: count }, () => ({ settings, scratchDir })),
      tasks: manifest.tasks,
      onProgress,
      onTaskDone: afterTask,
    });
  }
}
