/**
 * Opens the warehouse target a configuration names. Adapters are loaded on first use, so
 * nothing else loads snowflake-sdk (and its AWS and Azure SDKs) unless a command needs it.
 */
import type { ApplyResult, ExplainResult, LineageResult, SqlConnection } from './warehouse-target.js';
import type { SnowflakeDdlOptions } from './snowflake/snowflake-ddl.js';
import type { LineageOptions } from './snowflake/snowflake-lineage.js';

export interface SnowflakeTargetConfig {
  readonly kind: 'snowflake';
}

export type WarehouseTargetConfig = SnowflakeTargetConfig;

/** What a command needs of the Snowflake target, loaded together. */
export interface SnowflakeTarget {
  ddl(options: SnowflakeDdlOptions): string;
  apply(connection: SqlConnection, ddl: string): Promise<ApplyResult>;
  explain(connection: SqlConnection, query: string): Promise<ExplainResult>;
  lineage(connection: SqlConnection, table: string, options?: LineageOptions): Promise<LineageResult>;
}

export type { SnowflakeDdlOptions, LineageOptions };

/** A connection to the warehouse; its credentials come from the environment only. */
export async function openWarehouseConnection(
  config: WarehouseTargetConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<SqlConnection> {
  switch (config.kind) {
    case 'snowflake': {
      const { openSnowflakeConnection } = await import('./snowflake/snowflake-connection.js');
      return openSnowflakeConnection(env);
    }
  }
}

/** The DDL, apply, explain and lineage functions of a target (no connection is opened). */
export async function loadWarehouseTarget(config: WarehouseTargetConfig): Promise<SnowflakeTarget> {
  switch (config.kind) {
    case 'snowflake': {
      const [{ snowflakeDdl }, { applySnowflake }, { explainSnowflake }, { snowflakeLineage }] = await Promise.all([
        import('./snowflake/snowflake-ddl.js'),
        import('./snowflake/snowflake-apply.js'),
        import('./snowflake/snowflake-explain.js'),
        import('./snowflake/snowflake-lineage.js'),
      ]);
      return { ddl: snowflakeDdl, apply: applySnowflake, explain: explainSnowflake, lineage: snowflakeLineage };
    }
  }
}
