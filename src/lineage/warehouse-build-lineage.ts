/**
 * The OpenLineage events of a warehouse build, shaped as dbt's OpenLineage integration shapes a
 * dbt run, which is what Marquez draws best: one `warehouse.build` run (START, then COMPLETE or
 * FAIL) that groups its steps, each a run of its own with a `parent` facet naming the build:
 *
 * - `warehouse.load`: the lake entities in (the same datasets the hour runs wrote, with the
 *   partitions loaded and removed), the warehouse's internal tables out;
 * - `warehouse.<model>`: the tables the model reads in, its table out (with its row count).
 *
 * So Marquez shows the lineage from a source folder through an hour run, a lake entity, the load
 * and each model to `bi_avg_distance`, and a model's runs and durations on its own job page. The
 * build itself carries no datasets: they would draw every edge twice. A step that did nothing (no
 * partition changed; a model nothing it reads changed) has no run. The steps' times come from the
 * build report (each model's seconds, counted back from the build's end).
 */
import type { ObjectStoreConfig } from '../storage/object-store-config.js';
import type { WarehouseBuildReport } from '../warehouse/embedded-warehouse.js';
import { readPartitionsFacet, warehouseRunFacet } from './eventlake-facets.js';
import { lakeDataset, warehouseDataset } from './lineage-datasets.js';
import { newLineageRunId } from './lineage-run-id.js';
import { JOB_NAMESPACE, runEvent, writeRunEvent, type Facets, type RunEvent } from './openlineage-event.js';
import { errorMessageFacet, jobTypeFacet, outputStatisticsFacet, parentRunFacet, processingEngineFacet } from './standard-facets.js';

export const BUILD_JOB = 'warehouse.build';
export const LOAD_JOB = 'warehouse.load';

/** What lineage needs of a model: its name and what it reads. */
export interface ModelDependencies {
  readonly name: string;
  readonly dependsOn: readonly string[];
}

export class WarehouseBuildLineage {
  private constructor(
    private readonly stateDir: string,
    private readonly lake: ObjectStoreConfig,
    private readonly runId: string,
    private readonly startedAt: Date,
  ) {}

  /** Writes the build's START. */
  static async start(stateDir: string, lake: ObjectStoreConfig, now = new Date()): Promise<WarehouseBuildLineage> {
    const lineage = new WarehouseBuildLineage(stateDir, lake, newLineageRunId(), now);
    await writeRunEvent(stateDir, lineage.buildEvent('START', now));
    return lineage;
  }

  /** Writes the steps' START and COMPLETE, then the build's COMPLETE. */
  async complete(report: WarehouseBuildReport, models: readonly ModelDependencies[], now = new Date()): Promise<void> {
    for (const event of this.stepEvents(report, models, now)) await writeRunEvent(this.stateDir, event);
    await writeRunEvent(this.stateDir, this.buildEvent('COMPLETE', now, warehouseRunFacet({ step: 'build', partitionsLoaded: report.loaded.length, partitionsRemoved: report.removed.length, seconds: Math.round(report.seconds * 1000) / 1000 })));
  }

  /** Writes the build's FAIL with the reason. */
  async fail(reason: string, now = new Date()): Promise<void> {
    await writeRunEvent(this.stateDir, this.buildEvent('FAIL', now, errorMessageFacet(reason)));
  }

  private buildEvent(eventType: 'START' | 'COMPLETE' | 'FAIL', at: Date, extra?: Facets[string]): RunEvent {
    const runFacets: Record<string, Facets[string]> = { processing_engine: processingEngineFacet() };
    if (extra) runFacets[eventType === 'FAIL' ? 'errorMessage' : 'eventlake_warehouse'] = extra;
    return runEvent({ eventType, eventTime: at, runId: this.runId, job: BUILD_JOB, jobFacets: { jobType: jobTypeFacet('DAG') }, runFacets });
  }

  private stepEvents(report: WarehouseBuildReport, models: readonly ModelDependencies[], end: Date): RunEvent[] {
    const parent = { parent: parentRunFacet(this.runId, { namespace: JOB_NAMESPACE, name: BUILD_JOB }) };
    const table = (name: string): ReturnType<typeof warehouseDataset> => warehouseDataset(report.database, name);
    // Models ran one after the other and ended with the build: count their times back from its end.
    const modelTimes: { start: Date; end: Date }[] = [];
    let cursor = end.getTime();
    for (const built of [...report.models].reverse()) {
      const start = Math.max(this.startedAt.getTime(), cursor - built.seconds * 1000);
      modelTimes.unshift({ start: new Date(start), end: new Date(cursor) });
      cursor = start;
    }
    const loadEnd = new Date(cursor);

    const entities = [...new Set([...Object.keys(report.tables), ...[...report.loaded, ...report.removed].map((p) => p.split('/')[0] as string)])];
    const partitionsOf = (entity: string, keys: readonly string[]): string[] => keys.filter((k) => k.startsWith(`${entity}/`)).map((k) => k.slice(entity.length + 1));
    const loadRunId = newLineageRunId();
    const loadFacets = { ...parent, processing_engine: processingEngineFacet() };
    const loadJob = { jobType: jobTypeFacet('TASK') };
    const events: RunEvent[] = [];
    if (report.loaded.length + report.removed.length > 0) {
      events.push(
        runEvent({ eventType: 'START', eventTime: this.startedAt, runId: loadRunId, job: LOAD_JOB, jobFacets: loadJob, runFacets: loadFacets }),
        runEvent({
          eventType: 'COMPLETE',
          eventTime: loadEnd,
          runId: loadRunId,
          job: LOAD_JOB,
          jobFacets: loadJob,
          runFacets: { ...loadFacets, eventlake_warehouse: warehouseRunFacet({ step: 'load', partitionsLoaded: report.loaded.length, partitionsRemoved: report.removed.length }) },
          inputs: entities.map((entity) => ({
            ...lakeDataset(this.lake, entity),
            inputFacets: { eventlake_partitions: readPartitionsFacet(partitionsOf(entity, report.loaded), partitionsOf(entity, report.removed)) },
          })),
          outputs: Object.keys(report.tables).map(table),
        }),
      );
    }
    report.models.forEach((built, i) => {
      if (built.build === 'unchanged') return;
      const times = modelTimes[i] as { start: Date; end: Date };
      const runId = newLineageRunId();
      const job = `warehouse.${built.name}`;
      const jobFacets = { jobType: jobTypeFacet('MODEL') };
      const inputs = (models.find((m) => m.name === built.name)?.dependsOn ?? []).map(table);
      events.push(
        runEvent({ eventType: 'START', eventTime: times.start, runId, job, jobFacets, runFacets: loadFacets, inputs }),
        runEvent({
          eventType: 'COMPLETE',
          eventTime: times.end,
          runId,
          job,
          jobFacets,
          runFacets: {
            ...loadFacets,
            eventlake_warehouse: warehouseRunFacet({
              step: 'model',
              build: built.build,
              rows: built.rows,
              rowsWritten: built.rowsWritten,
              rowsRemoved: built.rowsRemoved,
              dataTests: built.tests,
              seconds: Math.round(built.seconds * 1000) / 1000,
            }),
          },
          inputs,
          outputs: [{ ...table(built.name), outputFacets: { outputStatistics: outputStatisticsFacet({ rowCount: built.rowsWritten }) } }],
        }),
      );
    });
    return events;
  }
}
