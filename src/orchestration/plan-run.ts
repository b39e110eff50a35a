/** The plan stage for what a run was asked to do: its source listed for the hour, cut into tasks. */
import type { Hour } from '../pipeline/hour.js';
import { planHour } from '../pipeline/plan-hour.js';
import type { RunManifest } from '../pipeline/run-manifest.js';
import { openObjectStore } from '../storage/object-store-registry.js';
import type { RunRequest } from './run-store.js';

/** `runId`: the run's own id; without it the plan gets a new one (a listing to compare, say). */
export async function planRun(request: RunRequest, hour: Hour, runId?: string): Promise<RunManifest> {
  const store = await openObjectStore(request.source);
  await store.assertReadable();
  return planHour({
    ...(runId === undefined ? {} : { runId }),
    store,
    hour,
    layout: request.layout,
    source: request.source,
    format: request.format,
    codec: request.codec,
    targetFileBytes: request.targetFileBytes,
    maxLineBytes: request.maxLineBytes,
  });
}
