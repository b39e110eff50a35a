/**
 * The task-executor port: runs the process-task stage for one task at a time per slot, for
 * whichever run the queue hands it. The local runtime keeps worker threads; a Lambda runtime
 * runs the same stage, one task per message.
 */
import type { Task, TaskOutput, TaskProgress, TaskSettings } from './run-manifest.js';

export interface TaskJob {
  readonly settings: TaskSettings;
  /** The run's scratch space on this machine; the task writes below it. */
  readonly scratchDir: string;
  readonly task: Task;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

export interface TaskExecutor {
  /** How many tasks it runs at once. */
  readonly slots: number;
  /**
   * Processes the task; rejects with the task's error, or when it takes longer than
   * `timeoutMs` (the worker is then stopped, so a stuck task cannot hold a slot forever).
   */
  execute(job: TaskJob, onProgress: (p: TaskProgress) => void, timeoutMs: number): Promise<TaskOutput>;
  /** Gives back what idle slots hold (threads and their memory), before a memory-hungry step. */
  releaseIdle(): Promise<void>;
  close(): Promise<void>;
}
