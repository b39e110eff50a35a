/** Worker-thread entry: processes the tasks the pool sends, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { defaultRegistry } from '../../events/entity-registry.js';
import { loadLakeFormat } from '../../formats/lake-formats.js';
import { TaskProcessor } from '../../pipeline/task-processor.js';
import type { Task, TaskOutput, TaskProgress } from '../../pipeline/run-manifest.js';
import { openObjectStore } from '../../storage/object-store-registry.js';
import type { PoolMessage, WorkerMessage } from './worker-pool.js';
import type { TaskWorkerSetup } from './local-task-runner.js';

const setup = workerData as TaskWorkerSetup;
const port = parentPort;
if (!port) throw new Error('task-worker must run in a worker thread');
const post = (message: WorkerMessage<TaskProgress, TaskOutput>): void => port.postMessage(message);
// Workers build the same default registry as the main thread.
const processor = new TaskProcessor(setup.settings, setup.scratchDir, {
  store: await openObjectStore(setup.settings.source),
  registry: defaultRegistry(),
  format: await loadLakeFormat(setup.settings.format),
});

port.on('message', (message: PoolMessage<Task>) => {
  processor
    .process(message.task, (progress) => post({ kind: 'progress', progress }))
    .then((result) => post({ kind: 'done', index: message.index, result }))
    // An unexpected failure surfaces as the worker's 'error' event in the pool.
    .catch((err: unknown) => {
      setImmediate(() => {
        throw err;
      });
    });
});
