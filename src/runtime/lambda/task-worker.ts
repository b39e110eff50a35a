/**
 * What the Lambda does with one task message: the task read from the run's plan in the
 * deployment's lake (the message holds only ids), the same process-task stage the local workers
 * run against the deployment's source; the outputs staged in the lake under the task's id (so a
 * message delivered twice rewrites the same objects, never adds rows); then, if that was the
 * plan's last task, the hour's close and the warehouse's refresh.
 */
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityRegistry } from '../../events/entity-registry.js';
import { loadLakeFormat } from '../../formats/lake-formats.js';
import { writeLakeRun } from '../../orchestration/lake-run-records.js';
import { TaskProcessor } from '../../pipeline/task-processor.js';
import { openLakeStorage } from '../../storage/lake-storage-registry.js';
import { openObjectStore } from '../../storage/object-store-registry.js';
import { checkDeployment, type Deployment } from './deployment.js';
import { closeHeldError, closeHour, publishedByRun, type CloseOutcome } from './hour-close.js';
import { plannedTask } from './planned-task.js';
import { plannedProgress, stageTaskOutput } from './staged-task-outputs.js';
import type { TaskMessage } from './task-message.js';
import { refreshWarehouse, type RefreshWarehouse, type WarehouseRefresh } from './warehouse-refresh.js';

export interface TaskWorkerOptions {
  readonly registry: EntityRegistry;
  /** The only source and lake this worker reads and writes: the function's configuration, never a message's. */
  readonly deployment: Deployment;
  /** In a Lambda invocation: a folder as source or lake is refused. */
  readonly inLambda: boolean;
  /** Who is working, for the close claim (a Lambda request id). */
  readonly worker: string;
  /** How long a close claim stands: about the function's timeout. */
  readonly closeClaimMs: number;
  /** Local scratch root (Lambda's /tmp). */
  readonly scratchRoot?: string;
  /** Run after a close that published the hour; Snowflake's refresh (or its skip) by default. */
  readonly refreshWarehouse?: RefreshWarehouse;
  /** The close claim's clock. */
  readonly now?: () => number;
}

export type TaskResult =
  | { readonly outcome: 'skipped'; readonly reason: string }
  | { readonly outcome: 'processed'; readonly events: Record<string, number>; readonly quarantined: number; readonly done: number; readonly tasks: number; readonly close?: CloseOutcome; readonly refresh?: WarehouseRefresh };

export async function workOnTask(message: TaskMessage, options: TaskWorkerOptions): Promise<TaskResult> {
  const { deployment } = options;
  checkDeployment(deployment, options.inLambda);
  const runId = message.runId;
  const lakeStore = await openObjectStore(deployment.lake);
  // Refused here (an unknown run or task, a plan reading another source), nothing is written.
  const { record, task } = await plannedTask(lakeStore, deployment, message);
  const { manifest: settings } = record;
  const planned = settings.tasks.map((t) => t.id);
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
      // The deployment's source at the plan's prefix (plannedTask checked it is the deployment's bucket or folder).
      store: await openObjectStore(settings.source),
      registry: options.registry,
      format: await loadLakeFormat(settings.format),
    });
    const output = await processor.process(task, () => undefined);
    await stageTaskOutput(lakeStore, runId, scratchDir, output);
    const quarantined = output.quarantine?.rows ?? 0;
    const tasks = planned.length;
    const done = (await plannedProgress(lakeStore, runId, planned)).done.length;
    if (done < tasks) return { outcome: 'processed', events: output.events, quarantined, done, tasks };
    const close = await closeHour(record, {
      lakeStore,
      lake: await openLakeStorage(deployment.lake),
      registry: options.registry,
      scratchDir: join(scratchDir, 'close'),
      closer: options.worker,
      claimMs: options.closeClaimMs,
      ...(options.now ? { now: options.now } : {}),
    });
    // Another closer holds the claim and may have died: acknowledging this message could leave the hour unclosed for good.
    if (!close.closed && close.why === 'held') throw closeHeldError(runId, close.reason);
    if (!close.closed) return { outcome: 'processed', events: output.events, quarantined, done, tasks, close };
    // Never throws: the hour is published whatever the warehouse answers.
    const refresh = await (options.refreshWarehouse ?? refreshWarehouse)(record.hour);
    return { outcome: 'processed', events: output.events, quarantined, done, tasks, close, refresh };
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}
