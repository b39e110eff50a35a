/**
 * A small pool of worker threads pulling tasks from one queue: whichever worker is free takes
 * the next task, so a slow task never leaves a core idle. Results come back by task, so their
 * order does not depend on which worker ran what.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Messages a pool worker posts. */
export type WorkerMessage<P, R> =
  | { readonly kind: 'progress'; readonly progress: P }
  | { readonly kind: 'done'; readonly index: number; readonly result: R };

/** Messages a pool worker receives. */
export type PoolMessage<T> = { readonly kind: 'task'; readonly index: number; readonly task: T };

export interface PoolOptions<S, T, P> {
  /** The compiled worker module. */
  readonly script: URL;
  /** One setup per worker, given as its workerData. */
  readonly setups: readonly S[];
  readonly tasks: readonly T[];
  readonly onProgress: (progress: P) => void;
  readonly onTaskDone?: (index: number) => void;
}

/**
 * Worker threads run compiled JavaScript: when this code runs from TypeScript sources (under
 * the test runner), point at the build output of the same module instead. The test setup
 * builds before any test runs, so that output is never stale.
 */
export function compiledScript(url: URL): URL {
  const path = fileURLToPath(url);
  if (!path.endsWith('.ts')) return url;
  const compiled = path.replace(/([\\/])src([\\/])/, '$1dist$1src$2').replace(/\.ts$/, '.js');
  if (!existsSync(compiled)) throw new Error(`worker script ${compiled} is missing: run "npm run build" first`);
  return pathToFileURL(compiled);
}

export async function runPool<S, T, P, R>(options: PoolOptions<S, T, P>): Promise<R[]> {
  const results: R[] = new Array<R>(options.tasks.length);
  let next = 0;
  const workers = options.setups.map((setup) => new Worker(compiledScript(options.script), { workerData: setup }));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const take = (): void => {
              if (next >= options.tasks.length) {
                resolve();
                return;
              }
              const index = next++;
              worker.postMessage({ kind: 'task', index, task: options.tasks[index] as T } satisfies PoolMessage<T>);
            };
            worker.on('message', (message: WorkerMessage<P, R>) => {
              if (message.kind === 'progress') {
                options.onProgress(message.progress);
              } else {
                results[message.index] = message.result;
                options.onTaskDone?.(message.index);
                take();
              }
            });
            worker.on('error', reject);
            worker.on('exit', (code) => reject(new Error(`worker stopped with exit code ${code}`)));
            take();
          }),
      ),
    );
    return results;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
