/**
 * The OpenLineage events of the runs of hours: START when a run is planned, COMPLETE (its source
 * in, the lake entities it wrote out) or FAIL (with the reason) when it ends, all with one run id
 * derived from eventlake's. A run that ends in a process that did not plan it (taken over, failed
 * before its plan) gets its START then, dated when it started.
 */
import { dirname } from 'node:path';
import type { RunRecord } from '../orchestration/run-store.js';
import { hourRunFacet, writtenPartitionsFacet } from './eventlake-facets.js';
import { lakeDataset, sourceDataset } from './lineage-datasets.js';
import { lineageRunId } from './lineage-run-id.js';
import { runEvent, writeRunEvent, type Facets, type OutputDataset, type RunEventType } from './openlineage-event.js';
import { errorMessageFacet, jobTypeFacet, nominalTimeFacet, outputStatisticsFacet, processingEngineFacet } from './standard-facets.js';
import { hourInterval } from './hour-interval.js';

export const HOUR_JOB = 'hour';

export class HourRunLineage {
  /** Runs whose START this process wrote. */
  private readonly started = new Set<string>();
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly stateDir: string,
    private readonly onError: (err: Error) => void,
  ) {}

  /** The run was planned (its tasks queued): it has started. */
  planned(run: RunRecord): void {
    if (this.started.has(run.id)) return;
    this.started.add(run.id);
    this.write(this.event(run, 'START'));
  }

  /** The run ended, or went back to the queue (nothing to say until it ends). */
  settled(run: RunRecord): void {
    if (run.status !== 'success' && run.status !== 'failed') return;
    const events = this.started.has(run.id) ? [] : [this.event(run, 'START')];
    this.started.delete(run.id);
    events.push(this.event(run, run.status === 'success' ? 'COMPLETE' : 'FAIL'));
    // One after the other: a consumer reading the folder in name order sees START first.
    const written = events.reduce<Promise<unknown>>((previous, event) => previous.then(() => writeRunEvent(this.stateDir, event)), Promise.resolve());
    this.track(written);
  }

  /** Waits for the events being written. */
  async flush(): Promise<void> {
    await Promise.all(this.writes);
  }

  private write(event: ReturnType<typeof runEvent>): void {
    this.track(writeRunEvent(this.stateDir, event));
  }

  private track(written: Promise<unknown>): void {
    const done: Promise<void> = written.then(
      () => undefined,
      (err: unknown) => this.onError(err as Error),
    ).finally(() => this.writes.delete(done));
    this.writes.add(done);
  }

  private event(run: RunRecord, eventType: RunEventType): ReturnType<typeof runEvent> {
    const ended = eventType !== 'START';
    const summary = ended ? run.summary : undefined;
    const interval = hourInterval(run.hour, run.request.timezone);
    const runFacets: Record<string, Facets[string]> = {
      ...(interval ? { nominalTime: nominalTimeFacet(interval.start, interval.end) } : {}),
      processing_engine: processingEngineFacet(),
      eventlake_hour: hourRunFacet({
        runId: run.id,
        lake: run.lake,
        hour: run.hour,
        timezone: run.request.timezone,
        trigger: run.trigger,
        attempt: run.attempt,
        ...(summary ? { objects: summary.objects, skipped: summary.skipped, events: { ...summary.events }, quarantined: summary.quarantined } : {}),
      }),
    };
    if (eventType === 'FAIL') runFacets['errorMessage'] = errorMessageFacet(run.error ?? 'the run failed');
    const at = ended ? (run.finishedAt ?? new Date().toISOString()) : (run.startedAt ?? new Date().toISOString());
    return runEvent({
      eventType,
      eventTime: at,
      runId: lineageRunId(run.id),
      job: HOUR_JOB,
      jobFacets: { jobType: jobTypeFacet('JOB') },
      runFacets,
      inputs: [sourceDataset(run.request.source)],
      outputs: eventType === 'COMPLETE' ? this.outputs(run) : [],
    });
  }

  /** The lake entities the run wrote, with the hour partitions and what went into them. */
  private outputs(run: RunRecord): OutputDataset[] {
    const byEntity = new Map<string, { partitions: Set<string>; rows: number; bytes: number; files: number }>();
    for (const output of run.summary?.outputs ?? []) {
      const entity = byEntity.get(output.entity) ?? { partitions: new Set<string>(), rows: 0, bytes: 0, files: 0 };
      const folder = dirname(output.key);
      entity.partitions.add(folder.slice(folder.indexOf('/') + 1));
      entity.rows += output.rows;
      entity.bytes += output.bytes;
      entity.files += 1;
      byEntity.set(output.entity, entity);
    }
    return [...byEntity].map(([entity, written]) => ({
      ...lakeDataset(run.request.lake, entity),
      outputFacets: {
        outputStatistics: outputStatisticsFacet({ rowCount: written.rows, size: written.bytes, fileCount: written.files }),
        eventlake_partitions: writtenPartitionsFacet([...written.partitions].sort()),
      },
    }));
  }
}
