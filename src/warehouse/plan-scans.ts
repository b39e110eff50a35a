/**
 * The scans of a DuckDB plan (`EXPLAIN (FORMAT JSON)`) that explain counts: Parquet scans with
 * their printed file filters and `Scanning Files: k/n`, and scans of the warehouse's tables with
 * their filters. The plan is read as data, never run.
 */
export interface PlanNode {
  readonly name: string;
  readonly children?: readonly PlanNode[];
  readonly extra_info?: Record<string, unknown>;
}

/** A Parquet scan of the plan. */
export interface ParquetScan {
  readonly projections: readonly string[];
  readonly fileFilters: string | undefined;
  /** `Scanning Files: k/n`, printed only when filters pruned (or could prune) the list. */
  readonly filesRead: number | undefined;
  readonly filesTotal: number | undefined;
}

/** A scan of a table of the warehouse file. */
export interface TableScan {
  readonly schema: string;
  readonly table: string;
  readonly filters: string | undefined;
}

const texts = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined || value === '' ? [] : [String(value)]);

export function planScans(nodes: readonly PlanNode[]): { parquet: ParquetScan[]; tables: TableScan[]; answeredWhilePlanning: boolean } {
  const parquet: ParquetScan[] = [];
  const tables: TableScan[] = [];
  let answeredWhilePlanning = false;
  const walk = (node: PlanNode): void => {
    const info = node.extra_info ?? {};
    // A scan of values DuckDB worked out while planning: count(*) of Parquet files, from their footers.
    if (node.name.trim() === 'COLUMN_DATA_SCAN') answeredWhilePlanning = true;
    if (node.name.trim() === 'READ_PARQUET' || info['Function'] === 'READ_PARQUET') {
      const scanning = /^(\d+)\/(\d+)$/.exec(String(info['Scanning Files'] ?? ''));
      const filters = texts(info['File Filters']);
      parquet.push({
        projections: texts(info['Projections']),
        fileFilters: filters.length > 0 ? filters.join('\n') : undefined,
        filesRead: scanning ? Number(scanning[1]) : undefined,
        filesTotal: scanning ? Number(scanning[2]) : undefined,
      });
    } else if (typeof info['Table'] === 'string') {
      const parts = info['Table'].split('.');
      const filters = texts(info['Filters']);
      tables.push({ table: parts.at(-1) ?? '', schema: parts.at(-2) ?? 'main', filters: filters.length > 0 ? filters.join('\n') : undefined });
    }
    for (const child of node.children ?? []) walk(child);
  };
  for (const node of nodes) walk(node);
  return { parquet, tables, answeredWhilePlanning };
}
