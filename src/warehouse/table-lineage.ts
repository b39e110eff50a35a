/**
 * Table-level lineage of the embedded warehouse, derived from what already says it (never
 * declared twice): what each model's source references (`ref()`, `changes()`: model-graph.ts
 * infers it), the lake partitions each internal table was loaded from, and the runs that wrote
 * those partitions from their source objects.
 */
import type { Model } from './model-graph.js';

/** What lineage needs of a model: its name and what it reads. */
export type LineageModel = Pick<Model, 'name' | 'dependsOn'>;

export interface LineageEdge {
  readonly from: string;
  readonly to: string;
}

export interface LoadedPartition {
  readonly entity: string;
  /** `vehicle/date=2019-06-01/hour=15` */
  readonly key: string;
}

export interface PartitionWriter {
  /** The partition (`vehicle/date=…/hour=…`) a run published. */
  readonly partition: string;
  readonly runId: string;
  /** Where the run read from, and how many objects. */
  readonly source: string;
  readonly objects: number;
}

export function upstreamOf(table: string, models: readonly LineageModel[], partitions: readonly LoadedPartition[], writers: readonly PartitionWriter[]): LineageEdge[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const edges: LineageEdge[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const model = byName.get(name);
    if (model) {
      for (const dep of model.dependsOn) {
        edges.push({ from: dep, to: name });
        visit(dep);
      }
      return;
    }
    // An internal table: loaded from the lake's view of its entity, partition by partition.
    const loaded = partitions.filter((p) => p.entity === name);
    if (loaded.length === 0) return;
    edges.push({ from: `lake.${name}`, to: name });
    for (const partition of loaded) {
      edges.push({ from: `lake:${partition.key}`, to: `lake.${name}` });
      const writer = writers.find((w) => w.partition === partition.key);
      if (writer) edges.push({ from: `source:${writer.source} (${writer.objects} objects, run ${writer.runId})`, to: `lake:${partition.key}` });
    }
  };
  visit(table);
  return edges;
}
