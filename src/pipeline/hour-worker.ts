/** Worker-thread entry: runs HourTaskProcessor on the tasks the pool sends. */
import { parentPort, workerData } from 'node:worker_threads';
import { defaultRegistry } from '../events/entity-registry.js';
import type { PoolMessage, WorkerMessage } from '../orchestration/worker-pool.js';
import { openObjectStore } from '../storage/open-object-store.js';
import type { HourProgress, HourTask, HourWorkerResult, HourWorkerSetup } from './hour-task.js';
import { HourTaskProcessor } from './hour-task-processor.js';

const setup = workerData as HourWorkerSetup;
const port = parentPort;
if (!port) throw new Error('hour-worker must run in a worker thread');
const processor = new HourTaskProcessor(setup, openObjectStore(setup.source), defaultRegistry());
const post = (message: WorkerMessage<HourProgress, HourWorkerResult>): void => port.postMessage(message);

port.on('message', (message: PoolMessage<HourTask>) => {
  const work =
    message.kind === 'task'
      ? processor.run(message.task, (progress) => post({ kind: 'progress', progress })).then(() => post({ kind: 'taskDone' }))
      : processor.finish().then((result) => post({ kind: 'result', result }));
  // An unexpected failure surfaces as the worker's 'error' event in the pool.
  work.catch((err: unknown) => {
    setImmediate(() => {
      throw err;
    });
  });
});
