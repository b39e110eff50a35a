/** Worker-thread entry of the thread task executor: processes its jobs one at a time, in order, for any run. */
import { parentPort } from 'node:worker_threads';
import { failTaskPoint } from '../../pipeline/fail-points.js';
import { openTaskProcessor } from '../../pipeline/open-task-processor.js';
import type { TaskJob } from '../../pipeline/task-executor.js';
import type { TaskProcessor } from '../../pipeline/task-processor.js';
import type { ThreadReply, ThreadRequest } from './thread-task-executor.js';

const port = parentPort;
if (!port) throw new Error('task-thread must run in a worker thread');
const post = (reply: ThreadReply): void => port.postMessage(reply);

/** One processor per run: it holds the run's settings and opened source store. */
let current: { runId: string; processor: TaskProcessor } | undefined;

async function processorFor(job: TaskJob): Promise<TaskProcessor> {
  if (current?.runId !== job.settings.runId) {
    current = { runId: job.settings.runId, processor: await openTaskProcessor(job.settings, job.scratchDir) };
  }
  return current.processor;
}

/** Jobs are processed one after another: a thread is given its next job before this one ends. */
let queue: Promise<void> = Promise.resolve();

port.on('message', (request: ThreadRequest) => {
  const { job } = request;
  queue = queue.then(async () => {
    try {
      post({ kind: 'started', id: request.id });
      failTaskPoint(job.task.id, job.attempt);
      const processor = await processorFor(job);
      const output = await processor.process(job.task, (progress) => post({ kind: 'progress', id: request.id, progress }));
      post({ kind: 'done', id: request.id, output });
    } catch (err) {
      post({ kind: 'failed', id: request.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
});
