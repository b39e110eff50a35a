/**
 * OpenLineage run events (spec 2-0-2): one JSON file per state change of a run (START, then
 * COMPLETE or FAIL with the same run id) under `<state>/lineage/`, for any OpenLineage consumer
 * (Marquez, DataHub, …) to pick up. Written whole (temporary file, then rename), so a reader never
 * sees half an event. Facets are built in `standard-facets.ts` and `eventlake-facets.ts`.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PRODUCER = 'https://github.com/eventlake/eventlake';
export const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
/** The namespace of every job eventlake runs (jobs are named `hour`, `warehouse.build`, …). */
export const JOB_NAMESPACE = 'eventlake';

/** Any facet: `_producer` and the URL of the JSON schema it follows, then its own fields. */
export interface Facet {
  readonly _producer: string;
  readonly _schemaURL: string;
  readonly [field: string]: unknown;
}
export type Facets = Readonly<Record<string, Facet>>;

export interface Dataset {
  /** Where it lives, as OpenLineage's naming conventions say: `file`, `s3://bucket`, `duckdb:///path/warehouse.duckdb`. */
  readonly namespace: string;
  readonly name: string;
}

export interface InputDataset extends Dataset {
  readonly inputFacets?: Facets;
}

export interface OutputDataset extends Dataset {
  readonly outputFacets?: Facets;
}

export type RunEventType = 'START' | 'COMPLETE' | 'FAIL';

export interface RunEvent {
  readonly eventType: RunEventType;
  readonly eventTime: string;
  readonly run: { readonly runId: string; readonly facets?: Facets };
  readonly job: { readonly namespace: string; readonly name: string; readonly facets?: Facets };
  readonly inputs: readonly InputDataset[];
  readonly outputs: readonly OutputDataset[];
  readonly producer: string;
  readonly schemaURL: string;
}

export interface RunEventParts {
  readonly eventType: RunEventType;
  readonly eventTime: Date | string;
  /** A UUID (see `lineage-run-id.ts`): the same for a run's START and its COMPLETE or FAIL. */
  readonly runId: string;
  readonly job: string;
  readonly runFacets?: Facets;
  readonly jobFacets?: Facets;
  readonly inputs?: readonly InputDataset[];
  readonly outputs?: readonly OutputDataset[];
}

export function runEvent(parts: RunEventParts): RunEvent {
  const facets = (f: Facets | undefined): { facets?: Facets } => (f && Object.keys(f).length > 0 ? { facets: f } : {});
  return {
    eventType: parts.eventType,
    eventTime: typeof parts.eventTime === 'string' ? parts.eventTime : parts.eventTime.toISOString(),
    run: { runId: parts.runId, ...facets(parts.runFacets) },
    job: { namespace: JOB_NAMESPACE, name: parts.job, ...facets(parts.jobFacets) },
    inputs: parts.inputs ?? [],
    outputs: parts.outputs ?? [],
    producer: PRODUCER,
    schemaURL: SCHEMA_URL,
  };
}

/** Writes the event as `<state>/lineage/<time>-<job>-<type>-<run>.json`; names sort by event time. */
export async function writeRunEvent(stateDir: string, event: RunEvent): Promise<string> {
  const dir = join(stateDir, 'lineage');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${event.eventTime.replace(/[:.]/g, '-')}-${event.job.name.replace(/[^\w.-]/g, '_')}-${event.eventType.toLowerCase()}-${event.run.runId.slice(0, 8)}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(event, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return file;
}
