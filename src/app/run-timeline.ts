/**
 * Events per minute per entity of a run that succeeded, counted by event time from the files it
 * published (each format reads its own files), zero-filled over the whole UTC hours its events
 * fall in: 60 minutes for an hour whose clocks are right.
 */
import { join } from 'node:path';
import { UserError } from '../errors/user-error.js';
import { loadLakeFormat } from '../formats/lake-formats.js';
import { QUARANTINE } from '../pipeline/lake-layout.js';
import type { RunTimeline } from './api-views.js';
import type { Orchestrator } from './orchestrator.js';
import { supersedingRun } from './superseding-run.js';

const MINUTES_PER_HOUR = 60;
const MINUTE_MS = 60_000;
/**
 * Minutes either side of the run's middle event that the chart reaches. Event times come from
 * devices: one clock years off would otherwise stretch the chart over years of empty minutes
 * (or push the hour itself off it); such events are counted in `omitted` instead.
 */
const REACH_MINUTES = 12 * MINUTES_PER_HOUR;
const EVENT_TIME = 'event_at';

/** The minute at or after which half the events lie: the run's middle, whatever strays far from it. */
function medianMinute(counted: Iterable<Map<number, number>>): number | undefined {
  const totals = new Map<number, number>();
  for (const counts of counted) for (const [minute, n] of counts) totals.set(minute, (totals.get(minute) ?? 0) + n);
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  let seen = 0;
  for (const [minute, n] of [...totals].sort(([a], [b]) => a - b)) {
    seen += n;
    if (seen * 2 >= all) return minute;
  }
  return undefined;
}

export async function runTimeline(orchestrator: Orchestrator, runId: string): Promise<RunTimeline | undefined> {
  const run = await orchestrator.state.runs.get(runId);
  if (!run) return undefined;
  if (run.status !== 'success' || !run.summary) throw new UserError(`run ${runId} is ${run.status}: its timeline is counted from the files it publishes, once it succeeds`);
  if (run.request.lake.kind !== 'local') throw new UserError(`the timeline reads the lake's files, and run ${runId} wrote to a bucket: query the warehouse instead`);
  // A later run of the hour replaced the files: counting them would show that run's events.
  const newer = await supersedingRun(orchestrator.state.runs, run);
  if (newer) throw new UserError(`run ${runId}'s files were replaced by run ${newer.id} of the same hour: its timeline shows the hour as the lake holds it now`);
  const format = await loadLakeFormat(run.request.format);
  const lakeRoot = run.request.lake.root;
  const files = new Map<string, string[]>();
  let rows = 0;
  for (const output of run.summary.outputs) {
    if (output.entity === QUARANTINE) continue;
    files.set(output.entity, [...(files.get(output.entity) ?? []), join(lakeRoot, output.key)]);
    rows += output.rows;
  }
  const counted = new Map<string, Map<number, number>>();
  for (const [entity, paths] of [...files].sort(([a], [b]) => a.localeCompare(b))) counted.set(entity, await format.countPerMinute(paths, EVENT_TIME));
  const middle = medianMinute(counted.values());
  if (middle === undefined) return { minutes: [], series: [...counted.keys()].map((entity) => ({ entity, counts: [] })), ...(rows > 0 ? { omitted: rows } : {}) };
  const near = [...counted.values()].flatMap((m) => [...m.keys()]).filter((minute) => Math.abs(minute - middle) <= REACH_MINUTES);
  // Whole hours, so the usual answer is the hour's 60 minutes whichever of them had events.
  const first = Math.floor(Math.min(...near) / MINUTES_PER_HOUR) * MINUTES_PER_HOUR;
  const last = Math.floor(Math.max(...near) / MINUTES_PER_HOUR) * MINUTES_PER_HOUR + MINUTES_PER_HOUR - 1;
  const labels = Array.from({ length: last - first + 1 }, (_, i) => new Date((first + i) * MINUTE_MS).toISOString().replace('.000Z', 'Z'));
  const series = [...counted].map(([entity, counts]) => ({ entity, counts: labels.map((_, i) => counts.get(first + i) ?? 0) }));
  // Events far from the rest, or with no time: in the run's rows, not on the chart.
  const omitted = rows - series.reduce((n, s) => n + s.counts.reduce((a, b) => a + b, 0), 0);
  return { minutes: labels, series, ...(omitted > 0 ? { omitted } : {}) };
}
