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

/**
 * The one rule for an hour that has nothing to read, whichever runtime planned it: the sentence
 * saying so (what was looked under, with which layout, what names were expected), or undefined
 * when the plan has source objects. The local run fails with it; the scheduled cloud fan-out
 * records the hour empty with it as the note.
 */
export function noSourceObjects(manifest: RunManifest, layout: RunRequest['layout']): string | undefined {
  if (manifest.objects > 0) return undefined;
  const { hour } = manifest;
  const skipped = manifest.skipped.length > 0 ? ` (${manifest.skipped.length} skipped for their names; --debug lists them)` : '';
  return `no source objects for hour ${hour.label} under ${manifest.sourceLocation} with --layout ${layout}${skipped} (expected names like ${hour.date}-${hour.hour}-5-7-events.json)`;
}
