/**
 * The OpenLineage facets eventlake fills in, each with the `_schemaURL` of the official facet
 * schema it follows (the test validates every emitted facet against the vendored copy of it).
 */
import { packageVersion } from '../config/package-root.js';
import { PRODUCER, type Facet } from './openlineage-event.js';

const FACETS = 'https://openlineage.io/spec/facets';

function facet(schemaURL: string, fields: Record<string, unknown>): Facet {
  return { _producer: PRODUCER, _schemaURL: schemaURL, ...fields };
}

/** `jobType`: every eventlake job is a batch job (START, then COMPLETE or FAIL). */
export function jobTypeFacet(jobType: 'JOB' | 'DAG' | 'TASK' | 'MODEL'): Facet {
  return facet(`${FACETS}/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet`, { processingType: 'BATCH', integration: 'EVENTLAKE', jobType });
}

/** `nominalTime`: the logical interval a run is for (an hour run's hour). */
export function nominalTimeFacet(start: Date, end: Date): Facet {
  return facet(`${FACETS}/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet`, { nominalStartTime: start.toISOString(), nominalEndTime: end.toISOString() });
}

/** `processing_engine`: eventlake and its version. */
export function processingEngineFacet(): Facet {
  return facet(`${FACETS}/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet`, { version: packageVersion(), name: 'eventlake' });
}

/** `errorMessage` of a FAIL: the one sentence eventlake gives a person. */
export function errorMessageFacet(message: string): Facet {
  return facet(`${FACETS}/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet`, { message, programmingLanguage: 'TypeScript' });
}

/** `parent`: the run this one is a step of (a model's run in a warehouse build). */
export function parentRunFacet(runId: string, job: { readonly namespace: string; readonly name: string }): Facet {
  return facet(`${FACETS}/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet`, { run: { runId }, job: { namespace: job.namespace, name: job.name } });
}

/** `outputStatistics` of an output dataset: what the run wrote to it. */
export function outputStatisticsFacet(stats: { readonly rowCount: number; readonly size?: number; readonly fileCount?: number }): Facet {
  return facet(`${FACETS}/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet`, { ...stats });
}
