/**
 * Runs tasks on worker threads, each working on one job at a time with the next queued, for any run. A job that outlives its timeout has its thread stopped and replaced, so
 * the slot comes back and the task is retried like any failure. A thread left idle for a moment
 * is stopped: its memory is given back while the run writes its lake files (DuckDB's peak), and
 * a scheduler with nothing to do holds no thread.
 */
import { Worker } from 'node:worker_threads';
import type { TaskOutput, TaskProgress } from '../../pipeline/run-manifest.js';
import type { TaskExecutor, TaskJob } from '../../pipeline/task-executor.js';
import { compiledScript } from './compiled-script.js';

export type ThreadRequest = { readonly id: number; readonly job: TaskJob };
export type ThreadReply =
  | { readonly kind: 'progress'; readonly id: number; readonly progress: TaskProgress }
  | { readonly kind: 'done'; readonly id: number; readonly output: TaskOutput }
  | { readonly kind: 'failed'; readonly id: number; readonly error: string };

interface Pending {
  readonly resolve: (output: TaskOutput) => void;
  readonly reject: (err: Error) => void;
  readonly onProgress: (p: TaskProgress) => void;
}

/** How long a thread may stay idle before it is stopped; a new one starts in ~50 ms. */
const IDLE_MS = 250;

function seconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * Jobs a thread holds at once: the one it works on and the next, so it starts the next the
 * moment it ends one instead of waiting for this thread to record the result and hand it
 * another (a wait made longer whenever this thread is busy, e.g. loading DuckDB).
 */
const JOBS_PER_THREAD = 2;

export class ThreadTaskExecutor implements TaskExecutor {
  readonly slots: number;
  private readonly idle: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  /** Each working thread's jobs, in the order it takes them. */
  private readonly busy = new Map<Worker, number[]>();
  private readonly idleTimers = new Map<Worker, NodeJS.Timeout>();
  private nextId = 0;

  constructor(private readonly threads: number) {
    this.slots = threads * JOBS_PER_THREAD;
  }

  private spawn(): Worker {
    const worker = new Worker(compiledScript(new URL('./task-thread.js', import.meta.url)));
    worker.on('message', (reply: ThreadReply) => {
      const job = this.pending.get(reply.id);
      if (!job) return;
      if (reply.kind === 'progress') {
        job.onProgress(reply.progress);
        return;
      }
      this.pending.delete(reply.id);
      const jobs = this.busy.get(worker) ?? [];
      const at = jobs.indexOf(reply.id);
      if (at >= 0) jobs.splice(at, 1);
      if (jobs.length === 0) {
        this.busy.delete(worker);
        this.rest(worker);
      }
      if (reply.kind === 'done') job.resolve(reply.output);
      else job.reject(new Error(reply.error));
    });
    // A thread that dies (out of memory, a native crash) fails its jobs; the slot gets a new thread.
    const lost = (why: string): void => {
      const ids = this.busy.get(worker) ?? [];
      this.busy.delete(worker);
      const index = this.idle.indexOf(worker);
      if (index >= 0) this.idle.splice(index, 1);
      this.failAll(ids, why);
    };
    worker.on('error', (err) => lost(`the worker thread failed: ${err.message}`));
    worker.on('exit', (code) => lost(`the worker thread stopped (exit code ${code})`));
    return worker;
  }

  private failAll(ids: readonly number[], why: string): void {
    for (const id of ids) {
      const job = this.pending.get(id);
      this.pending.delete(id);
      job?.reject(new Error(why));
    }
  }

  /** The worker waits for the next job, and is stopped if none comes soon. */
  private rest(worker: Worker): void {
    this.idle.push(worker);
    const timer = setTimeout(() => {
      this.idleTimers.delete(worker);
      const index = this.idle.indexOf(worker);
      if (index < 0) return;
      this.idle.splice(index, 1);
      void worker.terminate();
    }, IDLE_MS);
    timer.unref();
    this.idleTimers.set(worker, timer);
  }

  /**
   * An idle thread first, then a new one while there are fewer than `threads`, then the
   * working thread with the fewest jobs.
   */
  private pick(): Worker {
    const idle = this.idle.pop();
    if (idle) {
      clearTimeout(this.idleTimers.get(idle));
      this.idleTimers.delete(idle);
      return idle;
    }
    if (this.busy.size < this.threads) return this.spawn();
    let least: Worker | undefined;
    for (const [worker, jobs] of this.busy) if (!least || jobs.length < (this.busy.get(least)?.length ?? 0)) least = worker;
    return least as Worker;
  }

  /**
   * The timeout counts from now: a job queued behind another on its thread waits for that one
   * first, a short wait against any visibility timeout (tasks take well under a second).
   */
  execute(job: TaskJob, onProgress: (p: TaskProgress) => void, timeoutMs: number): Promise<TaskOutput> {
    const worker = this.pick();
    const id = this.nextId++;
    const jobs = this.busy.get(worker) ?? [];
    jobs.push(id);
    this.busy.set(worker, jobs);
    return new Promise<TaskOutput>((resolve, reject) => {
      const timer = setTimeout(() => {
        const pending = this.pending.get(id);
        if (!pending) return;
        this.pending.delete(id);
        // The thread is stopped: the jobs queued on it fail with it, and are retried as any failure.
        const others = (this.busy.get(worker) ?? []).filter((other) => other !== id);
        this.busy.delete(worker);
        void worker.terminate();
        pending.reject(new Error(`task ${job.task.id} took longer than its visibility timeout (${seconds(timeoutMs)}); its worker was stopped`));
        this.failAll(others, `its worker was stopped because task ${job.task.id} took longer than its visibility timeout`);
      }, timeoutMs);
      timer.unref();
      const settle = (): void => clearTimeout(timer);
      this.pending.set(id, {
        resolve: (output) => (settle(), resolve(output)),
        reject: (err) => (settle(), reject(err)),
        onProgress,
      });
      worker.postMessage({ id, job } satisfies ThreadRequest);
    });
  }

  async releaseIdle(): Promise<void> {
    const idle = this.idle.splice(0);
    for (const worker of idle) {
      clearTimeout(this.idleTimers.get(worker));
      this.idleTimers.delete(worker);
    }
    await Promise.all(idle.map((w) => w.terminate()));
  }

  async close(): Promise<void> {
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }
}
