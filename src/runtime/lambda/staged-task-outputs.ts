/**
 * A task processed away from the lake (a Lambda) keeps its outputs in the lake's staging, not on
 * a disk that disappears with the invocation: its files under `_staging/<run>/tasks/<task>/`,
 * then a done marker holding its TaskOutput with those keys. Written in that order, so a marker
 * always names files that exist; a task processed twice rewrites the same keys.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { dirname, join, relative } from 'node:path';
import type { WrittenFile } from '../../formats/lake-format.js';
import { stagedTaskOutputs, taskDoneKey, taskDonePrefix, taskScratch } from '../../pipeline/lake-layout.js';
import type { TaskOutput } from '../../pipeline/run-manifest.js';
import type { ObjectStore } from '../../storage/object-store.js';

/** Maps every file of an output, keeping the rest as it is. */
function mapFiles(output: TaskOutput, map: (file: WrittenFile) => WrittenFile): TaskOutput {
  const tables: Record<string, WrittenFile[]> = {};
  for (const [entity, files] of Object.entries(output.tables)) tables[entity] = files.map(map);
  return { ...output, tables, quarantine: output.quarantine ? map(output.quarantine) : undefined };
}

function filesOf(output: TaskOutput): WrittenFile[] {
  return [...Object.values(output.tables).flat(), ...(output.quarantine ? [output.quarantine] : [])];
}

/** Uploads a task's local outputs (under `scratchDir`), then its done marker. */
export async function stageTaskOutput(lake: ObjectStore, runId: string, scratchDir: string, output: TaskOutput): Promise<void> {
  const taskDir = join(scratchDir, taskScratch(output.taskId));
  const prefix = stagedTaskOutputs(runId, output.taskId);
  const keyOf = (path: string): string => `${prefix}/${relative(taskDir, path).split('\\').join('/')}`;
  for (const file of filesOf(output)) await lake.write(keyOf(file.path), createReadStream(file.path));
  const staged = mapFiles(output, (file) => ({ ...file, path: keyOf(file.path) }));
  await lake.write(taskDoneKey(runId, output.taskId), Buffer.from(JSON.stringify(staged)));
}

/** The done tasks' outputs, their files downloaded into `scratchDir` as the finish stage expects. */
export async function downloadTaskOutputs(lake: ObjectStore, runId: string, scratchDir: string): Promise<TaskOutput[]> {
  const outputs: TaskOutput[] = [];
  for await (const info of lake.list(taskDonePrefix(runId))) {
    if (!info.key.endsWith('.json')) continue;
    const staged = JSON.parse((await lake.readAll(info.key)).toString('utf8')) as TaskOutput;
    const prefix = `${stagedTaskOutputs(runId, staged.taskId)}/`;
    const local = mapFiles(staged, (file) => ({ ...file, path: join(scratchDir, taskScratch(staged.taskId), file.path.slice(prefix.length)) }));
    const remote = filesOf(staged);
    for (const [i, file] of filesOf(local).entries()) {
      await mkdir(dirname(file.path), { recursive: true });
      await pipeline(lake.read((remote[i] as WrittenFile).path), createWriteStream(file.path));
    }
    outputs.push(local);
  }
  return outputs;
}
