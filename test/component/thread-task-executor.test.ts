/**
 * The thread task executor on real worker threads (the built task-thread.js): a thread holds
 * its job and the next, works them one after the other, and a job that outlives its timeout
 * stops the thread and fails (retried as any failure), while the job queued behind it, never
 * begun, goes to a new thread and is not charged for it.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Task, TaskOutput } from '../../src/pipeline/run-manifest.js';
import type { TaskJob } from '../../src/pipeline/task-executor.js';
import { ThreadTaskExecutor } from '../../src/runtime/local/thread-task-executor.js';
import { tempDir, writeObject } from '../helpers/fixtures.js';

const HOUR = '2019-06-01T15';
const vehicleLine = (id: string, at: string): string =>
  JSON.stringify({ event: 'update', on: 'vehicle', at, data: { id, location: { lat: 52.5, lng: 13.4, at } }, organization_id: 'org' });
let executor: ThreadTaskExecutor | undefined;
afterEach(async () => {
  await executor?.close();
  executor = undefined;
});

/** A source of `objects` objects of `lines` lines, and a job for each object. */
async function jobs(objects: number, lines: number): Promise<TaskJob[]> {
  const source = await tempDir();
  for (let s = 0; s < objects; s++) {
    const content = Array.from({ length: lines }, (_, i) => vehicleLine(`o${s}-l${i}`, `${HOUR}:${String(s).padStart(2, '0')}:00.000Z`));
    await writeObject(source, `2019-06-01-15-${s}-0-events.json`, `${content.join('\n')}\n`);
  }
  const scratchDir = await tempDir();
  const keys = (await readdir(source)).sort();
  return keys.map((key, index): TaskJob => {
    const task: Task = { id: `t${String(index).padStart(5, '0')}`, objects: [{ index, key, size: 1 }], bytes: 1 };
    return {
      settings: { runId: 'run-1', source: { kind: 'local', root: source }, format: 'parquet', codec: 'zstd', targetFileBytes: 1 << 20, maxLineBytes: 1 << 20 },
      scratchDir,
      task,
      attempt: 1,
    };
  });
}

describe('ThreadTaskExecutor', () => {
  it('gives a thread two jobs at once and works them one after the other, each whole', async () => {
    executor = new ThreadTaskExecutor(1);
    expect(executor.slots).toBe(2);
    const [a, b, c] = await jobs(3, 2_000);
    const started: string[] = [];
    const run = (job: TaskJob | undefined): Promise<TaskOutput> =>
      (executor as ThreadTaskExecutor).execute(job as TaskJob, () => started.push((job as TaskJob).task.id), 60_000);
    // The first job alone sets up the thread's processor for the run; the next two share it.
    const outputs = [await run(a), ...(await Promise.all([run(b), run(c)]))];
    // Worked at the same time on one thread, two tasks would share one processor's state and
    // mix their rows and counts.
    expect(outputs.map((o: TaskOutput) => [o.taskId, o.events])).toEqual([
      ['t00000', { vehicle: 2_000 }],
      ['t00001', { vehicle: 2_000 }],
      ['t00002', { vehicle: 2_000 }],
    ]);
    for (const output of outputs) {
      expect(output.tables['vehicle']?.map((w) => [w.path.split('/').at(-2), w.rows])).toEqual([[output.taskId, 2_000]]);
    }
    expect(started.length).toBeGreaterThanOrEqual(3);
  });

  it('stops a thread whose job outlives its timeout; the job queued behind it runs on a new thread, and so does the next', async () => {
    executor = new ThreadTaskExecutor(1);
    const [slow, queued, next] = await jobs(3, 20_000);
    const slowRun = executor.execute(slow as TaskJob, () => undefined, 1);
    const queuedRun = executor.execute(queued as TaskJob, () => undefined, 60_000);
    await expect(slowRun).rejects.toThrow('task t00000 took longer than its visibility timeout (1 ms); its worker was stopped');
    // Never begun on the stopped thread: handed to the new one, not failed.
    expect((await queuedRun).events).toEqual({ vehicle: 20_000 });
    const output = await executor.execute(next as TaskJob, () => undefined, 60_000);
    expect(output.events).toEqual({ vehicle: 20_000 });
    expect(join(output.tables['vehicle']?.[0]?.path ?? '', '..').endsWith('t00002')).toBe(true);
  });
});
