/**
 * Runs tasks on worker threads, for any run. Each thread works on one job at a time and holds
 * the next. A job that outlives its timeout (counted from when its thread starts it) has its
 * thread stopped and replaced, so the slot comes back and the task is retried like any failure;
 * the job queued behind it never started and goes to another thread, uncharged. A thread left
 * idle for a moment is stopped: its memory is given back while the run writes its lake files
 * (DuckDB's peak), and a scheduler with nothing to do holds no thread.
 */
import { Worker } from 'node:worker_threads';
import type { TaskOutput, TaskProgress } from '../../pipeline/run-manifest.js';
import type { TaskExecutor, TaskJob } from '../../pipeline/task-executor.js';
import { compiledScript } from './compiled-script.js';

export type ThreadRequest = { readonly id: number; readonly job: TaskJob };
export type ThreadReply =
  | { readonly kind: 'started'; readonly id: number }
  | { readonly kind: 'progress'; readonly id: number; readonly progress: TaskProgress }
  | { readonly kind: 'done'; readonly id: number; readonly output: TaskOutput }
  | { readonly kind: 'failed'; readonly id: number; readonly error: string };

interface Pending {
  readonly job: TaskJob;
  readonly timeoutMs: number;
  readonly resolve: (output: TaskOutput) => void;
  readonly reject: (err: Error) => void;
  readonly onProgress: (p: TaskProgress) => void;
  /** Whether its thread has begun it: a job never begun can go to another thread. */
  started: boolean;
  timer?: NodeJS.Timeout;
}

/** How long a thread may stay idle before it is stopped; starting a new one is cheap. */
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
  /** Each working thread's jobs, in the order it takes them: the first is the one it works on. */
  private readonly busy = new Map<Worker, number[]>();
  private readonly idleTimers = new Map<Worker, NodeJS.Timeout>();
  private nextId = 0;
  private closing = false;

  constructor(private readonly threads: number) {
    this.slots = threads * JOBS_PER_THREAD;
  }

  private spawn(): Worker {
    const worker = new Worker(compiledScript(new URL('./task-thread.js', import.meta.url)));
    worker.on('message', (reply: ThreadReply) => {
      const job = this.pending.get(reply.id);
      if (!job) return;
      if (reply.kind === 'started') {
        job.started = true;
        this.startTimer(reply.id, worker);
        return;
      }
      if (reply.kind === 'progress') {
        job.onProgress(reply.progress);
        return;
      }
      this.settle(reply.id);
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
    // A thread that dies (out of memory, a native crash) fails the job it was on; the jobs
    // queued behind it go to another thread, and the slot gets a new one.
    const lost = (why: string): void => {
      const ids = this.busy.get(worker) ?? [];
      this.busy.delete(worker);
      const index = this.idle.indexOf(worker);
      if (index >= 0) this.idle.splice(index, 1);
      for (const id of ids) {
        const job = this.pending.get(id);
        if (!job) continue;
        if (job.started || this.closing) {
          this.settle(id);
          job.reject(new Error(why));
        } else this.dispatch(id);
      }
    };
    worker.on('error', (err) => lost(`the worker thread failed: ${err.message}`));
    worker.on('exit', (code) => lost(`the worker thread stopped (exit code ${code})`));
    return worker;
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

  execute(job: TaskJob, onProgress: (p: TaskProgress) => void, timeoutMs: number): Promise<TaskOutput> {
    const id = this.nextId++;
    return new Promise<TaskOutput>((resolve, reject) => {
      this.pending.set(id, { job, timeoutMs, resolve, reject, onProgress, started: false });
      this.dispatch(id);
    });
  }

  /** Hands a job to a thread. The first job of a thread is timed from now (its start-up counts). */
  private dispatch(id: number): void {
    const job = this.pending.get(id);
    if (!job) return;
    const worker = this.pick();
    const jobs = this.busy.get(worker) ?? [];
    jobs.push(id);
    this.busy.set(worker, jobs);
    if (jobs.length === 1) this.startTimer(id, worker);
    worker.postMessage({ id, job: job.job } satisfies ThreadRequest);
  }

  private startTimer(id: number, worker: Worker): void {
    const job = this.pending.get(id);
    if (!job) return;
    clearTimeout(job.timer);
    job.timer = setTimeout(() => this.timedOut(id, worker), job.timeoutMs);
    job.timer.unref();
  }

  /** Stops the thread; the job fails, and the ones queued behind it (never begun) go to another thread. */
  private timedOut(id: number, worker: Worker): void {
    const job = this.pending.get(id);
    if (!job) return;
    this.settle(id);
    const queued = (this.busy.get(worker) ?? []).filter((other) => other !== id);
    this.busy.delete(worker);
    void worker.terminate();
    job.reject(new Error(`task ${job.job.task.id} took longer than its visibility timeout (${seconds(job.timeoutMs)}); its worker was stopped`));
    for (const other of queued) this.dispatch(other);
  }

  private settle(id: number): void {
    clearTimeout(this.pending.get(id)?.timer);
    this.pending.delete(id);
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
    this.closing = true;
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }
}
