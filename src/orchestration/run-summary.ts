/**
 * How a run ended, told the same way by every runtime: the local engine's finish, the cloud's
 * close, a close that died after publishing (read back from the hour's manifest), and an hour
 * recorded empty.
 */
import { QUARANTINE, tableOf } from '../pipeline/lake-layout.js';
import type { RunManifest } from '../pipeline/run-manifest.js';
import type { PublishedPartition } from '../storage/publisher.js';
import type { RunOutputRecord, RunSummary } from './run-store.js';

/** What the finish counted: rows per entity and lines quarantined. */
export interface FinishCounts {
  readonly events: Record<string, number>;
  readonly quarantined: number;
}

/** The lake files the run published, the quarantine's included (its entity is `_quarantine`). */
export function publishedOutputs(published: readonly PublishedPartition[]): RunOutputRecord[] {
  return published.flatMap((p) => p.files.map((f) => ({ key: f.key, entity: tableOf(p.partition), rows: f.rows, bytes: f.bytes })));
}

/** Rows and quarantined lines as published: what a summary is rebuilt from when only the publish is left. */
export function publishedCounts(published: readonly PublishedPartition[]): FinishCounts {
  const events: Record<string, number> = {};
  let quarantined = 0;
  for (const { partition, files } of published) {
    const entity = tableOf(partition);
    for (const file of files) {
      if (entity === QUARANTINE) quarantined += file.rows;
      else events[entity] = (events[entity] ?? 0) + file.rows;
    }
  }
  return { events, quarantined };
}

/**
 * The run's summary. `seconds`: how long it took; `deadSeconds`, when given, is the time it lay
 * failed before a replay, already left out of `seconds`.
 */
export function summarizeRun(
  manifest: Pick<RunManifest, 'objects' | 'bytes' | 'skipped'>,
  counts: FinishCounts,
  outputs: readonly RunOutputRecord[],
  seconds: number,
  deadSeconds?: number,
): RunSummary {
  const rows = Object.values(counts.events).reduce((n, c) => n + c, 0);
  const lines = rows + counts.quarantined;
  return {
    objects: manifest.objects,
    bytes: manifest.bytes,
    skipped: manifest.skipped.length,
    events: counts.events,
    quarantined: counts.quarantined,
    outputs,
    seconds,
    ...(deadSeconds === undefined ? {} : { deadSeconds }),
    quarantinedShare: lines === 0 ? 0 : counts.quarantined / lines,
  };
}

/** An hour with no source objects: nothing read, nothing written. */
export function emptySummary(manifest: Pick<RunManifest, 'skipped'>): RunSummary {
  return summarizeRun({ objects: 0, bytes: 0, skipped: manifest.skipped }, { events: {}, quarantined: 0 }, [], 0);
}
