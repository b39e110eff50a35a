/**
 * Task staging in the lake's own objects, for tasks processed away from the lake (a Lambda): not
 * on a disk that disappears with the invocation, but its files under `_staging/<run>/tasks/<task>/`,
 * then a done marker holding its TaskOutput with those keys. Written in that order, so a marker
 * always names files that exist; a task processed twice rewrites the same keys. Works on any
 * object store (a bucket, or a folder as the tests use).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { dirname, join, relative } from 'node:path';
import type { WrittenFile } from '../formats/lake-format.js';
import { stagedTaskOutputs, taskDoneKey, taskDonePrefix, taskScratch } from '../pipeline/lake-layout.js';
import type { TaskOutput } from '../pipeline/run-manifest.js';
import type { ObjectStore } from './object-store.js';
import type { StagingProgress, TaskStaging } from './task-staging.js';

/** Maps every file of an output, keeping the rest as it is. */
function mapFiles(output: TaskOutput, map: (file: WrittenFile) => WrittenFile): TaskOutput {
  const tables: Record<string, WrittenFile[]> = {};
  for (const [entity, files] of Object.entries(output.tables)) tables[entity] = files.map(map);
  return { ...output, tables, quarantine: output.quarantine ? map(output.quarantine) : undefined };
}

function filesOf(output: TaskOutput): WrittenFile[] {
  return [...Object.values(output.tables).flat(), ...(output.quarantine ? [output.quarantine] : [])];
}

export class LakeObjectStaging implements TaskStaging {
  constructor(private readonly lake: ObjectStore) {}

  /** Uploads a task's local outputs (under `scratchDir`), then its done marker. */
  async keep(runId: string, scratchDir: string, output: TaskOutput): Promise<void> {
    const lake = this.lake;
    const taskDir = join(scratchDir, taskScratch(output.taskId));
    const prefix = stagedTaskOutputs(runId, output.taskId);
    const keyOf = (path: string): string => `${prefix}/${relative(taskDir, path).split('\\').join('/')}`;
    for (const file of filesOf(output)) await lake.write(keyOf(file.path), createReadStream(file.path));
    const staged = mapFiles(output, (file) => ({ ...file, path: keyOf(file.path) }));
    await lake.write(taskDoneKey(runId, output.taskId), Buffer.from(JSON.stringify(staged)));
  }

  /** The ids of the tasks with a done marker, the plan's and any other (staged by a message the plan never listed). */
  async keptIds(runId: string): Promise<string[]> {
    const lake = this.lake;
    const prefix = taskDonePrefix(runId);
    const ids: string[] = [];
    for await (const info of lake.list(prefix)) {
      if (info.key.endsWith('.json')) ids.push(info.key.slice(prefix.length, -'.json'.length));
    }
    return ids.sort();
  }

  /** Which of the plan's tasks are staged, which are not yet, and which staged tasks the plan does not list. */
  async progress(runId: string, planned: readonly string[]): Promise<StagingProgress> {
    const staged = new Set(await this.keptIds(runId));
    const plan = new Set(planned);
    return {
      done: planned.filter((id) => staged.has(id)),
      missing: planned.filter((id) => !staged.has(id)),
      extra: [...staged].filter((id) => !plan.has(id)),
    };
  }

  /**
   * The outputs of the given tasks (the plan's), their files downloaded into `scratchDir` as the
   * finish stage expects, in the order given. Each is read from the marker its id names, and a
   * marker naming another task or a file outside that task's staging is refused.
   */
  async take(runId: string, taskIds: readonly string[], scratchDir: string): Promise<TaskOutput[]> {
    const lake = this.lake;
    const outputs: TaskOutput[] = [];
    for (const taskId of taskIds) {
      const key = taskDoneKey(runId, taskId);
      const staged = JSON.parse((await lake.readAll(key)).toString('utf8')) as TaskOutput;
      const prefix = `${stagedTaskOutputs(runId, taskId)}/`;
      const remote = filesOf(staged);
      if (staged.taskId !== taskId || remote.some((file) => !file.path.startsWith(prefix) || file.path.split('/').includes('..'))) {
        throw new Error(`${key} in ${lake.location} is not task ${taskId}'s done marker (it names another task or files outside its staging)`);
      }
      const local = mapFiles(staged, (file) => ({ ...file, path: join(scratchDir, taskScratch(taskId), file.path.slice(prefix.length)) }));
      for (const [i, file] of filesOf(local).entries()) {
        await mkdir(dirname(file.path), { recursive: true });
        await pipeline(lake.read((remote[i] as WrittenFile).path), createWriteStream(file.path));
      }
      outputs.push(local);
    }
    return outputs;
  }

  async countKept(runId: string): Promise<number> {
    return (await this.keptIds(runId)).length;
  }
}
