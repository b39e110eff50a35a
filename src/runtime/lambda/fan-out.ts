/**
 * The cloud's plan stage: the hour's source objects, as listed now, cut into tasks and sent to
 * the queue the Lambda workers read, one task per message. The plan goes into the run's record in
 * the lake; a message holds only the run's and the task's ids (task-message.ts), so its size does
 * not grow with the task's objects, and the worker trusts nothing but the plan.
 *
 * A task is the planner's ~4 MiB of source objects, which suits one Lambda invocation: it is
 * read, validated and written in seconds in a function of a GB or two, far inside the
 * function's timeout and the queue's visibility timeout; a retry redoes little; an hour becomes
 * dozens of messages that Lambda works on side by side; and the list of a few hundred keys stays
 * far below SQS's 256 KiB for a message.
 */
import { UserError } from '../../errors/user-error.js';
import { LakeRunStore } from '../../orchestration/lake/lake-run-store.js';
import { noSourceObjects, planRun } from '../../orchestration/plan-run.js';
import { emptySummary } from '../../orchestration/run-summary.js';
import { addHours } from '../../orchestration/schedule/hour-clock.js';
import type { RunRecord, RunRequest, RunTrigger } from '../../orchestration/run-store.js';
import type { Hour } from '../../pipeline/hour.js';
import type { RunManifest } from '../../pipeline/run-manifest.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { sendMessages, type OutgoingMessage, type SqsSender } from './sqs-batches.js';
import { LakeObjectStaging } from '../../storage/lake-object-staging.js';
import { DEFAULT_STALE_RUN_AFTER_MS, sweepStaleRuns } from './stale-runs.js';
import { taskMessageBody } from './task-message.js';

export interface FanOutOptions {
  readonly request: RunRequest;
  readonly hour: Hour;
  readonly queueUrl: string;
  readonly sqs: SqsSender;
  /** The lake as an object store: where the run's record goes. */
  readonly lake: ObjectStore;
  /**
   * A run of the hour still queued in the lake is marked failed and replaced; without it, the
   * fan-out refuses (two runs of one hour would race to publish it).
   */
  readonly replace?: boolean;
  /**
   * An hour with no source objects: `refuse` (the default, as `eventlake run` and `eventlake
   * fanout` answer a mistyped hour) throws one sentence; `record` (the schedule) writes the run
   * record `success` with 0 objects and the sentence as its note, and sends nothing: a quiet hour
   * is an outcome, not a failure the scheduler would retry into its dead letters.
   */
  readonly emptyHour?: 'refuse' | 'record';
  /**
   * Runs queued longer than this (`cloud.staleRunAfter`, 2 h by default; null: never) are marked
   * failed before the hour is planned (stale-runs.ts): those of this hour, so a run whose task was
   * dead-lettered does not refuse the fan-out forever, and those of the `sweepHoursBefore` hours
   * before it (the schedule sweeps the day before).
   */
  readonly staleRunAfterMs?: number | null;
  readonly sweepHoursBefore?: number;
  /** The sweep's clock. */
  readonly now?: () => number;
  /** Why the run exists, kept in its record (`schedule` unless said). */
  readonly trigger?: RunTrigger;
  /** Called once the hour is planned, before anything is written or sent. */
  readonly onPlanned?: (manifest: RunManifest) => void;
}

export interface FanOutReport {
  readonly runId: string;
  readonly hour: string;
  readonly objects: number;
  readonly bytes: number;
  /** Listed under the hour but not event objects by their names. */
  readonly skipped: number;
  readonly tasks: number;
  readonly messages: number;
  readonly calls: number;
  readonly retried: number;
  /** Runs the sweep marked failed for being queued too long: their ids and why. */
  readonly swept?: readonly { readonly runId: string; readonly error: string }[];
  /** Set when the hour had no source objects and was recorded empty: the sentence saying so. */
  readonly empty?: string;
}

/** The hour's runs still queued: refused, or (with replace) failed so their workers stop. */
async function settleQueuedRuns(runs: LakeRunStore, lake: ObjectStore, hour: Hour, replace: boolean, replacedBy: string): Promise<void> {
  for (const queued of await runs.list({ hour: hour.label, status: 'queued' })) {
    if (!replace) throw await alreadyQueued(runs, lake, queued);
    await runs.end(queued.id, 'fan-out', { status: 'failed', error: `replaced by run ${replacedBy}` });
  }
}

/** The sentence refusing a second run of an hour while one is queued. */
async function alreadyQueued(runs: LakeRunStore, lake: ObjectStore, queued: RunRecord): Promise<UserError> {
  const planned = ((await runs.manifest(queued.id))?.tasks ?? []).map((t) => t.id);
  const done = (await new LakeObjectStaging(lake).progress(queued.id, planned)).done.length;
  return new UserError(
    `hour ${queued.hour} already has run ${queued.id} queued in the lake since ${queued.queuedAt} (${done} of ${planned.length} tasks done); wait for it (a run queued past cloud.staleRunAfter is ended as stale), or fan out with --replace to end it and start again`,
  );
}

/** The run record of an hour that had nothing to process: success, 0 objects, and why; no message sent. */
async function recordEmptyHour(runs: LakeRunStore, options: FanOutOptions, planned: RunManifest, sentence: string): Promise<FanOutReport> {
  const { hour, lake } = options;
  if (options.replace) await settleQueuedRuns(runs, lake, hour, true, planned.runId);
  const empty = `${sentence}: recorded as an empty hour`;
  const run = { lake: lake.location, hour: hour.label, trigger: options.trigger ?? 'schedule', request: options.request, plan: planned } as const;
  await runs.recordEnded(run, { status: 'success', summary: emptySummary(planned), poorQuality: false }, empty);
  return { runId: planned.runId, hour: hour.label, objects: 0, bytes: 0, skipped: planned.skipped.length, tasks: 0, messages: 0, calls: 0, retried: 0, empty };
}

export async function fanOutHour(options: FanOutOptions): Promise<FanOutReport> {
  const { request, hour, queueUrl, lake } = options;
  const hours = [hour.label, ...Array.from({ length: options.sweepHoursBefore ?? 0 }, (_, i) => addHours(hour.label, -1 - i))];
  const runs = new LakeRunStore(lake, { queue: queueUrl });
  const ended = await sweepStaleRuns(lake, hours, { staleAfterMs: options.staleRunAfterMs === undefined ? DEFAULT_STALE_RUN_AFTER_MS : options.staleRunAfterMs, ...(options.now ? { now: options.now } : {}) });
  const swept = ended.length > 0 ? { swept: ended.map((r) => ({ runId: r.id, error: r.error ?? '' })) } : {};
  if (!options.replace) await settleQueuedRuns(runs, lake, hour, false, '');
  const planned = await planRun(request, hour);
  options.onPlanned?.(planned);
  // The same rule, and sentence, as `eventlake run` has for an empty hour.
  const sentence = noSourceObjects(planned, request.layout);
  if (sentence !== undefined) {
    if (options.emptyHour !== 'record') throw new UserError(sentence);
    return { ...(await recordEmptyHour(runs, options, planned, sentence)), ...swept };
  }
  const manifest = planned;
  if (options.replace) await settleQueuedRuns(runs, lake, hour, true, manifest.runId);
  // Recorded before any message goes out: a worker that finishes the last task finds the run it closes.
  const submitted = await runs.submit({ lake: lake.location, hour: hour.label, trigger: options.trigger ?? 'schedule', request, plan: manifest });
  // Another fan-out of the hour queued its run meanwhile.
  if (!submitted.created) throw await alreadyQueued(runs, lake, submitted.run);
  const messages = manifest.tasks.map(
    (task): OutgoingMessage => ({
      name: `task ${task.id} of run ${manifest.runId}`,
      body: taskMessageBody(manifest.runId, task.id),
      deduplicationKey: `${manifest.runId}-${task.id}`,
    }),
  );
  let sent;
  try {
    sent = await sendMessages(options.sqs, messages, { queueUrl, groupId: hour.label });
  } catch (err) {
    // Some tasks may be on the queue, never all: the run cannot close, and its record says why.
    const error = err instanceof Error ? err.message : String(err);
    await runs.end(manifest.runId, 'fan-out', { status: 'failed', error }).catch(() => undefined);
    throw err;
  }
  return {
    runId: manifest.runId,
    hour: hour.label,
    objects: manifest.objects,
    bytes: manifest.bytes,
    skipped: manifest.skipped.length,
    tasks: manifest.tasks.length,
    messages: sent.messages,
    calls: sent.calls,
    retried: sent.retried,
    ...swept,
  };
}
