/**
 * Opens the warehouse target a configuration names. Adapters are loaded on first use, so
 * nothing else loads snowflake-sdk (and its AWS and Azure SDKs) unless a command needs it.
 */
import type { ApplyResult, ExplainResult, LineageResult, SqlConnection } from './warehouse-target.js';
import type { SnowflakeDdlOptions } from './snowflake/snowflake-ddl.js';
import type { LineageOptions } from './snowflake/snowflake-lineage.js';
import type { HourRefresh, SnowflakeLocation } from './snowflake/snowflake-refresh.js';
import type { SecretFetcher } from './snowflake/snowflake-secret.js';

export interface SnowflakeTargetConfig {
  readonly kind: 'snowflake';
}

export type WarehouseTargetConfig = SnowflakeTargetConfig;

/** What a command needs of the Snowflake target, loaded together. */
export interface SnowflakeTarget {
  apply(connection: SqlConnection, ddl: string): Promise<ApplyResult>;
  explain(connection: SqlConnection, query: string): Promise<ExplainResult>;
  lineage(connection: SqlConnection, table: string, options?: LineageOptions): Promise<LineageResult>;
  /** Makes one published hour (`2019-06-01T15`) visible: its external-table files, then the load. */
  refreshHour(connection: SqlConnection, location: SnowflakeLocation, hour: string): Promise<HourRefresh>;
}

export type { SnowflakeDdlOptions, LineageOptions, HourRefresh, SnowflakeLocation, SecretFetcher };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment with the warehouse's secret (SNOWFLAKE_SECRET_ID) read into it, its id then
 * dropped: a connection opened with it reads the secret no more. The settings it holds (database,
 * schema) are then known before connecting.
 */
export async function warehouseEnv(config: WarehouseTargetConfig, env: Env = process.env, fetchSecret?: SecretFetcher): Promise<Env> {
  switch (config.kind) {
    case 'snowflake': {
      const { withSecretEnv } = await import('./snowflake/snowflake-secret.js');
      const merged = await withSecretEnv(env, fetchSecret);
      return merged === env ? env : { ...merged, SNOWFLAKE_SECRET_ID: undefined };
    }
  }
}

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

/** The apply, explain, lineage and refresh functions of a target (no connection is opened). */
export async function loadWarehouseTarget(config: WarehouseTargetConfig): Promise<SnowflakeTarget> {
  switch (config.kind) {
    case 'snowflake': {
      // The DDL is not here: it compiles the models (nunjucks), which the Lambda bundle leaves out;
      // the CLI makes it with projectSnowflakeDdl().
      const [{ applySnowflake }, { explainSnowflake }, { snowflakeLineage }, { refreshSnowflakeHour }] = await Promise.all([
        import('./snowflake/snowflake-apply.js'),
        import('./snowflake/snowflake-explain.js'),
        import('./snowflake/snowflake-lineage.js'),
        import('./snowflake/snowflake-refresh.js'),
      ]);
      return { apply: applySnowflake, explain: explainSnowflake, lineage: snowflakeLineage, refreshHour: refreshSnowflakeHour };
    }
  }
}
