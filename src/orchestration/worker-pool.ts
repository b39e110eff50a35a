/**
 * A small pool of worker threads: each works through its own list of tasks, one message at a
 * time, then hands back one result. Lists are fixed up front (not pulled from a shared queue)
 * so which worker wrote which rows, and so the lake's bytes, are the same on every run.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Messages a pool worker posts. */
export type WorkerMessage<P, R> =
  | { readonly kind: 'progress'; readonly progress: P }
  | { readonly kind: 'taskDone' }
  | { readonly kind: 'result'; readonly result: R };

/** Messages a pool worker receives. */
export type PoolMessage<T> = { readonly kind: 'task'; readonly task: T } | { readonly kind: 'finish' };

export interface PoolOptions<S, T, P> {
  /** The compiled worker module. */
  readonly script: URL;
  readonly setups: readonly S[];
  /** One list of tasks per setup. */
  readonly assignments: readonly (readonly T[])[];
  readonly onProgress: (progress: P) => void;
}

/**
 * Worker threads run compiled JavaScript: when this code runs from TypeScript sources (under
 * the test runner), point at the build output of the same module instead.
 */
export function compiledScript(url: URL): URL {
  const path = fileURLToPath(url);
  if (!path.endsWith('.ts')) return url;
  const compiled = path.replace(/([\\/])src([\\/])/, '$1dist$1src$2').replace(/\.ts$/, '.js');
  if (!existsSync(compiled)) throw new Error(`worker script ${compiled} is missing: run "npm run build" first`);
  return pathToFileURL(compiled);
}

export async function runPool<S, T, P, R>(options: PoolOptions<S, T, P>): Promise<R[]> {
  const workers = options.setups.map((setup) => new Worker(compiledScript(options.script), { workerData: setup }));
  try {
    return await Promise.all(
      workers.map(
        (worker, i) =>
          new Promise<R>((resolve, reject) => {
            const queue = [...(options.assignments[i] ?? [])];
            const next = (): void => {
              const task = queue.shift();
              worker.postMessage(task === undefined ? { kind: 'finish' } : { kind: 'task', task });
            };
            worker.on('message', (message: WorkerMessage<P, R>) => {
              if (message.kind === 'progress') options.onProgress(message.progress);
              else if (message.kind === 'taskDone') next();
              else resolve(message.result);
            });
            worker.on('error', reject);
            worker.on('exit', (code) => reject(new Error(`worker stopped with exit code ${code}`)));
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Splits tasks into `parts` contiguous runs of about equal weight, keeping their order. */
export function splitContiguous<T>(tasks: readonly T[], parts: number, weight: (task: T) => number): T[][] {
  const total = tasks.reduce((n, t) => n + weight(t), 0);
  const lists: T[][] = Array.from({ length: parts }, () => []);
  let acc = 0;
  for (const task of tasks) {
    const w = weight(task);
    // Place each task by the middle of its weight so the lists come out balanced.
    const slot = Math.min(parts - 1, Math.floor(((acc + w / 2) / Math.max(total, 1)) * parts));
    lists[slot]?.push(task);
    acc += w;
  }
  return lists;
}
