/**
 * The warehouse-target port: what the application needs of a SQL warehouse the lake is loaded
 * into (Snowflake for the cloud deployment). A connection runs one statement at a time and
 * returns its rows as objects keyed by column name.
 */
export interface SqlConnection {
  execute(sql: string, binds?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** What applying a DDL script did: statements run, and whether the stage smoke test saw a file. */
export interface ApplyResult {
  readonly statements: number;
  readonly smokeTest: 'ok' | 'empty';
}

/** A query's plan and how many micro-partitions (or external-table files) it reads. */
export interface ExplainResult {
  readonly plan: unknown;
  readonly partitions_read: number;
  readonly partitions_total: number;
  /** One sentence when the query prunes nothing, else null. */
  readonly warning: string | null;
}

/** A table-level lineage edge: `to` was written by a query that read `from`. */
export interface LineageEdge {
  readonly from: string;
  readonly to: string;
}

export interface LineageResult {
  readonly table: string;
  readonly upstream: LineageEdge[];
}
