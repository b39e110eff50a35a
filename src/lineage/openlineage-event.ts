/**
 * OpenLineage run events (spec 2-0-2, https://openlineage.io/spec/2-0-2/OpenLineage.json): one
 * JSON file per finished run of an hour and per model build, under `<state>/lineage/`, for any
 * OpenLineage consumer (Marquez, DataHub, …) to pick up. Written whole (temporary file, then
 * rename), so a reader never sees half an event.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PRODUCER = 'https://github.com/eventlake/eventlake';
const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent';

export interface Dataset {
  /** Where it lives: `file:///path/to/lake`, `s3://bucket`, `duckdb:///path/warehouse.duckdb`. */
  readonly namespace: string;
  readonly name: string;
}

export interface RunEvent {
  readonly eventType: 'COMPLETE' | 'FAIL';
  readonly eventTime: string;
  readonly run: { readonly runId: string; readonly facets?: Record<string, unknown> };
  readonly job: { readonly namespace: string; readonly name: string };
  readonly inputs: readonly Dataset[];
  readonly outputs: readonly Dataset[];
  readonly producer: string;
  readonly schemaURL: string;
}

export function runEvent(job: string, inputs: readonly Dataset[], outputs: readonly Dataset[], options: { failed?: boolean; runId?: string } = {}): RunEvent {
  return {
    eventType: options.failed ? 'FAIL' : 'COMPLETE',
    eventTime: new Date().toISOString(),
    // OpenLineage run ids are UUIDs; eventlake's own run id goes in a facet.
    run: { runId: randomUUID(), ...(options.runId ? { facets: { eventlake: { _producer: PRODUCER, _schemaURL: SCHEMA_URL, runId: options.runId } } } : {}) },
    job: { namespace: 'eventlake', name: job },
    inputs,
    outputs,
    producer: PRODUCER,
    schemaURL: SCHEMA_URL,
  };
}

export async function writeRunEvent(stateDir: string, event: RunEvent): Promise<string> {
  const dir = join(stateDir, 'lineage');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${event.eventTime.replace(/[:.]/g, '-')}-${event.job.name.replace(/[^\w.-]/g, '_')}-${event.run.runId.slice(0, 8)}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(event, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return file;
}
