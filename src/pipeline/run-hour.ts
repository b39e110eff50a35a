/**
 * The hour's job: list the hour's source objects, process them on a pool of workers, finish
 * each entity's part files, then commit every partition of the hour at once.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { rename, mkdir, stat } from 'node:fs/promises';
import { defaultRegistry, type EntityRegistry } from '../events/entity-registry.js';
import { CODECS, partFileName, type FormatName, type PartFile, type WrittenFile } from '../formats/lake-format.js';
import { lakeFormat } from '../formats/lake-formats.js';
import { UserError } from '../errors/user-error.js';
import { runPool, splitContiguous } from '../orchestration/worker-pool.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { ObjectStoreConfig } from '../storage/object-store-config.js';
import { openObjectStore } from '../storage/open-object-store.js';
import type { Hour } from './hour.js';
import type { HourProgress, HourTask, HourWorkerResult, HourWorkerSetup, SourceObjectRef } from './hour-task.js';
import { HourTaskProcessor } from './hour-task-processor.js';
import type { LakeCommitter, PartitionChange } from './lake-committer.js';
import { MAX_LINE_BYTES } from './line-splitter.js';
import { isObjectOfHour } from './source-object-name.js';

export const QUARANTINE = '_quarantine';

export interface RunHourOptions {
  readonly source: ObjectStoreConfig;
  readonly lakeRoot: string;
  readonly committer: LakeCommitter;
  readonly hour: Hour;
  readonly format: FormatName;
  readonly codec?: string;
  /** Worker threads; 0 processes inline on the calling thread. */
  readonly workers: number;
  readonly targetFileBytes: number;
  readonly maxLineBytes?: number;
  readonly onProgress?: (done: { objects: number; events: number }, total: { objects: number; bytes: number }) => void;
  /** Called when the run moves on to writing the lake files, then to committing them. */
  readonly onPhase?: (phase: 'writing' | 'committing') => void;
}

export interface RunOutput {
  readonly path: string;
  readonly entity: string;
  readonly rows: number;
  readonly bytes: number;
}

export interface RunSummary {
  readonly runId: string;
  readonly hour: string;
  readonly objects: number;
  readonly bytes: number;
  readonly events: Record<string, number>;
  readonly quarantined: number;
  readonly outputs: RunOutput[];
  readonly seconds: number;
}

/** Objects per task: small enough to balance two workers, big enough to amortise messages. */
const TASK_BYTES = 4 * 1024 * 1024;

export function defaultWorkerCount(): number {
  return Math.max(1, cpus().length);
}

interface HourListing {
  readonly objects: SourceObjectRef[];
  readonly bytes: number;
}

/** The hour's objects in key order, so object indexes and part contents are deterministic. */
async function listHour(store: ObjectStore, hour: Hour): Promise<HourListing> {
  const sizes = new Map<string, number>();
  for await (const info of store.list()) if (isObjectOfHour(info.key, hour)) sizes.set(info.key, info.size);
  const keys = [...sizes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    objects: keys.map((key, index) => ({ index, key, size: sizes.get(key) ?? 0 })),
    bytes: [...sizes.values()].reduce((n, size) => n + size, 0),
  };
}

function planTasks(objects: readonly SourceObjectRef[]): HourTask[] {
  const tasks: HourTask[] = [];
  let batch: SourceObjectRef[] = [];
  let bytes = 0;
  for (const object of objects) {
    batch.push(object);
    bytes += object.size;
    if (bytes >= TASK_BYTES) {
      tasks.push({ objects: batch, bytes });
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length > 0) tasks.push({ objects: batch, bytes });
  return tasks;
}

async function processObjects(
  options: RunHourOptions,
  setups: HourWorkerSetup[],
  tasks: HourTask[],
  store: ObjectStore,
  registry: EntityRegistry,
  onProgress: (p: HourProgress) => void,
): Promise<HourWorkerResult[]> {
  if (options.workers === 0) {
    const processor = new HourTaskProcessor(setups[0] as HourWorkerSetup, store, registry);
    for (const task of tasks) await processor.run(task, onProgress);
    return [await processor.finish()];
  }
  return runPool<HourWorkerSetup, HourTask, HourProgress, HourWorkerResult>({
    script: new URL('./hour-worker.js', import.meta.url),
    setups,
    // Worker i takes the i-th contiguous slice, so the workers' files concatenate in key order.
    assignments: splitContiguous(tasks, setups.length, (t) => t.bytes),
    onProgress,
  });
}

function partitionOf(entity: string, hour: Hour): string {
  return `${entity}/date=${hour.date}/hour=${hour.hour}`;
}

interface Staged {
  readonly changes: PartitionChange[];
  readonly outputs: RunOutput[];
}

/** Each entity's part files from what the workers wrote, staged for the commit. */
async function finishEntities(
  options: RunHourOptions,
  registry: EntityRegistry,
  results: readonly HourWorkerResult[],
  run: { objectKeys: readonly string[]; staging: string; scratch: string; codec: string },
): Promise<Staged & { events: Record<string, number> }> {
  const format = lakeFormat(options.format);
  const staged: Staged & { events: Record<string, number> } = { changes: [], outputs: [], events: {} };
  for (const entity of registry.entities) {
    const written: WrittenFile[] = results.flatMap((r) => r.written[entity.name] ?? []);
    const count = results.reduce((n, r) => n + (r.events[entity.name] ?? 0), 0);
    if (count > 0) staged.events[entity.name] = count;
    const partition = partitionOf(entity.name, options.hour);
    const parts: PartFile[] = await format.finish({
      entity,
      written,
      objectKeys: run.objectKeys,
      partitionDir: join(run.staging, partition),
      scratchDir: join(run.scratch, `${entity.name}-finish`),
      codec: run.codec,
      targetFileBytes: options.targetFileBytes,
    });
    // An entity with no rows this time still takes part: its old partition is removed.
    staged.changes.push({ partition, staged: parts.length > 0 });
    for (const part of parts) {
      const path = join(options.lakeRoot, partition, basename(part.path));
      staged.outputs.push({ path, entity: entity.name, rows: part.rows, bytes: part.bytes });
    }
  }
  return staged;
}

/** The workers' quarantine files, named as parts of the hour's quarantine partition. */
async function stageQuarantine(
  options: RunHourOptions,
  results: readonly HourWorkerResult[],
  staging: string,
): Promise<{ change: PartitionChange; outputs: RunOutput[] }> {
  const partition = partitionOf(QUARANTINE, options.hour);
  const outputs: RunOutput[] = [];
  for (const result of results) {
    if (result.quarantineFile === undefined) continue;
    const name = partFileName(outputs.length, 'jsonl');
    const path = join(staging, partition, name);
    await mkdir(dirname(path), { recursive: true });
    await rename(result.quarantineFile, path);
    const { size } = await stat(path);
    outputs.push({ path: join(options.lakeRoot, partition, name), entity: QUARANTINE, rows: result.quarantined, bytes: size });
  }
  return { change: { partition, staged: outputs.length > 0 }, outputs };
}

export async function runHour(options: RunHourOptions): Promise<RunSummary> {
  const started = performance.now();
  // Workers build the same default registry on their side.
  const registry = defaultRegistry();
  const codec = options.codec ?? (CODECS[options.format][0] as string);
  if (!CODECS[options.format].includes(codec)) {
    throw new UserError(`codec "${codec}" is not available for ${options.format}; use ${CODECS[options.format].join(' or ')}`);
  }
  const store = openObjectStore(options.source);
  const { hour, committer } = options;

  const { objects, bytes } = await listHour(store, hour);
  if (objects.length === 0) {
    throw new UserError(
      `no source objects for hour ${hour.label} under ${store.location} (expected names like ${hour.date}-${hour.hour}-5-7-events.json)`,
    );
  }

  await committer.recover();
  const runId = `${hour.label}-${randomUUID().slice(0, 8)}`;
  await committer.begin(runId, hour.label);
  try {
    const scratch = committer.scratchDir(runId);
    const objectKeys = objects.map((o) => o.key);
    const tasks = planTasks(objects);
    const workerCount = options.workers === 0 ? 1 : Math.max(1, Math.min(options.workers, tasks.length));
    const setups: HourWorkerSetup[] = Array.from({ length: workerCount }, (_, workerId) => ({
      workerId,
      source: options.source,
      format: options.format,
      codec,
      workDir: scratch,
      objectKeys,
      maxLineBytes: options.maxLineBytes ?? MAX_LINE_BYTES,
      targetFileBytes: options.targetFileBytes,
    }));

    const done = { objects: 0, events: 0 };
    const total = { objects: objects.length, bytes };
    const results = await processObjects(options, setups, tasks, store, registry, (p) => {
      done.objects += p.objects;
      done.events += p.events;
      options.onProgress?.(done, total);
    });

    options.onPhase?.('writing');
    const staging = committer.stagingDir(runId);
    const finished = await finishEntities(options, registry, results, { objectKeys, staging, scratch, codec });
    const quarantine = await stageQuarantine(options, results, staging);
    const changes = [...finished.changes, quarantine.change];
    const outputs = [...finished.outputs, ...quarantine.outputs];
    const quarantined = results.reduce((n, r) => n + r.quarantined, 0);
    const events = finished.events;

    options.onPhase?.('committing');
    await committer.commit(runId, changes);
    return {
      runId,
      hour: hour.label,
      objects: objects.length,
      bytes,
      events,
      quarantined,
      outputs,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (err) {
    await committer.abort(runId);
    throw err;
  }
}
