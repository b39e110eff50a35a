/**
 * What a query reads of the lake, from DuckDB's own plan: each Parquet scan says how many files
 * it scans of how many (`Scanning Files: 1/48`) once hive-partition filters prune it, and which
 * filters it pushed to the files (`File Filters`). Partitions read are counted by applying those
 * filters to the lake's partition list. A scan that prunes nothing on a table of several files
 * gets a warning: filter on `date` and `hour`.
 */
export interface PlanNode {
  readonly name: string;
  readonly children?: readonly PlanNode[];
  readonly extra_info?: Record<string, unknown>;
}

export interface LakeScan {
  /** The entity scanned, told by the columns it projects, or undefined when they do not say. */
  readonly entity: string | undefined;
  readonly filesRead: number | undefined;
  readonly filesTotal: number | undefined;
  readonly fileFilters: string | undefined;
}

export interface ExplainReport {
  readonly plan: unknown;
  readonly files_read: number;
  readonly files_total: number;
  readonly partitions_read: number;
  readonly partitions_total: number;
  readonly warning: string | null;
}

export function lakeScans(nodes: readonly PlanNode[], entityColumns: ReadonlyMap<string, string>): LakeScan[] {
  const scans: LakeScan[] = [];
  const walk = (node: PlanNode): void => {
    const info = node.extra_info ?? {};
    if (node.name === 'READ_PARQUET' || info['Function'] === 'READ_PARQUET') {
      const projections = Array.isArray(info['Projections']) ? (info['Projections'] as unknown[]).map(String) : [String(info['Projections'] ?? '')];
      const entity = projections.map((p) => entityColumns.get(p)).find((e) => e !== undefined);
      const scanning = /^(\d+)\/(\d+)$/.exec(String(info['Scanning Files'] ?? ''));
      scans.push({
        entity,
        filesRead: scanning ? Number(scanning[1]) : undefined,
        filesTotal: scanning ? Number(scanning[2]) : undefined,
        fileFilters: typeof info['File Filters'] === 'string' ? info['File Filters'] : undefined,
      });
    }
    for (const child of node.children ?? []) walk(child);
  };
  for (const node of nodes) walk(node);
  return scans;
}
