/**
 * The embedded-warehouse port: build it from the lake (the hours that changed, then every model
 * and its data tests), and read it. DuckDB is the one adapter (`duckdb/`).
 */
import type { Materialization } from './compiled-model.js';
import type { Model } from './model-graph.js';

export interface WarehouseBuildOptions {
  readonly stateDir: string;
  readonly lakeRoot: string;
  readonly models: readonly Model[];
  /** Rebuild every model whole (`warehouse build --full-refresh`). */
  readonly fullRefresh?: boolean;
  /** Another build holds the warehouse: called once, then the build waits for it. */
  readonly onWait?: (holder: string) => void;
}

export interface ModelReport {
  readonly name: string;
  readonly materialized: Materialization;
  /** full: rebuilt whole; incremental: its changed keys replaced; unchanged: nothing it reads changed. */
  readonly build: 'full' | 'incremental' | 'unchanged';
  /** Rows removed plus rows written. */
  readonly rowsChanged: number;
  readonly rowsRemoved: number;
  readonly rowsWritten: number;
  /** Rows now in the model's table. */
  readonly rows: number;
  /** Data tests run (an incremental model's on its changed keys' rows). */
  readonly tests: number;
  readonly seconds: number;
}

export interface WarehouseBuildReport {
  readonly database: string;
  /** Partitions (`vehicle/date=…/hour=…`) loaded or reloaded into the internal tables. */
  readonly loaded: readonly string[];
  /** Partitions gone from the lake, removed from the internal tables. */
  readonly removed: readonly string[];
  readonly tables: Record<string, number>;
  readonly models: readonly ModelReport[];
  readonly seconds: number;
}

/** A person's query answered: at most the rows asked for, and whether there were more. */
export interface ReadAnswer {
  readonly columns: string[];
  readonly rows: Record<string, unknown>[];
  readonly truncated: boolean;
}

export interface WarehouseReader {
  /** eventlake's own SQL. Rows as JSON values (numbers stay numbers where JSON can hold them). */
  query(sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }>;
  /** Refuses, in one sentence, anything but one statement DuckDB's parser calls a SELECT. */
  checkReadOnly(sql: string): Promise<void>;
  /**
   * A person's query: checked as above, stopped after `timeoutMs`, at most `maxRows` rows read,
   * refused when those rows as text pass `maxBytes` (Infinity: not sized).
   */
  read(sql: string, options: { readonly maxRows: number; readonly timeoutMs: number; readonly maxBytes: number }): Promise<ReadAnswer>;
  close(): void;
}


export interface EmbeddedWarehouse {
  build(options: WarehouseBuildOptions): Promise<WarehouseBuildReport>;
  openReader(stateDir: string): Promise<WarehouseReader>;
}
