/**
 * Events per minute per entity of a run that succeeded, counted by event time from the files it
 * published (each format reads its own files), zero-filled from its first minute to its last.
 */
import { join } from 'node:path';
import { UserError } from '../errors/user-error.js';
import { loadLakeFormat } from '../formats/lake-formats.js';
import { QUARANTINE } from '../pipeline/lake-layout.js';
import type { RunTimeline } from './api-views.js';
import type { Orchestrator } from './orchestrator.js';

const MINUTE_MS = 60_000;
/** A day of minutes at most: events far from their hour would otherwise stretch the chart without end. */
const MAX_MINUTES = 24 * 60;
const EVENT_TIME = 'event_at';

export async function runTimeline(orchestrator: Orchestrator, runId: string): Promise<RunTimeline | undefined> {
  const run = await orchestrator.state.runs.get(runId);
  if (!run) return undefined;
  if (run.status !== 'success' || !run.summary) throw new UserError(`run ${runId} is ${run.status}: its timeline is counted from the files it publishes, once it succeeds`);
  if (run.request.lake.kind !== 'local') throw new UserError(`the timeline reads the lake's files, and run ${runId} wrote to a bucket: query the warehouse instead`);
  const format = await loadLakeFormat(run.request.format);
  const lakeRoot = run.request.lake.root;
  const files = new Map<string, string[]>();
  for (const output of run.summary.outputs) {
    if (output.entity === QUARANTINE) continue;
    files.set(output.entity, [...(files.get(output.entity) ?? []), join(lakeRoot, output.key)]);
  }
  const counted = new Map<string, Map<number, number>>();
  for (const [entity, paths] of files) counted.set(entity, await format.countPerMinute(paths, EVENT_TIME));
  const minutes = [...counted.values()].flatMap((m) => [...m.keys()]);
  if (minutes.length === 0) return { minutes: [], series: [] };
  const first = Math.min(...minutes);
  const last = Math.min(Math.max(...minutes), first + MAX_MINUTES - 1);
  const labels = Array.from({ length: last - first + 1 }, (_, i) => new Date((first + i) * MINUTE_MS).toISOString().replace('.000Z', 'Z'));
  return {
    minutes: labels,
    series: [...counted]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([entity, counts]) => ({ entity, counts: labels.map((_, i) => counts.get(first + i) ?? 0) })),
  };
}
