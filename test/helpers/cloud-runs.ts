/** Cloud runs set up by hand, as the fan-out would leave them: a plan, its record, its messages. */
import { writeLakeRun, type LakeRunRecord } from '../../src/orchestration/lake/lake-run-records.js';
import type { Hour } from '../../src/pipeline/hour.js';
import { MAX_LINE_BYTES } from '../../src/pipeline/line-splitter.js';
import { planHour } from '../../src/pipeline/plan-hour.js';
import type { RunManifest } from '../../src/pipeline/run-manifest.js';
import { LakeRunStore } from '../../src/orchestration/lake/lake-run-store.js';
import type { Deployment } from '../../src/runtime/lambda/deployment.js';
import type { CloudRun } from '../../src/runtime/lambda/planned-task.js';
import { taskMessageOf, type TaskMessage } from '../../src/runtime/lambda/task-message.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';

/** The hour of a flat local source planned for Parquet, in tasks of about `taskBytes`. */
export function planLocalHour(source: string, hour: Hour, taskBytes: number): Promise<RunManifest> {
  return planHour({
    store: new LocalObjectStore(source),
    hour,
    layout: 'flat',
    source: { kind: 'local', root: source },
    format: 'parquet',
    codec: 'zstd',
    targetFileBytes: 128 * 1024 * 1024,
    maxLineBytes: MAX_LINE_BYTES,
    taskBytes,
  });
}

/** The run's record in the lake, queued, as the fan-out writes it before sending. */
export async function recordQueuedRun(lake: ObjectStore, manifest: RunManifest): Promise<LakeRunRecord> {
  const record: LakeRunRecord = { version: 1, runId: manifest.runId, hour: manifest.hour.label, status: 'queued', queuedAt: new Date().toISOString(), manifest };
  await writeLakeRun(lake, record);
  return record;
}

/** A record as the close and the worker take it: the run as the port tells it, with its plan. */
export function cloudRunOf(lake: ObjectStore, record: LakeRunRecord): CloudRun {
  return { run: new LakeRunStore(lake).toRun(record), manifest: record.manifest };
}

/** One message per task, as the fan-out sends them: ids only. */
export function taskMessages(manifest: RunManifest): TaskMessage[] {
  return manifest.tasks.map((task) => taskMessageOf(manifest.runId, task.id));
}

/** A worker's deployment of two local folders (outside Lambda, where folders are allowed). */
export function localDeployment(source: string, lake: string): Deployment {
  return { source: { kind: 'local', root: source }, lake: { kind: 'local', root: lake } };
}
