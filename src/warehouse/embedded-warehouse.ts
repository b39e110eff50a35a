/**
 * The embedded-warehouse port: build it from the lake (the hours that changed, then every model
 * and its data tests), and read it. DuckDB is the one adapter (`duckdb/`).
 */
import type { Model } from './model-graph.js';

export interface WarehouseBuildOptions {
  readonly stateDir: string;
  readonly lakeRoot: string;
  readonly models: readonly Model[];
  /** Another build holds the warehouse: called once, then the build waits for it. */
  readonly onWait?: (holder: string) => void;
}

export interface ModelReport {
  readonly name: string;
  readonly rows: number;
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

export interface WarehouseReader {
  /** Rows as JSON values (numbers stay numbers where JSON can hold them). */
  query(sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }>;
  close(): void;
}


export interface EmbeddedWarehouse {
  build(options: WarehouseBuildOptions): Promise<WarehouseBuildReport>;
  openReader(stateDir: string): Promise<WarehouseReader>;
}
