/**
 * The hourly schedule's event (EventBridge Scheduler → the same function): fan out the hour that
 * has just closed, or a named one. What to read and write comes from the function's environment,
 * through the config file's own overrides (EVENTLAKE_SOURCE_PATH, EVENTLAKE_LAKE_PATH,
 * EVENTLAKE_LAKE_FORMAT, …) and EVENTLAKE_QUEUE_URL, so the cloud and the laptop read one schema.
 */
import { loadConfig } from '../../config/load-config.js';
import type { RunRequest } from '../../orchestration/run-store.js';
import { resolveRunRequest } from '../../orchestration/resolve-run-request.js';
import { hourOfEvent, type FanOutEvent } from './fan-out-event.js';
import { openObjectStore } from '../../storage/object-store-registry.js';
import { fanOutHour, type FanOutReport } from './fan-out.js';
import { createSqsClient } from './sqs-batches.js';

/** What a run is asked to do (resolved as the CLI resolves it, codec checked too), and the stale-run deadline (`cloud.staleRunAfter`), from the configuration the environment gives. */
export async function settingsFromEnvironment(env: NodeJS.ProcessEnv): Promise<{ request: RunRequest; staleRunAfterMs: number | null }> {
  const { config } = await loadConfig({ cwd: process.cwd(), env });
  return { request: await resolveRunRequest(config, {}, env), staleRunAfterMs: config.cloud.staleRunAfterMs };
}

/** What a run is asked to do, from the configuration the environment gives. */
export async function requestFromEnvironment(env: NodeJS.ProcessEnv): Promise<RunRequest> {
  return (await settingsFromEnvironment(env)).request;
}

/** The hours before the scheduled one whose stuck runs each scheduled fan-out sweeps. */
const SWEEP_HOURS_BEFORE = 24;

export async function runScheduledFanOut(event: FanOutEvent, env: NodeJS.ProcessEnv): Promise<FanOutReport> {
  const queueUrl = env['EVENTLAKE_QUEUE_URL'];
  if (!queueUrl) throw new Error('EVENTLAKE_QUEUE_URL is not set: the fan-out has no queue to send tasks to');
  const { request, staleRunAfterMs } = await settingsFromEnvironment(env);
  const sqs = createSqsClient(queueUrl, env);
  try {
    // A quiet hour is recorded, not thrown: a throw would be retried into the schedule's dead letters.
    return await fanOutHour({ request, hour: hourOfEvent(event, request.timezone), queueUrl, sqs, lake: await openObjectStore(request.lake), emptyHour: 'record', staleRunAfterMs, sweepHoursBefore: SWEEP_HOURS_BEFORE });
  } finally {
    sqs.destroy();
  }
}
