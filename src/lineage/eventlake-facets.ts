/**
 * eventlake's custom facets. Each has a JSON schema of its own in `facets/<version>/` in this
 * repository, named by `_schemaURL` under the producer's URL; a released version of a schema is
 * never edited (a change is a new version folder), so the URL stays right for old events.
 */
import { PRODUCER, type Facet } from './openlineage-event.js';

export const FACET_SCHEMAS = `${PRODUCER}/raw/main/src/lineage/facets/1-0-0`;

export interface HourRunFields {
  readonly runId: string;
  readonly lake: string;
  readonly hour: string;
  readonly timezone: string;
  readonly trigger: string;
  readonly attempt: number;
  readonly objects?: number;
  readonly skipped?: number;
  readonly events?: Record<string, number>;
  readonly quarantined?: number;
}

/** `eventlake_hour`: the run of an hour as eventlake knows it. */
export function hourRunFacet(fields: HourRunFields): Facet {
  return { _producer: PRODUCER, _schemaURL: `${FACET_SCHEMAS}/EventlakeHourRunFacet.json#/$defs/EventlakeHourRunFacet`, ...fields };
}

export interface WarehouseRunFields {
  readonly step: 'build' | 'load' | 'model';
  readonly partitionsLoaded?: number;
  readonly partitionsRemoved?: number;
  /** A model's: rebuilt whole, or its changed keys replaced. */
  readonly build?: 'full' | 'incremental';
  readonly rows?: number;
  readonly rowsWritten?: number;
  readonly rowsRemoved?: number;
  readonly dataTests?: number;
  readonly seconds?: number;
}

/** `eventlake_warehouse`: a warehouse build, its load of the lake, or one model of it. */
export function warehouseRunFacet(fields: WarehouseRunFields): Facet {
  return { _producer: PRODUCER, _schemaURL: `${FACET_SCHEMAS}/EventlakeWarehouseRunFacet.json#/$defs/EventlakeWarehouseRunFacet`, ...fields };
}

const PARTITIONS = `${FACET_SCHEMAS}/EventlakePartitionsDatasetFacet.json#/$defs`;

/** `eventlake_partitions` of an output: the hour partitions (`date=…/hour=…`) a run wrote. */
export function writtenPartitionsFacet(partitions: readonly string[]): Facet {
  return { _producer: PRODUCER, _schemaURL: `${PARTITIONS}/EventlakePartitionsOutputDatasetFacet`, partitions: [...partitions] };
}

/** `eventlake_partitions` of an input: the hour partitions a build loaded, and those it removed. */
export function readPartitionsFacet(partitions: readonly string[], removed: readonly string[]): Facet {
  return { _producer: PRODUCER, _schemaURL: `${PARTITIONS}/EventlakePartitionsInputDatasetFacet`, partitions: [...partitions], removed: [...removed] };
}
