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
import { LakeRunStore } from '../../orchestration/lake/lake-run-store.js';
import { openTaskProcessor } from '../../pipeline/open-task-processor.js';
import { openLakeStorage } from '../../storage/lake-storage-registry.js';
import { openObjectStore } from '../../storage/object-store-registry.js';
import { checkDeployment, type Deployment } from './deployment.js';
import { closeHeldError, closeHour, publishedByRun, recordSuccess, type CloseDeps, type CloseOutcome } from './hour-close.js';
import { plannedTask, type CloudRun } from './planned-task.js';
import { LakeObjectStaging } from '../../storage/lake-object-staging.js';
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
  /** The time the refresh may take, asked when it starts (the invocation's remaining time less a margin); none by default. */
  readonly refreshDeadlineMs?: () => number;
  /**
   * How long to wait for a close another invocation holds before failing this message (so SQS
   * delivers it again): a live closer usually finishes in seconds, and a message failed for a
   * close that then succeeds would wait out the visibility timeout on the queue for nothing.
   * None by default.
   */
  readonly closeWaitMs?: number;
  /** The close claim's clock, and the wait between looks at a held close. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** How often a worker waiting on another invocation's close looks at the run again. */
export const CLOSE_POLL_MS = 5_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export type TaskResult =
  | { readonly outcome: 'skipped'; readonly reason: string }
  | { readonly outcome: 'processed'; readonly events: Record<string, number>; readonly quarantined: number; readonly done: number; readonly tasks: number; readonly close?: CloseOutcome; readonly refresh?: WarehouseRefresh };

export async function workOnTask(message: TaskMessage, options: TaskWorkerOptions): Promise<TaskResult> {
  const { deployment } = options;
  checkDeployment(deployment, options.inLambda);
  const runId = message.runId;
  const lakeStore = await openObjectStore(deployment.lake);
  // Refused here (an unknown run or task, a plan reading another source), nothing is written.
  const runs = new LakeRunStore(lakeStore);
  const plannedRun = await plannedTask(runs, deployment, message);
  const { run: record, manifest: settings, task } = plannedRun;
  const planned = settings.tasks.map((t) => t.id);
  // A duplicate delivered after the close: the hour is published; writing again would only leave litter.
  if (record.status !== 'queued') return { outcome: 'skipped', reason: `run ${runId} has already ended (${record.status})` };
  // Its close published the hour but died before recording it: the record is written now.
  const published = await publishedByRun(lakeStore, plannedRun);
  if (published) {
    const recorded = await recordSuccess(runs, runId, options.worker, published);
    return { outcome: 'skipped', reason: `run ${runId} had published its hour; ${recorded === '' ? 'its record now says so' : recorded.slice(2)}` };
  }
  const scratchDir = join(options.scratchRoot ?? tmpdir(), 'eventlake-lambda', runId, `${task.id}-${options.worker}`);
  await mkdir(scratchDir, { recursive: true });
  try {
    // The deployment's source at the plan's prefix (plannedTask checked it is the deployment's bucket or folder).
    const processor = await openTaskProcessor(settings, scratchDir, options.registry);
    const output = await processor.process(task, () => undefined);
    const staging = new LakeObjectStaging(lakeStore);
    await staging.keep(runId, scratchDir, output);
    const quarantined = output.quarantine?.rows ?? 0;
    const tasks = planned.length;
    const done = (await staging.progress(runId, planned)).done.length;
    if (done < tasks) return { outcome: 'processed', events: output.events, quarantined, done, tasks };
    const close = await closeOrWait(plannedRun, runs, {
      lakeStore,
      runs,
      staging,
      lake: await openLakeStorage(deployment.lake),
      registry: options.registry,
      scratchDir: join(scratchDir, 'close'),
      closer: options.worker,
      claimMs: options.closeClaimMs,
      ...(options.now ? { now: options.now } : {}),
    }, options);
    if (!close.closed) return { outcome: 'processed', events: output.events, quarantined, done, tasks, close };
    // Never throws: the hour is published whatever the warehouse answers.
    const deadlineMs = options.refreshDeadlineMs?.();
    const refresh = await (options.refreshWarehouse ?? ((hour, ms) => refreshWarehouse(hour, ms === undefined ? {} : { deadlineMs: ms })))(record.hour, deadlineMs);
    return { outcome: 'processed', events: output.events, quarantined, done, tasks, close, refresh };
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/**
 * The close, or, while another invocation holds it, a wait of at most `closeWaitMs` for that
 * close to end the run (or give the claim back, or let it expire: then this one closes). Still
 * held after the wait, the message fails: that closer may have died, and acknowledging this
 * message could leave the hour unclosed for good.
 */
async function closeOrWait(cloudRun: CloudRun, runs: LakeRunStore, deps: CloseDeps, options: TaskWorkerOptions): Promise<CloseOutcome> {
  const record = cloudRun.run;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const waitUntil = now() + (options.closeWaitMs ?? 0);
  for (;;) {
    const close = await closeHour(cloudRun, deps);
    if (close.closed || close.why !== 'held') return close;
    if (now() >= waitUntil) throw closeHeldError(record.id, close.reason);
    await sleep(Math.min(CLOSE_POLL_MS, Math.max(0, waitUntil - now())));
    const current = await runs.get(record.id);
    if (current?.status !== 'queued') {
      return { closed: false, why: 'ended', reason: `run ${record.id} was closed by another invocation (${current?.status ?? 'no record'})` };
    }
  }
}
