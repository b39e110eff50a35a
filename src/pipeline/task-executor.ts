/**
 * The task-executor port: runs the process-task stage for one task at a time per slot, for
 * whichever run the queue hands it. The local runtime keeps worker threads; a Lambda runtime
 * runs the same stage, one task per message.
 */
import type { Task, TaskOutput, TaskProgress, TaskSettings } from './run-manifest.js';

export interface TaskJob {
  readonly settings: TaskSettings;
  /**
   * Scratch space on this machine for this claim of the task alone (a folder of the run's
   * scratch per attempt): the task writes below it, so a holder taken over never writes where
   * its successor does.
   */
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
   * `timeoutMs` (the worker is then stopped, so a stuck task cannot hold a slot forever). The
   * caller keeps the task's claim by heartbeats until this settles, however long the task
   * waited for a thread, so its engine never hands the task out again while it still runs.
   */
  execute(job: TaskJob, onProgress: (p: TaskProgress) => void, timeoutMs: number): Promise<TaskOutput>;
  /** Gives back what idle slots hold (threads and their memory), before a memory-hungry step. */
  releaseIdle(): Promise<void>;
  close(): Promise<void>;
}
