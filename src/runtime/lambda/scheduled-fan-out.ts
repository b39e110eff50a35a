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

/** What a run is asked to do, from the configuration the environment gives: resolved as the CLI resolves it (codec checked too). */
export async function requestFromEnvironment(env: NodeJS.ProcessEnv): Promise<RunRequest> {
  const { config } = await loadConfig({ cwd: process.cwd(), env });
  return resolveRunRequest(config, {}, env);
}

export async function runScheduledFanOut(event: FanOutEvent, env: NodeJS.ProcessEnv): Promise<FanOutReport> {
  const queueUrl = env['EVENTLAKE_QUEUE_URL'];
  if (!queueUrl) throw new Error('EVENTLAKE_QUEUE_URL is not set: the fan-out has no queue to send tasks to');
  const request = await requestFromEnvironment(env);
  const sqs = createSqsClient(queueUrl, env);
  try {
    return await fanOutHour({ request, hour: hourOfEvent(event, request.timezone), queueUrl, sqs, lake: await openObjectStore(request.lake) });
  } finally {
    sqs.destroy();
  }
}
