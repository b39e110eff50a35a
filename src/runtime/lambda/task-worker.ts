/**
 * What the Lambda does with one task message: the same process-task stage the local workers
 * run, against the message's source and lake; the outputs staged in the lake under the task's
 * id (so a message delivered twice rewrites the same objects, never adds rows); then, if that
 * was the run's last task, the hour's close and the warehouse's refresh.
 */
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityRegistry } from '../../events/entity-registry.js';
import { loadLakeFormat } from '../../formats/lake-formats.js';
import { countDoneTasks, readLakeRun, writeLakeRun } from '../../orchestration/lake-run-records.js';
import { TaskProcessor } from '../../pipeline/task-processor.js';
import { openLakeStorage } from '../../storage/lake-storage-registry.js';
import { openObjectStore } from '../../storage/object-store-registry.js';
import { closeHour, publishedByRun, type CloseOutcome } from './hour-close.js';
import { stageTaskOutput } from './staged-task-outputs.js';
import type { TaskMessage } from './task-message.js';
import { refreshWarehouse, type RefreshWarehouse, type WarehouseRefresh } from './warehouse-refresh.js';

export interface TaskWorkerOptions {
  readonly registry: EntityRegistry;
  /** Who is working, for the close claim (a Lambda request id). */
  readonly worker: string;
  /** How long a close claim stands: about the function's timeout. */
  readonly closeClaimMs: number;
  /** Local scratch root (Lambda's /tmp). */
  readonly scratchRoot?: string;
  /** Run after a close that published the hour; Snowflake's refresh (or its skip) by default. */
  readonly refreshWarehouse?: RefreshWarehouse;
}

export type TaskResult =
  | { readonly outcome: 'skipped'; readonly reason: string }
  | { readonly outcome: 'processed'; readonly events: Record<string, number>; readonly quarantined: number; readonly done: number; readonly tasks: number; readonly close?: CloseOutcome; readonly refresh?: WarehouseRefresh };

export async function workOnTask(message: TaskMessage, options: TaskWorkerOptions): Promise<TaskResult> {
  const { settings, task } = message;
  const runId = settings.runId;
  const lakeStore = await openObjectStore(message.lake);
  const record = await readLakeRun(lakeStore, message.hour, runId);
  if (!record) throw new Error(`run ${runId} has no record in the lake ${lakeStore.location} (was its hour fanned out?)`);
  // A duplicate delivered after the close: the hour is published; writing again would only leave litter.
  if (record.status !== 'queued') return { outcome: 'skipped', reason: `run ${runId} has already ended (${record.status})` };
  // Its close published the hour but died before recording it: the record is written now.
  const published = await publishedByRun(lakeStore, record);
  if (published) {
    await writeLakeRun(lakeStore, { ...record, status: 'success', finishedAt: new Date().toISOString(), summary: published });
    return { outcome: 'skipped', reason: `run ${runId} had published its hour; its record now says so` };
  }
  const scratchDir = join(options.scratchRoot ?? tmpdir(), 'eventlake-lambda', runId, `${task.id}-${options.worker}`);
  await mkdir(scratchDir, { recursive: true });
  try {
    const processor = new TaskProcessor(settings, scratchDir, {
      store: await openObjectStore(settings.source),
      registry: options.registry,
      format: await loadLakeFormat(settings.format),
    });
    const output = await processor.process(task, () => undefined);
    await stageTaskOutput(lakeStore, runId, scratchDir, output);
    const quarantined = output.quarantine?.rows ?? 0;
    const done = await countDoneTasks(lakeStore, runId);
    if (done < message.tasks) return { outcome: 'processed', events: output.events, quarantined, done, tasks: message.tasks };
    const close = await closeHour(record, {
      lakeStore,
      lake: await openLakeStorage(message.lake),
      registry: options.registry,
      scratchDir: join(scratchDir, 'close'),
      closer: options.worker,
      claimMs: options.closeClaimMs,
    });
    if (!close.closed) return { outcome: 'processed', events: output.events, quarantined, done, tasks: message.tasks, close };
    // Never throws: the hour is published whatever the warehouse answers.
    const refresh = await (options.refreshWarehouse ?? refreshWarehouse)(message.hour);
    return { outcome: 'processed', events: output.events, quarantined, done, tasks: message.tasks, close, refresh };
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}
